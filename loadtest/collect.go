package loadtest

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// collector runs on the coordinating goroutine: it turns what the workers
// recorded into the timeline, the progress line and the step results.
type collector struct {
	r   *runner
	res *Results
	// sec and cum hold the current second's and the whole run's latency
	// (timeline data, coarse).
	sec, cum *hdr.Histogram
	lastCPU  cpuSample
	// cpuAt holds a CPU sample per timeline second, to attribute CPU to
	// steps.
	cpuAt   []cpuSample
	lastT   time.Duration
	sentCum int64
	errCum  int64
	// total merges measured, completed steps.
	total *phaseAcc
	tty   bool
	// capacity is the SLO search's answer (nil without a search).
	capacity *Capacity
	// gc0 holds the runtime's GC counters at the start.
	gc0 runtime.MemStats
}

func newCollector(r *runner, res *Results) *collector {
	c := &collector{r: r, res: res, sec: newCoarseHist(), cum: newCoarseHist()}
	runtime.ReadMemStats(&c.gc0)
	c.lastCPU = takeCPU(0)
	c.cpuAt = append(c.cpuAt, c.lastCPU)
	if f, ok := r.cfg.Progress.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			c.tty = true
		}
	}
	if r.cfg.SLOP99 > 0 {
		c.capacity = &Capacity{ObjectiveP99Us: float64(r.cfg.SLOP99) / 1e3, MaxErrorRate: r.cfg.MaxErrorRate,
			HighestPassingStep: -1, FailedStep: -1, StoppedBy: "max-rate"}
	}
	return c
}

// second closes the current timeline second.
func (c *collector) second() {
	r := c.r
	now := time.Duration(r.now())
	if now-c.lastT < 100*time.Millisecond && len(c.res.Timeline) > 0 {
		return // the final flush right after a tick
	}
	var completed, errs, sent int64
	c.sec.Reset()
	for _, w := range r.meters {
		w.iv.Lock()
		c.sec.Merge(w.iv.lat)
		w.iv.lat.Reset()
		completed += w.iv.completed
		errs += w.iv.errors
		w.iv.completed, w.iv.errors = 0, 0
		w.iv.Unlock()
		sent += w.sent.Load()
	}
	c.cum.Merge(c.sec)
	cpu := takeCPU(now)
	use := cpuBetween(c.lastCPU, cpu, r.procs)
	c.lastCPU = cpu
	c.cpuAt = append(c.cpuAt, cpu)
	step, rate := c.phaseAt(now)
	s := Second{T: round3(now.Seconds()), Step: step, OfferedRate: rate, Completed: completed, Errors: errs,
		P50Us: usOf(c.sec.ValueAtQuantile(50)), P99Us: usOf(c.sec.ValueAtQuantile(99)), CPU: use}
	if completed > 0 || errs > 0 {
		s.MaxUs = usOf(c.sec.Max())
	}
	c.res.Timeline = append(c.res.Timeline, s)
	c.errCum += errs
	c.sentCum = sent
	if r.cfg.Progress != nil {
		c.progress(now, s, now-c.lastT)
	}
	c.lastT = now
}

// phaseAt returns the phase scheduled at time t and its rate then.
func (c *collector) phaseAt(t time.Duration) (int, float64) {
	s := c.r.sched
	for p := range s.phases {
		if t < time.Duration(s.startNs[p+1]) {
			ph := s.phases[p]
			f := float64(t-time.Duration(s.startNs[p])) / float64(ph.Duration)
			return p, round3(ph.Rate + (ph.endRate()-ph.Rate)*f)
		}
	}
	return -1, 0
}

