package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/bench/worldfile"
)

// writeTestWorld writes a world manifest and sample of two lots of n codes.
func writeTestWorld(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	m := &worldfile.Manifest{Version: worldfile.Version, Items: 2000, Minted: 1_000_000, GTIN: "09520123456788",
		Lots: []worldfile.Lot{{Name: "W0001", Count: 1000, SampleCount: n}, {Name: "W0002", Count: 1000, SampleFirst: n, SampleCount: n}}}
	if err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, lot := range []string{"W0001", "W0002"} {
		for i := range n {
			fmt.Fprintf(&b, "%s\thttps://id.gs1.org/01/09520123456788/10/%s/21/S%s%05d\n", lot, lot, lot, i)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, worldfile.SampleFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLoadWorldHotLot: a world's sample loads lot by lot, and a hot share
// sends that share of scans (plus its uniform part of the rest) to the
// hot lot's codes, and only the base popularity's share without it.
func TestLoadWorldHotLot(t *testing.T) {
	dir := writeTestWorld(t, 500)
	var c Corpus
	w, err := LoadWorld(&c, dir)
	if err != nil {
		t.Fatal(err)
	}
	if w.Codes != 1000 || len(w.Lots) != 2 || w.Lots[1].Name != "W0002" || w.Lots[1].First != 500 || w.Lots[1].Count != 500 {
		t.Fatalf("LoadWorld = %+v", w)
	}
	hot, _ := w.Lot("W0002")
	share := func(h Hot) float64 {
		tr, err := NewTraffic(&c, Mix{Forms: [numForms]float64{FormDL: 1}, Accepts: [numAccepts]float64{AcceptJSON: 1}, Seed: 7, Hot: h})
		if err != nil {
			t.Fatal(err)
		}
		in := 0
		const n = 20_000
		for i := range int64(n) {
			p := tr.Pick(i)
			if p.Item >= hot.First && p.Item < hot.First+hot.Count {
				in++
			}
			path := string(tr.Append(nil, p))
			if strings.Contains(path, "/10/W0002/") != (p.Item >= hot.First) {
				t.Fatalf("pick %d: item %d gave %s", i, p.Item, path)
			}
		}
		return float64(in) / n
	}
	// Uniform base: half the codes are the lot's; with a 0.6 hot share,
	// 0.6 + 0.4·0.5 = 0.8 of scans are.
	if s := share(Hot{}); s < 0.47 || s > 0.53 {
		t.Fatalf("uniform: %.3f of scans on one of two equal lots", s)
	}
	if s := share(Hot{Share: 0.6, First: hot.First, Count: hot.Count}); s < 0.77 || s > 0.83 {
		t.Fatalf("hot share 0.6: %.3f of scans on the hot lot, want ≈ 0.8", s)
	}
	if _, err := NewTraffic(&c, Mix{Forms: [numForms]float64{FormDL: 1}, Accepts: [numAccepts]float64{AcceptJSON: 1}, Hot: Hot{Share: 0.5, First: 900, Count: 200}}); err == nil {
		t.Fatal("a hot range beyond the corpus was accepted")
	}
}

// TestLoadWorldRefusesOtherVersions: a manifest of another version is an
// error naming both versions, not a world.
func TestLoadWorldRefusesOtherVersions(t *testing.T) {
	dir := writeTestWorld(t, 5)
	m, _ := worldfile.Read(dir)
	m.Version = "tracecode-bench-world/0"
	if err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
	var c Corpus
	if _, err := LoadWorld(&c, dir); err == nil || !strings.Contains(err.Error(), worldfile.Version) {
		t.Fatalf("LoadWorld of another version = %v", err)
	}
}
