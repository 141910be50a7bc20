package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"

	"tracecode/loadtest"
)

// The half-saturation scenarios: the resolver and the constant-body
// handler each offered half the resolver's measured saturation rate, open
// loop, in the same run, so a client tail the constant handler shows too
// is the client's and the machine's, not the resolver's.
//
// Two clients. The headline one is `tracecode loadtest` (this binary
// re-executed, Config.Self): its own process, its own garbage collector
// and scheduler, a timerfd pacer and epoll loops, so the server's
// collections and goroutine queue do not stop the client's clock. The
// other is openLoop in this process, which shares one GC and one
// scheduler with the server: a server collection or a burst of handler
// goroutines delays the client's timing goroutines, and that delay is
// counted as latency. Both are kept so the difference stays visible; a
// test binary (no Self) has only the in-process one.
//
// Beside each client's histogram: the server's own handler histogram
// (/metrics for the resolver, an HDR histogram around the constant
// handler) and this process's runtime metrics over the window — the
// goroutine scheduling latency (/sched/latencies:seconds: runnable to
// running), the GC's stop-the-world pauses (/gc/pauses:seconds) and the
// number of collections — which say how much of a tail is queueing for
// a CPU or a collection rather than handler work.

// halfSeconds is the measured length of each half-rate round (after one
// second of warm-up for the separate client).
const halfSeconds = 4

// halfConns is the number of connections of the half-rate clients.
const halfConns = 16

// handlerHist is an HDR histogram of a handler's own time (ns).
type handlerHist struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

func newHandlerHist() *handlerHist { return &handlerHist{h: newHist()} }

func (h *handlerHist) record(d time.Duration) {
	h.mu.Lock()
	h.h.RecordValue(max(d.Nanoseconds(), 100)) //nolint:errcheck // above 60 s is not a handler time
	h.mu.Unlock()
}

// take returns the histogram recorded since the last take and starts a
// new one.
func (h *handlerHist) take() *hdrhistogram.Histogram {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.h
	h.h = newHist()
	return out
}

// rtNames are the runtime metrics a half-rate round reads.
var rtNames = []string{"/sched/latencies:seconds", "/gc/pauses:seconds", "/gc/cycles/total:gc-cycles"}

// rtWindow is what the runtime metrics say about a window.
type rtWindow struct {
	sched, pauses *metrics.Float64Histogram // counts over the window
	gcCycles      uint64
}

// rtSince reads the runtime metrics and returns the window since start
// (a reading by rtMark).
func rtSince(start rtMark) rtWindow {
	end := rtMarkNow()
	return rtWindow{sched: subHist(end.sched, start.sched), pauses: subHist(end.pauses, start.pauses), gcCycles: end.gc - start.gc}
}

// rtMark is one reading of the runtime metrics.
type rtMark struct {
	sched, pauses *metrics.Float64Histogram
	gc            uint64
}

func rtMarkNow() rtMark {
	s := make([]metrics.Sample, len(rtNames))
	for i, n := range rtNames {
		s[i].Name = n
	}
	metrics.Read(s)
	cp := func(v metrics.Value) *metrics.Float64Histogram {
		if v.Kind() != metrics.KindFloat64Histogram {
			return nil
		}
		h := v.Float64Histogram()
		return &metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
	}
	m := rtMark{sched: cp(s[0].Value), pauses: cp(s[1].Value)}
	if s[2].Value.Kind() == metrics.KindUint64 {
		m.gc = s[2].Value.Uint64()
	}
	return m
}

func subHist(a, b *metrics.Float64Histogram) *metrics.Float64Histogram {
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) {
		return nil
	}
	out := &metrics.Float64Histogram{Counts: make([]uint64, len(a.Counts)), Buckets: a.Buckets}
	for i := range a.Counts {
		out.Counts[i] = a.Counts[i] - b.Counts[i]
	}
	return out
}

// histQuantile returns the upper bound (seconds) of the bucket holding
// the q-quantile, or NaN for an empty histogram; the runtime's buckets
// are exponential, so the bound is within about 12 % of the value.
func histQuantile(h *metrics.Float64Histogram, q float64) float64 {
	if h == nil {
		return math.NaN()
	}
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank && c > 0 {
			hi := h.Buckets[i+1]
			if math.IsInf(hi, 1) {
				return h.Buckets[i]
			}
			return hi
		}
	}
	return math.NaN()
}

// addRT puts the window's runtime figures into x, prefixed (e.g.
// "server_").
func addRT(x map[string]float64, prefix string, w rtWindow) {
	set := func(k string, v float64) {
		if !math.IsNaN(v) {
			x[prefix+k] = v
		}
	}
	set("sched_latency_p99_us", histQuantile(w.sched, 0.99)*1e6)
	set("sched_latency_p999_us", histQuantile(w.sched, 0.999)*1e6)
	set("sched_latency_max_us", histQuantile(w.sched, 1)*1e6)
	x[prefix+"gc_cycles"] = float64(w.gcCycles)
	if w.gcCycles > 0 {
		set("gc_pause_p99_us", histQuantile(w.pauses, 0.99)*1e6)
		set("gc_pause_max_us", histQuantile(w.pauses, 1)*1e6)
	}
}

// halfTarget is one server the half-rate rounds offer load to.
type halfTarget struct {
	system string
	ls     *loopbackServer
	// server returns the server's own handler histogram over the round;
	// begin marks its start.
	begin  func() error
	server func(x map[string]float64) error
}

// halfRounds runs the half-rate rounds against both targets, in the same
// run, alternating: the separate-process client first (when the binary
// can be re-executed), then the in-process one.
func halfRounds(ctx context.Context, e *env, corpus *httpCorpus, rate float64, params func(...string) map[string]string, targets []halfTarget) error {
	n := int64(rate * halfSeconds)
	var lt *ltClient
	if e.cfg.Self != "" {
		var err error
		if lt, err = newLTClient(e, corpus); err != nil {
			return err
		}
		defer lt.close()
	}
	offered := strconv.FormatFloat(math.Round(rate), 'f', 0, 64)
	inprocName := "resolve/http-half"
	if lt != nil {
		inprocName = "resolve/http-half-inproc"
		for _, t := range targets {
			if err := sepRound(ctx, e, lt, t, rate, params, false); err != nil {
				return err
			}
		}
		if canPin() {
			for _, t := range targets {
				if err := sepRound(ctx, e, lt, t, rate, params, true); err != nil {
					return err
				}
			}
		}
	}
	for _, t := range targets {
		s := Scenario{Name: inprocName, System: t.system, Unit: "request",
			Params: params("offered_req_per_sec", offered, "connections", strconv.Itoa(halfConns),
				"loop", "open: each connection paced, latency from the intended send time")}
		if err := t.begin(); err != nil {
			return err
		}
		stopTrace, err := e.traceHalf(t.system, "inproc")
		if err != nil {
			return err
		}
		mk := rtMarkNow()
		m := startMeter()
		hr, err := openLoop(t.ls.client, t.ls.ln.Addr().String(), corpus, n, halfConns, rate)
		stopTrace()
		if err != nil {
			return fmt.Errorf("%s at half rate: %w", t.system, err)
		}
		m.stop(&s, n)
		w := rtSince(mk)
		s.Samples = []float64{hr.rate()}
		s.Latency = latencyOf(hr.hist)
		s.Extra = map[string]float64{"offered_req_per_sec": rate}
		if err := t.server(s.Extra); err != nil {
			return err
		}
		// One process: these figures are the client's as well.
		addRT(s.Extra, "process_", w)
		e.res.Scenarios = append(e.res.Scenarios, s)
	}
	return nil
}

