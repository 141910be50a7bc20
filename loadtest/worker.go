package loadtest

import (
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"
)

// counters are a phase's request counts. A worker keeps its own and merges
// them into the phase's at the phase's end.
type counters struct {
	sent, completed   int64
	outcomes          [numOutcomes]int64
	status, errStatus [600]int64 // index = HTTP status; 0 holds out-of-range codes
	forged            int64      // forged requests sent or left unsent
	late, waited      int64
	forms             [numForms]int64
	accepts           [numAccepts]int64
	// lastDone is the latest completion time (ns since start).
	lastDone int64
}

func (c *counters) add(o *counters) {
	c.sent += o.sent
	c.completed += o.completed
	for i := range c.outcomes {
		c.outcomes[i] += o.outcomes[i]
	}
	for i := range c.status {
		c.status[i] += o.status[i]
		c.errStatus[i] += o.errStatus[i]
	}
	c.forged += o.forged
	c.late += o.late
	c.waited += o.waited
	for i := range c.forms {
		c.forms[i] += o.forms[i]
	}
	for i := range c.accepts {
		c.accepts[i] += o.accepts[i]
	}
	c.lastDone = max(c.lastDone, o.lastDone)
}

func (c *counters) errors() int64 {
	var n int64
	for o := OutConnect; o < numOutcomes; o++ {
		n += c.outcomes[o]
	}
	return n
}

// phaseAcc accumulates one phase's measurements.
type phaseAcc struct {
	lat, svc, lag *hdr.Histogram
	c             counters
}

func newPhaseAcc() *phaseAcc {
	return &phaseAcc{lat: newHist(), svc: newHist(), lag: newCoarseHist()}
}

func (a *phaseAcc) reset() {
	a.lat.Reset()
	a.svc.Reset()
	a.lag.Reset()
	a.c = counters{}
}

func (a *phaseAcc) merge(o *phaseAcc) {
	a.lat.Merge(o.lat)
	a.svc.Merge(o.svc)
	a.lag.Merge(o.lag)
	a.c.add(&o.c)
}

// meter is what a sender (a worker goroutine or an event loop) shares with
// the collector: its sent count and the current timeline second.
type meter struct {
	// sent is read by the progress line.
	sent atomic.Int64

	// iv is the current timeline second's data, swapped out by the
	// coordinator once a second.
	iv struct {
		sync.Mutex
		lat       *hdr.Histogram // REQUIRES: iv held
		completed int64          // REQUIRES: iv held
		errors    int64          // REQUIRES: iv held
	}
}

func (m *meter) init() { m.iv.lat = newCoarseHist() }

// worker drives one connection's worth of requests: it claims the next
// request index, waits for its intended time, sends it and records it. It is
// the goroutine engine (EngineGoroutines), used for HTTPS targets and off
// Linux; see loop for the default.
//
// Everything but the meter is owned by the worker's goroutine.
type worker struct {
	meter
	r    *runner
	hc   *fasthttp.HostClient // this worker's connection
	tls  bool                 // its target is https
	req  fasthttp.Request
	resp fasthttp.Response
	buf  []byte
	fine *preciseTimer
	// phase is the phase acc belongs to.
	phase int
	acc   *phaseAcc
	// freeAt is when the worker's last request ended (ns since the start;
	// 0 before the first).
	freeAt int64
}

func newWorker(r *runner, t target) *worker {
	w := &worker{r: r, tls: t.tls, hc: r.newClient(t), acc: newPhaseAcc(), buf: make([]byte, 0, 512), fine: newPreciseTimer()}
	w.init()
	w.req.Header.SetMethod(fasthttp.MethodGet)
	w.req.Header.SetHost(t.host)
	w.req.Header.DisableNormalizing()
	w.req.Header.SetUserAgent("tracecode-loadtest")
	return w
}

// run is the worker's goroutine.
func (w *worker) run() {
	r := w.r
	s := r.sched
	for {
		i, p, ok := r.claim(w.phase)
		if !ok {
			break
		}
		if p != w.phase {
			r.flush(w, p)
		}
		intended := s.at(p, i)
		pick := r.traffic.Pick(i)
		// free is when this worker's connection became free: if the
		// worker itself ran late since, that is generator lag, not a wait
		// for a connection.
		free := w.freeAt
		if now := r.now(); now > r.deadline {
			w.recordUnsent(i, pick, intended, now)
			continue
		}
		w.prepare(pick) // before the sleep, so the send follows the wake-up
		if intended > free {
			if !w.sleepUntil(intended) || i >= r.limit.Load() {
				break // stopped while waiting; the request is not sent
			}
		}
		w.send(i, pick, intended, free)
	}
	r.flush(w, len(s.phases))
	w.fine.close()
}

