package bench

import (
	"bytes"
	"fmt"
	"html/template"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"tracecode/internal/chart"
)

// HTMLReport renders a run as one self-contained HTML page: the summary
// tables and PNG plots (made with gonum/plot) inlined as data URIs.
func HTMLReport(r *Results) ([]byte, error) {
	var figs []figure
	for _, mk := range []func(*Results) (*figure, error){throughputPlot, latencyPlot, diskPlot} {
		f, err := mk(r)
		if err != nil {
			return nil, err
		}
		if f != nil {
			figs = append(figs, *f)
		}
	}
	var buf bytes.Buffer
	err := reportTemplate.Execute(&buf, reportView{R: r, Figures: figs, Machine: machineText(r), Headlines: headlineRows(r), Scenarios: scenarioRows(r)})
	return buf.Bytes(), err
}

type figure struct {
	Title, Caption string
	PNG            template.URL
}

// reportView is what report.html shows: the same tables as summary.md,
// as HTML tables, and the figures.
type reportView struct {
	R         *Results
	Figures   []figure
	Machine   string
	Headlines [][]string
	Scenarios [][]string
}

func machineText(r *Results) string {
	m := r.Machine
	return fmt.Sprintf("%d CPUs (%s), %.1f GiB RAM, %s %s/%s; run %s, scale %s", m.CPUs, orDash(m.CPUModel),
		float64(m.MemTotalBytes)/(1<<30), m.GoVersion, m.OS, m.Arch, r.StartedAt.Format("2006-01-02 15:04 MST"), r.Scale)
}

func headlineRows(r *Results) [][]string {
	var rows [][]string
	for _, q := range r.Ratios {
		base, ratio := "–", "–"
		if q.Baseline > 0 {
			base, ratio = num(q.Baseline), ratioText(q)
		}
		rows = append(rows, []string{q.Name, q.Unit, num(q.Tracecode), orDash(q.BaselineName), base, ratio, q.Better, q.Note})
	}
	return rows
}

