package issue

import (
	"cmp"
	"fmt"
	"slices"

	"tracecode/engine/serial"
)

// Block returns block id.
func (e *Book) Block(id uint64) (Block, error) {
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
func (e *Book) Blocks(f BlockFilter) []Block {
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

// replaceBlock swaps the published block with nb (same id and range).
// REQUIRES e.wmu and e.mu held for writing.
func (e *Book) replaceBlock(nb *Block) {
	st := e.st
	st.blocks[nb.ID] = nb
	p := st.products[nb.Product]
	if i := findBlock(p.blocks, nb.Start); i >= 0 {
		p.blocks[i].b = nb
	}
	if i := findBlock(st.short, nb.ShortStart); i >= 0 && st.short[i].b.ID == nb.ID {
		st.short[i].b = nb
	}
	if nb.Scheme == serial.SSCC {
		bs := st.sscc[ssccGCP(&p.rec)]
		if i := findBlock(bs, nb.ShortStart); i >= 0 && bs[i].b.ID == nb.ID {
			bs[i].b = nb
		}
	}
}
