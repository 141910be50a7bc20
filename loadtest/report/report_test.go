package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	stdhtml "html"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/report"
	"tracecode/loadtest/testserver"
)

// runSteps runs a short two-step test with one server stall and returns the
// results.
func runSteps(t *testing.T) *loadtest.Results {
	t.Helper()
	s, err := testserver.Start("127.0.0.1:0", testserver.Config{Codes: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.StallAt(300, 50*time.Millisecond)
	var c loadtest.Corpus
	for _, u := range s.DLURIs() {
		c.Add(u)
	}
	tr, err := loadtest.NewTraffic(&c, loadtest.DefaultMix) // no short codes: a warning
	if err != nil {
		t.Fatal(err)
	}
	res, err := loadtest.Run(context.Background(), loadtest.Config{
		Target: s.URL(), Conns: 4, Traffic: tr, SLOP99: 500 * time.Millisecond, TrafficSource: "test",
		Writes: &loadtest.Writes{Key: s.APIKey(), MintRate: 10, ReportRate: 10},
		Phases: []loadtest.Phase{{Rate: 300, Duration: 1100 * time.Millisecond}, {Rate: 600, Duration: 1100 * time.Millisecond}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestReportHTML(t *testing.T) {
	res := runSteps(t)
	dir := t.TempDir()
	path, err := report.WriteFile(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Every figure is embedded as a PNG that decodes to a real image.
	// html/template writes "+" as "&#43;" inside attributes; browsers decode it.
	re := regexp.MustCompile(`<img src="data:image/png;base64,([^"]+)" alt="[^"]*" data-figure="([a-z-]+)">`)
	found := map[string]bool{}
	for _, m := range re.FindAllSubmatch(html, -1) {
		b, err := base64.StdEncoding.DecodeString(stdhtml.UnescapeString(string(m[1])))
		if err != nil {
			t.Fatalf("figure %s: %v", m[2], err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("figure %s: not a PNG: %v", m[2], err)
		}
		if r := img.Bounds(); r.Dx() < 400 || r.Dy() < 200 {
			t.Errorf("figure %s is %v", m[2], r)
		}
		found[string(m[2])] = true
	}
	for _, want := range []string{"latency-over-time", "rate-over-time", "spectrum", "steps"} {
		if !found[want] {
			t.Errorf("report.html lacks the %s figure", want)
		}
	}
	for _, want := range []string{"Capacity", "Percentile spectrum", "no short codes", "intended", "Writes alongside the scans",
		"<td>mint</td>", "<td>report</td>"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if os.Getenv("LOADTEST_KEEP_REPORT") != "" {
		os.WriteFile(filepath.Join(os.Getenv("LOADTEST_KEEP_REPORT"), "report.html"), html, 0o644)
	}
}

// TestReportEmptyRun checks a run with no measured step (all warm-up)
// still renders: plots must not panic on empty or zero data.
func TestReportEmptyRun(t *testing.T) {
	res := &loadtest.Results{Schema: loadtest.SchemaVersion}
	res.Timeline = []loadtest.Second{{T: 1}, {T: 2}}
	var b bytes.Buffer
	if err := report.WriteHTML(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "data-figure=\"spectrum\"") {
		t.Error("no spectrum figure")
	}
}
