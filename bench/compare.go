package bench

import (
	"fmt"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Change is one scenario's throughput change between two runs.
type Change struct {
	Name, System string
	Old, New     float64 // median ops/s of the repetitions
	Delta        float64 // New/Old - 1
	P            float64 // Mann-Whitney U test p-value
	Significant  bool    // P < alpha and enough samples to tell
	Regression   bool    // significant and slower
	Note         string  // why a comparison is inconclusive
}

// Compare matches the scenarios of two runs and tests each throughput
// change for significance the way benchstat does (Mann-Whitney U test on the
// per-repetition samples, alpha 0.05). Scenarios present in only one run
// are reported with a note.
func Compare(old, new *Results) []Change {
	var out []Change
	thr := &benchmath.DefaultThresholds
	for _, n := range new.Scenarios {
		o, ok := old.Find(n.Name, n.System)
		if !ok {
			out = append(out, Change{Name: n.Name, System: n.System, New: n.OpsPerSec, Note: "new scenario"})
			continue
		}
		c := Change{Name: n.Name, System: n.System, Old: o.OpsPerSec, New: n.OpsPerSec}
		if len(o.Samples) == 0 || len(n.Samples) == 0 {
			c.Note = "no samples"
			out = append(out, c)
			continue
		}
		s1 := benchmath.NewSample(append([]float64(nil), o.Samples...), thr)
		s2 := benchmath.NewSample(append([]float64(nil), n.Samples...), thr)
		cmp := benchmath.AssumeNothing.Compare(s1, s2)
		c.Old = benchmath.AssumeNothing.Summary(s1, 0.95).Center
		c.New = benchmath.AssumeNothing.Summary(s2, 0.95).Center
		if c.Old != 0 {
			c.Delta = c.New/c.Old - 1
		}
		c.P = cmp.P
		c.Significant = cmp.P <= cmp.Alpha
		for _, w := range cmp.Warnings {
			c.Note = w.Error()
		}
		c.Regression = c.Significant && c.Delta < 0
		out = append(out, c)
	}
	for _, o := range old.Scenarios {
		if _, ok := new.Find(o.Name, o.System); !ok {
			out = append(out, Change{Name: o.Name, System: o.System, Old: o.OpsPerSec, Note: "missing from the new run"})
		}
	}
	return out
}

// FormatChanges renders changes as a benchstat-like table.
func FormatChanges(cs []Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-32s %-16s %12s %12s %9s  %s\n", "scenario", "system", "old ops/s", "new ops/s", "delta", "p / note")
	for _, c := range cs {
		delta := "~"
		if c.Significant {
			delta = fmt.Sprintf("%+.1f%%", 100*c.Delta)
		}
		note := fmt.Sprintf("p=%.3f", c.P)
		if c.Note != "" {
			note += " " + c.Note
		}
		if c.Regression {
			note += "  REGRESSION"
		}
		fmt.Fprintf(&b, "%-32s %-16s %12s %12s %9s  %s\n", c.Name, c.System, num(c.Old), num(c.New), delta, note)
	}
	return b.String()
}
