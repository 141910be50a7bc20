package server

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// demoItemCodes returns n resolver paths of the demo's big formula block.
func demoItemCodes(t testing.TB, env *testEnv, n int) []string {
	t.Helper()
	r := env.api("GET", fmt.Sprintf("/v1/blocks/%d/codes?format=dl&limit=%d", env.info.Blocks[0], n), env.key("兰州陇原"), "")
	if r.status != 200 {
		t.Fatalf("codes: %d %s", r.status, r.body)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(r.body)), "\n") {
		out = append(out, strings.TrimPrefix(l, testBase))
	}
	return out
}

// newCtx prepares a RequestCtx for calling the handler directly.
func newCtx(path, accept string) *fasthttp.RequestCtx {
	var req fasthttp.Request
	req.SetRequestURI(path)
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "bench")
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	return ctx
}

// BenchmarkResolveHandler calls the handler in process (no network) for
// scans of valid items (packed tins with a seven-event timeline), cycling
// over 1,000 codes each scanned once before timing; JSON and the scan page
// with the caches off and on.
func BenchmarkResolveHandler(b *testing.B) {
	for _, c := range []struct {
		name, accept string
		cache        int
	}{
		{"accept=json/cache=off", "application/json", -1},
		{"accept=json/cache=on", "application/json", 1 << 16},
		{"accept=linkset", "application/linkset+json", -1},
		{"accept=html/cache=off", "text/html", -1},
		{"accept=html/cache=on", "text/html", 1 << 16},
	} {
		b.Run(c.name, func(b *testing.B) {
			env := newTestEnv(b, func(cfg *Config) { cfg.RateLimit, cfg.CacheEntries = -1, c.cache })
			codes := demoItemCodes(b, env, 1000)
			ctxs := make([]*fasthttp.RequestCtx, len(codes))
			for i, code := range codes {
				ctxs[i] = newCtx(code, c.accept)
			}
			h := env.srv.handle
			for _, ctx := range ctxs { // scan every code once: QR images, scan counts
				ctx.Response.Reset()
				h(ctx)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ctx := ctxs[i%len(ctxs)]
				ctx.Response.Reset()
				h(ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}

// TestResolveAllocs keeps the JSON resolve path at zero allocations, cached
// or not: the server parses the Digital Link path itself and hands the
// parsed code to engine.ResolveCodeInto, whose warm path reuses everything
// (a limit above zero once let a writer escaping to the heap go unseen).
func TestResolveAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, c := range []struct {
		name  string
		cache int
		max   float64
	}{{"cached", 1 << 16, 0}, {"uncached", -1, 0}} {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(t, func(cfg *Config) { cfg.CacheEntries = c.cache })
			codes := demoItemCodes(t, env, 20)
			h := env.srv.handle
			ctx := newCtx(codes[3], "application/json")
			for range 50 {
				ctx.Response.Reset()
				h(ctx)
			}
			n := testing.AllocsPerRun(200, func() {
				ctx.Response.Reset()
				h(ctx)
			})
			t.Logf("allocations per JSON resolve, %s: %v", c.name, n)
			if n > c.max {
				t.Errorf("JSON resolve (%s) allocates %v times per request; keep it at most %v", c.name, n, c.max)
			}
		})
	}
}

// serveInmem serves h on an in-memory listener and returns a client for it.
func serveInmem(tb testing.TB, h fasthttp.RequestHandler) (*fasthttp.HostClient, func()) {
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: h, NoDefaultServerHeader: true, NoDefaultContentType: true}
	go srv.Serve(ln) //nolint:errcheck
	c := &fasthttp.HostClient{Addr: "bench", Dial: func(string) (net.Conn, error) { return ln.Dial() }, MaxConns: 256}
	return c, func() { srv.Shutdown(); ln.Close() }
}

// loadResult is what drive measured.
type loadResult struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration // per request, client-side
}

