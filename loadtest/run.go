package loadtest

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Config is one run's configuration. Zero values mean the documented
// defaults; Run copies the Config and fills them.
type Config struct {
	// Target is the server's base URL, e.g. http://127.0.0.1:8080, or
	// several separated by commas (a writer and its replicas): the scan
	// connections are spread over them round-robin (connection i goes to
	// target i mod n), and writes go to the first.
	Target string
	// AllowRemote permits a target that is not a loopback address.
	// Default false: the generator refuses to load another machine.
	AllowRemote bool
	// Phases is the schedule.
	Phases []Phase
	// SLOP99, when > 0, makes the run an SLO search: after each measured
	// phase the run checks p99 ≤ SLOP99 and error rate ≤ MaxErrorRate,
	// and stops at the first phase that fails. Results.Capacity reports the
	// last passing phase.
	SLOP99 time.Duration
	// MaxErrorRate is the error share a passing step may have. Zero means
	// 0.001 (0.1 %).
	MaxErrorRate float64
	// Conns is the number of keep-alive connections. Zero means 64; at
	// most MaxConns.
	Conns int
	// Engine chooses how requests are sent: EngineLoop (event loops over
	// non-blocking sockets, the default on Linux for http targets) or
	// EngineGoroutines (a goroutine and a fasthttp.HostClient per
	// connection; the default for https and off Linux).
	Engine Engine
	// Loops is the number of event loops of EngineLoop, each driving a
	// share of the connections on its own goroutine. Zero means
	// max(1, GOMAXPROCS/2): half the cores, leaving the rest to a server on
	// the same machine. At most Conns.
	Loops int
	// Spin is how long an event loop polls without sleeping while it
	// awaits answers, before it sleeps in epoll_pwait2: it trades CPU for
	// the tens of µs a sleeping thread takes to wake on a VM. Zero: no
	// polling. EngineLoop only.
	Spin time.Duration
	// Timeout bounds each request's wait for its answer (from the end of
	// its write) and each connection's dial. Zero means 2 s.
	Timeout time.Duration
	// Drain is how long after the schedule's end requests still waiting
	// for a connection may be sent; later ones are recorded as unsent.
	// Zero means Timeout.
	Drain time.Duration
	// LateThreshold: a request sent more than this after the generator was
	// free to send it counts as late. Zero means 1 ms.
	LateThreshold time.Duration
	// MaxRequests bounds the schedule's request count. Zero means 100 M.
	MaxRequests int64
	// MaxDuration bounds the schedule's length. Zero means 1 h.
	MaxDuration time.Duration
	// Traffic chooses each request. Required.
	Traffic *Traffic
	// TrafficSource describes where the codes came from, for results.json.
	TrafficSource string
	// Progress receives a progress line every second; nil for none.
	Progress io.Writer
	// Writes, if set, adds minting and reporting traffic alongside the
	// scans, measured apart (Results.Writes).
	Writes *Writes
	// Trace, if set, is called for every scan request from the sending
	// goroutines (concurrently). For tests; it slows the hot path.
	Trace func(RequestTrace)
}

// Engine is how a run sends requests (Config.Engine).
type Engine string

// Engines.
const (
	// EngineAuto picks EngineLoop where it can (Linux, http) and
	// EngineGoroutines elsewhere.
	EngineAuto Engine = ""
	// EngineLoop sends from a few event loops (epoll, non-blocking sockets,
	// answers parsed by fasthttp), as wrk does: no goroutine switch, timer
	// or netpoller round trip per request.
	EngineLoop Engine = "epoll"
	// EngineGoroutines gives every connection a goroutine and a
	// fasthttp.HostClient that sleeps until each request's time.
	EngineGoroutines Engine = "goroutines"
)

// MaxConns bounds Config.Conns: each connection's goroutine holds ~0.5 MB of
// histograms.
const MaxConns = 4096

