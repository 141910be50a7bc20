package report

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"tracecode/internal/chart"
	"tracecode/loadtest"
)

// Plot size: wide enough for a timeline, legible when scaled to a laptop
// screen.
const (
	plotW = 9 * vg.Inch
	plotH = 4 * vg.Inch
)

// latencyOverTime plots the per-second p50, p99 and max latency (from the
// intended send time) and marks step boundaries.
func latencyOverTime(r *loadtest.Results) (*plot.Plot, error) {
	p := chart.New("Latency over time (per second, from intended send time)", "seconds since start", "latency")
	chart.LogLatencyAxis(p)
	var p50, p99, mx plotter.XYs
	for _, s := range r.Timeline {
		if s.Completed == 0 && s.Errors == 0 {
			continue
		}
		p50 = append(p50, plotter.XY{X: s.T, Y: s.P50Us})
		p99 = append(p99, plotter.XY{X: s.T, Y: s.P99Us})
		mx = append(mx, plotter.XY{X: s.T, Y: s.MaxUs})
	}
	for i, l := range []struct {
		name string
		xys  plotter.XYs
	}{{"p50", p50}, {"p99", p99}, {"max", mx}} {
		if err := chart.AddLine(p, l.name, chart.Positive(l.xys), i, false); err != nil {
			return nil, err
		}
	}
	if r.Config.SLOP99Us > 0 && len(r.Timeline) > 0 {
		slo := plotter.XYs{{X: 0, Y: r.Config.SLOP99Us}, {X: r.Timeline[len(r.Timeline)-1].T, Y: r.Config.SLOP99Us}}
		if err := chart.AddLine(p, "p99 objective", slo, 6, true); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// rateOverTime plots offered and achieved (completed) requests per second.
func rateOverTime(r *loadtest.Results) (*plot.Plot, error) {
	p := chart.New("Offered and achieved rate", "seconds since start", "requests per second")
	var off, ach, errs plotter.XYs
	prev := 0.0
	for _, s := range r.Timeline {
		dt := s.T - prev
		prev = s.T
		if dt <= 0 {
			continue
		}
		off = append(off, plotter.XY{X: s.T, Y: s.OfferedRate})
		ach = append(ach, plotter.XY{X: s.T, Y: float64(s.Completed) / dt})
		errs = append(errs, plotter.XY{X: s.T, Y: float64(s.Errors) / dt})
	}
	if err := chart.AddLine(p, "offered", off, 6, true); err != nil {
		return nil, err
	}
	if err := chart.AddLine(p, "completed", ach, 0, false); err != nil {
		return nil, err
	}
	if err := chart.AddLine(p, "errors", errs, 1, false); err != nil {
		return nil, err
	}
	p.Y.Min = 0
	return p, nil
}

// nines maps a percentile to the "nines" axis: 90 → 1, 99 → 2, 99.9 → 3.
// 100 (the maximum) is placed at 1 − 1/count, one step past the last
// distinguishable percentile.
func nines(pct float64, count int64) float64 {
	if pct >= 100 {
		if count < 10 {
			count = 10
		}
		return math.Log10(float64(count))
	}
	return -math.Log10(1 - pct/100)
}

// spectrum plots latency against percentile on a log "nines" axis, like
// HdrHistogram's plotter: the latency from the intended send time beside
// the service time a closed-loop tool would report, for the whole run and,
// when there are few, for each measured step.
func spectrum(r *loadtest.Results) (*plot.Plot, error) {
	p := chart.New("Percentile spectrum", "percentile", "latency")
	chart.LogLatencyAxis(p)
	maxX := 1.0
	line := func(d loadtest.Dist) plotter.XYs {
		var xys plotter.XYs
		for _, s := range d.Spectrum {
			x := nines(s.Percentile, d.Count)
			xys = append(xys, plotter.XY{X: x, Y: s.ValueUs})
			maxX = math.Max(maxX, x)
		}
		return chart.Positive(xys)
	}
	if err := chart.AddLine(p, "all steps: latency from intended send", line(r.Total.Latency), 0, false); err != nil {
		return nil, err
	}
	if err := chart.AddLine(p, "all steps: service time (closed-loop view)", line(r.Total.ServiceTime), 0, true); err != nil {
		return nil, err
	}
	if steps := r.MeasuredSteps(); len(steps) > 1 && len(steps) <= 6 {
		for i, s := range steps {
			name := fmt.Sprintf("step %d @ %.0f/s", s.Index+1, s.OfferedRate)
			if err := chart.AddLine(p, name, line(s.Latency), i+1, false); err != nil {
				return nil, err
			}
		}
	}
	var ticks []plot.Tick
	for k := 0; float64(k) <= math.Ceil(maxX); k++ {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: ninesLabel(k)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = 0, math.Ceil(maxX)
	return p, nil
}

func ninesLabel(k int) string {
	if k == 0 {
		return "0%"
	}
	s := strconv.FormatFloat(100*(1-math.Pow10(-k)), 'f', max(k-2, 0), 64)
	return s + "%"
}

// stepsPlot plots latency percentiles and achieved rate against the offered
// rate of each measured step, with the objective.
func stepsPlot(r *loadtest.Results) (*plot.Plot, error) {
	p := chart.New("Latency by offered rate (one point per step)", "offered rate (requests per second)", "latency")
	chart.LogLatencyAxis(p)
	var p50, p99, p999 plotter.XYs
	for _, s := range r.MeasuredSteps() {
		if s.Aborted {
			continue
		}
		p50 = append(p50, plotter.XY{X: s.OfferedRate, Y: s.Latency.Percentile(50)})
		p99 = append(p99, plotter.XY{X: s.OfferedRate, Y: s.Latency.Percentile(99)})
		p999 = append(p999, plotter.XY{X: s.OfferedRate, Y: s.Latency.Percentile(99.9)})
	}
	for i, l := range []struct {
		name string
		xys  plotter.XYs
	}{{"p50", p50}, {"p99", p99}, {"p99.9", p999}} {
		xys := chart.Positive(l.xys)
		if err := chart.AddLine(p, l.name, xys, i, false); err != nil {
			return nil, err
		}
		if len(xys) > 0 {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Color = chart.Palette[i]
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(sc)
		}
	}
	if slo := r.Config.SLOP99Us; slo > 0 && len(p99) > 0 {
		xys := plotter.XYs{{X: p99[0].X, Y: slo}, {X: p99[len(p99)-1].X, Y: slo}}
		if err := chart.AddLine(p, "p99 objective", xys, 6, true); err != nil {
			return nil, err
		}
	}
	return p, nil
}
