package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/server"
)

// The HTTP resolve scenarios: the tracecode server in this process on a
// loopback port, a fasthttp client with many keep-alive connections
// scanning random items of the packed corpus (JSON, raw scan logging on, as
// `tracecode serve` runs), and in the same run, alternating rounds, a
// fasthttp server answering the same JSON body as a constant — the
// ceiling any handler on this machine and client can reach. Then the
// resolver alone at half the measured saturation rate, open loop, with
// the client's latency from each request's intended send time and the
// server's own handler histogram (/metrics) beside it, so a reader can
// tell server time from machine noise.

// httpConns is the number of client connections of the saturation rounds
// (the wrk runs used 64).
const httpConns = 64

// httpCorpus holds the paths the client scans.
type httpCorpus struct{ paths []string }

// samplePaths returns up to max Digital Link paths (/01/…/21/…) of the
// world's sample, chosen uniformly.
func samplePaths(w *chainWorld, max int) (*httpCorpus, error) {
	keep := 1.0
	if n := len(w.sample); n > max {
		keep = float64(max) / float64(n)
	}
	rng := rand.New(rand.NewPCG(31, 32))
	c := &httpCorpus{}
	for _, line := range w.sample {
		if len(c.paths) >= max || rng.Float64() >= keep {
			continue
		}
		i := strings.Index(line, "/01/")
		if i < 0 {
			return nil, fmt.Errorf("http corpus: %q is not a Digital Link URI", line)
		}
		c.paths = append(c.paths, line[i:])
	}
	if len(c.paths) == 0 {
		return nil, errors.New("http corpus: no codes")
	}
	return c, nil
}

// loopbackServer is a fasthttp server on 127.0.0.1 and its client.
type loopbackServer struct {
	ln     net.Listener
	client *fasthttp.HostClient
	stop   func()
}

func newClient(addr string, conns int) *fasthttp.HostClient {
	return &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		NoDefaultUserAgentHeader: true, MaxIdemponentCallAttempts: 1}
}

// httpRound is what one closed- or open-loop round measured.
type httpRound struct {
	n       int64
	elapsed time.Duration
	hist    *hdrhistogram.Histogram // client latency, ns
}

func (r httpRound) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// closedLoop sends n GETs of random corpus paths over conns connections,
// each connection sending its next request when the answer arrives.
func closedLoop(c *fasthttp.HostClient, host string, corpus *httpCorpus, n int64, conns int, seed uint64) (httpRound, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	total := newHist()
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			h := newHist()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			req.Header.Set("Accept", "application/json")
			var err error
			for next.Add(1) <= n {
				req.SetRequestURI("http://" + host + corpus.paths[rng.IntN(len(corpus.paths))])
				t0 := time.Now()
				if err = c.Do(req, res); err == nil && res.StatusCode() != fasthttp.StatusOK {
					err = fmt.Errorf("status %d: %.200s", res.StatusCode(), res.Body())
				}
				if err != nil {
					break
				}
				h.RecordValue(time.Since(t0).Nanoseconds())
			}
			mu.Lock()
			total.Merge(h)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return httpRound{n: n, elapsed: time.Since(start), hist: total}, firstErr
}

// openLoop offers rate requests per second for n requests over conns
// connections, each paced on its own schedule; latency is measured from
// each request's intended send time, so a stall counts for every request
// it delays (no coordinated omission).
func openLoop(c *fasthttp.HostClient, host string, corpus *httpCorpus, n int64, conns int, rate float64) (httpRound, error) {
	interval := time.Duration(float64(time.Second) * float64(conns) / rate)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	total := newHist()
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(77, uint64(w)))
			h := newHist()
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			req.Header.Set("Accept", "application/json")
			due := start.Add(time.Duration(w) * interval / time.Duration(conns))
			var err error
			for next.Add(1) <= n {
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				req.SetRequestURI("http://" + host + corpus.paths[rng.IntN(len(corpus.paths))])
				if err = c.Do(req, res); err == nil && res.StatusCode() != fasthttp.StatusOK {
					err = fmt.Errorf("status %d", res.StatusCode())
				}
				if err != nil {
					break
				}
				h.RecordValue(max(time.Since(due).Nanoseconds(), 100))
				due = due.Add(interval)
			}
			mu.Lock()
			total.Merge(h)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return httpRound{n: n, elapsed: time.Since(start), hist: total}, firstErr
}

