package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"tracecode/loadtest"
)

// Plot size: wide enough for a timeline, legible when scaled to a laptop
// screen.
const (
	plotW = 9 * vg.Inch
	plotH = 4 * vg.Inch
)

// palette is colour-blind safe (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // green
	color.RGBA{204, 121, 167, 255}, // purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{240, 228, 66, 255},  // yellow
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// logLatencyAxis makes p's Y axis a log scale in microseconds with
// 1-2-5 ticks labelled in µs, ms or s.
func logLatencyAxis(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = latencyTicks{}
}

type latencyTicks struct{}

func (latencyTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 {
		min = 1
	}
	if max <= min {
		max = min * 10
	}
	var ticks []plot.Tick
	for dec := math.Pow10(int(math.Floor(math.Log10(min)))); dec <= max*10; dec *= 10 {
		for m := 1; m < 10; m++ {
			v := dec * float64(m)
			if v < min/1.0001 || v > max*1.0001 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = fmtUs(v)
			}
			ticks = append(ticks, t)
		}
	}
	if len(ticks) < 2 {
		ticks = append(ticks, plot.Tick{Value: min, Label: fmtUs(min)}, plot.Tick{Value: max, Label: fmtUs(max)})
	}
	return ticks
}

// fmtUs formats microseconds compactly for axis labels.
func fmtUs(us float64) string {
	switch {
	case us >= 1e6:
		return strconv.FormatFloat(us/1e6, 'g', 3, 64) + "s"
	case us >= 1e3:
		return strconv.FormatFloat(us/1e3, 'g', 3, 64) + "ms"
	}
	return strconv.FormatFloat(us, 'g', 3, 64) + "µs"
}

// positive drops points a log axis cannot show.
func positive(xys plotter.XYs) plotter.XYs {
	out := xys[:0:0]
	for _, p := range xys {
		if p.Y > 0 && !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
			out = append(out, p)
		}
	}
	return out
}

// addLine adds a named line in palette colour i; dashed lines for
// secondary series. Empty series are skipped (plotter rejects them).
func addLine(p *plot.Plot, name string, xys plotter.XYs, i int, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// png renders p.
func png(p *plot.Plot) ([]byte, error) {
	if _, ok := p.Y.Scale.(plot.LogScale); ok {
		// A log axis needs a positive range, also when there is no data
		// (then the range is [+Inf, −Inf]).
		if math.IsInf(p.Y.Min, 0) || math.IsInf(p.Y.Max, 0) {
			p.Y.Min, p.Y.Max = 10, 1000
		}
		if p.Y.Min <= 0 {
			p.Y.Min = math.Max(p.Y.Max/10, 1)
		}
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min * 10
		}
		p.Y.Max *= 4 // headroom for the legend, drawn top left
	}
	wt, err := p.WriterTo(plotW, plotH, "png")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// latencyOverTime plots the per-second p50, p99 and max latency (from the
// intended send time) and marks step boundaries.
func latencyOverTime(r *loadtest.Results) (*plot.Plot, error) {
	p := newPlot("Latency over time (per second, from intended send time)", "seconds since start", "latency")
	logLatencyAxis(p)
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
		if err := addLine(p, l.name, positive(l.xys), i, false); err != nil {
			return nil, err
		}
	}
	if r.Config.SLOP99Us > 0 && len(r.Timeline) > 0 {
		slo := plotter.XYs{{X: 0, Y: r.Config.SLOP99Us}, {X: r.Timeline[len(r.Timeline)-1].T, Y: r.Config.SLOP99Us}}
		if err := addLine(p, "p99 objective", slo, 6, true); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// rateOverTime plots offered and achieved (completed) requests per second.
func rateOverTime(r *loadtest.Results) (*plot.Plot, error) {
	p := newPlot("Offered and achieved rate", "seconds since start", "requests per second")
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
	if err := addLine(p, "offered", off, 6, true); err != nil {
		return nil, err
	}
	if err := addLine(p, "completed", ach, 0, false); err != nil {
		return nil, err
	}
	if err := addLine(p, "errors", errs, 1, false); err != nil {
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
	p := newPlot("Percentile spectrum", "percentile", "latency")
	logLatencyAxis(p)
	maxX := 1.0
	line := func(d loadtest.Dist) plotter.XYs {
		var xys plotter.XYs
		for _, s := range d.Spectrum {
			x := nines(s.Percentile, d.Count)
			xys = append(xys, plotter.XY{X: x, Y: s.ValueUs})
			maxX = math.Max(maxX, x)
		}
		return positive(xys)
	}
	if err := addLine(p, "all steps: latency from intended send", line(r.Total.Latency), 0, false); err != nil {
		return nil, err
	}
	if err := addLine(p, "all steps: service time (closed-loop view)", line(r.Total.ServiceTime), 0, true); err != nil {
		return nil, err
	}
	if steps := r.MeasuredSteps(); len(steps) > 1 && len(steps) <= 6 {
		for i, s := range steps {
			name := fmt.Sprintf("step %d @ %.0f/s", s.Index+1, s.OfferedRate)
			if err := addLine(p, name, line(s.Latency), i+1, false); err != nil {
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
	p := newPlot("Latency by offered rate (one point per step)", "offered rate (requests per second)", "latency")
	logLatencyAxis(p)
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
		xys := positive(l.xys)
		if err := addLine(p, l.name, xys, i, false); err != nil {
			return nil, err
		}
		if len(xys) > 0 {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Color = palette[i]
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(sc)
		}
	}
	if slo := r.Config.SLOP99Us; slo > 0 && len(p99) > 0 {
		xys := plotter.XYs{{X: p99[0].X, Y: slo}, {X: p99[len(p99)-1].X, Y: slo}}
		if err := addLine(p, "p99 objective", xys, 6, true); err != nil {
			return nil, err
		}
	}
	return p, nil
}
