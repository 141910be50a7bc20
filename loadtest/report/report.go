// Package report draws a load test's report.html: the text summary, the
// steps table and plots made with gonum.org/v1/plot — latency over time,
// the offered and achieved rate, the percentile spectrum on a "nines" axis
// and, for step runs, latency by offered rate. The plots are PNG images
// embedded as data: URIs, so the report is one self-contained file.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"

	"tracecode/internal/chart"
	"tracecode/loadtest"
)

// Figure is one rendered plot.
type Figure struct {
	// Name is a stable identifier ("latency-over-time", "spectrum", …).
	Name  string
	Title string
	// Caption says how to read it.
	Caption string
	PNG     []byte
}

// Figures renders every plot that fits r: steps-by-rate only when the run
// had more than one measured step.
func Figures(r *loadtest.Results) ([]Figure, error) {
	type mk struct {
		name, title, caption string
		f                    func(*loadtest.Results) (*plot.Plot, error)
	}
	list := []mk{
		{"latency-over-time", "Latency over time",
			"Per wall-clock second, the p50, p99 and maximum latency of the requests that completed in that second, " +
				"measured from each request's intended send time. A server stall shows as a spike that decays as the " +
				"backlog drains.", latencyOverTime},
		{"rate-over-time", "Offered and achieved rate",
			"Requests scheduled per second (offered) against requests completed per second. Completed below offered " +
				"means a backlog is building: the server (or the generator) is not keeping up.", rateOverTime},
		{"spectrum", "Percentile spectrum",
			"Latency at each percentile on a log axis of nines (90%, 99%, 99.9%, …), as HdrHistogram plots it. " +
				"Solid: from the intended send time (what users see). Dashed: from the actual send (what a closed-loop " +
				"tool such as wrk reports). The gap between them is coordinated omission.", spectrum},
	}
	if len(r.MeasuredSteps()) > 1 {
		list = append(list, mk{"steps", "Latency by offered rate",
			"One point per measured step: where p99 crosses the objective is the capacity at that objective.", stepsPlot})
	}
	var out []Figure
	for _, m := range list {
		p, err := m.f(r)
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", m.name, err)
		}
		b, err := chart.PNG(p, plotW, plotH)
		if err != nil {
			return nil, fmt.Errorf("report: rendering %s: %w", m.name, err)
		}
		out = append(out, Figure{Name: m.name, Title: m.title, Caption: m.caption, PNG: b})
	}
	return out, nil
}

// WriteHTML writes the report for r to w.
func WriteHTML(w io.Writer, r *loadtest.Results) error {
	figs, err := Figures(r)
	if err != nil {
		return err
	}
	var sum bytes.Buffer
	if err := r.WriteSummary(&sum); err != nil {
		return err
	}
	type img struct {
		Figure
		Src template.URL
	}
	data := struct {
		R       *loadtest.Results
		Summary string
		Figures []img
	}{R: r, Summary: sum.String()}
	for _, f := range figs {
		data.Figures = append(data.Figures, img{Figure: f,
			Src: chart.DataURL(f.PNG)})
	}
	return page.Execute(w, data)
}

// WriteFile writes dir/report.html and returns its path.
func WriteFile(dir string, r *loadtest.Results) (string, error) {
	path := filepath.Join(dir, "report.html")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if err := WriteHTML(f, r); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":  func(d loadtest.Dist, p float64) string { return chart.Micros(d.Percentile(p)) },
	"inc":  func(i int) int { return i + 1 },
	"mulf": func(f float64) float64 { return 100 * f },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tracecode loadtest — {{.R.Config.Target}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right} th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}
