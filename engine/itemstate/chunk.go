// Package itemstate keeps the per-item state of issued codes as roaring
// bitmaps: for every block, which of its codes were commissioned (printed
// and verified on the line), voided (rejected), decommissioned, recalled,
// are packed in a parent now, have events of their own, were ever
// unpacked, or were ever used as a parent. A block of a million codes with
// a few rejects costs a few hundred bytes, not megabytes, and answering
// "what state is code i of block B in" costs a cached map probe and a
// bitmap test.
//
// The bitmaps are cut into chunks of 2^16 offsets (ChunkSize) so that a
// line report rewrites a few kilobytes at most, whatever the block's size,
// and a resolver loads only the chunk it needs. All kinds of one chunk share
// one Pebble value, so one read answers every question about a code.
//
// The package knows nothing of products or rules: the engine decides what
// may be set; this package stores, caches and stages.
package itemstate

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Kind is one per-item state flag. The numeric values are persisted (as
// bits of a chunk's kind mask): never renumber them.
type Kind uint8

// The kinds.
const (
	// Commissioned: the line reported the code printed and verified. Only
	// commissioned codes may be packed or receive events.
	Commissioned Kind = 0
	// Voided: the line rejected the code (misprint, failed verification).
	// Final: a voided code never becomes commissioned.
	Voided Kind = 1
	// Decommissioned: the code left the supply chain (destroyed,
	// dispensed, consumed). Final for packing and further events.
	Decommissioned Kind = 2
	// Recalled: the code itself (or a parent it was in at recall time) was
	// recalled. Lot and product recalls are held elsewhere.
	Recalled Kind = 3
	// Packed: the code has a parent now (the child→parent index covers it).
	Packed Kind = 4
	// Events: events name the code itself (the point event index has
	// entries for it). Lets a resolver skip the index read otherwise.
	Events Kind = 5
	// History: the code was unpacked at least once (the containment history
	// index has entries for it).
	History Kind = 6
	// Container: the code was used as a parent at least once (the
	// parent→children index may have entries for it). Never cleared.
	Container Kind = 7
	// NumKinds bounds the kinds; the kind mask of a value is one byte.
	NumKinds = 8
)

var kindNames = [NumKinds]string{"commissioned", "voided", "decommissioned", "recalled", "packed", "events", "history", "container"}

// String returns the kind's name.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// State is the set of kinds of one code, bit k for Kind k.
type State uint8

// Has reports whether the state includes k.
func (s State) Has(k Kind) bool { return s&(1<<k) != 0 }

// String lists the kinds, comma-separated ("commissioned,packed"); "none"
// for the empty state.
func (s State) String() string {
	if s == 0 {
		return "none"
	}
	var b []byte
	for k := Kind(0); k < NumKinds; k++ {
		if s.Has(k) {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = append(b, kindNames[k]...)
		}
	}
	return string(b)
}

// ChunkBits is log2 of the offsets per chunk; ChunkSize offsets of a block
// share one value. 2^16 is one roaring container: a fully bitmap-encoded
// kind costs at most 8 KiB, a run of any length a few bytes.
const (
	ChunkBits = 16
	ChunkSize = 1 << ChunkBits
)

// chunkOf splits a block offset into its chunk number and the offset
// within the chunk.
func chunkOf(offset uint64) (chunk uint32, within uint32) {
	return uint32(offset >> ChunkBits), uint32(offset & (ChunkSize - 1))
}

// MaxOffset bounds block offsets this package can hold: chunk numbers are
// 32 bits.
const MaxOffset = 1<<(32+ChunkBits) - 1

// Chunk is the state of ChunkSize consecutive offsets of one block: one
// roaring bitmap per kind, of offsets within the chunk (0..ChunkSize-1).
// A nil bitmap is empty. A Chunk reachable from a Store's cache is never
// modified again (copy on write), so readers need no lock.
//
// # Representation (value of key 0x70 | block u64 | chunk u32, version 1)
//
//	ver=1 | mask u8 | (len uvarint | roaring bitmap)…
//
// mask has bit k set when kind k is non-empty; the bitmaps follow in
// ascending kind order, each in the portable RoaringFormatSpec
// serialization (run-optimized). A chunk with every kind empty is not
// stored.
type Chunk struct {
	bm [NumKinds]*roaring.Bitmap
}

const chunkVersion = 1

// emptyChunk is shared by every absent chunk.
var emptyChunk = &Chunk{}

// State returns the kinds set for offset within (< ChunkSize).
func (c *Chunk) State(within uint32) State {
	var s State
	for k, b := range c.bm {
		if b != nil && b.Contains(within) {
			s |= 1 << k
		}
	}
	return s
}

// Has reports whether kind k is set for offset within.
func (c *Chunk) Has(k Kind, within uint32) bool {
	b := c.bm[k]
	return b != nil && b.Contains(within)
}

// Bitmap returns kind k's bitmap, or nil when empty. The caller must not
// modify it.
func (c *Chunk) Bitmap(k Kind) *roaring.Bitmap { return c.bm[k] }

// Count returns how many offsets in [lo, hi) (within the chunk) have kind k.
func (c *Chunk) Count(k Kind, lo, hi uint32) uint64 {
	b := c.bm[k]
	if b == nil || lo >= hi {
		return 0
	}
	return b.CardinalityInRange(uint64(lo), uint64(hi))
}

// IsEmpty reports whether no kind has any offset.
func (c *Chunk) IsEmpty() bool {
	for _, b := range c.bm {
		if b != nil && !b.IsEmpty() {
			return false
		}
	}
	return true
}

// clone returns a deep copy for modification.
func (c *Chunk) clone() *Chunk {
	n := &Chunk{}
	for k, b := range c.bm {
		if b != nil {
			n.bm[k] = b.Clone()
		}
	}
	return n
}

// mut returns kind k's bitmap, creating it. Only for chunks being staged.
func (c *Chunk) mut(k Kind) *roaring.Bitmap {
	if c.bm[k] == nil {
		c.bm[k] = roaring.New()
	}
	return c.bm[k]
}

// AppendBinary appends the chunk's value encoding to dst. Bitmaps are
// run-optimized in place first (the chunk must be one being staged).
func (c *Chunk) AppendBinary(dst []byte) []byte {
	var mask uint8
	for k, b := range c.bm {
		if b != nil && !b.IsEmpty() {
			mask |= 1 << k
		}
	}
	w := wire.Writer{B: dst}
	w.Version(chunkVersion)
	w.U8(mask)
	var buf bytes.Buffer
	for k, b := range c.bm {
		if mask&(1<<k) == 0 {
			continue
		}
		b.RunOptimize()
		buf.Reset()
		if _, err := b.WriteTo(&buf); err != nil {
			panic("BUG: itemstate: roaring WriteTo to a bytes.Buffer failed: " + err.Error())
		}
		w.Bytes(buf.Bytes())
	}
	return w.B
}

// DecodeChunk decodes a chunk value. It copies what it keeps: v may be
// reused afterwards. Every bitmap must hold offsets below ChunkSize.
func DecodeChunk(v []byte) (*Chunk, error) {
	d := wire.Reader{What: "item-state chunk", B: v}
	d.Version(chunkVersion)
	d.Field = "kind mask"
	mask := d.U8()
	c := &Chunk{}
	for k := Kind(0); k < NumKinds && d.Err == nil; k++ {
		if mask&(1<<k) == 0 {
			continue
		}
		d.Field = k.String() + " bitmap"
		n := d.Uvarint()
		if d.Err == nil && n > uint64(len(d.B)-d.Off) {
			d.Fail(fmt.Sprintf("length %d overruns the value", n))
			break
		}
		at := d.Off
		raw := d.Raw(int(n))
		if d.Err != nil {
			break
		}
		b, err := decodeBitmap(raw)
		d.Off = at // errors name where the bitmap starts
		switch {
		case err != nil:
			d.Fail(err.Error())
		case b.IsEmpty():
			d.Fail("is empty but its mask bit is set")
		case b.Maximum() >= ChunkSize:
			d.Fail(fmt.Sprintf("holds offset %d ≥ %d", b.Maximum(), ChunkSize))
		}
		d.Off = at + int(n)
		c.bm[k] = b
	}
	d.Field = ""
	if err := d.Done(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeBitmap reads one portable roaring bitmap that must fill b exactly.
// The roaring decoder trusts its input in places; a panic on damaged bytes
// is turned into an error here (stored data, not a bug of ours).
func decodeBitmap(b []byte) (bm *roaring.Bitmap, err error) {
	defer func() {
		if r := recover(); r != nil {
			bm, err = nil, fmt.Errorf("undecodable: %v", r)
		}
	}()
	bm = roaring.New()
	n, err := bm.ReadFrom(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if n != int64(len(b)) {
		return nil, fmt.Errorf("bitmap is %d bytes, value holds %d", n, len(b))
	}
	if err := bm.Validate(); err != nil {
		return nil, err
	}
	return bm, nil
}

// AppendKey appends the key of chunk of block.
func AppendKey(dst []byte, block uint64, chunk uint32) []byte {
	return store.AppendItemStateKey(dst, block, chunk)
}

// DecodeKey decodes a chunk key.
func DecodeKey(k []byte) (block uint64, chunk uint32, err error) {
	return store.DecodeItemStateKey(k)
}

// kindMask returns the mask of kinds set in c.
func (c *Chunk) kindMask() uint8 {
	var m uint8
	for k, b := range c.bm {
		if b != nil && !b.IsEmpty() {
			m |= 1 << k
		}
	}
	return m
}

// Kinds returns the number of non-empty kinds.
func (c *Chunk) Kinds() int { return bits.OnesCount8(c.kindMask()) }
