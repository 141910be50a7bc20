package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/model"
)

// TestContentsDuring: what a case and a pallet held at an instant and
// during a window, through unpacking (the parent history) and repacking;
// the instant of an unpacking already counts the children as out.
func TestContentsDuring(t *testing.T) {
	f := supply(t)
	t0 := testClock.Add(-10 * time.Hour) // supply's packing time
	unpack := func(parent chain.Ref, children chain.Items, at time.Time) {
		t.Helper()
		m := f.meta(f.orgA)
		m.Time = at
		if _, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: parent, Children: children}}}); err != nil {
			t.Fatal(err)
		}
	}
	unpack(chain.Ref{Block: f.cases.ID, Offset: 0}, chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 3, Last: 4}}}, t0.Add(2*time.Hour))
	unpack(chain.Ref{Block: f.pallets.ID, Offset: 0}, chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 1, Last: 1}}}, t0.Add(3*time.Hour))
	f.packRange(f.cases, 1, f.items, 3, 4, t0.Add(4*time.Hour))

	case0 := Node{Product: f.prod.ID, Counter: f.cases.Start}
	case1 := Node{Product: f.prod.ID, Counter: f.cases.Start + 1}
	pallet0 := f.palletNode(0)
	item := func(off uint64) uint64 { return f.items.Start + off }
	ms := func(d time.Duration) int64 { return t0.Add(d).UnixMilli() }
	// runs renders Held.Runs as "first-last since→until" in item offsets
	// (case offsets for the pallet), hours after t0.
	runs := func(h *chain.Held, start uint64) string {
		var b []string
		for _, r := range h.Runs {
			s := fmt.Sprintf("%d-%d %dh", r.First-start, r.Last-start, (r.Since-t0.UnixMilli())/3600_000)
			if r.UnpackSeq != 0 {
				s += fmt.Sprintf("→%dh", (r.Until-t0.UnixMilli())/3600_000)
			}
			b = append(b, s)
		}
		return strings.Join(b, ", ")
	}
	for _, tc := range []struct {
		name      string
		container Node
		start     uint64
		from, to  time.Duration
		want      string
		count     uint64
	}{
		{"case 0 before packing", case0, f.items.Start, -time.Hour, -time.Hour, "", 0},
		{"case 0 packed", case0, f.items.Start, time.Hour, time.Hour, "0-2 0h, 3-4 0h→2h, 5-9 0h", 10},
		{"case 0 at the unpacking", case0, f.items.Start, 2 * time.Hour, 2 * time.Hour, "0-2 0h, 5-9 0h", 8},
		{"case 0 over the day", case0, f.items.Start, time.Hour, 9 * time.Hour, "0-2 0h, 3-4 0h→2h, 5-9 0h", 10},
		{"case 1 after repacking", case1, f.items.Start, 5 * time.Hour, 5 * time.Hour, "10-19 0h, 3-4 4h", 12},
		{"case 1 before repacking", case1, f.items.Start, 3 * time.Hour, 3 * time.Hour, "10-19 0h", 10},
		{"pallet 0 packed", pallet0, f.cases.Start, 2 * time.Hour, 2 * time.Hour, "0-0 0h, 1-1 0h→3h", 2},
		{"pallet 0 after", pallet0, f.cases.Start, 3 * time.Hour, 5 * time.Hour, "0-0 0h", 1},
		{"an item holds nothing", Node{Product: f.prod.ID, Counter: item(50)}, f.items.Start, 0, 9 * time.Hour, "", 0},
	} {
		h, err := f.e.Reports().ContentsDuring(tc.container, t0.Add(tc.from), t0.Add(tc.to))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := runs(h, tc.start); got != tc.want || h.Count != tc.count || h.From != ms(tc.from) || h.To != ms(tc.to) {
			t.Errorf("%s: runs %q count %d, want %q count %d", tc.name, got, h.Count, tc.want, tc.count)
		}
	}
	if _, err := f.e.Reports().ContentsDuring(case0, t0.Add(time.Hour), t0); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("a window ending before it starts: %v, want ErrInvalid", err)
	}
}
