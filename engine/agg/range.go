package agg

import (
	"errors"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/store"
)

// ChildrenOfRange calls blockFn with the children bitmaps of every parent
// among codes first..last of product, and unitFn with their SSCC children,
// in key order, with one seek each: consecutive parents (a pallet's cases)
// have consecutive children keys. Each bitmap is decoded into scratch
// without copying (nil: a new bitmap each) and is valid only during
// blockFn; neither callback may use the Reader. Product 0 names SSCC
// parents (counters are then SSCC values).
func (r *Reader) ChildrenOfRange(product uint32, first, last uint64, scratch *roaring.Bitmap, blockFn func(parent Node, block uint64, bm *roaring.Bitmap) bool, unitFn func(parent Node, sscc uint64) bool) error {
	for _, units := range [2]bool{false, true} {
		decode := store.DecodeParentChildrenKey
		r.kb = store.AppendParentChildrenKey(r.kb[:0], product, first, 0)
		if units {
			decode = store.DecodeParentUnitsKey
			r.kb = store.AppendParentUnitsKey(r.kb[:0], product, first, 0)
		}
		r.kb = r.kb[:len(r.kb)-8]
		for ok := r.it.SeekGE(r.kb); ok; ok = r.it.Next() {
			pp, pc, child, err := decode(r.it.Key())
			if err != nil {
				break
			}
			parent := Node{Product: pp, Counter: pc}
			if parent.Product != product || parent.Counter > last {
				break
			}
			if units {
				if !unitFn(parent, child) {
					break
				}
				continue
			}
			v, err := r.it.Value()
			if err != nil {
				return err
			}
			var bm *roaring.Bitmap
			if scratch != nil {
				bm, err = decodeChildrenInto(scratch, v)
			} else {
				bm, err = decodeChildren(v)
			}
			if err != nil {
				return fmt.Errorf("agg: children of %s: %w", parent, err)
			}
			if !blockFn(parent, child, bm) {
				break
			}
		}
	}
	return nil
}

// decodeChildrenInto decodes a children bitmap into bm, sharing v's bytes
// (no copy): bm is valid while v is.
func decodeChildrenInto(bm *roaring.Bitmap, v []byte) (_ *roaring.Bitmap, err error) {
	if len(v) < 1 || v[0] != childrenVersion {
		return nil, fmt.Errorf("%w: children bitmap has version %v, this build reads 1", store.ErrVersion, v[:min(len(v), 1)])
	}
	defer func() {
		if p := recover(); p != nil { // the roaring decoder trusts its input
			err = fmt.Errorf("%w: children bitmap: %v", store.ErrCorrupt, p)
		}
	}()
	n, err := bm.FromBuffer(v[1:])
	if err == nil && n != int64(len(v)-1) {
		err = fmt.Errorf("%d trailing bytes", int64(len(v)-1)-n)
	}
	if err == nil && bm.IsEmpty() {
		err = errors.New("empty bitmap stored")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: children bitmap: %v", store.ErrCorrupt, err)
	}
	return bm, nil
}
