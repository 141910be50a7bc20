// Package chart holds the plotting helpers (gonum/plot) that the benchmark
// suite's and the load generator's HTML reports share: the plot frame, the
// palette, latency axes, lines and PNG data URLs.
package chart

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Palette is colour-blind safe (Okabe–Ito); series take colours in order.
var Palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // green
	color.RGBA{204, 121, 167, 255}, // purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{240, 228, 66, 255},  // yellow
}

// New returns a plot with a title, axis labels, the legend top left and a
// grid.
func New(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// LogLatencyAxis makes p's Y axis a log scale in microseconds with
// 1-2-5 ticks labelled in µs, ms or s.
func LogLatencyAxis(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = latencyTicks{}
}

// latencyTicks marks a log axis in microseconds: every 1–9 multiple of a
// decade, labelled at 1, 2 and 5.
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
				t.Label = Micros(v)
			}
			ticks = append(ticks, t)
		}
	}
	if len(ticks) < 2 {
		ticks = append(ticks, plot.Tick{Value: min, Label: Micros(min)}, plot.Tick{Value: max, Label: Micros(max)})
	}
	return ticks
}

// Micros formats microseconds compactly for axis labels.
func Micros(us float64) string {
	switch {
	case us >= 1e6:
		return strconv.FormatFloat(us/1e6, 'g', 3, 64) + "s"
	case us >= 1e3:
		return strconv.FormatFloat(us/1e3, 'g', 3, 64) + "ms"
	}
	return strconv.FormatFloat(us, 'g', 3, 64) + "µs"
}

// Positive drops points a log axis cannot show.
func Positive(xys plotter.XYs) plotter.XYs {
	out := xys[:0:0]
	for _, p := range xys {
		if p.Y > 0 && !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
			out = append(out, p)
		}
	}
	return out
}

// AddLine adds a named line in Palette colour i; dashed lines for
// secondary series. Empty series are skipped (plotter rejects them).
func AddLine(p *plot.Plot, name string, xys plotter.XYs, i int, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = Palette[i%len(Palette)]
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// PNG renders p at w×h. A log Y axis gets a positive range even without
// data, and headroom for the legend.
func PNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
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
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DataURL returns png as a data: URL, for an <img> inlined in a
// self-contained HTML report.
func DataURL(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}