// sepRound offers rate to t from `tracecode loadtest` in its own
// process; pinned puts the client on the last CPU and this process (the
// server) on the others for the round.
func sepRound(ctx context.Context, e *env, lt *ltClient, t halfTarget, rate float64, params func(...string) map[string]string, pinned bool) error {
	name, transport, mode := "resolve/http-half", "loopback TCP, tracecode loadtest in its own process (epoll engine)", "sep"
	if pinned {
		name, mode = "resolve/http-half-pinned", "pinned"
		transport += fmt.Sprintf(", client pinned to CPU %d, server to CPUs 0–%d", runtime.NumCPU()-1, runtime.NumCPU()-2)
	}
	s := Scenario{Name: name, System: t.system, Unit: "request",
		Params: params("offered_req_per_sec", strconv.FormatFloat(math.Round(rate), 'f', 0, 64), "connections", strconv.Itoa(halfConns),
			"loop", "open: a timerfd schedule, latency from the intended send time", "transport", transport)}
	if err := t.begin(); err != nil {
		return err
	}
	var unpin func()
	if pinned {
		var err error
		if unpin, err = pinServer(); err != nil {
			return err
		}
	}
	stopTrace, err := e.traceHalf(t.system, mode)
	if err != nil {
		return err
	}
	mk := rtMarkNow()
	m := startMeter()
	r, err := lt.run(ctx, "http://"+t.ls.ln.Addr().String(), rate, pinned)
	stopTrace()
	if unpin != nil {
		unpin()
	}
	if err != nil {
		return fmt.Errorf("%s at half rate (tracecode loadtest): %w", t.system, err)
	}
	m.stop(&s, r.Total.Completed)
	w := rtSince(mk)
	s.Samples = []float64{r.Total.AchievedRate}
	s.OpsPerSec = r.Total.AchievedRate
	s.Latency = ltLatency(r.Total.Latency)
	s.Extra = map[string]float64{"offered_req_per_sec": rate,
		"client_service_p99_us":       r.Total.ServiceTime.Percentile(99),
		"client_generator_lag_p99_us": r.Total.GeneratorLag.Percentile(99),
		"client_gc_cycles":            float64(r.Total.Generator.GCCycles), "client_gc_pause_ms": r.Total.Generator.GCPauseMs,
		"client_late_share": r.Total.Generator.LateShare, "client_errors": float64(r.Total.Errors)}
	if r.Total.Generator.Saturated {
		s.Extra["client_saturated"] = 1
	}
	if err := t.server(s.Extra); err != nil {
		return err
	}
	addRT(s.Extra, "server_", w)
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

// traceHalf starts a runtime/trace of the first few seconds of a
// tracecode half-rate round when Config.TraceHalf asks for one; the
// function it returns stops it (and is safe to call when none started).
func (e *env) traceHalf(system, client string) (func(), error) {
	if e.cfg.TraceHalf == "" || system != "tracecode" {
		return func() {}, nil
	}
	f, err := os.Create(e.cfg.TraceHalf + "." + client)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			trace.Stop()
			f.Close()
		})
	}
	time.AfterFunc(3*time.Second, stop)
	return stop, nil
}

// ltLatency converts a loadtest distribution into the bench's.
func ltLatency(d loadtest.Dist) *Latency {
	return &Latency{Count: d.Count, Mean: d.MeanUs, P50: d.Percentile(50), P90: d.Percentile(90),
		P99: d.Percentile(99), P999: d.Percentile(99.9), Max: d.MaxUs}
}

// ltClient runs `tracecode loadtest` (Config.Self) against a loopback
// server over the corpus.
type ltClient struct {
	self, dir, codes string
	runs             int
}

func newLTClient(e *env, corpus *httpCorpus) (*ltClient, error) {
	dir, err := os.MkdirTemp(e.work, "half-loadtest-")
	if err != nil {
		return nil, err
	}
	codes := filepath.Join(dir, "codes.txt")
	if err := os.WriteFile(codes, []byte(strings.Join(corpus.paths, "\n")+"\n"), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &ltClient{self: e.cfg.Self, dir: dir, codes: codes}, nil
}

func (c *ltClient) close() { os.RemoveAll(c.dir) }

// run offers rate requests/s for halfSeconds after one second of warm-up
// and returns loadtest's results.
func (c *ltClient) run(ctx context.Context, target string, rate float64, pinned bool) (*loadtest.Results, error) {
	c.runs++
	out := filepath.Join(c.dir, "run"+strconv.Itoa(c.runs))
	args := []string{c.self, "loadtest", "--target", target, "--codes", c.codes,
		"--forms", "dl=1", "--accept", "json=1", "--forged", "0", "--zipf-theta", "0",
		"--rate", strconv.FormatFloat(rate, 'f', 0, 64), "--duration", strconv.Itoa(halfSeconds) + "s",
		"--warmup", "1s", "--conns", strconv.Itoa(halfConns), "--out", out,
		// A seed of its own per run: the same one would replay the codes
		// the previous round just put in the response cache.
		"--seed", strconv.Itoa(c.runs)}
	if pinned {
		// taskset sets the mask before exec, so every thread of the
		// client inherits it.
		args = append([]string{"taskset", "-c", strconv.Itoa(runtime.NumCPU() - 1)}, args...)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%v: %w: %.2000s", cmd.Args, err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		return nil, err
	}
	var r loadtest.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("loadtest results: %w", err)
	}
	if r.Total.Completed == 0 {
		return nil, fmt.Errorf("loadtest at %s: nothing completed", target)
	}
	return &r, nil
}

// timedConstant wraps the constant handler with h.
func timedConstant(next fasthttp.RequestHandler, h *handlerHist) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		t0 := time.Now()
		next(ctx)
		h.record(time.Since(t0))
	}
}