// startResolver serves eng with the production server on a loopback port:
// defaults throughout (response cache, raw scan logging on), the per-client
// rate limit off (one client address).
func startResolver(eng *engine.Engine) (*server.Server, *loopbackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv, err := server.New(eng, server.Config{Addr: ln.Addr().String(), RateLimit: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }() //nolint:errcheck // Shutdown reports
	ls := &loopbackServer{ln: ln, client: newClient(ln.Addr().String(), httpConns), stop: func() {
		srv.Shutdown(context.Background()) //nolint:errcheck // the scan log's flush error is not the bench's
		<-done
	}}
	return srv, ls, nil
}

// startConstant serves body as JSON for every request, timing each
// handler call into h.
func startConstant(body []byte, h *handlerHist) (*loopbackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ct := []byte("application/json")
	s := &fasthttp.Server{Handler: timedConstant(func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.SetContentTypeBytes(ct)
		ctx.SetBody(body)
	}, h), NoDefaultServerHeader: true, NoDefaultContentType: true}
	done := make(chan struct{})
	go func() { s.Serve(ln); close(done) }() //nolint:errcheck // ends at Shutdown
	stop := func() {
		s.Shutdown() //nolint:errcheck // nothing to report at the end of a run
		<-done
	}
	return &loopbackServer{ln: ln, client: newClient(ln.Addr().String(), httpConns), stop: stop}, nil
}

