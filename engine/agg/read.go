package agg

import (
	"encoding/binary"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/store"
)

// The iterator of a Reader or Tx covers every aggregation prefix.
var (
	iterLo, iterHi = store.AggregationBounds()
)

// ChildRun is a run of consecutive children of one block, as Pack and
// Unpack take them and Children returns them: counters First..Last
// (inclusive) of Product, all inside block Block whose first counter is
// BlockStart (so block offsets are counter − BlockStart). For an SSCC child
// Product and Block are 0 and First = Last = the SSCC.
type ChildRun struct {
	Product     uint32
	First, Last uint64
	Block       uint64
	BlockStart  uint64
}

// BlockInfo maps a block id to its product and first counter; ok is false
// for an unknown block. The engine supplies it from its block table.
type BlockInfo func(block uint64) (product uint32, start uint64, ok bool)

// findRun returns the run holding child, positioning it. kb is scratch.
func findRun(it *store.Iter, kb []byte, child Node) (Run, bool, []byte, error) {
	kb = append(AppendRunKey(kb[:0], child.Product, child.Counter), 0) // just past the run starting at child
	if !it.SeekLT(kb) {
		return Run{}, false, kb, nil
	}
	k := it.Key()
	if kp, _, err := store.DecodeChildParentKey(k); err != nil || kp != child.Product {
		return Run{}, false, kb, nil
	}
	v, err := it.Value()
	if err != nil {
		return Run{}, false, kb, err
	}
	r, err := DecodeRun(k, v)
	if err != nil {
		return Run{}, false, kb, err
	}
	if !r.Covers(child.Counter) {
		return Run{}, false, kb, nil
	}
	return r, true, kb, nil
}

// scanHistory calls fn with every past run holding child, oldest unpacking
// first within a window (key order: first counter, then unpack seq).
func scanHistory(it *store.Iter, kb []byte, child Node, fn func(p *PastRun) bool) ([]byte, error) {
	c := child.Counter
	kb = appendPastRunKey(kb[:0], child.Product, c-c%HistoryWindow, 0)
	for ok := it.SeekGE(kb); ok; ok = it.Next() {
		k := it.Key()
		if kp, kf, _, err := store.DecodeChildHistoryKey(k); err != nil || kp != child.Product || kf > c {
			break
		}
		v, err := it.Value()
		if err != nil {
			return kb, err
		}
		p, err := decodePastRun(k, v)
		if err != nil {
			return kb, err
		}
		if p.Covers(c) && !fn(&p) {
			break
		}
	}
	return kb, nil
}

// scanChildren calls blockFn with each (child block, offsets bitmap) of
// parent and unitFn with each SSCC child, stopping when either returns
// false.
func scanChildren(it *store.Iter, kb []byte, parent Node, blockFn func(block uint64, bm *roaring.Bitmap) bool, unitFn func(sscc uint64) bool) ([]byte, error) {
	kb = store.AppendParentChildrenKey(kb[:0], parent.Product, parent.Counter, 0)
	kb = kb[:len(kb)-8]
	n := len(kb)
	for ok := it.SeekGE(kb); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != n+8 || string(k[:n]) != string(kb[:n]) {
			break
		}
		v, err := it.Value()
		if err != nil {
			return kb, err
		}
		bm, err := decodeChildren(v)
		if err != nil {
			return kb, fmt.Errorf("agg: children of %s: %w", parent, err)
		}
		if !blockFn(binary.BigEndian.Uint64(k[n:]), bm) {
			return kb, nil
		}
	}
	kb = store.AppendParentUnitsKey(kb[:0], parent.Product, parent.Counter, 0)
	kb = kb[:len(kb)-8]
	for ok := it.SeekGE(kb); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != n+8 || string(k[:n]) != string(kb[:n]) {
			break
		}
		if !unitFn(binary.BigEndian.Uint64(k[n:])) {
			break
		}
	}
	return kb, nil
}

// scanRemovals calls fn with each removal from parent, oldest first.
func scanRemovals(it *store.Iter, kb []byte, parent Node, fn func(r *Removal) bool) ([]byte, error) {
	kb = store.AppendParentHistoryKey(kb[:0], parent.Product, parent.Counter, 0)
	kb = kb[:len(kb)-8]
	n := len(kb)
	for ok := it.SeekGE(kb); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != n+8 || string(k[:n]) != string(kb[:n]) {
			break
		}
		v, err := it.Value()
		if err != nil {
			return kb, err
		}
		r, err := decodeRemoval(k, v)
		if err != nil {
			return kb, err
		}
		if !fn(&r) {
			break
		}
	}
	return kb, nil
}

