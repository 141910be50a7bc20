package verify

import (
	"fmt"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Master is what the checks ask of the issuance state.
type Master interface {
	// BlockAt returns the block holding counter of product, or nil.
	BlockAt(product uint32, counter uint64) *model.Block
	// BlockByID returns block id, or nil.
	BlockByID(id uint64) *model.Block
	// HasOrg reports whether organisation id exists.
	HasOrg(id uint32) bool
	// Lot returns lot id (an error if there is none).
	Lot(id uint32) (model.Lot, error)
}

// Items checks item state against blocks, runs and indexes.
func Items(snap *store.Snapshot, m Master, rep *Report) error {
	bad := rep.Bad
	type cid struct {
		block uint64
		chunk uint32
	}
	chunks := map[cid]*itemstate.Chunk{}
	var packedBits uint64
	err := itemstate.Scan(snap, func(block uint64, ch uint32, c *itemstate.Chunk) error {
		rep.Chunks++
		chunks[cid{block, ch}] = c
		where := fmt.Sprintf("item state of block %d chunk %d", block, ch)
		b := m.BlockByID(block)
		if b == nil {
			bad(where, "the block does not exist")
			return nil
		}
		base := uint64(ch) << itemstate.ChunkBits
		if m, ok := c.Max(); ok && base+uint64(m) >= b.Count {
			bad(where, "offset %d is beyond the block's %d codes", base+uint64(m), b.Count)
		}
		com := c.Bitmap(itemstate.Commissioned)
		if v := c.Bitmap(itemstate.Voided); v != nil && com != nil && v.Intersects(com) {
			bad(where, "%d codes are both commissioned and voided", v.AndCardinality(com))
		}
		for _, k := range []itemstate.Kind{itemstate.Decommissioned, itemstate.Packed, itemstate.Container} {
			if x := c.Bitmap(k); x != nil && (com == nil || x.AndCardinality(com) != x.GetCardinality()) {
				bad(where, "some %s codes are not commissioned", k)
			}
		}
		if com != nil {
			rf := b.ReleasedFrom()
			if rf < base+itemstate.ChunkSize && rf >= base {
				if n := com.CardinalityInRange(rf-base, itemstate.ChunkSize); n > 0 {
					bad(where, "%d commissioned codes lie in the tail released from offset %d", n, rf)
				}
			} else if rf < base && !com.IsEmpty() {
				bad(where, "commissioned codes lie in the tail released from offset %d", rf)
			}
		}
		if p := c.Bitmap(itemstate.Packed); p != nil {
			packedBits += p.GetCardinality()
		}
		return nil
	})
	if err != nil {
		return err
	}
	has := func(k itemstate.Kind, block, off uint64) bool {
		c := chunks[cid{block, uint32(off >> itemstate.ChunkBits)}]
		return c != nil && c.Has(k, uint32(off&(itemstate.ChunkSize-1)))
	}
	unitState := func(v uint64) (itemstate.State, bool) {
		u, found, err := agg.SnapshotUnit(snap, v)
		if err != nil || !found {
			return 0, false
		}
		return itemstate.State(u.State), true
	}
	// Runs: every child packed; counts match.
	var runLen uint64
	lo, hi := store.ChildParentKeys.Bounds()
	err = snap.Scan(lo, hi, func(k, v []byte) error {
		r, err := agg.DecodeRun(k, v)
		if err != nil {
			return nil // agg.Check reported it
		}
		rep.Runs++
		where := fmt.Sprintf("run %s..%d", agg.Node{Product: r.Product, Counter: r.First}, r.Last)
		if r.Product == 0 {
			if st, ok := unitState(r.First); !ok || !st.Has(itemstate.Packed) {
				bad(where, "the SSCC unit is not flagged packed")
			}
		} else {
			runLen += r.Len()
			b := m.BlockAt(r.Product, r.First)
			if b == nil {
				return nil
			}
			for c := r.First; c <= r.Last; c++ {
				if !has(itemstate.Packed, b.ID, c-b.Start) {
					bad(where, "child %d is not flagged packed", c)
					break
				}
			}
		}
		if p := r.Parent; p.IsUnit() {
			if st, ok := unitState(p.Counter); !ok || !st.Has(itemstate.Container) {
				bad(where, "parent %s is not a registered container unit", p)
			}
		} else if b := m.BlockAt(p.Product, p.Counter); b == nil || !has(itemstate.Container, b.ID, p.Counter-b.Start) {
			bad(where, "parent %s is not flagged as a container", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.Packed = runLen
	if runLen != packedBits {
		bad("item state", "%d codes are flagged packed but the child→parent runs hold %d", packedBits, runLen)
	}
	// Point-indexed codes have the events flag; unpacked codes the history flag.
	check := func(ks store.KeySpace, k itemstate.Kind, what string, nodeAt func(key []byte) (agg.Node, bool)) error {
		lo, hi := ks.Bounds()
		return snap.Scan(lo, hi, func(key, v []byte) error {
			n, ok := nodeAt(key)
			if !ok {
				return nil
			}
			if n.IsUnit() {
				if st, ok := unitState(n.Counter); !ok || !st.Has(k) {
					bad(what+" "+n.String(), "the SSCC unit is not flagged %s", k)
				}
				return nil
			}
			b := m.BlockAt(n.Product, n.Counter)
			if b == nil {
				bad(what+" "+n.String(), "the code is in no block")
				return nil
			}
			if !has(k, b.ID, n.Counter-b.Start) {
				bad(what+" "+n.String(), "the code is not flagged %s", k)
			}
			return nil
		})
	}
	if err := check(store.EvNodeKeys, itemstate.Events, "event index of", func(key []byte) (agg.Node, bool) {
		product, counter, _, err := store.DecodeEvNodeKey(key)
		return agg.Node{Product: product, Counter: counter}, err == nil
	}); err != nil {
		return err
	}
	if err := check(store.EvParentKeys, itemstate.Container, "packing index of", func(key []byte) (agg.Node, bool) {
		product, counter, _, err := store.DecodeEvParentKey(key)
		return agg.Node{Product: product, Counter: counter}, err == nil
	}); err != nil {
		return err
	}
	return check(store.ChildHistoryKeys, itemstate.History, "history of", func(key []byte) (agg.Node, bool) {
		product, first, _, err := store.DecodeChildHistoryKey(key)
		return agg.Node{Product: product, Counter: first}, err == nil
	})
}