// tcHTTPResolve runs the HTTP scenarios over w's packed items.
func tcHTTPResolve(ctx context.Context, e *env, w *chainWorld) error {
	eng := w.eng
	corpus, err := samplePaths(w, 100_000)
	if err != nil {
		return err
	}
	_, rs, err := startResolver(eng)
	if err != nil {
		return err
	}
	defer rs.stop()
	host := rs.ln.Addr().String()
	probe, err := get(rs.client, host, corpus.paths[0])
	if err != nil {
		return fmt.Errorf("http probe: %w", err)
	}
	constHist := newHandlerHist()
	cs, err := startConstant(probe, constHist)
	if err != nil {
		return err
	}
	defer cs.stop()
	chost := cs.ln.Addr().String()

	ops := int64(e.sizes.Resolves)
	params := func(extra ...string) map[string]string {
		p := map[string]string{"items": strconv.Itoa(w.m.Items), "codes_scanned": strconv.Itoa(len(corpus.paths)),
			"connections": strconv.Itoa(httpConns), "transport": "loopback TCP, fasthttp client in the same process",
			"accept": "application/json", "body_bytes": strconv.Itoa(len(probe))}
		for i := 0; i+1 < len(extra); i += 2 {
			p[extra[i]] = extra[i+1]
		}
		return p
	}
	res := Scenario{Name: "resolve/http", System: "tracecode", Unit: "request",
		Params: params("server", "tracecode serve defaults: response cache on, raw scan log on", "pick", "uniform over the sample")}
	con := Scenario{Name: "resolve/http", System: "fasthttp-constant", Unit: "request",
		Params: params("server", "fasthttp handler answering the same JSON body as a constant")}
	// Warm-up: both servers, and every scanned code once through the
	// resolver (as wrk's first pass did), so what follows is the steady
	// state rather than the first touch of each block.
	if _, err := closedLoop(cs.client, chost, corpus, int64(len(corpus.paths))/4+1000, httpConns, 1); err != nil {
		return fmt.Errorf("constant warm-up: %w", err)
	}
	bar := e.newBar(int64(len(corpus.paths))+2*ops*int64(e.sizes.Repeat), "tracecode: resolve over HTTP")
	// The warm-up is timed too: most of its requests are the first scan of
	// their item since the server started (the store read of the scan
	// counts, first touches of blocks), as most scans of a large corpus are.
	var first Scenario
	m0 := startMeter()
	fr, err := closedLoop(rs.client, host, corpus, int64(len(corpus.paths)), httpConns, 2)
	if err != nil {
		return fmt.Errorf("resolver warm-up: %w", err)
	}
	m0.stop(&first, fr.n)
	bar.Add(len(corpus.paths))
	before, err := scrapeHandlerHist(rs.client, host)
	if err != nil {
		return err
	}
	rh, ch := newHist(), newHist()
	var rTotal, cTotal httpRound
	var rCPU, cCPU, rAllocs, rBytes float64
	for rep := 0; rep < e.sizes.Repeat; rep++ {
		var tmp Scenario
		m := startMeter()
		c, err := closedLoop(cs.client, chost, corpus, ops, httpConns, uint64(10+rep))
		if err != nil {
			return fmt.Errorf("constant: %w", err)
		}
		m.stop(&tmp, ops)
		cCPU += tmp.CPUSeconds
		bar.Add(int(ops))
		m = startMeter()
		r, err := closedLoop(rs.client, host, corpus, ops, httpConns, uint64(10+rep))
		if err != nil {
			return fmt.Errorf("resolver: %w", err)
		}
		m.stop(&tmp, ops)
		rCPU, rAllocs, rBytes = rCPU+tmp.CPUSeconds, rAllocs+tmp.AllocsPerOp*float64(ops), rBytes+tmp.AllocBytesPerOp*float64(ops)
		bar.Add(int(ops))
		con.Samples = append(con.Samples, c.rate())
		res.Samples = append(res.Samples, r.rate())
		ch.Merge(c.hist)
		rh.Merge(r.hist)
		cTotal.n, cTotal.elapsed = cTotal.n+c.n, cTotal.elapsed+c.elapsed
		rTotal.n, rTotal.elapsed = rTotal.n+r.n, rTotal.elapsed+r.elapsed
	}
	bar.Finish()
	// Figures of the resolver's rounds only (client included: both run
	// in this process).
	res.Ops, res.Seconds, res.OpsPerSec, res.CPUSeconds = rTotal.n, rTotal.elapsed.Seconds(), rTotal.rate(), rCPU
	res.AllocsPerOp, res.AllocBytesPerOp = rAllocs/float64(rTotal.n), rBytes/float64(rTotal.n)
	con.Ops, con.Seconds, con.OpsPerSec, con.CPUSeconds = cTotal.n, cTotal.elapsed.Seconds(), cTotal.rate(), cCPU
	res.Latency, con.Latency = latencyOf(rh), latencyOf(ch)
	after, err := scrapeHandlerHist(rs.client, host)
	if err != nil {
		return err
	}
	// CPU per request (process rusage over the rounds, client included on
	// both sides) survives a busy machine better than req/s: its
	// difference is the resolver's own cost.
	res.Extra = map[string]float64{"ratio_to_constant": res.OpsPerSec / con.OpsPerSec, "constant_req_per_sec": con.OpsPerSec,
		"cpu_us_per_request": rCPU / float64(rTotal.n) * 1e6, "constant_cpu_us_per_request": cCPU / float64(cTotal.n) * 1e6,
		"first_touch_req_per_sec": fr.rate(), "first_touch_cpu_us_per_request": first.CPUSeconds / float64(fr.n) * 1e6}
	addServerHist(res.Extra, after.sub(before))
	e.res.Scenarios = append(e.res.Scenarios, res, con)

	// Half of saturation, open loop, both servers (tc_http_half.go).
	var hBefore promHist
	targets := []halfTarget{
		{system: "tracecode", ls: rs,
			begin: func() (err error) { hBefore, err = scrapeHandlerHist(rs.client, host); return err },
			server: func(x map[string]float64) error {
				after, err := scrapeHandlerHist(rs.client, host)
				if err != nil {
					return err
				}
				addServerHist(x, after.sub(hBefore))
				return nil
			}},
		{system: "fasthttp-constant", ls: cs,
			begin: func() error { constHist.take(); return nil },
			server: func(x map[string]float64) error {
				h := constHist.take()
				x["server_requests"] = float64(h.TotalCount())
				x["server_p50_us"] = float64(h.ValueAtQuantile(50)) / 1e3
				x["server_p99_us"] = float64(h.ValueAtQuantile(99)) / 1e3
				return nil
			}},
	}
	return halfRounds(ctx, e, corpus, res.OpsPerSec/2, params, targets)
}

func get(c *fasthttp.HostClient, host, path string) ([]byte, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI("http://" + host + path)
	req.Header.Set("Accept", "application/json")
	if err := c.Do(req, res); err != nil {
		return nil, err
	}
	if res.StatusCode() != fasthttp.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %.200s", path, res.StatusCode(), res.Body())
	}
	return append([]byte(nil), res.Body()...), nil
}