func (c *Config) fill() error {
	if c.MaxErrorRate == 0 {
		c.MaxErrorRate = 0.001
	}
	if c.Conns == 0 {
		c.Conns = 64
	}
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.Drain == 0 {
		c.Drain = c.Timeout
	}
	if c.LateThreshold == 0 {
		c.LateThreshold = time.Millisecond
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = 100_000_000
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = time.Hour
	}
	switch {
	case c.Conns < 1 || c.Conns > MaxConns:
		return fmt.Errorf("loadtest: conns %d not in [1, %d]", c.Conns, MaxConns)
	case c.Timeout < 0 || c.Drain < 0 || c.LateThreshold < 0 || c.SLOP99 < 0:
		return fmt.Errorf("loadtest: durations must be ≥ 0")
	case c.MaxErrorRate < 0 || c.MaxErrorRate > 1:
		return fmt.Errorf("loadtest: max error rate %v not in [0, 1]", c.MaxErrorRate)
	case c.Traffic == nil:
		return fmt.Errorf("loadtest: no traffic (codes) configured")
	case c.Engine != EngineAuto && c.Engine != EngineLoop && c.Engine != EngineGoroutines:
		return fmt.Errorf("loadtest: engine %q: want %q or %q", c.Engine, EngineLoop, EngineGoroutines)
	case c.Loops < 0:
		return fmt.Errorf("loadtest: loops %d < 0", c.Loops)
	case c.Spin < 0 || c.Spin > time.Second:
		return fmt.Errorf("loadtest: spin %v not in [0, 1s]", c.Spin)
	}
	if c.Loops == 0 {
		c.Loops = max(1, runtime.GOMAXPROCS(0)/2)
	}
	c.Loops = min(c.Loops, c.Conns)
	return nil
}

// runner is one run's state.
type runner struct {
	cfg      Config
	target   target   // the first target: writes go to it
	targets  []target // every target; scan connections round-robin over them
	sched    *Schedule
	traffic  *Traffic
	hc       *fasthttp.HostClient // for the probe
	start    time.Time
	deadline int64 // ns since start: requests not sent by then are unsent
	lateNs   int64
	procs    int

	// next is the next request index to claim; limit stops claims (it is
	// lowered to stop a run early).
	next    atomic.Int64
	limit   atomic.Int64
	stopped chan struct{} // closed when limit is lowered
	stop1   sync.Once

	// workers (EngineGoroutines) or loops (EngineLoop) send; meters are
	// theirs, for the collector.
	workers []*worker
	loops   []*loop
	meters  []*meter
	// writer runs Config.Writes (nil without).
	writer *writer

	mu struct {
		sync.Mutex
		// phases[p] accumulates what workers flushed for phase p; nil
		// until the first flush. REQUIRES: mu held.
		phases []*phaseAcc
		// pending[p] counts senders (workers or loops) that have not
		// flushed phase p.
		pending []int
	}
	// phaseDone[p] is closed when every worker has flushed phase p.
	phaseDone []chan struct{}
}

// now returns nanoseconds since the run's start (monotonic clock).
func (r *runner) now() int64 { return int64(time.Since(r.start)) }

// halt stops claims of requests with index ≥ at.
func (r *runner) halt(at int64) {
	for {
		cur := r.limit.Load()
		if at >= cur || r.limit.CompareAndSwap(cur, at) {
			break
		}
	}
	r.stop1.Do(func() { close(r.stopped) })
}

// claim claims the next request index for a sender (a worker or an event
// loop) and returns it with its phase, searched from the sender's current
// phase p (claims only move forward); ok is false once the schedule is
// exhausted or the run stopped.
func (r *runner) claim(p int) (i int64, phase int, ok bool) {
	s := r.sched
	i = r.next.Add(1) - 1
	if i >= s.Total() || i >= r.limit.Load() {
		return i, p, false
	}
	for i >= s.firstIdx[p+1] {
		p++
	}
	return i, p, true
}

// flush merges w's accumulator into its phase and marks every phase before
// next as flushed by w; w then accumulates phase next.
func (r *runner) flush(w *worker, next int) {
	for p := w.phase; p < next && p < len(r.phaseDone); p++ {
		if p == w.phase {
			r.flushPhase(w.acc, p)
		} else {
			r.flushPhase(nil, p)
		}
	}
	w.acc.reset()
	w.phase = next
}

// flushPhase merges one sender's accumulator for phase p (nil if it recorded
// nothing there) and marks p as flushed by that sender. Each sender flushes
// each phase exactly once.
func (r *runner) flushPhase(a *phaseAcc, p int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p >= len(r.mu.phases) {
		return
	}
	if a != nil {
		if r.mu.phases[p] == nil {
			r.mu.phases[p] = newPhaseAcc()
		}
		r.mu.phases[p].merge(a)
	}
	r.mu.pending[p]--
	if r.mu.pending[p] == 0 {
		close(r.phaseDone[p])
	}
}

