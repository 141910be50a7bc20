package chain

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// HeldRun is a run of consecutive children a container held: counters
// First..Last of Product (an SSCC child: Product 0 and First = Last = the
// SSCC), packed at Since by record PackSeq and taken out at Until by
// record UnpackSeq (both 0 while the run is still inside).
type HeldRun struct {
	Product     uint32
	First, Last uint64
	Since       int64 // unix ms
	PackSeq     uint64
	Until       int64 // unix ms; 0 = still inside
	UnpackSeq   uint64
}

// Len returns the number of children in the run.
func (h *HeldRun) Len() uint64 { return h.Last - h.First + 1 }

// Node returns the node of the run's i-th child (i < Len).
func (h *HeldRun) Node(i uint64) agg.Node { return agg.Node{Product: h.Product, Counter: h.First + i} }

// Held is what a container held during a time window: its direct
// children, present now or taken out since (the parent-history index).
type Held struct {
	Container agg.Node
	From, To  int64     // the window asked about, unix ms, inclusive
	Runs      []HeldRun // by pack time, then product and counter
	Count     uint64    // children in Runs
}

// ContentsDuring returns the direct children container held at any moment
// of [from, to] (from = to asks about one instant: "what was on this
// pallet at 14:00"; a day's first and last millisecond ask about the day).
// A child counts if it was packed at or before to and not taken out
// before or at from. It reads the present children (child→parent runs)
// and the parent history written by every unpacking; a code never packed
// into anything holds nothing.
func (c *Chain) ContentsDuring(container agg.Node, from, to time.Time) (*Held, error) {
	f, t := from.UnixMilli(), to.UnixMilli()
	if t < f {
		return nil, model.FieldErrorf("to", to.Format(time.RFC3339), "is before from (%s)", from.Format(time.RFC3339))
	}
	release, err := c.iss.HoldDB()
	if err != nil {
		return nil, err
	}
	defer release()
	r, err := agg.NewReader(c.db)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := &Held{Container: container, From: f, To: t}
	keep := func(x HeldRun) {
		if x.Since <= t && (x.UnpackSeq == 0 || x.Until > f) {
			h.Runs = append(h.Runs, x)
			h.Count += x.Len()
		}
	}
	// Present children: the children index gives which; each child's run
	// in the child→parent index gives since when. Collected first: the
	// reader has one iterator.
	var present []agg.ChildRun
	var unknown uint64
	err = r.Children(container, func(block uint64, bm *roaring.Bitmap) bool {
		product, start, ok := c.blockInfo(block)
		if !ok {
			unknown = block
			return false
		}
		for lo, end := range bm.Ranges() {
			present = append(present, agg.ChildRun{Product: product, First: start + uint64(lo), Last: start + end - 1})
		}
		return true
	}, func(sscc uint64) bool {
		present = append(present, agg.ChildRun{First: sscc, Last: sscc})
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("engine: children of %s: %w", container, err)
	}
	if unknown != 0 {
		return nil, fmt.Errorf("%w: children of %s in unknown block %d", store.ErrCorrupt, container, unknown)
	}
	for _, cr := range present {
		for c := cr.First; c <= cr.Last; {
			run, ok, err := r.Parent(agg.Node{Product: cr.Product, Counter: c})
			if err != nil {
				return nil, fmt.Errorf("engine: parent of %s: %w", agg.Node{Product: cr.Product, Counter: c}, err)
			}
			if !ok || run.Parent != container {
				return nil, fmt.Errorf("%w: %s is in the children of %s but its run says otherwise", store.ErrCorrupt, agg.Node{Product: cr.Product, Counter: c}, container)
			}
			last := min(run.Last, cr.Last)
			keep(HeldRun{Product: cr.Product, First: c, Last: last, Since: run.Since, PackSeq: run.Seq})
			if last == cr.Last {
				break
			}
			c = last + 1
		}
	}
	// Children taken out: one parent-history record per unpacking report.
	err = r.Removals(container, func(rm *agg.Removal) bool {
		for _, x := range rm.Runs {
			keep(HeldRun{Product: x.Product, First: x.First, Last: x.Last, Since: x.Since, PackSeq: x.Seq, Until: rm.Until, UnpackSeq: rm.UnpackSeq})
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("engine: past children of %s: %w", container, err)
	}
	slices.SortFunc(h.Runs, func(a, b HeldRun) int {
		return cmp.Or(cmp.Compare(a.Since, b.Since), cmp.Compare(a.Product, b.Product), cmp.Compare(a.First, b.First), cmp.Compare(a.Until, b.Until))
	})
	return h, nil
}
