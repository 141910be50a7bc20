package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"tracecode/bench/worldfile"
	"tracecode/engine/resolve"
)

// TestWorldKeptAndReused builds a tiny world in a directory, reopens it
// (reused, not rebuilt: same build time, same sample), resolves sampled
// items to their case and pallet, and rebuilds it when the scale asks for
// another size, leaving files that are not the world's alone.
func TestWorldKeptAndReused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds stores")
	}
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	sz := Scales["smoke"]
	sz.WorldItems, sz.LotItems, sz.MintedCodes = 2_000, 1_000, 50_000
	e := &env{cfg: Config{Scale: "smoke", World: dir}, sizes: sz, log: io.Discard, work: t.TempDir()}
	ctx := context.Background()
	w, err := openWorld(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if w.reused || len(w.m.Lots) != 2 || w.m.Items != 2_000 {
		t.Fatalf("built world: reused=%v lots=%d items=%d", w.reused, len(w.m.Lots), w.m.Items)
	}
	built, sample := w.m.BuiltAt, w.sample
	w.eng.Close()

	w, err = openWorld(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if !w.reused || !w.m.BuiltAt.Equal(built) || len(w.sample) != len(sample) || w.sample[0] != sample[0] {
		t.Fatalf("second open: reused=%v built %v (first %v), %d sampled codes (first %d)", w.reused, w.m.BuiltAt, built, len(w.sample), len(sample))
	}
	var ch resolve.Chain
	for _, code := range []string{w.sample[0], w.sample[len(w.sample)-1]} {
		if err := w.eng.ResolveInto(&ch, code); err != nil || len(ch.Parents) != 2 || len(ch.Timeline) == 0 {
			t.Fatalf("resolve %s in the reused world: %v, %d parents, %d timeline entries", code, err, len(ch.Parents), len(ch.Timeline))
		}
	}
	lots := map[string]int{}
	if err := worldfile.ReadSample(dir, func(lot, _ string) { lots[lot]++ }); err != nil {
		t.Fatal(err)
	}
	for _, l := range w.m.Lots {
		if lots[l.Name] != l.SampleCount || l.SampleCount == 0 {
			t.Fatalf("lot %s: %d sampled lines, manifest says %d", l.Name, lots[l.Name], l.SampleCount)
		}
	}
	w.eng.Close()

	e.sizes.WorldItems = 1_000
	w, err = openWorld(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	defer w.eng.Close()
	if w.reused || w.m.Items != 1_000 {
		t.Fatalf("a world of another size was reused: reused=%v items=%d", w.reused, w.m.Items)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Fatalf("rebuilding removed a file that is not the world's: %v", err)
	}
}
