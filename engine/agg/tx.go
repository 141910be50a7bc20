package agg

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/store"
)

// ErrNotInParent is returned by Unpack for a child that is not in the
// parent named (the engine checks this first and reports it per code;
// seeing it here means the indexes disagree with the item state).
var ErrNotInParent = errors.New("agg: child is not in that parent")

// Tx reads and writes aggregation inside one report's indexed batch: its
// reads see the report's own earlier writes. Use it from one goroutine;
// Close it before committing the batch.
type Tx struct {
	b      *store.Batch
	it     *store.Iter
	stale  bool // the batch changed since the iterator's view was refreshed
	kb, vb []byte
	runs   [][2]uint64 // scratch
	// moved lists the child→parent ranges (product, first, last) the Tx
	// wrote or deleted, for the caches of ParentWindows. Units are left
	// out (they have no windows).
	moved [][3]uint64
}

// Moved calls fn with each child range whose child→parent runs the Tx
// wrote or deleted (product, first, last), units excepted; caches of
// ParentWindows covering them are stale once the batch commits.
func (t *Tx) Moved(fn func(product uint32, first, last uint64)) {
	for _, m := range t.moved {
		fn(uint32(m[0]), m[1], m[2])
	}
}

func (t *Tx) move(product uint32, first, last uint64) {
	if product != 0 {
		t.moved = append(t.moved, [3]uint64{uint64(product), first, last})
	}
}

// NewTx starts a Tx writing to b, which must be an indexed batch.
func NewTx(b *store.Batch) (*Tx, error) {
	if !b.Indexed() {
		panic("BUG: agg.NewTx needs an indexed batch")
	}
	it, err := b.NewIter(iterLo, iterHi)
	if err != nil {
		return nil, err
	}
	return &Tx{b: b, it: it}, nil
}

// Close releases the Tx's iterator. The batch is the caller's.
func (t *Tx) Close() error { return t.it.Close() }

func (t *Tx) iter() *store.Iter {
	if t.stale {
		t.it.Refresh(iterLo, iterHi)
		t.stale = false
	}
	return t.it
}

func (t *Tx) set(k, v []byte) { t.b.Set(k, v); t.stale = true }
func (t *Tx) del(k []byte)    { t.b.Delete(k); t.stale = true }

// Parent returns the run holding child now, if child is packed.
func (t *Tx) Parent(child Node) (Run, bool, error) {
	r, ok, kb, err := findRun(t.iter(), t.kb, child)
	t.kb = kb
	return r, ok, err
}

// Children returns parent's present children as runs (SSCC children as
// runs of one), using blocks to map child blocks to counters.
func (t *Tx) Children(parent Node, blocks BlockInfo) ([]ChildRun, error) {
	var runs []ChildRun
	var bad error
	kb, err := scanChildren(t.iter(), t.kb, parent, func(block uint64, bm *roaring.Bitmap) bool {
		product, start, ok := blocks(block)
		if !ok {
			bad = fmt.Errorf("%w: %s has children in unknown block %d", store.ErrCorrupt, parent, block)
			return false
		}
		runs = childRuns(runs, block, product, start, bm)
		return true
	}, func(sscc uint64) bool {
		runs = append(runs, ChildRun{First: sscc, Last: sscc})
		return true
	})
	t.kb = kb
	if err == nil {
		err = bad
	}
	return runs, err
}