// promHist is a cumulative Prometheus histogram: upper bounds in seconds
// and the count of observations at or below each.
type promHist struct {
	le    []float64
	count []float64
	// cacheHits and cacheMisses are the response cache's counters
	// (tracecode_resolve_cache_{hits,misses}_total) at the same scrape.
	cacheHits, cacheMisses float64
}

func (h promHist) sub(o promHist) promHist {
	out := promHist{le: h.le, count: make([]float64, len(h.count)), cacheHits: h.cacheHits - o.cacheHits, cacheMisses: h.cacheMisses - o.cacheMisses}
	for i := range h.count {
		out.count[i] = h.count[i]
		if i < len(o.count) {
			out.count[i] -= o.count[i]
		}
	}
	return out
}

// quantile estimates the q-quantile (0..1) in seconds by linear
// interpolation within its bucket, as Prometheus's histogram_quantile does.
func (h promHist) quantile(q float64) float64 {
	if len(h.count) == 0 {
		return 0
	}
	total := h.count[len(h.count)-1]
	if total == 0 {
		return 0
	}
	rank := q * total
	i := sort.SearchFloat64s(h.count, rank)
	if i >= len(h.le) {
		return h.le[len(h.le)-1]
	}
	lo, below := 0.0, 0.0
	if i > 0 {
		lo, below = h.le[i-1], h.count[i-1]
	}
	hi := h.le[i]
	if math.IsInf(hi, 1) {
		return lo
	}
	in := h.count[i] - below
	if in <= 0 {
		return hi
	}
	return lo + (hi-lo)*(rank-below)/in
}

// share returns the fraction of observations at or below bound seconds
// (bound must be a bucket's upper bound).
func (h promHist) share(bound float64) float64 {
	total := h.count[len(h.count)-1]
	for i, le := range h.le {
		if le == bound && total > 0 {
			return h.count[i] / total
		}
	}
	return math.NaN()
}

// scrapeHandlerHist reads the resolver's own latency histogram of Digital
// Link scans (tracecode_http_request_duration_seconds, route resolve_gtin)
// from /metrics.
func scrapeHandlerHist(c *fasthttp.HostClient, host string) (promHist, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI("http://" + host + "/metrics")
	if err := c.Do(req, res); err != nil {
		return promHist{}, fmt.Errorf("/metrics: %w", err)
	}
	if res.StatusCode() != fasthttp.StatusOK {
		return promHist{}, fmt.Errorf("/metrics: status %d", res.StatusCode())
	}
	return parseHandlerHist(res.Body(), "resolve_gtin")
}

func parseHandlerHist(body []byte, route string) (promHist, error) {
	prefix := []byte(`tracecode_http_request_duration_seconds_bucket{route="` + route + `",le="`)
	var h promHist
	for _, line := range bytes.Split(body, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("tracecode_resolve_cache_hits_total ")); ok {
			h.cacheHits, _ = strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
		}
		if v, ok := bytes.CutPrefix(line, []byte("tracecode_resolve_cache_misses_total ")); ok {
			h.cacheMisses, _ = strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
		}
		rest, ok := bytes.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		leS, countS, ok := bytes.Cut(rest, []byte(`"} `))
		if !ok {
			return promHist{}, fmt.Errorf("/metrics: cannot read %q", line)
		}
		le, err1 := strconv.ParseFloat(string(leS), 64)
		n, err2 := strconv.ParseFloat(string(bytes.TrimSpace(countS)), 64)
		if err1 != nil || err2 != nil {
			return promHist{}, fmt.Errorf("/metrics: cannot read %q", line)
		}
		h.le, h.count = append(h.le, le), append(h.count, n)
	}
	if len(h.le) == 0 {
		return promHist{}, fmt.Errorf("/metrics: no histogram for route %s", route)
	}
	return h, nil
}

// addServerHist puts the server-side handler latency into x.
func addServerHist(x map[string]float64, h promHist) {
	x["server_requests"] = h.count[len(h.count)-1]
	x["server_p50_us"] = h.quantile(0.50) * 1e6
	x["server_p99_us"] = h.quantile(0.99) * 1e6
	if s := h.share(100e-6); !math.IsNaN(s) {
		x["server_share_le_100us"] = s
	}
	if s := h.share(1e-3); !math.IsNaN(s) {
		x["server_share_le_1ms"] = s
	}
	if n := h.cacheHits + h.cacheMisses; n > 0 {
		x["response_cache_hit_ratio"] = h.cacheHits / n
	}
}