// send sends the prepared request i now and records it; intended and free
// are its intended time and when the worker was free to send it. This is
// the hot path: it allocates nothing (BenchmarkSend).
func (w *worker) send(i int64, pick Pick, intended, free int64) {
	r := w.r
	sent := r.now()
	w.sent.Add(1)
	err := w.hc.Do(&w.req, &w.resp) // bounded by the client's ReadTimeout
	done := r.now()
	w.freeAt = done
	var out Outcome
	if err != nil {
		out = classifyErr(err)
	} else {
		out = classifyResp(&w.resp, pick)
	}
	w.record(i, pick, out, intended, free, sent, done)
}

// prepare sets the request's URI and Accept header for pick.
func (w *worker) prepare(pick Pick) {
	w.buf = w.r.traffic.Append(w.buf[:0], pick)
	w.req.SetRequestURIBytes(w.buf)
	if w.tls {
		w.req.URI().SetSchemeBytes(schemeHTTPS)
	}
	w.req.Header.SetBytesV("Accept", acceptValues[pick.Accept])
}

var (
	schemeHTTPS  = []byte("https")
	acceptValues = [numAccepts][]byte{[]byte(AcceptJSON.header()), []byte(AcceptHTML.header())}
)

// maxSleepChunk bounds one wait so that a stopped run wakes its workers
// within that time.
const maxSleepChunk = 50 * time.Millisecond

// sleepUntil waits until t (ns since the run's start) or until the run
// stops; it reports whether t was reached. It sleeps on the worker's
// preciseTimer (a Go timer would wake up to ~1 ms late; see preciseTimer).
func (w *worker) sleepUntil(t int64) bool {
	for {
		rem := time.Duration(t - w.r.now())
		if rem <= 0 {
			return true
		}
		select {
		case <-w.r.stopped:
			return false
		default:
		}
		w.fine.sleep(min(rem, maxSleepChunk))
	}
}

// record adds one sent request to the phase and the timeline second.
// Times are ns since the run's start.
func (w *worker) record(i int64, pick Pick, out Outcome, intended, free, sent, done int64) {
	w.r.record(w.acc, &w.meter, i, pick, out, w.resp.StatusCode(), intended, free, sent, done)
}

// record adds one sent request to a and m; status is the answer's HTTP
// status (ignored for transport outcomes). Times are ns since the run's
// start. It allocates nothing.
func (r *runner) record(a *phaseAcc, m *meter, i int64, pick Pick, out Outcome, status int, intended, free, sent, done int64) {
	lat := done - intended
	record(a.lat, lat)
	record(a.svc, done-sent)
	lag := sent - max(intended, free)
	record(a.lag, lag)
	c := &a.c
	c.sent++
	c.completed++
	c.outcomes[out]++
	if out != OutConnect && out != OutTimeout && out != OutClosed && out != OutOther {
		st := status
		if st < 0 || st >= len(c.status) {
			st = 0
		}
		c.status[st]++
		if out.IsError() {
			c.errStatus[st]++
		}
	}
	if pick.Forged {
		c.forged++
	}
	if lag > r.lateNs {
		c.late++
	}
	if free > intended {
		c.waited++
	}
	c.forms[pick.Form]++
	c.accepts[pick.Accept]++
	c.lastDone = max(c.lastDone, done)

	m.iv.Lock()
	record(m.iv.lat, lat)
	m.iv.completed++
	if out.IsError() {
		m.iv.errors++
	}
	m.iv.Unlock()

	if r.cfg.Trace != nil {
		r.cfg.Trace(RequestTrace{Index: i, Pick: pick, Outcome: out, Status: status,
			Intended: intended, Free: free, Sent: sent, Done: done})
	}
}

// recordUnsent records a request the drain deadline caught before it was
// sent: its latency is the wait so far, a lower bound.
func (w *worker) recordUnsent(i int64, pick Pick, intended, now int64) {
	w.r.recordUnsent(w.acc, &w.meter, i, pick, intended, now)
}

func (r *runner) recordUnsent(a *phaseAcc, m *meter, i int64, pick Pick, intended, now int64) {
	record(a.lat, now-intended)
	a.c.outcomes[OutUnsent]++
	a.c.waited++
	if pick.Forged {
		a.c.forged++
	}
	a.c.forms[pick.Form]++
	a.c.accepts[pick.Accept]++
	m.iv.Lock()
	record(m.iv.lat, now-intended)
	m.iv.errors++
	m.iv.Unlock()
	if r.cfg.Trace != nil {
		r.cfg.Trace(RequestTrace{Index: i, Pick: pick, Outcome: OutUnsent, Intended: intended, Free: now, Sent: -1, Done: -1})
	}
}

// RequestTrace is one request's record, passed to Config.Trace. Times are
// nanoseconds since the run's start (Results.Started).
type RequestTrace struct {
	Index    int64
	Pick     Pick
	Outcome  Outcome
	Status   int
	Intended int64
	// Free is when the connection it went on became free; Sent and Done are −1 for
	// an unsent request.
	Free, Sent, Done int64
}
