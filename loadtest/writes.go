package loadtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"
)

// Writes is write traffic offered alongside the scans, as a producer's
// lines would: minting blocks of codes and reporting their commissioning.
// Each class runs open-loop at its own constant rate over the whole
// schedule; its figures are kept apart from the scans' (Results.Writes), so
// that scan figures stay comparable with and without writes.
type Writes struct {
	// Key is the bearer key (scopes mint and report). Required.
	Key string
	// MintRate is POST /v1/blocks requests per second; 0 for none.
	MintRate float64
	// MintCount is the codes each mint asks for. Zero means 1000.
	MintCount int
	// ReportRate is POST /v1/reports/line (commission) requests per second;
	// 0 for none. The ranges commissioned are of blocks minted for the
	// purpose before the run starts (not timed): fresh codes, never
	// commissioned twice.
	ReportRate float64
	// ReportCount is the codes each report commissions (one range). Zero
	// means 100; at most 1 000 000.
	ReportCount int
	// GTIN is the product to mint for. Empty: the GTIN of the first block
	// GET /v1/blocks lists with one.
	GTIN string
	// Lot is the lot number minted into (created on first use). Empty:
	// "LT" and the run's time stamp (14 characters).
	Lot string
	// Conns is the connections (one sending goroutine each) for the write
	// traffic, apart from the scans'. Zero means 4.
	Conns int
}

// Write traffic classes.
const (
	WriteMint   = "mint"
	WriteReport = "report"
)

// WriteResult is one write class's figures over the measured phases (the
// warm-up left out).
type WriteResult struct {
	// Class is "mint" or "report".
	Class string `json:"class"`
	// OfferedRate is the scheduled requests per second.
	OfferedRate float64 `json:"offered_rate"`
	// CodesPerRequest is MintCount or ReportCount.
	CodesPerRequest int `json:"codes_per_request"`
	// Scheduled counts requests scheduled in the measured span (up to a
	// stop); Sent, Completed and Unsent as for scans.
	Scheduled    int64   `json:"scheduled"`
	Sent         int64   `json:"sent"`
	Completed    int64   `json:"completed"`
	Unsent       int64   `json:"unsent"`
	AchievedRate float64 `json:"achieved_rate"`
	// Latency is from the intended send time, ServiceTime from the actual.
	Latency     Dist `json:"latency"`
	ServiceTime Dist `json:"service_time"`
	// Outcomes: ok, connect, timeout, closed, other, http_4xx, http_5xx,
	// body (a 2xx that is not the JSON expected), unsent.
	Outcomes  map[string]int64 `json:"outcomes"`
	Status    map[string]int64 `json:"status"`
	Errors    int64            `json:"errors"`
	ErrorRate float64          `json:"error_rate"`
	// Codes counts codes minted or commissioned, as the answers said.
	Codes int64 `json:"codes"`
	// Replayed counts answers marked "replayed" (an Idempotency-Key the
	// server had seen: a retry, which this generator never makes).
	Replayed int64 `json:"replayed"`
}

// writeAcc accumulates one class's measurements; guarded by writer.mu.
type writeAcc struct {
	lat, svc                   *hdr.Histogram
	scheduled, sent, completed int64
	outcomes                   [numOutcomes]int64
	status                     map[int]int64
	codes, replayed            int64
	lastDone                   int64
}

// writer runs the write traffic.
type writer struct {
	r     *runner
	w     Writes
	setup *fasthttp.HostClient // for the untimed requests before the run
	runID string
	gtin  string
	lot   string
	// auth is the Authorization header ("Bearer " and the key) and mintReq
	// every timed mint's body: both fixed for the run, built once.
	auth    string
	mintReq []byte
	warmNs  int64 // requests intended before this are warm-up
	endNs   int64 // the schedule's end
	// report ranges: setup blocks of blockSize codes each.
	blocks    []uint64
	blockSize uint64

	mu struct {
		sync.Mutex
		next [2]int64 // next request index per class (mint, report)
		acc  [2]writeAcc
		// stoppedAt is when the run stopped early (ns), or −1.
		stoppedAt int64
	}
}

// writeClass indexes writer arrays.
var writeClasses = [2]string{WriteMint, WriteReport}

