package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/demo"
	"tracecode/engine/scanlog"
)

// testBase is the public base of test servers.
const testBase = "https://tc.test"

// testEnv is a server over a demo-seeded engine, reached in memory.
type testEnv struct {
	t      testing.TB
	eng    *engine.Engine
	srv    *Server
	ln     *fasthttputil.InmemoryListener
	client *fasthttp.Client
	info   demo.Info
	dir    string
	done   chan error
}

// newTestEnv seeds the demo data set and starts a server on an in-memory
// listener. cfg may adjust the Config.
func newTestEnv(t testing.TB, cfg func(*Config)) *testEnv {
	t.Helper()
	return newTestEnvWith(t, nil, cfg)
}

// newTestEnvWith is newTestEnv whose engine Options eopts may adjust.
func newTestEnvWith(t testing.TB, eopts func(*engine.Options), cfg func(*Config)) *testEnv {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	o := &engine.Options{DLBase: testBase, ShortBase: testBase}
	if eopts != nil {
		eopts(o)
	}
	eng, err := engine.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	c := Config{PublicBase: testBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Scans: scanlog.Options{FlushInterval: 50 * time.Millisecond},
		// Cheap Argon2id: the hashing code is the same, the tests faster.
		Accounts: account.Options{Params: account.Params{Time: 1, Memory: 64, Threads: 1}}}
	if cfg != nil {
		cfg(&c)
	}
	srv, err := New(eng, c)
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(context.Background(), eng, srv.Keys(), dir, testBase)
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{t: t, eng: eng, srv: srv, ln: fasthttputil.NewInmemoryListener(), info: info, dir: dir, done: make(chan error, 1)}
	env.client = &fasthttp.Client{Dial: func(string) (net.Conn, error) { return env.ln.Dial() }, MaxConnsPerHost: 64,
		DisablePathNormalizing: true}
	go func() { env.done <- srv.Serve(env.ln) }()
	t.Cleanup(env.close)
	return env
}

var closeOnce sync.Map

func (e *testEnv) close() {
	if _, done := closeOnce.LoadOrStore(e, true); done {
		return
	}
	if err := e.srv.Shutdown(context.Background()); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
	// A Serve that had not yet registered its listener when Shutdown ran
	// would wait in Accept for ever.
	e.ln.Close()
	<-e.done
	if err := e.eng.Close(); err != nil {
		e.t.Errorf("close engine: %v", err)
	}
}

// key returns the demo token whose name starts with prefix.
func (e *testEnv) key(prefix string) string {
	for _, k := range e.info.Keys {
		if strings.HasPrefix(k.Name, prefix) {
			return k.Token
		}
	}
	e.t.Fatalf("no demo key %q", prefix)
	return ""
}

// url returns the demo scan URL whose description starts with prefix,
// without the base.
func (e *testEnv) url(prefix string) string {
	for _, u := range e.info.URLs {
		if strings.HasPrefix(u.What, prefix) {
			return strings.TrimPrefix(u.URL, testBase)
		}
	}
	e.t.Fatalf("no demo URL %q", prefix)
	return ""
}

// resp is a finished response.
type resp struct {
	status     int
	header     map[string]string
	body       []byte
	setCookies []string // every Set-Cookie, as sent
}

func (r resp) h(name string) string { return r.header[strings.ToLower(name)] }

// do sends a request; headers alternate name, value.
func (e *testEnv) do(method, uri string, body []byte, headers ...string) resp {
	e.t.Helper()
	req := fasthttp.AcquireRequest()
	res := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.Header.SetMethod(method)
	req.SetRequestURI("http://tc.test" + uri)
	req.URI().DisablePathNormalizing = true
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if body != nil {
		req.SetBody(body)
	}
	if method == "HEAD" {
		res.SkipBody = true
	}
	if err := e.client.DoTimeout(req, res, 20*time.Second); err != nil {
		e.t.Fatalf("%s %s: %v", method, uri, err)
	}
	out := resp{status: res.StatusCode(), header: map[string]string{}, body: append([]byte(nil), res.Body()...)}
	for k, v := range res.Header.All() {
		out.header[strings.ToLower(string(k))] = string(v)
	}
	for _, v := range res.Header.Cookies() {
		out.setCookies = append(out.setCookies, string(v))
	}
	return out
}

func (e *testEnv) get(uri string, headers ...string) resp { return e.do("GET", uri, nil, headers...) }

// api sends an authenticated request with a JSON body.
func (e *testEnv) api(method, uri, key, body string, headers ...string) resp {
	e.t.Helper()
	hs := append([]string{"Authorization", "Bearer " + key}, headers...)
	var b []byte
	if body != "" {
		b = []byte(body)
		hs = append(hs, "Content-Type", "application/json")
	}
	return e.do(method, uri, b, hs...)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