.warn{background:#fff3cd;border-left:4px solid #d39e00;padding:.5rem 1rem;margin:.4rem 0}
.fail{color:#b00020;font-weight:600} .pass{color:#1b7f3b}
pre{background:#f7f7f7;padding:1rem;overflow-x:auto;font-size:13px}
img{max-width:100%;border:1px solid #eee} figcaption{color:#555;font-size:.9rem;max-width:60rem}
</style></head><body>
<h1>tracecode loadtest — {{.R.Config.Target}}</h1>
<p>Open model: requests are sent on a fixed schedule whether or not earlier ones have been answered, and every
latency is measured from the request's <em>intended</em> send time, so a stalled server shows up in full
(no coordinated omission). Started {{.R.Started.Format "2006-01-02 15:04:05 MST"}}, {{.R.Config.Conns}}
connections, generator on {{.R.Tool.NumCPU}} CPUs (GOMAXPROCS {{.R.Tool.GOMAXPROCS}}).</p>
{{if .R.Interrupted}}<p class="warn">The run was interrupted: figures are partial.</p>{{end}}
{{range .R.Warnings}}<div class="warn">{{.}}</div>{{end}}
{{with .R.Capacity}}<h2>Capacity</h2>
<p>Highest offered rate whose p99 met {{printf "%.0f" .ObjectiveP99Us}} µs (errors ≤ {{printf "%.2f" .MaxErrorRate}}):
<strong>{{if ge .HighestPassingStep 0}}{{printf "%.0f" .HighestPassingRate}} req/s{{else}}none{{end}}</strong>
— search stopped by <em>{{.StoppedBy}}</em>{{if .Reason}}: {{.Reason}}{{end}}.</p>{{end}}
<h2>Steps</h2>
<table><tr><th>step</th><th>offered/s</th><th>achieved/s</th><th>sent</th><th>p50</th><th>p90</th><th>p99</th>
<th>p99.9</th><th>max</th><th>errors</th><th>forged rejected</th><th>gen CPU</th><th>late</th><th>SLO</th></tr>
{{range .R.Steps}}<tr><td>{{inc .Index}}{{if .Warmup}} (warm-up){{end}}{{if .Aborted}} (aborted){{end}}</td>
<td>{{printf "%.0f" .OfferedRate}}</td><td>{{printf "%.0f" .AchievedRate}}</td><td>{{.Sent}}</td>
<td>{{pct .Latency 50}}</td><td>{{pct .Latency 90}}</td><td>{{pct .Latency 99}}</td><td>{{pct .Latency 99.9}}</td>
<td>{{pct .Latency 100}}</td><td>{{.Errors}}</td><td>{{.Forged.Rejected}}/{{.Forged.Sent}}</td>
<td>{{printf "%.0f%%" (mulf .Generator.CPU.OfAvailable)}}</td><td>{{.Generator.Late}}</td>
<td>{{with .SLO}}{{if .Pass}}<span class="pass">pass</span>{{else if .Inconclusive}}n/a{{else}}<span class="fail">fail</span>{{end}}{{else}}–{{end}}</td></tr>
{{end}}</table>
{{with .R.Writes}}<h2>Writes alongside the scans</h2>
<p>Minting (POST /v1/blocks) and line reports (POST /v1/reports/line) at their own constant rates, timed from
their intended send like the scans but kept out of every scan figure above.</p>
<table><tr><th>class</th><th>offered/s</th><th>achieved/s</th><th>completed</th><th>codes</th><th>p50</th><th>p90</th>
<th>p99</th><th>max</th><th>service p99</th><th>errors</th></tr>
{{range .}}<tr><td>{{.Class}}</td><td>{{printf "%.1f" .OfferedRate}}</td><td>{{printf "%.1f" .AchievedRate}}</td>
<td>{{.Completed}}</td><td>{{.Codes}}</td><td>{{pct .Latency 50}}</td><td>{{pct .Latency 90}}</td><td>{{pct .Latency 99}}</td>
<td>{{pct .Latency 100}}</td><td>{{pct .ServiceTime 99}}</td><td>{{.Errors}}</td></tr>
{{end}}</table>{{end}}
{{range .Figures}}<h2>{{.Title}}</h2><figure><img src="{{.Src}}" alt="{{.Title}}" data-figure="{{.Name}}">
<figcaption>{{.Caption}}</figcaption></figure>
{{end}}
<h2>Summary</h2>
<pre>{{.Summary}}</pre>
<p>Full data: <code>results.json</code> beside this file (schema {{.R.Schema}}, described in docs/loadtest.md).</p>
</body></html>
`))