// progress prints the live line: elapsed, step, sent, achieved rate, p99 of
// the last second and of the run so far, errors, generator CPU.
func (c *collector) progress(now time.Duration, s Second, dt time.Duration) {
	rate := 0.0
	if dt > 0 {
		rate = float64(s.Completed) / dt.Seconds()
	}
	step := "drain"
	if s.Step >= 0 {
		step = fmt.Sprintf("step %d/%d @ %.0f/s", s.Step+1, len(c.r.sched.phases), s.OfferedRate)
	}
	line := fmt.Sprintf("%6.1fs  %-22s sent %-9d rate %-8.0f p99 %-9s (so far %s)  errors %d  gen cpu %.0f%%",
		now.Seconds(), step, c.sentCum, rate, fmtUs(s.P99Us), fmtUs(usOf(c.cum.ValueAtQuantile(99))),
		c.errCum, 100*s.CPU.OfAvailable)
	if c.tty {
		fmt.Fprintf(c.r.cfg.Progress, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(c.r.cfg.Progress, line)
	}
}

// finishPhase builds phase p's StepResult once every worker has flushed it.
func (c *collector) finishPhase(p int) {
	r := c.r
	s := r.sched
	ph := s.phases[p]
	r.mu.Lock()
	acc := r.mu.phases[p]
	r.mu.phases[p] = nil
	r.mu.Unlock()
	if acc == nil {
		return // never reached: the run stopped before this phase
	}
	first, end := s.PhaseRange(p)
	start := time.Duration(s.startNs[p])
	sr := c.stepResult(acc, p, ph, end-first)
	sr.StartS = round3(start.Seconds())
	sr.DurationS = ph.Duration.Seconds()
	sr.Aborted = acc.c.completed+acc.c.outcomes[OutUnsent] < end-first
	// CPU over the phase's span, from the per-second samples.
	c.cpuAt = append(c.cpuAt, takeCPU(time.Duration(r.now())))
	sr.Generator.CPU = c.cpuOver(start, time.Duration(s.startNs[p+1]))
	sr.Generator.Saturated, sr.Generator.Reason = c.saturation(sr.Generator)
	if !ph.Warmup && !sr.Aborted {
		if c.total == nil {
			c.total = newPhaseAcc()
		}
		c.total.merge(acc)
	}
	if c.capacity != nil && !ph.Warmup && !sr.Aborted && c.capacity.StoppedBy == "max-rate" {
		c.judge(&sr, p)
	}
	c.res.Steps = append(c.res.Steps, sr)
}

// stepResult turns an accumulator into a StepResult.
func (c *collector) stepResult(acc *phaseAcc, p int, ph Phase, scheduled int64) StepResult {
	k := &acc.c
	sr := StepResult{
		Index: p, Warmup: ph.Warmup, OfferedRate: round3(ph.meanRate()), OfferedRateStart: ph.Rate,
		OfferedRateEnd: ph.endRate(), Scheduled: scheduled, Sent: k.sent, Completed: k.completed,
		Unsent:  k.outcomes[OutUnsent],
		Latency: summarize(acc.lat, true, true), ServiceTime: summarize(acc.svc, true, true),
		GeneratorLag: summarize(acc.lag, false, false),
		Outcomes:     map[string]int64{}, Status: map[string]int64{}, ErrorStatus: map[string]int64{},
		Forms: map[string]int64{}, Accepts: map[string]int64{},
	}
	if p >= 0 {
		span := time.Duration(k.lastDone - c.r.sched.startNs[p])
		span = max(span, ph.Duration)
		sr.AchievedRate = round3(float64(k.completed) / span.Seconds())
	}
	for o := Outcome(0); o < numOutcomes; o++ {
		sr.Outcomes[o.String()] = k.outcomes[o]
	}
	for st, n := range k.status {
		if n > 0 {
			sr.Status[strconv.Itoa(st)] = n
		}
		if e := k.errStatus[st]; e > 0 {
			sr.ErrorStatus[strconv.Itoa(st)] = e
		}
	}
	for f := Form(0); f < numForms; f++ {
		sr.Forms[f.String()] = k.forms[f]
	}
	for a := Accept(0); a < numAccepts; a++ {
		sr.Accepts[a.String()] = k.accepts[a]
	}
	sr.Errors = k.errors()
	if scheduled > 0 {
		sr.ErrorRate = float64(sr.Errors) / float64(scheduled)
	}
	sr.Forged = ForgedCounts{Sent: k.forged, Rejected: k.outcomes[OutForgedRejected], Accepted: k.outcomes[OutForgedAccepted]}
	sr.Generator.Late = k.late
	sr.Generator.WaitedForConn = k.waited
	if k.sent > 0 {
		sr.Generator.LateShare = float64(k.late) / float64(k.sent)
	}
	return sr
}

// cpuOver attributes generator CPU to [from, to) using the per-second
// samples that fall inside it (the phase's own samples, at least one
// second's worth).
func (c *collector) cpuOver(from, to time.Duration) CPUUse {
	a, b := -1, -1
	for i, s := range c.cpuAt {
		if a < 0 && s.at >= from-500*time.Millisecond {
			a = i
		}
		if s.at <= to+500*time.Millisecond {
			b = i
		}
	}
	if a < 0 || b <= a {
		if n := len(c.cpuAt); n >= 2 {
			return cpuBetween(c.cpuAt[n-2], c.cpuAt[n-1], c.r.procs)
		}
		return CPUUse{MachineBusy: -1}
	}
	return cpuBetween(c.cpuAt[a], c.cpuAt[b], c.r.procs)
}

// Saturation thresholds. A generator that uses ≥ 90 % of the cores it may
// use, or that sent ≥ 1 % of its requests late, measured itself.
const (
	saturatedCPU  = 0.90
	saturatedLate = 0.01
)

func (c *collector) saturation(g GeneratorHealth) (bool, string) {
	switch {
	case g.CPU.OfAvailable >= saturatedCPU:
		return true, fmt.Sprintf("generator CPU %.0f%% of its %d cores", 100*g.CPU.OfAvailable, c.r.procs)
	case g.LateShare >= saturatedLate:
		return true, fmt.Sprintf("%.1f%% of requests sent more than %v late while a connection was free "+
			"(generator CPU only %.0f%%: the OS ran it late)", 100*g.LateShare, c.r.cfg.LateThreshold, 100*g.CPU.OfAvailable)
	}
	return false, ""
}

// judge records step p's SLO verdict and stops the run at the first step
// that does not pass.
func (c *collector) judge(sr *StepResult, p int) {
	r := c.r
	cp := c.capacity
	p99 := sr.Latency.P99()
	v := &SLOVerdict{Pass: true}
	switch {
	case sr.Generator.Saturated:
		v.Pass, v.Inconclusive = false, true
		v.Reason = "generator not on time: " + sr.Generator.Reason
		cp.StoppedBy = "generator"
	case p99 > cp.ObjectiveP99Us:
		v.Pass = false
		v.Reason = fmt.Sprintf("p99 %s > objective %s", fmtUs(p99), fmtUs(cp.ObjectiveP99Us))
		cp.StoppedBy = "slo"
	case sr.Unsent > 0:
		v.Pass = false
		v.Reason = fmt.Sprintf("%d requests never sent: the server fell behind", sr.Unsent)
		cp.StoppedBy = "slo"
	case sr.ErrorRate > cp.MaxErrorRate:
		v.Pass = false
		v.Reason = fmt.Sprintf("error rate %.3f%% > %.3f%%", 100*sr.ErrorRate, 100*cp.MaxErrorRate)
		cp.StoppedBy = "slo"
	default:
		v.Reason = fmt.Sprintf("p99 %s ≤ %s, error rate %.3f%%", fmtUs(p99), fmtUs(cp.ObjectiveP99Us), 100*sr.ErrorRate)
		cp.HighestPassingRate, cp.HighestPassingStep, cp.P99AtPassingUs = sr.OfferedRate, p, p99
	}
	sr.SLO = v
	if !v.Pass {
		cp.FailedStep, cp.Reason = p, v.Reason
		if p+1 < len(r.sched.phases) {
			r.halt(r.sched.firstIdx[p+1])
		}
	}
}

// finish builds the totals, the capacity answer and the warnings.
func (c *collector) finish() {
	res := c.res
	if c.total != nil {
		res.Total = c.stepResult(c.total, -1, Phase{}, 0)
		var sched int64
		var span float64
		for _, s := range res.Steps {
			if !s.Warmup && !s.Aborted {
				sched += s.Scheduled
				span += s.DurationS
			}
		}
		res.Total.Scheduled = sched
		res.Total.DurationS = span
		if sched > 0 {
			res.Total.ErrorRate = float64(res.Total.Errors) / float64(sched)
			res.Total.OfferedRate = round3(float64(sched) / span)
			res.Total.AchievedRate = round3(float64(res.Total.Completed) / span)
		}
		res.Total.Generator.CPU = c.cpuOver(0, time.Duration(c.r.sched.startNs[len(c.r.sched.phases)]))
		res.Total.Generator.Saturated, res.Total.Generator.Reason = c.saturation(res.Total.Generator)
	} else {
		res.Total = StepResult{Index: -1, Latency: summarize(newCoarseHist(), false, false)}
	}
	res.Total.Index = -1
	var gc runtime.MemStats
	runtime.ReadMemStats(&gc)
	res.Total.Generator.GCCycles = gc.NumGC - c.gc0.NumGC
	res.Total.Generator.GCPauseMs = round3(float64(gc.PauseTotalNs-c.gc0.PauseTotalNs) / 1e6)
	if c.capacity != nil {
		if res.Interrupted && c.capacity.StoppedBy == "max-rate" {
			c.capacity.StoppedBy = "interrupted"
		}
		res.Capacity = c.capacity
	}
	res.Warnings = append(res.Warnings, c.r.traffic.Warnings()...)
	res.Warnings = append(res.Warnings, warnings(res, c.r.cfg.LateThreshold)...)
	if c.tty && c.r.cfg.Progress != nil {
		fmt.Fprintln(c.r.cfg.Progress)
	}
}

// warnings lists what a reader must know before trusting res.
func warnings(res *Results, late time.Duration) []string {
	var w []string
	for _, s := range res.Steps {
		name := fmt.Sprintf("step %d (%.0f req/s)", s.Index+1, s.OfferedRate)
		if s.Generator.Saturated {
			if s.Generator.CPU.OfAvailable >= saturatedCPU {
				w = append(w, fmt.Sprintf("GENERATOR SATURATED in %s: %s — its latencies measure the load generator, not the server; "+
					"give the generator more cores (--procs, or the server fewer), or lower the rate", name, s.Generator.Reason))
			} else {
				w = append(w, fmt.Sprintf("GENERATOR LATE in %s: %s — its upper percentiles include the generator's own lateness "+
					"(generator_lag), so they overstate the server's; on a busy machine or a VM with scheduling noise, "+
					"give the generator its own cores or judge by p50/p90", name, s.Generator.Reason))
			}
		}
		if s.Unsent > 0 {
			w = append(w, fmt.Sprintf("%s: %d requests were still queued for a connection when the run ended; "+
				"they are counted as unsent errors with their wait as latency", name, s.Unsent))
		}
		if s.Completed > 0 && s.Generator.WaitedForConn > s.Scheduled/100 && !s.Warmup {
			w = append(w, fmt.Sprintf("%s: %d requests (%.1f%%) waited for one of the %d connections: the server was slower than "+
				"conns/rate; that wait is in the latency, as a user would feel it — raise --conns if the server has capacity left",
				name, s.Generator.WaitedForConn, 100*float64(s.Generator.WaitedForConn)/float64(s.Scheduled), res.Config.Conns))
		}
		if s.Forged.Accepted > 0 {
			w = append(w, fmt.Sprintf("%s: the server accepted %d forged codes", name, s.Forged.Accepted))
		}
	}
	for _, wr := range res.Writes {
		if wr.Errors > 0 {
			errs := map[string]int64{}
			for o := OutConnect; o < numOutcomes; o++ {
				if n := wr.Outcomes[o.String()]; n > 0 {
					errs[o.String()] = n
				}
			}
			w = append(w, fmt.Sprintf("%s writes: %d errors of %d scheduled (%s; status %s)", wr.Class, wr.Errors, wr.Scheduled,
				counts(errs), counts(wr.Status)))
		}
	}
	if mb := res.Total.Generator.CPU.MachineBusy; mb >= 0.95 {
		w = append(w, fmt.Sprintf("the machine's CPUs were %.0f%% busy over the run: server and generator compete for cores, "+
			"so the figures measure the machine as a whole", 100*mb))
	}
	return w
}

// fmtUs formats microseconds for people: 85µs, 1.23ms, 2.5s.
func fmtUs(us float64) string {
	switch {
	case us >= 1e6:
		return strconv.FormatFloat(us/1e6, 'f', 2, 64) + "s"
	case us >= 1e3:
		return strconv.FormatFloat(us/1e3, 'f', 2, 64) + "ms"
	case us >= 100:
		return strconv.FormatFloat(us, 'f', 0, 64) + "µs"
	}
	return strconv.FormatFloat(us, 'f', 1, 64) + "µs"
}