// ChildrenOfRange calls fn with the children bitmaps of every parent among
// codes first..last of product, in key order, with one seek: consecutive
// parents (a pallet's cases) have consecutive children keys. SSCC children
// are not visited. bm is valid only during fn.
func (t *Tx) ChildrenOfRange(product uint32, first, last uint64, fn func(parent Node, block uint64, bm *roaring.Bitmap) bool) error {
	it := t.iter()
	t.kb = store.AppendParentChildrenKey(t.kb[:0], product, first, 0)
	for ok := it.SeekGE(t.kb); ok; ok = it.Next() {
		k := it.Key()
		pp, pc, block, err := store.DecodeParentChildrenKey(k)
		if err != nil {
			break
		}
		parent := Node{Product: pp, Counter: pc}
		if parent.Product != product || parent.Counter > last {
			break
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		bm, err := decodeChildren(v)
		if err != nil {
			return fmt.Errorf("agg: children of %s: %w", parent, err)
		}
		if !fn(parent, block, bm) {
			break
		}
	}
	return nil
}

// UnitChildrenOfRange calls fn with every SSCC child of the parents among
// codes first..last of product, with one seek.
func (t *Tx) UnitChildrenOfRange(product uint32, first, last uint64, fn func(parent Node, sscc uint64) bool) error {
	it := t.iter()
	t.kb = store.AppendParentUnitsKey(t.kb[:0], product, first, 0)
	for ok := it.SeekGE(t.kb); ok; ok = it.Next() {
		pp, pc, sscc, err := store.DecodeParentUnitsKey(it.Key())
		if err != nil {
			break
		}
		parent := Node{Product: pp, Counter: pc}
		if parent.Product != product || parent.Counter > last {
			break
		}
		if !fn(parent, sscc) {
			break
		}
	}
	return nil
}

// History calls fn with every past run holding child.
func (t *Tx) History(child Node, fn func(p *PastRun) bool) error {
	kb, err := scanHistory(t.iter(), t.kb, child, fn)
	t.kb = kb
	return err
}

// Pack records runs as children of parent, packed at since (unix ms) by
// report seq. fresh promises that parent has no children stored yet (it
// was never a container), which saves a read per child block.
//
// REQUIRES: no child in runs has a parent (the engine checks the Packed
// state of every child first); each run lies inside its block.
func (t *Tx) Pack(parent Node, runs []ChildRun, since int64, seq uint64, fresh bool) error {
	// Child→parent: one key per run.
	for i := range runs {
		c := &runs[i]
		if c.Last < c.First {
			panic(fmt.Sprintf("BUG: agg.Pack run %d..%d", c.First, c.Last))
		}
		r := Run{Product: c.Product, First: c.First, Last: c.Last, Parent: parent, Since: since, Seq: seq}
		t.move(c.Product, c.First, c.Last)
		t.kb = AppendRunKey(t.kb[:0], c.Product, c.First)
		t.vb = r.AppendValue(t.vb[:0])
		t.set(t.kb, t.vb)
	}
	// Parent→children: one bitmap per child block, SSCCs one key each.
	return t.updateChildren(parent, runs, fresh, true)
}

// updateChildren adds (or removes) runs to (from) parent's children
// bitmaps, one read-modify-write per child block, and adds or deletes unit
// child keys. With fresh, the bitmaps are known not to exist yet.
func (t *Tx) updateChildren(parent Node, runs []ChildRun, fresh, add bool) error {
	byBlock := func(a, b ChildRun) int {
		if a.Block != b.Block {
			return cmp.Compare(a.Block, b.Block)
		}
		return cmp.Compare(a.First, b.First)
	}
	if !slices.IsSortedFunc(runs, byBlock) {
		runs = slices.Clone(runs)
		slices.SortFunc(runs, byBlock)
	}
	for i := 0; i < len(runs); {
		c := &runs[i]
		if c.Block == 0 { // an SSCC child
			t.kb = appendUnitChildKey(t.kb[:0], parent, c.First)
			if add {
				t.set(t.kb, unitChildValue)
			} else {
				t.del(t.kb)
			}
			i++
			continue
		}
		block := c.Block
		t.kb = appendChildrenKey(t.kb[:0], parent, block)
		if fresh && add { // write run containers directly: no bitmap to build
			t.runs = t.runs[:0]
			for ; i < len(runs) && runs[i].Block == block; i++ {
				c := &runs[i]
				lo, hi := c.First-c.BlockStart, c.Last-c.BlockStart
				if n := len(t.runs); n > 0 && t.runs[n-1][1]+1 >= lo {
					t.runs[n-1][1] = max(t.runs[n-1][1], hi)
					continue
				}
				t.runs = append(t.runs, [2]uint64{lo, hi})
			}
			t.vb = appendRunsBitmap(append(t.vb[:0], childrenVersion), t.runs)
			t.set(t.kb, t.vb)
			continue
		}
		var bm *roaring.Bitmap
		if !fresh {
			if _, err := t.b.Get(t.kb, func(v []byte) error {
				var err error
				bm, err = decodeChildren(v)
				return err
			}); err != nil {
				return fmt.Errorf("agg: children of %s in block %d: %w", parent, block, err)
			}
		}
		if bm == nil {
			bm = roaring.New()
		}
		for ; i < len(runs) && runs[i].Block == block; i++ {
			c := &runs[i]
			lo, hi := c.First-c.BlockStart, c.Last-c.BlockStart+1
			if add {
				bm.AddRange(lo, hi)
			} else {
				bm.RemoveRange(lo, hi)
			}
		}
		if bm.IsEmpty() {
			t.del(t.kb)
		} else {
			t.vb = appendChildren(t.vb[:0], bm)
			t.set(t.kb, t.vb)
		}
	}
	return nil
}

// Unpack takes runs out of parent at until (unix ms) by report seq: it
// splits the child→parent runs, writes the child and parent history and
// updates the children bitmaps. It returns the pieces removed, each with
// the since and seq of its packing.
//
// Every child in runs must be in parent now; otherwise nothing is
// written for the offending run and the error wraps ErrNotInParent.
func (t *Tx) Unpack(parent Node, runs []ChildRun, until int64, seq uint64) ([]Run, error) {
	var removed []Run
	for i := range runs {
		c := &runs[i]
		child := Node{Product: c.Product}
		for cur := c.First; ; {
			child.Counter = cur
			r, ok, err := t.Parent(child)
			if err != nil {
				return nil, err
			}
			if !ok || r.Parent != parent {
				return nil, fmt.Errorf("%w: %s is not in %s", ErrNotInParent, child, parent)
			}
			cut := min(r.Last, c.Last)
			t.move(r.Product, r.First, r.Last)
			t.kb = AppendRunKey(t.kb[:0], r.Product, r.First)
			if r.First < cur { // keep the left part under the same key
				left := r
				left.Last = cur - 1
				t.vb = left.AppendValue(t.vb[:0])
				t.set(t.kb, t.vb)
			} else {
				t.del(t.kb)
			}
			if cut < r.Last { // the right part gets a key of its own
				right := r
				right.First = cut + 1
				t.kb = AppendRunKey(t.kb[:0], right.Product, right.First)
				t.vb = right.AppendValue(t.vb[:0])
				t.set(t.kb, t.vb)
			}
			piece := r
			piece.First, piece.Last = cur, cut
			removed = append(removed, piece)
			if cut == c.Last {
				break
			}
			cur = cut + 1
		}
	}
	// Child history, split at window boundaries.
	for i := range removed {
		p := PastRun{Run: removed[i], Until: until, UnpackSeq: seq}
		for lo := p.First; ; {
			hi := min(p.Last, lo-lo%HistoryWindow+HistoryWindow-1)
			piece := p
			piece.First, piece.Last = lo, hi
			t.kb = appendPastRunKey(t.kb[:0], p.Product, lo, seq)
			t.vb = piece.AppendValue(t.vb[:0])
			t.set(t.kb, t.vb)
			if hi == p.Last {
				break
			}
			lo = hi + 1
		}
	}
	// Parent history: one record per (parent, report); a second unpacking
	// of the same parent in the same report appends to it.
	rm := Removal{Parent: parent, UnpackSeq: seq, Until: until}
	t.kb = appendRemovalKey(t.kb[:0], parent, seq)
	if _, err := t.b.Get(t.kb, func(v []byte) error {
		old, err := decodeRemoval(t.kb, v)
		rm.Runs = old.Runs
		return err
	}); err != nil {
		return nil, err
	}
	rm.Runs = append(rm.Runs, removed...)
	t.vb = rm.AppendValue(t.vb[:0])
	t.set(t.kb, t.vb)
	if err := t.updateChildren(parent, runs, false, false); err != nil {
		return nil, err
	}
	return removed, nil
}

// Unit returns an SSCC unit as the Tx sees it.
func (t *Tx) Unit(sscc uint64) (Unit, bool, error) { return getUnit(t.b.Get, sscc) }

// PutUnit writes an SSCC unit record.
func (t *Tx) PutUnit(u *Unit) {
	t.kb = AppendUnitKey(t.kb[:0], u.SSCC)
	t.vb = u.AppendValue(t.vb[:0])
	t.set(t.kb, t.vb)
}