// childRuns converts a children bitmap of block into runs of consecutive
// offsets.
func childRuns(dst []ChildRun, block uint64, product uint32, start uint64, bm *roaring.Bitmap) []ChildRun {
	for lo, end := range bm.Ranges() { // [lo, end)
		dst = append(dst, ChildRun{Product: product, First: start + uint64(lo), Last: start + end - 1,
			Block: block, BlockStart: start})
	}
	return dst
}

// Reader answers containment questions from the committed database. It
// holds one iterator: use it from one goroutine for one short task (a
// resolve), then Close it. A Reader sees the database as of its creation.
type Reader struct {
	it     *store.Iter
	kb     []byte
	shared bool
}

// NewReader opens a Reader on db.
func NewReader(db *store.DB) (*Reader, error) {
	it, err := db.NewIter(iterLo, iterHi)
	if err != nil {
		return nil, err
	}
	return &Reader{it: it, kb: make([]byte, 0, 32)}, nil
}

// Reset points a Reader at it, an iterator whose bounds include
// [IterLower, IterUpper); the caller keeps ownership (Close does nothing),
// so one iterator serves several readers of one resolution and a Reader
// value is reused without allocating.
func (r *Reader) Reset(it *store.Iter) { r.it, r.kb, r.shared = it, r.kb[:0], true }

// IterLower and IterUpper bound the keys a Reader reads.
var (
	IterLower = iterLo
	IterUpper = iterHi
	// UnitLower is the lower bound an iterator given to Reset must also
	// include for Unit (the unit keys sort before the others).
	UnitLower = store.UnitKeys.Prefix()
)

// Close releases the Reader's iterator (unless it was shared).
func (r *Reader) Close() error {
	if r.shared {
		return nil
	}
	return r.it.Close()
}

// Parent returns the run holding child now, if child is packed.
func (r *Reader) Parent(child Node) (Run, bool, error) {
	run, ok, kb, err := findRun(r.it, r.kb, child)
	r.kb = kb
	return run, ok, err
}

// History calls fn with every past run holding child until fn returns
// false. Order: by the run's first counter, then by unpacking.
func (r *Reader) History(child Node, fn func(p *PastRun) bool) error {
	kb, err := scanHistory(r.it, r.kb, child, fn)
	r.kb = kb
	return err
}

// Children calls blockFn and unitFn with parent's present children.
func (r *Reader) Children(parent Node, blockFn func(block uint64, bm *roaring.Bitmap) bool, unitFn func(sscc uint64) bool) error {
	kb, err := scanChildren(r.it, r.kb, parent, blockFn, unitFn)
	r.kb = kb
	return err
}

// Removals calls fn with every removal from parent, oldest first.
func (r *Reader) Removals(parent Node, fn func(rm *Removal) bool) error {
	kb, err := scanRemovals(r.it, r.kb, parent, fn)
	r.kb = kb
	return err
}

// Unit reads the unit record of an SSCC through the Reader's iterator,
// whose bounds must include the unit keys (UnitLower): unlike LoadUnit it
// allocates nothing, so a resolution through a pallet unit stays
// allocation-free.
func (r *Reader) Unit(sscc uint64) (Unit, bool, error) {
	r.kb = AppendUnitKey(r.kb[:0], sscc)
	if !r.it.SeekGE(r.kb) || string(r.it.Key()) != string(r.kb) {
		return Unit{}, false, nil
	}
	v, err := r.it.Value()
	if err != nil {
		return Unit{}, false, err
	}
	u, err := DecodeUnit(sscc, v)
	if err != nil {
		return Unit{}, false, fmt.Errorf("agg: unit %018d: %w", sscc, err)
	}
	return u, true, nil
}

// LoadUnit reads an SSCC unit record from db.
func LoadUnit(db *store.DB, sscc uint64) (Unit, bool, error) { return getUnit(db.Get, sscc) }

// SnapshotUnit reads the unit record of an SSCC from a snapshot.
func SnapshotUnit(s *store.Snapshot, sscc uint64) (Unit, bool, error) { return getUnit(s.Get, sscc) }

func getUnit(get func([]byte, func([]byte) error) (bool, error), sscc uint64) (Unit, bool, error) {
	var u Unit
	var kb [9]byte
	found, err := get(AppendUnitKey(kb[:0], sscc), func(v []byte) error {
		var err error
		u, err = DecodeUnit(sscc, v)
		return err
	})
	if err != nil {
		return Unit{}, false, fmt.Errorf("agg: unit %018d: %w", sscc, err)
	}
	return u, found, nil
}
