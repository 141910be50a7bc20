package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/server"
)

// TestResolveJSONIsTheResolversAnswer: `tracecode resolve --json CODE`
// prints byte for byte the resolver's JSON answer to /resolve?code=CODE,
// less the scan counts (the command records no scan), for every item of
// the demo.
func TestResolveJSONIsTheResolversAnswer(t *testing.T) {
	const base = "https://tc.test"
	dir := filepath.Join(t.TempDir(), "data")
	eng, err := engine.Open(dir, &engine.Options{DLBase: base, ShortBase: base})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(eng, server.Config{PublicBase: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(context.Background(), eng, srv.Keys(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	ln := fasthttputil.NewInmemoryListener()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	client := &fasthttp.Client{Dial: func(string) (net.Conn, error) { return ln.Dial() }}
	want := map[string]string{}
	for _, u := range info.URLs {
		code := u.URL
		if i := strings.Index(code, "/resolve?code="); i >= 0 {
			code, _ = url.QueryUnescape(code[i+len("/resolve?code="):])
		} else if !strings.Contains(code, "/21/") && !strings.Contains(code, "/c/") && !strings.Contains(code, "/00/") {
			continue // not an item's code
		}
		req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://tc.test/resolve?code=" + url.QueryEscape(code))
		req.Header.Set("Accept", "application/json")
		if err := client.Do(req, res); err != nil {
			t.Fatal(err)
		}
		body := string(res.Body())
		if i := strings.LastIndex(body, `,"scans":{`); i >= 0 {
			body = body[:i] + "}\n"
		}
		want[code] = body
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(res)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln.Close()
	<-done
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if len(want) < 8 {
		t.Fatalf("only %d demo item codes", len(want))
	}
	for code, body := range want {
		out, errOut, exit := runCLI(t, "", "resolve", "--data", dir, "--json", "--public-base", base, code)
		if exit > 1 {
			t.Fatalf("resolve --json %s: exit %d %s", code, exit, errOut)
		}
		if out != body {
			t.Errorf("resolve --json %s differs from the resolver's answer:\ncli:    %s\nserver: %s", code, out, body)
		}
	}
}
