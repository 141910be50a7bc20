package engine

import (
	"cmp"
	"fmt"
	"slices"

	"tracecode/engine/store"
)

// Block returns block id.
func (e *Engine) Block(id uint64) (Block, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if b := e.st.blocks[id]; b != nil {
		return *b, nil
	}
	return Block{}, fmt.Errorf("%w %d", ErrUnknownBlock, id)
}

// BlockFilter selects blocks for Blocks; zero fields match everything.
type BlockFilter struct {
	Org     uint32
	Product uint32
	Lot     uint32
}

// Blocks returns the blocks matching f, by id.
func (e *Engine) Blocks(f BlockFilter) []Block {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Block
	if f.Product != 0 {
		if p := e.st.products[f.Product]; p != nil {
			for _, r := range p.blocks {
				if (f.Org == 0 || r.b.Org == f.Org) && (f.Lot == 0 || r.b.Lot == f.Lot) {
					out = append(out, *r.b)
				}
			}
		}
	} else {
		for _, b := range e.st.blocks {
			if (f.Org == 0 || b.Org == f.Org) && (f.Lot == 0 || b.Lot == f.Lot) {
				out = append(out, *b)
			}
		}
	}
	slices.SortFunc(out, func(a, b Block) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Release returns the unused tail of a block (OPEN-SCS: a line returning
// serials it will not print): the codes at offsets [from, Count) become
// released, and Lookup reports them as "released, never printed". Counters
// are never reused, so released codes can never be issued again. Releasing
// is monotone: from may only move down (releasing more); repeating a
// release is a no-op; releasing from = 0 releases the whole block. A note
// (why) is kept with the block.
func (e *Engine) Release(id uint64, from uint64, note string) (Block, error) {
	return e.updateBlock(id, note, func(b *Block) (bool, error) {
		if b.State != store.BlockActive {
			return false, fmt.Errorf("%w: block %d is %v", ErrState, id, b.State)
		}
		if from > b.Count {
			return false, fieldErr("offset", fmt.Sprint(from), "is beyond block %d's %d codes", id, b.Count)
		}
		if rf := b.ReleasedFrom(); from > rf {
			return false, fmt.Errorf("%w: block %d is already released from offset %d; released codes cannot be taken back", ErrState, id, rf)
		} else if from == rf {
			return false, nil
		}
		b.Released = b.Count - from
		return true, nil
	})
}

// Void voids a whole block: every code of it looks up as voided (a print
// run destroyed, labels lost). Voiding is final; voiding again is a no-op.
func (e *Engine) Void(id uint64, note string) (Block, error) {
	return e.updateBlock(id, note, func(b *Block) (bool, error) {
		switch b.State {
		case store.BlockVoided:
			return false, nil
		case store.BlockActive:
			b.State = store.BlockVoided
			return true, nil
		}
		return false, fmt.Errorf("%w: block %d is %v", ErrState, id, b.State)
	})
}

// updateBlock applies change to a copy of block id and, if it changed,
// commits and publishes the copy.
func (e *Engine) updateBlock(id uint64, note string, change func(*Block) (bool, error)) (Block, error) {
	if err := checkText("note", note, 200, false); err != nil {
		return Block{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Block{}, err
	}
	old := e.st.blocks[id]
	if old == nil {
		return Block{}, fmt.Errorf("%w %d", ErrUnknownBlock, id)
	}
	nb := *old
	changed, err := change(&nb)
	if err != nil || !changed {
		return *old, err
	}
	if note != "" {
		nb.Note = note
	}
	nb.Updated = e.nowMillis()
	b := e.db.NewBatch()
	b.Set(store.AppendBlockKey(nil, id), nb.AppendBinary(nil))
	if err := e.commit(b); err != nil {
		return Block{}, err
	}
	e.mu.Lock()
	e.replaceBlock(&nb)
	e.mu.Unlock()
	return nb, nil
}

// replaceBlock swaps the published block with nb (same id and range).
// REQUIRES e.wmu and e.mu held for writing.
func (e *Engine) replaceBlock(nb *Block) {
	st := e.st
	st.blocks[nb.ID] = nb
	p := st.products[nb.Product]
	if i := findBlock(p.blocks, nb.Start); i >= 0 {
		p.blocks[i].b = nb
	}
	if i := findBlock(st.short, nb.ShortStart); i >= 0 && st.short[i].b.ID == nb.ID {
		st.short[i].b = nb
	}
}

// DB returns the underlying store, for engine extensions (per-item
// records, events) that keep their own prefixes. Writers must follow the
// prefix registry in package store.
func (e *Engine) DB() *store.DB { return e.db }
