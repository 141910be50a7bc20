package server

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// logBuf is a log sink safe for the server's goroutines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPanicRecovered: a request that panics is answered with a 500
// problem naming a request id, logged with method, path and stack,
// counted, and the server goes on answering.
func TestPanicRecovered(t *testing.T) {
	var logs logBuf
	env := newTestEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	boom := &route{method: "GET", pattern: "/v1/boom", segs: []string{"v1", "boom"}, m: env.srv.m.route("panic"),
		h: func(*Server, *call) { panic("BUG: a test route that panics") }}
	env.srv.routes = append(env.srv.routes, boom)
	key := env.key("杭州")

	r := env.api("GET", "/v1/boom", key, "")
	id := r.h("X-Request-Id")
	if r.status != 500 || id == "" || !strings.Contains(string(r.body), id) || strings.Contains(string(r.body), "BUG") {
		t.Fatalf("panicking route: %d X-Request-Id %q %s", r.status, id, r.body)
	}
	log := logs.String()
	for _, want := range []string{"method=GET", "path=/v1/boom", "request_id=" + id, "a test route that panics", "internal_test.go"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if m := env.get("/metrics"); !strings.Contains(string(m.body), "tracecode_panics_total 1") {
		t.Errorf("panic not counted:\n%s", grepLines(m.body, "panic"))
	}
	// Everyone else is still served.
	if r := env.api("GET", "/v1/me", key, ""); r.status != 200 {
		t.Errorf("after the panic, /v1/me: %d %s", r.status, r.body)
	}
	if r := env.get(env.url("infant formula on a shop shelf"), "Accept", "application/json"); r.status != 200 {
		t.Errorf("after the panic, a scan: %d %s", r.status, r.body)
	}
}

// TestInternalErrorGeneric: an internal engine error (a raw store key in
// its text) is logged, and the client gets a generic detail with the
// request id instead of the internal text.
func TestInternalErrorGeneric(t *testing.T) {
	var logs logBuf
	env := newTestEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	ctx := newCtx("/v1/products/1", "application/json")
	engineError(&call{s: env.srv, ctx: ctx}, errors.New("store: corrupt value at key 94000000010000002a"))
	body := string(ctx.Response.Body())
	id := string(ctx.Response.Header.Peek("X-Request-Id"))
	if ctx.Response.StatusCode() != 500 || id == "" || strings.Contains(body, "94000000010000002a") || !strings.Contains(body, id) {
		t.Fatalf("internal error answered %d X-Request-Id %q: %s", ctx.Response.StatusCode(), id, body)
	}
	if log := logs.String(); !strings.Contains(log, "94000000010000002a") || !strings.Contains(log, id) {
		t.Errorf("internal text or request id not logged:\n%s", log)
	}
}

func grepLines(b []byte, sub string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
