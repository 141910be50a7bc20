package itemstate

import (
	"fmt"
	"slices"

	"tracecode/engine/store"
)

// Tx stages changes to item state for one report. Reads through the Tx see
// its own staged changes. Write adds the changed chunks to a batch; after
// that batch commits, Publish makes them visible to the Store's readers.
// A Tx that is dropped without Publish changes nothing.
//
// A Tx is used by one goroutine, and at most one Tx per Store may be
// published at a time (the engine's report lock).
type Tx struct {
	s     *Store
	dirty map[chunkID]*Chunk
}

// Begin starts a Tx.
func (s *Store) Begin() *Tx { return &Tx{s: s, dirty: make(map[chunkID]*Chunk)} }

// Chunk returns the chunk as the Tx sees it. It must not be modified.
func (t *Tx) Chunk(block uint64, chunk uint32) (*Chunk, error) {
	if c, ok := t.dirty[chunkID{block, chunk}]; ok {
		return c, nil
	}
	return t.s.Chunk(block, chunk)
}

// State returns the state of offset of block as the Tx sees it.
func (t *Tx) State(block, offset uint64) (State, error) {
	ch, within := chunkOf(offset)
	c, err := t.Chunk(block, ch)
	if err != nil {
		return 0, err
	}
	return c.State(within), nil
}

// writable returns the Tx's private copy of a chunk.
func (t *Tx) writable(block uint64, chunk uint32) (*Chunk, error) {
	id := chunkID{block, chunk}
	if c, ok := t.dirty[id]; ok {
		return c, nil
	}
	c, err := t.s.Chunk(block, chunk)
	if err != nil {
		return nil, err
	}
	c = c.clone()
	t.dirty[id] = c
	return c, nil
}

// forChunks calls fn for every chunk overlapping offsets [lo, hi) of a
// block, with the part of the range inside it as within-chunk bounds
// [a, b) (b ≤ ChunkSize, so it is a uint64).
func forChunks(lo, hi uint64, fn func(chunk uint32, a, b uint64) error) error {
	if hi > MaxOffset+1 {
		return fmt.Errorf("itemstate: offset %d is beyond the %d this store holds", hi-1, uint64(MaxOffset))
	}
	for lo < hi {
		ch := uint32(lo >> ChunkBits)
		base := uint64(ch) << ChunkBits
		end := min(hi, base+ChunkSize)
		if err := fn(ch, lo-base, end-base); err != nil {
			return err
		}
		lo = end
	}
	return nil
}

// Set adds kind k to offsets [lo, hi) of block.
func (t *Tx) Set(k Kind, block, lo, hi uint64) error {
	return forChunks(lo, hi, func(ch uint32, a, b uint64) error {
		c, err := t.writable(block, ch)
		if err != nil {
			return err
		}
		c.mut(k).AddRange(a, b)
		return nil
	})
}

// Clear removes kind k from offsets [lo, hi) of block.
func (t *Tx) Clear(k Kind, block, lo, hi uint64) error {
	return forChunks(lo, hi, func(ch uint32, a, b uint64) error {
		c, err := t.Chunk(block, ch)
		if err != nil {
			return err
		}
		if c.Count(k, uint32(a), uint32(b)) == 0 {
			return nil // nothing to clear: do not dirty the chunk
		}
		c, err = t.writable(block, ch)
		if err != nil {
			return err
		}
		c.bm[k].RemoveRange(a, b)
		return nil
	})
}

// SetOne adds kind k to one offset.
func (t *Tx) SetOne(k Kind, block, offset uint64) error { return t.Set(k, block, offset, offset+1) }

// Count returns how many offsets in [lo, hi) of block have kind k.
func (t *Tx) Count(k Kind, block, lo, hi uint64) (uint64, error) {
	var n uint64
	err := forChunks(lo, hi, func(ch uint32, a, b uint64) error {
		c, err := t.Chunk(block, ch)
		if err != nil {
			return err
		}
		n += c.Count(k, uint32(a), uint32(b))
		return nil
	})
	return n, err
}

// Find calls fn for the offsets in [lo, hi) of block whose kind k is set
// (want true) or not set (want false), in ascending order, until fn returns
// false. It returns how many offsets matched in all, which may exceed the
// number fn saw.
func (t *Tx) Find(k Kind, want bool, block, lo, hi uint64, fn func(offset uint64) bool) (uint64, error) {
	var n uint64
	more := true
	err := forChunks(lo, hi, func(ch uint32, a, b uint64) error {
		c, err := t.Chunk(block, ch)
		if err != nil {
			return err
		}
		base := uint64(ch) << ChunkBits
		bm := c.bm[k]
		has := uint64(0)
		if bm != nil {
			has = bm.CardinalityInRange(a, b)
		}
		if want {
			n += has
			if !more || has == 0 {
				return nil
			}
			for x := bm.NextValue(uint32(a)); x >= 0 && uint64(x) < b; x = bm.NextValue(uint32(x) + 1) {
				if more = fn(base + uint64(x)); !more {
					break
				}
			}
			return nil
		}
		n += (b - a) - has
		if !more || has == b-a {
			return nil
		}
		for x := a; x < b; x++ {
			if bm != nil {
				nx := bm.NextAbsentValue(uint32(x))
				if nx < 0 || uint64(nx) >= b {
					break
				}
				x = uint64(nx)
			}
			if more = fn(base + x); !more {
				break
			}
		}
		return nil
	})
	return n, err
}

// Dirty returns the number of chunks the Tx changed.
func (t *Tx) Dirty() int { return len(t.dirty) }

// Write adds the changed chunks to b: a Set of the new value, or a Delete
// when a chunk became empty. Chunks are written in key order.
func (t *Tx) Write(b *store.Batch) {
	ids := make([]chunkID, 0, len(t.dirty))
	for id := range t.dirty {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y chunkID) int {
		if x.block != y.block {
			if x.block < y.block {
				return -1
			}
			return 1
		}
		return int(int64(x.chunk) - int64(y.chunk))
	})
	var kb, vb []byte
	for _, id := range ids {
		c := t.dirty[id]
		kb = AppendKey(kb[:0], id.block, id.chunk)
		if c.IsEmpty() {
			b.Delete(kb)
			continue
		}
		vb = c.AppendBinary(vb[:0])
		b.Set(kb, vb)
	}
}

// Publish makes the Tx's chunks visible to the Store's readers. Call it
// once, after the batch holding Write's output committed.
func (t *Tx) Publish() {
	t.s.publish(t.dirty)
	t.dirty = nil
}