func scenarioRows(r *Results) [][]string {
	var rows [][]string
	for _, s := range r.Scenarios {
		p50, p99 := "–", "–"
		if s.Latency != nil {
			p50, p99 = num(s.Latency.P50), num(s.Latency.P99)
		}
		disk := "–"
		if s.DiskBytes > 0 {
			disk = num(s.DiskBytesPerUnit)
		}
		rows = append(rows, []string{s.Name, s.System, s.Unit, num(s.OpsPerSec), p50, p99, fmt.Sprintf("%.2f", s.CPUSeconds),
			fmt.Sprintf("%.1f", s.AllocsPerOp), disk, params(s.Params)})
	}
	return rows
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tracecode bench — {{.R.Scale}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:12px;color:#111}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:13px;min-width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.p{font-size:12px;color:#555;min-width:16em}
figure{margin:24px 0}img{display:block;width:100%;height:auto;border:1px solid #ddd;border-radius:6px}figcaption{color:#555;font-size:14px}
.note{background:#fff8e1;padding:6px 10px;border-radius:6px}
@media (max-width:700px){table.hl{min-width:0}table.hl thead{display:none}table.hl tr{display:block;border-bottom:1px solid #bbb;padding:6px 0}
table.hl td{display:flex;gap:8px;border:0;padding:1px 4px;text-align:left}table.hl td::before{content:attr(data-l);color:#555;min-width:7.5em;flex:none}
table.hl td:first-child{font-weight:600}table.hl td:first-child::before{content:none}table.hl td:empty{display:none}}</style>
</head><body>
<h1>tracecode bench — scale {{.R.Scale}}</h1>
<p>Machine: {{.Machine}}; {{printf "%.0f" .R.Seconds}} s.</p>
{{range .R.Notes}}<p class="note">{{.}}</p>{{end}}
{{if .Headlines}}<h2>Headlines: like against like, same run, same machine</h2>
<div class="scroll"><table class="hl"><thead><tr><th>figure</th><th>unit</th><th>tracecode</th><th>compared with</th><th>its figure</th><th>ratio</th><th>better</th><th>note</th></tr></thead><tbody>
{{range .Headlines}}<tr><td>{{index . 0}}</td><td data-l="unit">{{index . 1}}</td><td class="n" data-l="tracecode">{{index . 2}}</td><td data-l="compared with">{{index . 3}}</td><td class="n" data-l="its figure">{{index . 4}}</td><td class="n" data-l="ratio"><b>{{index . 5}}</b></td><td data-l="better">{{index . 6}}</td><td data-l="note">{{index . 7}}</td></tr>
{{end}}</tbody></table></div>
<p>A ratio is tracecode's figure over the other's; for latency and disk lower is better.</p>{{end}}
{{range .Figures}}<figure><img src="{{.PNG}}" alt="{{.Title}}"><figcaption><b>{{.Title}}.</b> {{.Caption}} Measured on {{$.Machine}}.</figcaption></figure>
{{end}}
<h2>Scenarios</h2>
<div class="scroll"><table><thead><tr><th>scenario</th><th>system</th><th>unit</th><th>ops/s</th><th>p50 µs</th><th>p99 µs</th><th>CPU s</th><th>allocs/op</th><th>disk B/unit</th><th>params</th></tr></thead><tbody>
{{range .Scenarios}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td><td>{{index . 2}}</td><td class="n">{{index . 3}}</td><td class="n">{{index . 4}}</td><td class="n">{{index . 5}}</td><td class="n">{{index . 6}}</td><td class="n">{{index . 7}}</td><td class="n">{{index . 8}}</td><td class="p">{{index . 9}}</td></tr>
{{end}}</tbody></table></div>
</body></html>
`))

func pngOf(p *plot.Plot, w, h vg.Length) (template.URL, error) {
	b, err := chart.PNG(p, w, h)
	if err != nil {
		return "", err
	}
	return chart.DataURL(b), nil
}

// systems orders the systems in plots and picks their colours.
var systems = []string{"tracecode", "tracecode-plain", "postgres", "fasthttp-constant"}

// groupedBars plots value(s) for every scenario name, one bar per system.
func groupedBars(r *Results, title, ylabel string, logY bool, value func(*Scenario) (float64, bool)) (*plot.Plot, bool, error) {
	var names []string
	seen := map[string]bool{}
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if _, ok := value(s); ok && !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	// Log-scale bars need a positive base: a decade below the smallest
	// value. Missing values sit at the base (zero height).
	base := 0.0
	if logY {
		minV := math.Inf(1)
		for i := range r.Scenarios {
			if v, ok := value(&r.Scenarios[i]); ok && v > 0 && v < minV {
				minV = v
			}
		}
		if math.IsInf(minV, 1) {
			return p, false, nil
		}
		base = math.Floor(math.Log10(minV))
		// Bars start at 0, which a log axis cannot show: plot decades above
		// the base on a linear axis and label the ticks with the values.
		p.Y.Tick.Marker = decadeTicks{base: base}
	}
	w := vg.Points(14)
	any := false
	var used []string
	// The systems with a figure, so each group of bars is centred on its
	// label and the outermost bars stay inside the axes.
	var present []string
	for _, sys := range systems {
		for _, n := range names {
			if sc, ok := r.Find(n, sys); ok {
				if v, ok := value(sc); ok && (!logY || v > 0) {
					present = append(present, sys)
					break
				}
			}
		}
	}
	for i, sys := range systems {
		vals := make(plotter.Values, len(names))
		has := false
		for j, n := range names {
			vals[j] = math.NaN()
			if s, ok := r.Find(n, sys); ok {
				if v, ok := value(s); ok && (!logY || v > 0) {
					vals[j] = v
					if logY {
						vals[j] = math.Log10(v) - base
					}
					has = true
				}
			}
			if math.IsNaN(vals[j]) {
				vals[j] = 0
			}
		}
		if !has {
			continue
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, false, err
		}
		bars.Color = plotutil.Color(i)
		bars.LineStyle.Width = 0
		bars.Offset = w * (vg.Length(len(used)) - vg.Length(len(present)-1)/2) // grouped side by side, centred
		p.Add(bars)
		p.Legend.Add(sys, bars)
		used = append(used, sys)
		any = true
	}
	p.Legend.Top = true
	if logY && any {
		// Room above the tallest bar for the legend, and a labelled
		// decade at the top, so no bar meets the frame.
		top := 0.0
		for i := range r.Scenarios {
			if v, ok := value(&r.Scenarios[i]); ok && v > 0 {
				top = math.Max(top, math.Log10(v)-base)
			}
		}
		p.Y.Min, p.Y.Max = 0, math.Ceil(top+0.35)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Tick.Label.Rotation = 0.5
	p.X.Tick.Label.XAlign = -1
	return p, any, nil
}

func throughputPlot(r *Results) (*figure, error) {
	p, ok, err := groupedBars(r, "Throughput by scenario", "operations per second (log)", true,
		func(s *Scenario) (float64, bool) { return s.OpsPerSec, s.OpsPerSec > 0 })
	if err != nil || !ok {
		return nil, err
	}
	u, err := pngOf(p, barWidth(r), 12*vg.Centimeter)
	if err != nil {
		return nil, err
	}
	return &figure{Title: "Throughput", Caption: "Operations per second of each scenario; higher is better. The unit of each scenario (code, item, resolve) is in the table.", PNG: u}, nil
}

func latencyPlot(r *Results) (*figure, error) {
	p := plot.New()
	p.Title.Text = "Latency percentiles"
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency µs (log)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = siLogTicks{}
	labels := []string{"p50", "p90", "p99", "p99.9", "max"}
	n := 0
	lo, hi := math.Inf(1), 0.0
	for _, s := range r.Scenarios {
		if s.Latency == nil || s.Latency.Count == 0 {
			continue
		}
		l := s.Latency
		vals := []float64{l.P50, l.P90, l.P99, l.P999, l.Max}
		for _, v := range vals {
			lo, hi = math.Min(lo, math.Max(v, 0.01)), math.Max(hi, v)
		}
		pts := make(plotter.XYs, len(vals))
		for i, v := range vals {
			pts[i].X = float64(i)
			pts[i].Y = math.Max(v, 0.01)
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(n)
		points.Color = plotutil.Color(n)
		points.Shape = plotutil.Shape(n)
		p.Add(line, points)
		p.Legend.Add(fmt.Sprintf("%s (%s)", s.Name, s.System), line, points)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	p.NominalX(labels...)
	// The legend sits in two decades of room above the highest line, in a
	// small type, so it covers no point.
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi))+2)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Legend.Padding = vg.Points(1)
	u, err := pngOf(p, 22*vg.Centimeter, 12*vg.Centimeter)
	if err != nil {
		return nil, err
	}
	return &figure{Title: "Latency", Caption: "Per-operation latency percentiles from HDR histograms, in microseconds; lower is better. On a 2-core VM the p99 and above largely measure the machine's stalls.", PNG: u}, nil
}

func diskPlot(r *Results) (*figure, error) {
	p, ok, err := groupedBars(r, "Disk per stored unit", "bytes per unit (log)", true,
		func(s *Scenario) (float64, bool) { return s.DiskBytesPerUnit, s.DiskBytes > 0 })
	if err != nil || !ok {
		return nil, err
	}
	u, err := pngOf(p, barWidth(r), 12*vg.Centimeter)
	if err != nil {
		return nil, err
	}
	return &figure{Title: "Disk", Caption: "Bytes on disk per minted code or packed item; lower is better.", PNG: u}, nil
}

// barWidth gives each scenario of a bar chart room for its bars and label.
func barWidth(r *Results) vg.Length {
	names := map[string]bool{}
	for _, s := range r.Scenarios {
		names[s.Name] = true
	}
	return max(22*vg.Centimeter, vg.Length(len(names))*1.6*vg.Centimeter)
}

// decadeTicks labels a linear axis that holds log10(value) - base with the
// values themselves: a tick per decade.
type decadeTicks struct{ base float64 }

func (d decadeTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for k := math.Floor(min); k <= math.Ceil(max); k++ {
		ts = append(ts, plot.Tick{Value: k, Label: num(math.Pow(10, k+d.base))})
	}
	return ts
}

// siLogTicks are plot.LogTicks labelled as the tables are (1k, 10k, 1M)
// rather than 1e+06.
type siLogTicks struct{}

func (siLogTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = num(ts[i].Value)
		}
	}
	return ts
}