func (w *Writes) fill() error {
	if w.MintCount == 0 {
		w.MintCount = 1000
	}
	if w.ReportCount == 0 {
		w.ReportCount = 100
	}
	if w.Conns == 0 {
		w.Conns = 4
	}
	switch {
	case w.Key == "":
		return fmt.Errorf("loadtest: write traffic needs an API key (--key) with the mint and report scopes")
	case !(w.MintRate >= 0) || !(w.ReportRate >= 0) || w.MintRate > 10_000 || w.ReportRate > 10_000:
		return fmt.Errorf("loadtest: write rates must be in [0, 10000]/s (mint %g, report %g)", w.MintRate, w.ReportRate)
	case w.MintCount < 1 || w.MintCount > 10_000_000:
		return fmt.Errorf("loadtest: mint count %d not in [1, 10000000]", w.MintCount)
	case w.ReportCount < 1 || w.ReportCount > 1_000_000:
		return fmt.Errorf("loadtest: report count %d not in [1, 1000000]", w.ReportCount)
	case w.Conns < 1 || w.Conns > 256:
		return fmt.Errorf("loadtest: write conns %d not in [1, 256]", w.Conns)
	}
	return nil
}

// newWriter validates the write configuration and prepares the run: it
// finds the GTIN and, for reports, mints the blocks their ranges come from.
func newWriter(r *runner) (*writer, error) {
	w := &writer{r: r, w: *r.cfg.Writes, setup: r.newClient(r.target)}
	w.setup.ReadTimeout = time.Minute
	defer w.setup.CloseIdleConnections()
	if err := w.w.fill(); err != nil {
		return nil, err
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	stamp := strconv.FormatInt(time.Now().Unix(), 36) + hex.EncodeToString(id[:2])
	w.runID = "lt-" + stamp + hex.EncodeToString(id[2:])
	w.lot = w.w.Lot
	if w.lot == "" {
		w.lot = "LT" + strings.ToUpper(stamp) // ≤ 14 characters: a GS1 lot has at most 20
	}
	s := r.sched
	w.endNs = int64(s.Duration())
	for p, ph := range s.phases {
		if !ph.Warmup {
			break
		}
		w.warmNs = s.startNs[p+1]
	}
	w.auth = "Bearer " + w.w.Key
	w.mu.stoppedAt = -1
	for k := range w.mu.acc {
		w.mu.acc[k] = writeAcc{lat: newHist(), svc: newHist(), status: map[int]int64{}}
	}
	w.gtin = w.w.GTIN
	if w.gtin == "" {
		g, err := w.findGTIN()
		if err != nil {
			return nil, err
		}
		w.gtin = g
	}
	w.mintReq = w.mintBody(nil, w.w.MintCount)
	if w.w.ReportRate > 0 {
		if err := w.mintForReports(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// count returns class k's scheduled requests over the schedule.
func (w *writer) count(k int) int64 {
	rate := [2]float64{w.w.MintRate, w.w.ReportRate}[k]
	return int64(rate * float64(w.endNs) / 1e9)
}

// at returns class k's request j's intended time (ns since the start).
func (w *writer) at(k int, j int64) int64 {
	rate := [2]float64{w.w.MintRate, w.w.ReportRate}[k]
	return int64(float64(j) * 1e9 / rate)
}

// setupCall sends one untimed API request before the run.
func (w *writer) setupCall(method, path, idem string, body []byte) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	w.prepare(req, method, path, []byte(idem), body)
	if err := w.setup.DoTimeout(req, resp, time.Minute); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

// prepare sets req's method, path, headers and body; idem (the
// Idempotency-Key) is left out when empty.
func (w *writer) prepare(req *fasthttp.Request, method, path string, idem, body []byte) {
	req.Header.SetMethod(method)
	req.SetRequestURI(path)
	req.Header.SetHost(w.r.target.host)
	if w.r.target.tls {
		req.URI().SetScheme("https")
	}
	req.Header.Set("Authorization", w.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.SetUserAgent("tracecode-loadtest")
	if len(idem) > 0 {
		req.Header.SetBytesV("Idempotency-Key", idem)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBody(body)
	}
}

// findGTIN takes the GTIN of the first block GET /v1/blocks lists with one,
// preferring item-level blocks.
func (w *writer) findGTIN() (string, error) {
	st, body, err := w.setupCall("GET", "/v1/blocks", "", nil)
	if err != nil || st != 200 {
		return "", fmt.Errorf("loadtest: write traffic: GET /v1/blocks to find a GTIN (or give --mint-gtin): status %d, %v: %.200s", st, err, body)
	}
	var v struct {
		Blocks []struct {
			GTIN  string `json:"gtin"`
			Level string `json:"level"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("loadtest: write traffic: GET /v1/blocks: %w (give --mint-gtin)", err)
	}
	g := ""
	for _, b := range v.Blocks {
		if b.GTIN != "" && (g == "" || b.Level == "item") {
			g = b.GTIN
			if b.Level == "item" {
				break
			}
		}
	}
	if g == "" {
		return "", fmt.Errorf("loadtest: write traffic: no block with a GTIN among the key's blocks: give --mint-gtin")
	}
	return g, nil
}

// mintBody is the JSON of a mint request.
func (w *writer) mintBody(dst []byte, count int) []byte {
	return fmt.Appendf(dst, `{"gtin":%q,"lot":%q,"createLot":true,"count":%d}`, w.gtin, w.lot, count)
}

// mintForReports mints, untimed, the blocks every scheduled report takes a
// fresh range from: blocks of a whole number of reports, ≤ 1 M codes each
// and no larger than all the reports need.
func (w *writer) mintForReports() error {
	k := uint64(w.w.ReportCount)
	need := uint64(w.count(1)) * k
	w.blockSize = min(k*max(1, 1_000_000/k), max(need, k))
	for i := 0; uint64(len(w.blocks))*w.blockSize < need; i++ {
		st, body, err := w.setupCall("POST", "/v1/blocks", w.runID+"-setup-"+strconv.Itoa(i), w.mintBody(nil, int(w.blockSize)))
		var b struct {
			ID    uint64 `json:"id"`
			Count uint64 `json:"count"`
		}
		if err == nil && st/100 == 2 {
			err = json.Unmarshal(body, &b)
		}
		if err != nil || st/100 != 2 || b.Count != w.blockSize {
			return fmt.Errorf("loadtest: write traffic: minting %d codes of gtin %s for the reports: status %d, %v: %.300s",
				w.blockSize, w.gtin, st, err, body)
		}
		w.blocks = append(w.blocks, b.ID)
	}
	return nil
}

// claim returns the next write request due (class, index, intended time),
// the earlier of the two classes' next; ok is false when none is left or the
// run stopped.
func (w *writer) claim() (k int, j, at int64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.r.stopped:
		if w.mu.stoppedAt < 0 {
			w.mu.stoppedAt = w.r.now()
		}
	default:
	}
	if w.mu.stoppedAt >= 0 {
		return 0, 0, 0, false
	}
	best := int64(-1)
	for c := range 2 {
		if n := w.mu.next[c]; n < w.count(c) {
			if t := w.at(c, n); best < 0 || t < best {
				k, best = c, t
			}
		}
	}
	if best < 0 {
		return 0, 0, 0, false
	}
	j = w.mu.next[k]
	w.mu.next[k]++
	if best >= w.warmNs {
		w.mu.acc[k].scheduled++
	}
	return k, j, best, true
}

// stop ends claims at t (ns): an SLO stop or an interrupt.
func (w *writer) stop(t int64) {
	w.mu.Lock()
	if w.mu.stoppedAt < 0 {
		w.mu.stoppedAt = t
	}
	w.mu.Unlock()
}

// run is one write connection's goroutine.
func (w *writer) run() {
	r := w.r
	hc := r.newClient(r.target)
	hc.ReadTimeout = max(r.cfg.Timeout, 30*time.Second) // a mint waits for an fsync
	defer hc.CloseIdleConnections()
	var req fasthttp.Request
	var resp fasthttp.Response
	var body, idem []byte
	fine := newPreciseTimer()
	defer fine.close()
	for {
		k, j, at, ok := w.claim()
		if !ok {
			return
		}
		for now := r.now(); now < at; now = r.now() {
			select {
			case <-r.stopped:
				w.stop(r.now())
				return
			default:
			}
			fine.sleep(min(time.Duration(at-now), maxSleepChunk))
		}
		free := r.now()
		if free > r.deadline {
			w.record(k, at, -1, free, OutUnsent, 0, 0, false)
			continue
		}
		req.Reset()
		resp.Reset()
		body, idem = w.request(&req, k, j, body[:0], idem[:0])
		sent := r.now()
		err := hc.Do(&req, &resp)
		done := r.now()
		if err != nil {
			w.record(k, at, sent, done, classifyErr(err), 0, 0, false)
			continue
		}
		out, codes, replayed := classifyWrite(&resp, k)
		w.record(k, at, sent, done, out, resp.StatusCode(), codes, replayed)
	}
}

// request builds class k's request j in req; body and idem are buffers
// for its body and Idempotency-Key, returned grown.
func (w *writer) request(req *fasthttp.Request, k int, j int64, body, idem []byte) ([]byte, []byte) {
	idem = append(idem, w.runID...)
	if k == 0 {
		idem = strconv.AppendInt(append(idem, "-mint-"...), j, 10)
		w.prepare(req, "POST", "/v1/blocks", idem, w.mintReq)
		return body, idem
	}
	idem = strconv.AppendInt(append(idem, "-report-"...), j, 10)
	off := uint64(j) * uint64(w.w.ReportCount)
	blk, first := w.blocks[off/w.blockSize], off%w.blockSize
	body = append(body, `{"action":"commission","items":{"ranges":[{"block":`...)
	body = strconv.AppendUint(body, blk, 10)
	body = strconv.AppendUint(append(body, `,"first":`...), first, 10)
	body = strconv.AppendUint(append(body, `,"last":`...), first+uint64(w.w.ReportCount)-1, 10)
	body = append(body, "}]}}"...)
	w.prepare(req, "POST", "/v1/reports/line", idem, body)
	return body, idem
}

// classifyWrite judges a write's answer: a 2xx must be JSON with the codes
// count ("count" of a block, "codes" of a report).
func classifyWrite(resp *fasthttp.Response, k int) (Outcome, int64, bool) {
	st := resp.StatusCode()
	switch {
	case st >= 500:
		return OutHTTP5xx, 0, false
	case st >= 400:
		return OutHTTP4xx, 0, false
	case st < 200 || st >= 300:
		return OutOther, 0, false
	}
	// Decoded per class: a block's "codes" is its codes URL, a report's
	// the number of codes it applied.
	var n *int64
	var replayed bool
	var err error
	if k == 0 {
		var v struct {
			Count    *int64 `json:"count"`
			Replayed bool   `json:"replayed"`
		}
		err = json.Unmarshal(resp.Body(), &v)
		n, replayed = v.Count, v.Replayed
	} else {
		var v struct {
			Codes    *int64 `json:"codes"`
			Replayed bool   `json:"replayed"`
		}
		err = json.Unmarshal(resp.Body(), &v)
		n, replayed = v.Codes, v.Replayed
	}
	if err != nil || n == nil {
		return OutBody, 0, false
	}
	return OutOK, *n, replayed
}

// record adds one write request (sent = −1: unsent).
func (w *writer) record(k int, intended, sent, done int64, out Outcome, status int, codes int64, replayed bool) {
	if intended < w.warmNs {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	a := &w.mu.acc[k]
	record(a.lat, done-intended)
	a.outcomes[out]++
	a.lastDone = max(a.lastDone, done)
	if sent < 0 {
		return
	}
	record(a.svc, done-sent)
	a.sent++
	a.completed++
	if status > 0 {
		a.status[status]++
	}
	if out == OutOK {
		a.codes += codes
		if replayed {
			a.replayed++
		}
	}
}

// config describes the write traffic for results.json.
func (w *writer) config() *WritesConfig {
	return &WritesConfig{MintRate: w.w.MintRate, MintCount: w.w.MintCount, ReportRate: w.w.ReportRate,
		ReportCount: w.w.ReportCount, GTIN: w.gtin, Lot: w.lot, Conns: w.w.Conns, RunID: w.runID}
}

// WritesConfig is the write traffic's configuration in results.json.
type WritesConfig struct {
	MintRate    float64 `json:"mint_rate"`
	MintCount   int     `json:"mint_count"`
	ReportRate  float64 `json:"report_rate"`
	ReportCount int     `json:"report_count"`
	GTIN        string  `json:"gtin"`
	Lot         string  `json:"lot"`
	Conns       int     `json:"conns"`
	// RunID prefixes every Idempotency-Key the run sent
	// (RUNID-mint-J, RUNID-report-J, RUNID-setup-J).
	RunID string `json:"run_id"`
}

// results builds the WriteResults of the classes that ran.
func (w *writer) results() []WriteResult {
	w.mu.Lock()
	defer w.mu.Unlock()
	end := w.endNs
	if w.mu.stoppedAt >= 0 {
		end = min(end, w.mu.stoppedAt)
	}
	var out []WriteResult
	for k, rate := range [2]float64{w.w.MintRate, w.w.ReportRate} {
		if rate == 0 {
			continue
		}
		a := &w.mu.acc[k]
		wr := WriteResult{Class: writeClasses[k], OfferedRate: rate, CodesPerRequest: [2]int{w.w.MintCount, w.w.ReportCount}[k],
			Scheduled: a.scheduled, Sent: a.sent, Completed: a.completed, Unsent: a.outcomes[OutUnsent],
			Latency: summarize(a.lat, true, true), ServiceTime: summarize(a.svc, true, true),
			Outcomes: map[string]int64{}, Status: map[string]int64{}, Codes: a.codes, Replayed: a.replayed}
		for o := Outcome(0); o < numOutcomes; o++ {
			if o != OutForgedRejected && o != OutForgedAccepted {
				wr.Outcomes[o.String()] = a.outcomes[o]
			}
			if o.IsError() {
				wr.Errors += a.outcomes[o]
			}
		}
		for st, n := range a.status {
			wr.Status[strconv.Itoa(st)] = n
		}
		if wr.Scheduled > 0 {
			wr.ErrorRate = float64(wr.Errors) / float64(wr.Scheduled)
		}
		if span := max(a.lastDone, end) - w.warmNs; span > 0 {
			wr.AchievedRate = round3(float64(wr.Completed) / (float64(span) / 1e9))
		}
		out = append(out, wr)
	}
	return out
}
