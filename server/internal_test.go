package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tracecode/engine"
	"tracecode/engine/demo"
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
	key := env.key("兰州陇原")

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

// TestResolveOnClosedEngine: a scan or a private trace that fails for the
// server's reason (here the engine is closed) is answered 503 (or a
// generic 500), not 400 "bad code" with the engine's internal text.
func TestResolveOnClosedEngine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	eng, err := engine.Open(dir, &engine.Options{DLBase: testBase, ShortBase: testBase})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(eng, Config{PublicBase: testBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(context.Background(), eng, srv.Keys(), dir, testBase)
	if err != nil {
		t.Fatal(err)
	}
	var u, key string
	for _, x := range info.URLs {
		if strings.HasPrefix(x.What, "chilled pork") {
			u = strings.TrimPrefix(x.URL, testBase)
		}
	}
	for _, k := range info.Keys {
		if strings.HasPrefix(k.Name, "兰州陇原") {
			key = k.Token
		}
	}
	if err := srv.scans.Close(); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	h := srv.handle
	ctx := newCtx(u, "application/json")
	h(ctx)
	if ctx.Response.StatusCode() != 503 || strings.Contains(string(ctx.Response.Body()), "engine:") {
		t.Errorf("scan on a closed engine: %d %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	ctx = newCtx("/v1/trace"+u, "application/json")
	ctx.Request.Header.Set("Authorization", "Bearer "+key)
	h(ctx)
	if code, body := ctx.Response.StatusCode(), string(ctx.Response.Body()); (code != 503 && code != 500) ||
		strings.Contains(body, "engine:") || strings.Contains(body, "pebble") {
		t.Errorf("trace on a closed engine: %d %s", code, body)
	}
}
