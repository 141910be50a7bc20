package loadtest

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteSummary prints the human summary of a run: one line per step, the
// latency percentiles of the measured steps, errors by class, forged codes,
// the generator's health, the SLO search's answer and every warning.
func (r *Results) WriteSummary(w io.Writer) error {
	ew := &errWriter{w: w}
	c := r.Config
	ew.printf("tracecode loadtest: %s, %d connections, open model (latency from each request's intended send time)\n",
		c.Target, c.Conns)
	ew.printf("traffic: %s; forms %s; accept %s; forged %.1f%%; zipf θ=%g%s; seed %d\n",
		orDash(c.Traffic.Source), weights(c.Traffic.Forms, FormNames), weights(c.Traffic.Accepts, AcceptNames),
		100*c.Traffic.Forged, c.Traffic.ZipfTheta, map[bool]string{true: " scrambled"}[c.Traffic.Scrambled], c.Traffic.Seed)
	if r.Interrupted {
		ew.printf("INTERRUPTED: the figures below are partial\n")
	}
	ew.printf("\n")

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "step\toffered/s\tachieved/s\tsent\tp50\tp90\tp99\tp99.9\tmax\terrors\tgen cpu\tlate\tSLO\t\n")
	for _, s := range r.Steps {
		name := fmt.Sprint(s.Index + 1)
		switch {
		case s.Warmup:
			name += " (warm-up)"
		case s.Aborted:
			name += " (aborted)"
		}
		slo := "-"
		if s.SLO != nil {
			slo = map[bool]string{true: "pass", false: "FAIL"}[s.SLO.Pass]
			if s.SLO.Inconclusive {
				slo = "n/a"
			}
		}
		offered := fmt.Sprintf("%.0f", s.OfferedRate)
		if s.OfferedRateStart != s.OfferedRateEnd {
			offered = fmt.Sprintf("%.0f→%.0f", s.OfferedRateStart, s.OfferedRateEnd)
		}
		l := s.Latency
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%.0f%%\t%.1f%%\t%s\t\n", name, offered, s.AchievedRate,
			s.Sent, fmtUs(l.Percentile(50)), fmtUs(l.Percentile(90)), fmtUs(l.Percentile(99)),
			fmtUs(l.Percentile(99.9)), fmtUs(l.Percentile(100)), s.Errors, 100*s.Generator.CPU.OfAvailable,
			100*s.Generator.LateShare, slo)
	}
	tw.Flush()

	t := r.Total
	ew.printf("\nAll measured steps: %d scheduled, %d sent, %d completed, %d unsent; offered %.0f/s, achieved %.0f/s\n",
		t.Scheduled, t.Sent, t.Completed, t.Unsent, t.OfferedRate, t.AchievedRate)
	ew.printf("Latency from intended send time (what users see):\n")
	writeDist(ew, t.Latency)
	ew.printf("Service time from actual send (what a closed-loop tool would report):\n")
	writeDist(ew, t.ServiceTime)

	ew.printf("Outcomes: %d ok, %d forged codes rejected (correct)", t.Outcomes["ok"], t.Outcomes["forged_rejected"])
	if t.Errors == 0 {
		ew.printf(", no errors\n")
	} else {
		ew.printf(", %d errors (%.3f%%):", t.Errors, 100*t.ErrorRate)
		for o := OutConnect; o < numOutcomes; o++ {
			if n := t.Outcomes[o.String()]; n > 0 {
				ew.printf(" %s %d", o, n)
			}
		}
		if len(t.ErrorStatus) > 0 {
			ew.printf("; by status %s", counts(t.ErrorStatus))
		}
		ew.printf("\n")
	}
	ew.printf("Status codes: %s\n", counts(t.Status))
	ew.printf("Forged codes: %d sent, %d rejected, %d ACCEPTED\n", t.Forged.Sent, t.Forged.Rejected, t.Forged.Accepted)
	g := t.Generator
	usable := r.Tool.GOMAXPROCS // the cores it can use: fewer with fewer event loops
	if g.CPU.OfAvailable > 0 {
		usable = int(math.Round(g.CPU.Cores / g.CPU.OfAvailable))
	}
	ew.printf("Generator (%s engine): CPU %.2f cores (%.0f%% of the %d it can use; GOMAXPROCS=%d)", orDash(c.Engine),
		g.CPU.Cores, 100*g.CPU.OfAvailable, usable, r.Tool.GOMAXPROCS)
	if g.CPU.MachineBusy >= 0 {
		ew.printf(", machine %.0f%% busy", 100*g.CPU.MachineBusy)
	}
	ew.printf("; lag p50 %s p99 %s max %s; %d late (> %s), %d waited for a connection\n",
		fmtUs(t.GeneratorLag.Percentile(50)), fmtUs(t.GeneratorLag.Percentile(99)), fmtUs(t.GeneratorLag.Percentile(100)),
		g.Late, fmtUs(c.LateThresholdUs), g.WaitedForConn)
	if g.GCCycles > 0 {
		ew.printf("Generator GC: %d cycles, %.2f ms stop-the-world in all\n", g.GCCycles, g.GCPauseMs)
	}

	if len(r.Writes) > 0 {
		ew.printf("\nWrites alongside the scans (not in the scan figures above):\n")
		ew.printf("  %-7s %9s %9s %9s %9s %9s %9s %9s  %s\n", "class", "offered/s", "achieved", "done", "p50", "p99", "max", "codes", "errors")
		for _, w := range r.Writes {
			errs := "none"
			if w.Errors > 0 {
				errs = fmt.Sprintf("%d (%.2f%%):", w.Errors, 100*w.ErrorRate)
				for o := OutConnect; o < numOutcomes; o++ {
					if n := w.Outcomes[o.String()]; n > 0 {
						errs += fmt.Sprintf(" %s %d", o, n)
					}
				}
			}
			ew.printf("  %-7s %9.1f %9.1f %9d %9s %9s %9s %9d  %s\n", w.Class, w.OfferedRate, w.AchievedRate, w.Completed,
				fmtUs(w.Latency.Percentile(50)), fmtUs(w.Latency.Percentile(99)), fmtUs(w.Latency.Percentile(100)), w.Codes, errs)
		}
	}

	if cp := r.Capacity; cp != nil {
		ew.printf("\nCapacity (p99 ≤ %s, errors ≤ %.2f%%): ", fmtUs(cp.ObjectiveP99Us), 100*cp.MaxErrorRate)
		if cp.HighestPassingStep < 0 {
			ew.printf("no step passed")
		} else {
			ew.printf("%.0f req/s (step %d, p99 %s)", cp.HighestPassingRate, cp.HighestPassingStep+1, fmtUs(cp.P99AtPassingUs))
		}
		switch cp.StoppedBy {
		case "slo":
			ew.printf("; step %d failed: %s\n", cp.FailedStep+1, cp.Reason)
		case "generator":
			ew.printf("; AT LEAST — at step %d the generator could not keep time (%s), so the server's limit was not found\n",
				cp.FailedStep+1, cp.Reason)
		case "max-rate":
			ew.printf("; every step passed — raise --max-rate to find the limit\n")
		default:
			ew.printf("; search %s\n", cp.StoppedBy)
		}
	}
	if len(r.Warnings) > 0 {
		ew.printf("\n")
		for _, s := range r.Warnings {
			ew.printf("WARNING: %s\n", s)
		}
	}
	return ew.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeDist(w io.Writer, d Dist) {
	for _, p := range d.Percentiles {
		name := fmt.Sprintf("p%g", p.Percentile)
		if p.Percentile == 100 {
			name = "max"
		}
		fmt.Fprintf(w, "  %-6s %10s  (%d slower)\n", name, fmtUs(p.ValueUs), p.Slower)
	}
	fmt.Fprintf(w, "  mean   %10s  over %d requests\n", fmtUs(d.MeanUs), d.Count)
}

func weights(m map[string]float64, names []string) string {
	var parts []string
	for _, n := range names {
		if m[n] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%g", n, m[n]))
		}
	}
	return strings.Join(parts, ",")
}

func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }
