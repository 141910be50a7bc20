package itemstate

import (
	"fmt"

	"tracecode/engine/store"
)

// Reader is what Scan reads: the database or a snapshot of it.
type Reader interface {
	Scan(lo, hi []byte, fn func(k, v []byte) error) error
}

// Scan decodes every stored chunk in key order (block, then chunk) and
// calls fn with it. It is for verification and statistics; it bypasses the
// cache. A key or value that does not decode is reported to fn's caller as
// an error naming the key.
func Scan(r Reader, fn func(block uint64, chunk uint32, c *Chunk) error) error {
	lo, hi := store.ItemStateKeys.Bounds()
	return r.Scan(lo, hi, func(k, v []byte) error {
		block, ch, err := DecodeKey(k)
		if err != nil {
			return err
		}
		c, err := DecodeChunk(v)
		if err != nil {
			return fmt.Errorf("itemstate: block %d chunk %d: %w", block, ch, err)
		}
		return fn(block, ch, c)
	})
}

// Each calls fn for every offset within the chunk that has kind k, in
// ascending order, until fn returns false.
func (c *Chunk) Each(k Kind, fn func(within uint32) bool) {
	b := c.bm[k]
	if b == nil {
		return
	}
	it := b.Iterator()
	for it.HasNext() {
		if !fn(it.Next()) {
			return
		}
	}
}

// Max returns the largest offset within the chunk that has any kind set,
// and false if the chunk is empty.
func (c *Chunk) Max() (uint32, bool) {
	var m uint32
	ok := false
	for _, b := range c.bm {
		if b != nil && !b.IsEmpty() {
			m = max(m, b.Maximum())
			ok = true
		}
	}
	return m, ok
}
