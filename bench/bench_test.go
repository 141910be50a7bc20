package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/bench/pgbase"
	"tracecode/engine/serial"
)

// TestSmokeRun runs the whole suite at the smoke scale, with the
// PostgreSQL baseline when it is reachable (required under TRACECODE_CI=1),
// and checks the three outputs a user reads.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the bench smoke run in -short mode")
	}
	out := t.TempDir()
	cfg := Config{Scale: "smoke", Out: out}
	res, err := Run(context.Background(), cfg)
	if err != nil && errors.Is(err, pgbase.ErrUnavailable) {
		t.Fatalf("TRACECODE_CI=1 and the baseline is unreachable: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) == 0 {
		t.Fatal("no scenario ran")
	}
	for _, s := range res.Scenarios {
		if s.Ops <= 0 || s.OpsPerSec <= 0 || len(s.Samples) == 0 {
			t.Errorf("scenario %s/%s has no measurements: %+v", s.Name, s.System, s)
		}
	}
	havePG := false
	for _, s := range res.Scenarios {
		havePG = havePG || s.System == "postgres"
	}
	if pgbase.Required() && !havePG {
		t.Fatal("TRACECODE_CI=1 but the PostgreSQL baseline did not run")
	}
	back, err := ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Scenarios) != len(res.Scenarios) {
		t.Fatalf("results.json holds %d scenarios, the run had %d", len(back.Scenarios), len(res.Scenarios))
	}
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil || !strings.Contains(string(md), "| scenario | system |") {
		t.Fatalf("summary.md missing or without the scenario table: %v", err)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || !strings.Contains(string(html), "data:image/png;base64,") {
		t.Fatalf("report.html missing or without plots: %v", err)
	}
	// The summary is rendered as tables, not pasted as Markdown, and each
	// figure names the machine it was measured on.
	if h := string(html); !strings.Contains(h, "<th>scenario</th>") || strings.Contains(h, "|---|") || !strings.Contains(h, "Measured on ") {
		t.Error("report.html lacks its tables or the figures' machine, or holds raw Markdown")
	}
	if !strings.Contains(string(md), "## Headlines") || !strings.Contains(string(md), "| resolve over HTTP (loopback, 64 connections) | req/s |") {
		t.Errorf("summary.md does not lead with the headlines, or lacks resolve over HTTP:\n%s", md)
	}
	// The chain figures name the world they ran against, and the phone
	// layout of the headlines labels every cell.
	if !strings.Contains(string(md), "| pack in line order") || !strings.Contains(string(md), "world of 5000 packed items, 1M minted codes") {
		t.Errorf("summary.md's pack headline does not name its world:\n%s", md)
	}
	if !strings.Contains(string(html), `data-l="ratio"`) {
		t.Error("report.html's headline cells carry no labels for the narrow layout")
	}
}

func TestCompareFlagsOnlySignificantRegressions(t *testing.T) {
	mk := func(samples ...float64) *Results {
		return &Results{Schema: SchemaVersion, Scenarios: []Scenario{{Name: "resolve", System: "tracecode", Samples: samples}}}
	}
	base := mk(100, 101, 99, 100, 102, 98, 100, 101, 99, 100)
	noisy := mk(99, 102, 100, 98, 101, 100, 99, 101, 100, 100)
	slow := mk(80, 81, 79, 80, 82, 78, 80, 81, 79, 80)
	if cs := Compare(base, noisy); cs[0].Regression || cs[0].Significant {
		t.Errorf("noise flagged as a change: %+v", cs[0])
	}
	cs := Compare(base, slow)
	if !cs[0].Regression {
		t.Errorf("a 20%% slowdown over 10 samples was not flagged: %+v", cs[0])
	}
	if cs[0].Delta > -0.15 || cs[0].Delta < -0.25 {
		t.Errorf("delta %.3f, want about -0.20", cs[0].Delta)
	}
	few := Compare(mk(100), mk(50))
	if few[0].Regression {
		t.Errorf("one sample each cannot be significant: %+v", few[0])
	}
	if !strings.Contains(FormatChanges(cs), "REGRESSION") {
		t.Error("FormatChanges does not mark the regression")
	}
}

func TestReadResultsRejectsOtherSchemas(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, []byte(`{"schema":"something-else/9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResults(p); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("ReadResults of another schema: %v", err)
	}
}

// TestScalesFitOneProduct checks that each scale's mint scenario (every
// repetition into one product under the GS1 scheme) stays within the
// scheme's per-product cap: the large scale once asked for 10^13 codes
// and failed its second repetition.
func TestScalesFitOneProduct(t *testing.T) {
	for name, sz := range Scales {
		total := uint64(sz.MintBlocks) * uint64(sz.MintBlockCodes) * uint64(sz.Repeat)
		if total > serial.CapGS1 {
			t.Errorf("scale %s mints %d codes into one product (%d blocks of %d, %d repetitions); the GS1 scheme's cap is %d",
				name, total, sz.MintBlocks, sz.MintBlockCodes, sz.Repeat, uint64(serial.CapGS1))
		}
		if lookup := uint64(sz.MintBlocks) * uint64(sz.MintBlockCodes); lookup > serial.CapGS1 {
			t.Errorf("scale %s: the lookup scenario mints %d codes into one product, over the cap %d", name, lookup, uint64(serial.CapGS1))
		}
	}
}
