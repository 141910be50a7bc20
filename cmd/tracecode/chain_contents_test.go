package main

import (
	"strings"
	"testing"
	"time"
)

// TestContentsCLI: contents lists what a case held before and after an
// unpacking, by instant and by day, and refuses a malformed window.
func TestContentsCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉",
		"--category", "food", "--levels", "item,case")
	// The case's GTIN, declared after the product (GS1: a GTIN per level);
	// the case codes carry it.
	if out := mustCLI(t, "product", "levels", d, "--gtin", "09520123456788", "--case", "19520123456785"); !strings.Contains(out, "case 19520123456785") {
		t.Fatalf("product levels: %q", out)
	}
	items := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "10", "--format", "serial"))
	cases := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "1", "--level", "case", "--format", "dl"))
	if !strings.Contains(cases[0], "/01/19520123456785/") {
		t.Fatalf("case code %s does not carry the case GTIN", cases[0])
	}
	packed := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	unpacked := packed.Add(time.Hour)
	mustCLI(t, "commission", d, "--time", packed.Format(time.RFC3339), "1:0-9", "2:0-0")
	mustCLI(t, "pack", d, "--time", packed.Format(time.RFC3339), "--parent", cases[0], "1:0-9")
	mustCLI(t, "unpack", d, "--time", unpacked.Format(time.RFC3339), "--parent", cases[0], "1:2-3")

	before := mustCLI(t, "contents", d, cases[0], "--at", unpacked.Add(-time.Minute).Format(time.RFC3339))
	now := mustCLI(t, "contents", d, cases[0])
	day := mustCLI(t, "contents", d, cases[0], "--day", unpacked.In(chinaTime).Format("2006-01-02"))
	for name, tc := range map[string]struct {
		out, head string
		has       bool
	}{
		"before the unpacking": {before, "held 10 code(s)", true},
		"now":                  {now, "held 8 code(s)", false},
		"over the day":         {day, "held 10 code(s)", true},
	} {
		if !strings.Contains(tc.out, tc.head) || strings.Contains(tc.out, "/21/"+items[2]+"\n") != tc.has || !strings.Contains(tc.out, "/21/"+items[0]+"\n") {
			t.Errorf("%s: want %q, item 2 listed %v, item 0 listed:\n%s", name, tc.head, tc.has, tc.out)
		}
	}
	if !strings.Contains(day, "taken out") {
		t.Errorf("the day's answer does not say when items 2–3 were taken out:\n%s", day)
	}
	for _, bad := range [][]string{{"--at", "noon"}, {"--from", packed.Format(time.RFC3339)}, {"--day", "2026-13-01"},
		{"--at", packed.Format(time.RFC3339), "--day", "2026-03-01"}} {
		if _, stderr, code := runCLI(t, "", append([]string{"contents", d, cases[0]}, bad...)...); code == 0 || stderr == "" {
			t.Errorf("contents %v: exit %d, stderr %q", bad, code, stderr)
		}
	}
}
