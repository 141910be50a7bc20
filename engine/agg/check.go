package agg

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/store"
)

// Locate maps a product counter to the block holding it and the block's
// first counter; ok is false if no block holds it.
type Locate func(product uint32, counter uint64) (block, start uint64, ok bool)

// Check verifies the aggregation indexes over a snapshot: every record
// decodes; child→parent runs of a product never overlap and each lies in
// one block; every child of every run is in its parent's children bitmap
// (or unit key), and every bitmap offset and unit key is held by a run
// naming that parent. It calls report for each problem (stopping if report
// returns false) and returns only I/O errors.
func Check(s *store.Snapshot, locate Locate, blocks BlockInfo, report func(store.Problem) bool) error {
	it, err := s.NewIter(iterLo, iterHi)
	if err != nil {
		return err
	}
	defer it.Close()
	more := true
	bad := func(where, format string, args ...any) {
		if more {
			more = report(store.Problem{Where: where, What: fmt.Sprintf(format, args...)})
		}
	}
	// Pass 1: runs → bitmaps.
	type pbKey struct {
		parent Node
		block  uint64
	}
	cache := map[pbKey]*roaring.Bitmap{}
	bitmapOf := func(parent Node, block uint64) (*roaring.Bitmap, error) {
		k := pbKey{parent, block}
		if bm, ok := cache[k]; ok {
			return bm, nil
		}
		if len(cache) > 4096 {
			clear(cache)
		}
		var bm *roaring.Bitmap
		_, err := s.Get(appendChildrenKey(nil, parent, block), func(v []byte) error {
			var err error
			bm, err = decodeChildren(v)
			return err
		})
		if err != nil {
			return nil, err
		}
		cache[k] = bm
		return bm, nil
	}
	var prev Run
	havePrev := false
	lo, hi := store.ChildParentKeys.Bounds()
	err = s.Scan(lo, hi, func(k, v []byte) error {
		if !more {
			return nil
		}
		r, err := DecodeRun(k, v)
		if err != nil {
			bad(fmt.Sprintf("key %x", k), "%v", err)
			return nil
		}
		child := Node{Product: r.Product, Counter: r.First}
		where := fmt.Sprintf("run %s..%d", child, r.Last)
		if havePrev && prev.Product == r.Product && prev.Last >= r.First {
			bad(where, "overlaps the run %d..%d (a child with two parents)", prev.First, prev.Last)
		}
		prev, havePrev = r, true
		if r.Parent == child || (r.Parent.Product == r.Product && r.Covers(r.Parent.Counter)) {
			bad(where, "contains its own parent %s", r.Parent)
		}
		if r.Product == 0 {
			if r.First != r.Last {
				bad(where, "an SSCC run holds more than one unit")
			}
			found, err := s.Get(appendUnitChildKey(nil, r.Parent, r.First), func([]byte) error { return nil })
			if err != nil {
				return err
			}
			if !found {
				bad(where, "parent %s has no unit child key for it", r.Parent)
			}
			return nil
		}
		block, start, ok := locate(r.Product, r.First)
		if !ok {
			bad(where, "no block holds counter %d", r.First)
			return nil
		}
		if b2, _, ok := locate(r.Product, r.Last); !ok || b2 != block {
			bad(where, "crosses the end of block %d", block)
			return nil
		}
		bm, err := bitmapOf(r.Parent, block)
		if err != nil {
			bad(where, "parent %s children bitmap of block %d: %v", r.Parent, block, err)
			return nil
		}
		lo, hi := r.First-start, r.Last-start+1
		if bm == nil || bm.CardinalityInRange(lo, hi) != hi-lo {
			bad(where, "parent %s children bitmap of block %d lacks some of offsets %d..%d", r.Parent, block, lo, hi-1)
		}
		return nil
	})
	if err != nil || !more {
		return err
	}
	// Pass 2: bitmaps and unit keys → runs.
	kb := make([]byte, 0, 32)
	covered := func(where string, parent Node, product uint32, first, last uint64) error {
		for cur := first; ; {
			r, ok, k2, err := findRun(it, kb, Node{Product: product, Counter: cur})
			kb = k2
			if err != nil {
				return err
			}
			if !ok || r.Parent != parent {
				got := "no parent"
				if ok {
					got = "parent " + r.Parent.String()
				}
				bad(where, "child %s is listed but its run says %s", Node{product, cur}, got)
				return nil
			}
			if r.Last >= last {
				return nil
			}
			cur = r.Last + 1
		}
	}
	lo, hi = store.ParentChildrenKeys.Bounds()
	err = s.Scan(lo, hi, func(k, v []byte) error {
		if !more {
			return nil
		}
		pp, pc, block, err := store.DecodeParentChildrenKey(k)
		if err != nil {
			bad(fmt.Sprintf("key %x", k), "not a parent→children key")
			return nil
		}
		parent := Node{Product: pp, Counter: pc}
		where := fmt.Sprintf("children of %s in block %d", parent, block)
		bm, err := decodeChildren(v)
		if err != nil {
			bad(where, "%v", err)
			return nil
		}
		product, start, ok := blocks(block)
		if !ok {
			bad(where, "unknown block")
			return nil
		}
		for lo, end := range bm.Ranges() { // [lo, end)
			if err := covered(where, parent, product, start+uint64(lo), start+end-1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || !more {
		return err
	}
	lo, hi = store.ParentUnitsKeys.Bounds()
	return s.Scan(lo, hi, func(k, v []byte) error {
		if !more {
			return nil
		}
		pp, pc, sscc, err := store.DecodeParentUnitsKey(k)
		if err != nil {
			bad(fmt.Sprintf("key %x", k), "not a unit child key")
			return nil
		}
		parent := Node{Product: pp, Counter: pc}
		return covered(fmt.Sprintf("unit child %018d of %s", sscc, parent), parent, 0, sscc, sscc)
	})
}
