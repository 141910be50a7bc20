package server

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestWriteRequestTimeout: a /v1 write whose request timeout passes before
// the engine takes it is answered 503 "timeout" and applies nothing (the
// timeout used to be a fixed 30 s that only the mint path saw, and only
// until it queued).
func TestWriteRequestTimeout(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RequestTimeout = time.Nanosecond })
	a, op := env.key("兰州陇原"), env.key("operator")
	orgs := len(env.eng.Issuance().Orgs())
	for _, w := range []struct{ method, uri, key, body string }{
		{"POST", "/v1/orgs", op, `{"name":"深圳测试公司","region":"440300","gcps":["6905555"]}`},
		{"POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"测试奶粉","category":"food"}`},
		{"POST", "/v1/blocks", a, `{"gtin":"06901234000115","lot":"T9","createLot":true,"count":10}`},
	} {
		r := env.api(w.method, w.uri, w.key, w.body)
		if r.status != 503 || !strings.Contains(string(r.body), "timeout") || !strings.Contains(string(r.body), "nothing was applied") {
			t.Errorf("%s %s past its request timeout: %d %s, want 503 timeout", w.method, w.uri, r.status, r.body)
		}
	}
	if n := len(env.eng.Issuance().Orgs()); n != orgs {
		t.Errorf("%d organisations after timed-out writes, want %d", n, orgs)
	}
	if r := env.api("GET", "/v1/products", a, ""); strings.Contains(string(r.body), "06901234000528") {
		t.Error("a timed-out product create was applied")
	}
}

// TestShutdownWaitsForRequestsInFlight: Shutdown returns only after the
// requests being handled end, even when its graceful deadline has passed
// (the caller closes the engine next); a request arriving meanwhile is
// answered 503.
func TestShutdownWaitsForRequestsInFlight(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.ShutdownTimeout = time.Nanosecond })
	s := env.srv
	if !s.inflight.enter() { // a request being handled
		t.Fatal("a request was refused before Shutdown")
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(t.Context()) }()
	for !s.inflight.closing() {
		runtime.Gosched()
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	default:
	}
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/v1/me")
	s.handle(&ctx)
	if ctx.Response.StatusCode() != 503 || !strings.Contains(string(ctx.Response.Body()), "shutting-down") {
		t.Errorf("a request during shutdown: %d %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	s.inflight.leave()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