// Run drives the target with cfg's schedule and traffic and returns what it
// measured. It returns an error only when the run could not start; a run cut
// short by ctx returns partial Results with Interrupted set.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	r, err := newRunner(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := r.probe(); err != nil {
		return nil, err
	}
	if cfg.Writes != nil {
		if r.writer, err = newWriter(r); err != nil {
			return nil, err
		}
	}
	return r.run(ctx), nil
}

// newRunner validates cfg and builds a runner with its workers.
func newRunner(ctx context.Context, cfg Config) (*runner, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	ts, err := parseTargets(ctx, cfg.Target, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	t := ts[0]
	sched, err := NewSchedule(cfg.Phases)
	if err != nil {
		return nil, err
	}
	if sched.Total() > cfg.MaxRequests {
		return nil, fmt.Errorf("loadtest: schedule sends %d requests, above the bound of %d", sched.Total(), cfg.MaxRequests)
	}
	if sched.Duration() > cfg.MaxDuration {
		return nil, fmt.Errorf("loadtest: schedule lasts %v, above the bound of %v", sched.Duration(), cfg.MaxDuration)
	}
	if sched.Total() == 0 {
		return nil, fmt.Errorf("loadtest: schedule sends no requests")
	}
	r := &runner{
		cfg: cfg, target: t, targets: ts, sched: sched, traffic: cfg.Traffic,
		lateNs: int64(cfg.LateThreshold), procs: runtime.GOMAXPROCS(0),
		stopped: make(chan struct{}),
	}
	r.hc = r.newClient(t)
	anyTLS := false
	for _, t := range ts {
		anyTLS = anyTLS || t.tls
	}
	engine := cfg.Engine
	if engine == EngineAuto {
		engine = EngineGoroutines
		if loopSupported && !anyTLS {
			engine = EngineLoop
		}
	}
	r.cfg.Engine = engine
	senders := cfg.Conns
	switch engine {
	case EngineLoop:
		if !loopSupported || anyTLS {
			return nil, fmt.Errorf("loadtest: engine %q needs Linux and an http target; use %q", EngineLoop, EngineGoroutines)
		}
		if err := r.newLoops(); err != nil {
			return nil, err
		}
		senders = len(r.loops)
		r.procs = min(r.procs, senders) // a loop runs on one core at a time
		for _, l := range r.loops {
			r.meters = append(r.meters, &l.meter)
		}
	default:
		r.workers = make([]*worker, cfg.Conns)
		for i := range r.workers {
			r.workers[i] = newWorker(r, ts[i%len(ts)])
			r.meters = append(r.meters, &r.workers[i].meter)
		}
	}
	n := len(cfg.Phases)
	r.mu.phases = make([]*phaseAcc, n)
	r.mu.pending = make([]int, n)
	r.phaseDone = make([]chan struct{}, n)
	for p := range n {
		r.mu.pending[p] = senders
		r.phaseDone[p] = make(chan struct{})
	}
	r.limit.Store(math.MaxInt64)
	return r, nil
}

// newClient returns a client holding one keep-alive connection to t. Each worker owns one (profiled: a shared HostClient's connection
// pool lock and list cost ~1.5 % of the generator's CPU at 60k req/s), so
// --conns workers hold --conns connections.
func (r *runner) newClient(t target) *fasthttp.HostClient {
	timeout := r.cfg.Timeout
	return &fasthttp.HostClient{
		Addr:                      t.addr,
		IsTLS:                     t.tls,
		Name:                      "tracecode-loadtest",
		MaxConns:                  1,
		MaxIdemponentCallAttempts: 1,
		RetryIfErr:                func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		// Only a read deadline: a GET fits the socket buffer, and each
		// deadline set costs a runtime timer update (profiled: ~2 % of the
		// generator's CPU at 60k req/s).
		ReadTimeout: timeout,
		Dial: func(addr string) (net.Conn, error) {
			return fasthttp.DialTimeout(addr, timeout)
		},
		MaxIdleConnDuration:           time.Minute,
		DisableHeaderNamesNormalizing: true,
		DisablePathNormalizing:        true,
		MaxConnWaitTimeout:            timeout,
	}
}

// probe sends one request to every target so that a wrong target fails
// before the run, with a message, instead of as a wall of connect errors.
// Its answers are not recorded.
func (r *runner) probe() error {
	for i, t := range r.targets {
		hc := r.hc
		if i > 0 {
			hc = r.newClient(t)
		}
		err := r.probeOne(hc, t)
		if i > 0 {
			hc.CloseIdleConnections()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) probeOne(hc *fasthttp.HostClient, t target) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	pick := r.traffic.Pick(0)
	req.SetRequestURIBytes(r.traffic.Append(nil, pick))
	req.Header.SetHost(t.host)
	if t.tls {
		req.URI().SetScheme("https")
	}
	// Only a failure to connect stops the run: a slow or failing server is
	// what the run is for.
	if err := hc.DoTimeout(req, resp, 5*time.Second); err != nil && classifyErr(err) == OutConnect {
		return fmt.Errorf("loadtest: target %s does not answer: %w", t.base, err)
	}
	return nil
}

// run starts the workers, collects the timeline, evaluates steps and builds
// the results.
func (r *runner) run(ctx context.Context) *Results {
	res := &Results{Schema: SchemaVersion, Tool: toolInfo(), Config: r.runConfig()}
	sched := r.sched
	r.start = time.Now()
	res.Started = r.start
	r.deadline = int64(sched.Duration() + r.cfg.Drain)

	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.run() }()
	}
	for _, l := range r.loops {
		wg.Add(1)
		go func() { defer wg.Done(); l.run() }()
	}
	if r.writer != nil {
		for range r.writer.w.Conns {
			wg.Add(1)
			go func() { defer wg.Done(); r.writer.run() }()
		}
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	c := newCollector(r, res)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	nextPhase := 0 // next phase to finalise
	phaseCh := r.phaseDone[0]
	cancelled := ctx.Done()
loop:
	for {
		select {
		case <-tick.C:
			c.second()
		case <-phaseCh:
			c.finishPhase(nextPhase)
			nextPhase++
			if nextPhase < len(r.phaseDone) {
				phaseCh = r.phaseDone[nextPhase]
			} else {
				phaseCh = nil
			}
		case <-cancelled:
			cancelled = nil
			res.Interrupted = true
			r.halt(0)
		case <-allDone:
			break loop
		}
	}
	for ; nextPhase < len(r.phaseDone); nextPhase++ {
		<-r.phaseDone[nextPhase] // all workers have exited: closed already
		c.finishPhase(nextPhase)
	}
	c.second()
	res.Finished = time.Now()
	r.hc.CloseIdleConnections()
	for _, w := range r.workers {
		w.hc.CloseIdleConnections()
	}
	if r.writer != nil {
		res.Config.Writes = r.writer.config()
		res.Writes = r.writer.results()
	}
	c.finish()
	return res
}

func toolInfo() ToolInfo {
	h, _ := os.Hostname()
	return ToolInfo{Name: "tracecode loadtest", GoVersion: runtime.Version(), OS: runtime.GOOS,
		Arch: runtime.GOARCH, NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Hostname: h}
}

// targetBases is the targets' base URLs, comma-separated.
func (r *runner) targetBases() string {
	bs := make([]string, len(r.targets))
	for i, t := range r.targets {
		bs[i] = t.base
	}
	return strings.Join(bs, ",")
}

func (r *runner) runConfig() RunConfig {
	c := r.cfg
	rc := RunConfig{
		Target: r.targetBases(), Conns: c.Conns, Engine: string(c.Engine),
		TimeoutMs: ms(c.Timeout), DrainMs: ms(c.Drain), LateThresholdUs: float64(c.LateThreshold) / 1e3,
		MaxErrorRate: c.MaxErrorRate,
	}
	if c.Engine == EngineLoop {
		rc.Loops = len(r.loops)
		rc.SpinUs = float64(c.Spin) / 1e3
	}
	if c.SLOP99 > 0 {
		rc.SLOP99Us = float64(c.SLOP99) / 1e3
	}
	for _, p := range c.Phases {
		rc.Phases = append(rc.Phases, PhaseConfig{Rate: p.Rate, EndRate: p.endRate(), DurationS: p.Duration.Seconds(), Warmup: p.Warmup})
	}
	m := r.traffic.Mix()
	tc := TrafficConfig{Source: c.TrafficSource, Codes: map[string]int{}, Forms: map[string]float64{},
		Accepts: map[string]float64{}, Forged: m.Forged, ZipfTheta: m.Theta, Scrambled: m.Scrambled, Seed: m.Seed}
	for f := Form(0); f < numForms; f++ {
		tc.Codes[f.String()] = r.traffic.corpus.Len(f)
		tc.Forms[f.String()] = m.Forms[f]
	}
	for a := Accept(0); a < numAccepts; a++ {
		tc.Accepts[a.String()] = m.Accepts[a]
	}
	rc.Traffic = tc
	return rc
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
