package resolve

import (
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
)

// contents counts what container c.Node holds now, at every depth (bounded
// by MaxDepth), and how many of those codes are recalled: their own
// recalled flag, or a recall of their lot or product.
//
// Cost: it never resolves a child. Each level is read breadth first from
// the parent→children bitmaps, consecutive containers of a level (a
// pallet's cases) with one seek (agg.Reader.ChildrenOfRange); a child
// bitmap is checked against the recalled and container bitmaps of the
// item-state chunks it spans (cached), skipping chunks without a recalled
// code. A pallet of 50 cases of 10 items is two range scans and a few
// cached chunk reads.
func (r *resolver) contents() error {
	c := r.c
	ag, err := r.aggReader()
	if err != nil {
		return err
	}
	scratch := roaring.New()
	level := []agg.Node{c.Node}
	var next []agg.Node
	var ferr error
	visit := func(_ agg.Node, block uint64, bm *roaring.Bitmap) bool {
		b := r.blockByID(block)
		if b == nil {
			return true
		}
		n := bm.GetCardinality()
		c.Inside += n
		if _, recalled := r.src.RecallOf(b.Lot, b.Product); recalled {
			c.RecalledInside += n
		} else {
			k, err := r.countKind(block, bm, itemstate.Recalled, nil)
			if err != nil {
				ferr = err
				return false
			}
			c.RecalledInside += k
		}
		if b.Level > model.LevelItem {
			if _, err := r.countKind(block, bm, itemstate.Container, func(off uint64) {
				next = append(next, agg.Node{Product: b.Product, Counter: b.Start + off})
			}); err != nil {
				ferr = err
				return false
			}
		}
		return true
	}
	unit := func(_ agg.Node, sscc uint64) bool {
		c.Inside++
		u, found, err := agg.LoadUnit(r.db, sscc)
		if err != nil {
			ferr = err
			return false
		}
		if found {
			st := itemstate.State(u.State)
			if st.Has(itemstate.Recalled) {
				c.RecalledInside++
			}
			if st.Has(itemstate.Container) {
				next = append(next, agg.UnitNode(sscc))
			}
		}
		return true
	}
	for depth := 0; depth < model.MaxDepth && len(level) > 0; depth++ {
		next = next[:0]
		// level is in key order (children bitmaps iterate ascending):
		// consecutive counters of one product are read with one seek.
		for i := 0; i < len(level); {
			j := i + 1
			for j < len(level) && level[j].Product == level[i].Product && level[j].Counter == level[j-1].Counter+1 {
				j++
			}
			if err := ag.ChildrenOfRange(level[i].Product, level[i].Counter, level[j-1].Counter, scratch, visit, unit); err != nil {
				return err
			}
			if ferr != nil {
				return ferr
			}
			i = j
		}
		level, next = next, level
	}
	if c.RecalledInside > 0 && (c.Status == StatusActive || c.Status == StatusInTransit || c.Status == StatusExpired) {
		c.Status = StatusContainsRecalled
		c.Reason = strconv.FormatUint(c.RecalledInside, 10) + " of the " + strconv.FormatUint(c.Inside, 10) + " codes inside are recalled"
	}
	return nil
}

// countKind returns how many offsets of bm have kind k set in block's item
// state, calling each (if not nil) with every such offset in ascending
// order. Chunks without any offset of kind k are skipped unread past their
// cached bitmap; nothing is allocated.
func (r *resolver) countKind(block uint64, bm *roaring.Bitmap, k itemstate.Kind, each func(off uint64)) (uint64, error) {
	if bm.IsEmpty() {
		return 0, nil
	}
	var n uint64
	lo, hi := bm.Minimum()>>itemstate.ChunkBits, bm.Maximum()>>itemstate.ChunkBits
	for ch := lo; ch <= hi; ch++ {
		chunk, err := r.items.Chunk(block, ch)
		if err != nil {
			return n, err
		}
		kb := chunk.Bitmap(k)
		if kb == nil || kb.IsEmpty() {
			continue
		}
		base := ch << itemstate.ChunkBits
		end := uint64(base) + itemstate.ChunkSize
		for x := bm.NextValue(base); x >= 0 && uint64(x) < end; x = bm.NextValue(uint32(x) + 1) {
			if kb.Contains(uint32(x) - base) {
				n++
				if each != nil {
					each(uint64(x))
				}
			}
			if uint32(x) == ^uint32(0) {
				break
			}
		}
	}
	return n, nil
}

// blockByID returns the published block id, or nil.
func (r *resolver) blockByID(id uint64) *model.Block {
	return r.src.BlockByID(id)
}