func (r loadResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r loadResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), r.lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// drive sends n GETs of paths (round robin) over conns keep-alive
// connections, closed loop, and times them.
func drive(tb testing.TB, c *fasthttp.HostClient, paths []string, n, conns int) loadResult {
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			req.Header.Set("Accept", "application/json")
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req.SetRequestURI("http://bench" + paths[i%len(paths)])
				t0 := time.Now()
				if err := c.Do(req, res); err != nil || res.StatusCode() != 200 {
					tb.Errorf("request %d: %v %d", i, err, res.StatusCode())
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	return loadResult{n: n, elapsed: time.Since(start), lat: lat}
}

// BenchmarkResolveVsConstant measures, in one run and the same way (an
// in-memory listener, a fasthttp client, 32 keep-alive connections, closed
// loop, rounds interleaved), the throughput of JSON scans of valid items —
// 10,000 demo tins, each commissioned, packed in a case and a pallet, with
// a seven-event timeline — and of a fasthttp handler answering a constant
// body of the same size; it reports both rates and their ratio (the target
// is at least 0.6), with the response cache off and on.
func BenchmarkResolveVsConstant(b *testing.B) {
	for _, cache := range []int{-1, 1 << 16} {
		name := "cache=off"
		if cache > 0 {
			name = "cache=on"
		}
		b.Run(name, func(b *testing.B) { benchResolveVsConstant(b, cache) })
	}
}

func benchResolveVsConstant(b *testing.B, cache int) {
	env := newTestEnv(b, func(c *Config) { c.RateLimit, c.CacheEntries = -1, cache })
	codes := demoItemCodes(b, env, 10000)
	probe := env.get(codes[0], "Accept", "application/json")
	constBody := make([]byte, len(probe.body))
	copy(constBody, probe.body)
	constant := func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.SetContentTypeBytes(ctJSON)
		ctx.SetBody(constBody)
	}
	cc, stopC := serveInmem(b, constant)
	defer stopC()
	rc, stopR := serveInmem(b, env.srv.handle)
	defer stopR()
	n := max(b.N, 20000)
	// Warm up both; every code is scanned once, so what is measured is
	// the steady state of a resolver whose scan counters are in memory.
	drive(b, cc, codes, len(codes), 32)
	drive(b, rc, codes, len(codes), 32)
	b.ResetTimer()
	// Interleave rounds so that load from elsewhere on the machine hits
	// both sides alike.
	var con, res loadResult
	const round = 5000
	for done := 0; done < n; done += round {
		c := drive(b, cc, codes, round, 32)
		r := drive(b, rc, codes, round, 32)
		con.n, con.elapsed, con.lat = con.n+c.n, con.elapsed+c.elapsed, append(con.lat, c.lat...)
		res.n, res.elapsed, res.lat = res.n+r.n, res.elapsed+r.elapsed, append(res.lat, r.lat...)
	}
	b.StopTimer()
	b.ReportMetric(con.rate(), "const-req/s")
	b.ReportMetric(res.rate(), "resolve-req/s")
	b.ReportMetric(res.rate()/con.rate(), "ratio")
	b.ReportMetric(float64(len(constBody)), "body-bytes")
	b.ReportMetric(float64(res.pct(0.99).Microseconds()), "resolve-p99-µs")
}

// BenchmarkResolveHalfRate offers JSON scans at half the closed-loop
// rate (open loop, each connection paced) and reports the server-side
// latency (time in the handler, what /metrics' histogram measures) and the
// client-side latency from each request's intended send time, p50 and p99.
// Client and server share the machine's two cores.
func BenchmarkResolveHalfRate(b *testing.B) {
	env := newTestEnv(b, func(c *Config) { c.RateLimit = -1 })
	codes := demoItemCodes(b, env, 10000)
	n := max(b.N, 20000)
	server := make([]time.Duration, 0, n+len(codes)+40000)
	var mu sync.Mutex
	inner := env.srv.handle
	timed := func(ctx *fasthttp.RequestCtx) {
		t0 := time.Now()
		inner(ctx)
		d := time.Since(t0)
		mu.Lock()
		server = append(server, d)
		mu.Unlock()
	}
	rc, stop := serveInmem(b, timed)
	defer stop()
	drive(b, rc, codes, len(codes), 32)
	full := drive(b, rc, codes, 20000, 32).rate()
	rate := full / 2
	const conns = 16
	interval := time.Duration(float64(time.Second) * conns / rate)
	var wg sync.WaitGroup
	var next atomic.Int64
	lat := make([]time.Duration, n)
	mu.Lock()
	server = server[:0]
	mu.Unlock()
	b.ResetTimer()
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.Header.Set("Accept", "application/json")
			due := start.Add(time.Duration(w) * interval / conns)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				req.SetRequestURI("http://bench" + codes[i%len(codes)])
				if err := rc.Do(req, res); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(due) // from the intended send time
				due = due.Add(interval)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	r := loadResult{n: n, elapsed: time.Since(start), lat: lat}
	mu.Lock()
	sr := loadResult{lat: server}
	mu.Unlock()
	b.ReportMetric(rate, "offered-req/s")
	b.ReportMetric(r.rate(), "achieved-req/s")
	b.ReportMetric(float64(sr.pct(0.5).Microseconds()), "server-p50-µs")
	b.ReportMetric(float64(sr.pct(0.99).Microseconds()), "server-p99-µs")
	b.ReportMetric(float64(r.pct(0.5).Microseconds()), "client-p50-µs")
	b.ReportMetric(float64(r.pct(0.99).Microseconds()), "client-p99-µs")
}

// TestParseGTINPathAllocs: a /01/ path with percent-encoded values is
// decoded into the pooled request's scratch buffer, without allocating.
func TestParseGTINPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	path := []byte("/01/09520123456788/22/2A/10/AB%2FC/21/X%2DY%251")
	var r publicReq
	if err := r.parseGTINPath(path); err != nil {
		t.Fatal(err)
	}
	if string(r.cpv) != "2A" || string(r.lot) != "AB/C" || string(r.serial) != "X-Y%1" {
		t.Fatalf("decoded cpv %q lot %q serial %q", r.cpv, r.lot, r.serial)
	}
	n := testing.AllocsPerRun(100, func() {
		r.reset()
		if err := r.parseGTINPath(path); err != nil {
			panic(err)
		}
	})
	if n != 0 {
		t.Errorf("parseGTINPath allocates %v times per percent-encoded path, want 0", n)
	}
}
