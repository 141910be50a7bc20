package agg

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Run is the present parent of consecutive child counters First..Last
// (inclusive) of one product: what one key of the child→parent index says.
// For an SSCC child, Product is 0 and First = Last = the SSCC.
//
// # Representation (key 0x90 | product u32 | first u64, value version 1)
//
//	ver=1 | span uvarint (Last−First) | parent.product uvarint | parent.counter uvarint
//	      | since varint (unix ms) | seq uvarint
//
// A run of ten children packed into a case costs 13 bytes of key and 8–15
// of value.
type Run struct {
	Product     uint32
	First, Last uint64
	Parent      Node
	Since       int64  // event time of the packing, unix milliseconds
	Seq         uint64 // ledger sequence number of the report that packed
}

// Len returns the number of children in the run.
func (r *Run) Len() uint64 { return r.Last - r.First + 1 }

// Covers reports whether the run holds counter c of its product.
func (r *Run) Covers(c uint64) bool { return r.First <= c && c <= r.Last }

const runVersion = 1

// AppendRunKey appends the child→parent key of a run starting at first.
func AppendRunKey(dst []byte, product uint32, first uint64) []byte {
	return store.AppendChildParentKey(dst, product, first)
}

// AppendValue appends the run's value encoding.
func (r *Run) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(runVersion)
	w.Uvarint(r.Last - r.First)
	w.U32(r.Parent.Product)
	w.Uvarint(r.Parent.Counter)
	w.Varint(r.Since)
	w.Uvarint(r.Seq)
	return w.B
}

// DecodeRun decodes a child→parent key and value.
func DecodeRun(k, v []byte) (Run, error) {
	var r Run
	var err error
	if r.Product, r.First, err = store.DecodeChildParentKey(k); err != nil {
		return r, err
	}
	d := newDecoder("run", v)
	d.Version(runVersion)
	span := d.Uvarint()
	r.Parent.Product = d.U32()
	r.Parent.Counter = d.Uvarint()
	r.Since = d.Varint()
	r.Seq = d.Uvarint()
	r.Last = r.First + span
	if d.Err == nil && r.Last < r.First {
		d.Fail("span overflows the counter space")
	}
	return r, d.Done()
}

// PastRun is a run that was unpacked: children First..Last of Product were
// in Parent from Since until Until.
//
// # Representation (key 0x93 | product u32 | first u64 | unpackSeq u64, value version 1)
//
//	ver=1 | span uvarint | parent.product uvarint | parent.counter uvarint
//	      | since varint | packSeq uvarint | until varint
//
// Past runs never cross a multiple of HistoryWindow (they are split), so
// the past runs holding counter c all start in [c rounded down to the
// window, c]: one bounded scan finds them.
type PastRun struct {
	Run
	Until     int64  // event time of the unpacking, unix milliseconds
	UnpackSeq uint64 // ledger sequence number of the unpacking report
}

// HistoryWindow bounds the scan that finds a counter's past runs: past
// runs are split at its multiples. 256 keeps a scan within one or two
// Pebble blocks when a case of ten is unpacked item by item, while a
// pallet-sized run costs one key per 256 children.
const HistoryWindow = 256

const pastRunVersion = 1

// appendPastRunKey appends the child history key.
func appendPastRunKey(dst []byte, product uint32, first, unpackSeq uint64) []byte {
	return store.AppendChildHistoryKey(dst, product, first, unpackSeq)
}

// AppendValue appends the past run's value encoding.
func (p *PastRun) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(pastRunVersion)
	w.Uvarint(p.Last - p.First)
	w.U32(p.Parent.Product)
	w.Uvarint(p.Parent.Counter)
	w.Varint(p.Since)
	w.Uvarint(p.Seq)
	w.Varint(p.Until)
	return w.B
}

// decodePastRun decodes a child history key and value.
func decodePastRun(k, v []byte) (PastRun, error) {
	var p PastRun
	var err error
	if p.Product, p.First, p.UnpackSeq, err = store.DecodeChildHistoryKey(k); err != nil {
		return p, err
	}
	d := newDecoder("past run", v)
	d.Version(pastRunVersion)
	span := d.Uvarint()
	p.Parent.Product = d.U32()
	p.Parent.Counter = d.Uvarint()
	p.Since = d.Varint()
	p.Seq = d.Uvarint()
	p.Until = d.Varint()
	p.Last = p.First + span
	if d.Err == nil && (p.Last < p.First || p.Last/HistoryWindow != p.First/HistoryWindow) {
		d.Fail("span crosses a history window")
	}
	return p, d.Done()
}

// Removal is what one report took out of one parent: the parent side of
// the history.
//
// # Representation (key 0x94 | parent node | unpackSeq u64, value version 1)
//
//	ver=1 | until varint | n uvarint | (product uvarint | first uvarint | span uvarint | since varint | packSeq uvarint)…
type Removal struct {
	Parent    Node
	UnpackSeq uint64
	Until     int64
	Runs      []Run // Parent fields are the removal's parent
}

const removalVersion = 1

// appendRemovalKey appends the parent history key.
func appendRemovalKey(dst []byte, parent Node, unpackSeq uint64) []byte {
	return store.AppendParentHistoryKey(dst, parent.Product, parent.Counter, unpackSeq)
}

// AppendValue appends the removal's value encoding.
func (r *Removal) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(removalVersion)
	w.Varint(r.Until)
	w.Count(len(r.Runs))
	for i := range r.Runs {
		x := &r.Runs[i]
		w.U32(x.Product)
		w.Uvarint(x.First)
		w.Uvarint(x.Last - x.First)
		w.Varint(x.Since)
		w.Uvarint(x.Seq)
	}
	return w.B
}

// decodeRemoval decodes a parent history key and value.
func decodeRemoval(k, v []byte) (Removal, error) {
	var r Removal
	var err error
	if r.Parent.Product, r.Parent.Counter, r.UnpackSeq, err = store.DecodeParentHistoryKey(k); err != nil {
		return r, err
	}
	d := newDecoder("removal", v)
	d.Version(removalVersion)
	r.Until = d.Varint()
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		x := Run{Parent: r.Parent}
		x.Product = d.U32()
		x.First = d.Uvarint()
		x.Last = x.First + d.Uvarint()
		x.Since = d.Varint()
		x.Seq = d.Uvarint()
		if d.Err == nil && x.Last < x.First {
			d.Fail("span overflows")
		}
		r.Runs = append(r.Runs, x)
	}
	return r, d.Done()
}

// appendChildrenKey appends the parent→children key of parent's children
// in block.
func appendChildrenKey(dst []byte, parent Node, block uint64) []byte {
	return store.AppendParentChildrenKey(dst, parent.Product, parent.Counter, block)
}

const childrenVersion = 1

// appendChildren appends the value encoding of a children bitmap (block
// offsets): ver=1 | roaring portable serialization. The bitmap is
// run-optimized in place.
func appendChildren(dst []byte, bm *roaring.Bitmap) []byte {
	bm.RunOptimize()
	var buf bytes.Buffer
	if _, err := bm.WriteTo(&buf); err != nil {
		panic("BUG: agg: roaring WriteTo to a bytes.Buffer failed: " + err.Error())
	}
	return append(append(dst, childrenVersion), buf.Bytes()...)
}

// decodeChildren decodes a children bitmap value (copying).
func decodeChildren(v []byte) (bm *roaring.Bitmap, err error) {
	if len(v) < 1 || v[0] != childrenVersion {
		return nil, fmt.Errorf("%w: children bitmap has version %v, this build reads 1", store.ErrVersion, v[:min(len(v), 1)])
	}
	defer func() {
		if r := recover(); r != nil { // the roaring decoder trusts its input
			bm, err = nil, fmt.Errorf("%w: children bitmap: %v", store.ErrCorrupt, r)
		}
	}()
	bm = roaring.New()
	n, err := bm.ReadFrom(bytes.NewReader(v[1:]))
	if err == nil && n != int64(len(v)-1) {
		err = fmt.Errorf("%d trailing bytes", int64(len(v)-1)-n)
	}
	if err == nil {
		err = bm.Validate()
	}
	if err == nil && bm.IsEmpty() {
		err = errors.New("empty bitmap stored")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: children bitmap: %v", store.ErrCorrupt, err)
	}
	return bm, nil
}

// appendUnitChildKey appends the key recording that SSCC child is in
// parent. Its value is the single version byte 1.
func appendUnitChildKey(dst []byte, parent Node, sscc uint64) []byte {
	return store.AppendParentUnitsKey(dst, parent.Product, parent.Counter, sscc)
}

// unitChildValue is the value of a unit child key.
var unitChildValue = []byte{1}

// Unit is an SSCC logistic unit known to the engine: registered by the
// organisation that owns its GS1 company prefix when first used.
//
// # Representation (key 0x71 | sscc u64, value version 1)
//
//	ver=1 | org uvarint | level u8 | state u8 | created varint (unix ms) | seq uvarint
//
// state holds itemstate.State bits (commissioned, decommissioned,
// recalled, packed, events, history, container), so a unit answers the
// same questions as an issued code.
type Unit struct {
	SSCC    uint64
	Org     uint32
	Level   uint8 // model.Level of the unit (pallet unless registered otherwise)
	State   uint8 // itemstate.State bits
	Created int64 // unix milliseconds
	Seq     uint64
}

const unitVersion = 1

// AppendUnitKey appends the key of a unit.
func AppendUnitKey(dst []byte, sscc uint64) []byte {
	return store.AppendUnitKey(dst, sscc)
}

// AppendValue appends the unit's value encoding.
func (u *Unit) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(unitVersion)
	w.U32(u.Org)
	w.U8(u.Level)
	w.U8(u.State)
	w.Varint(u.Created)
	w.Uvarint(u.Seq)
	return w.B
}

// DecodeUnit decodes a unit value of sscc.
func DecodeUnit(sscc uint64, v []byte) (Unit, error) {
	u := Unit{SSCC: sscc}
	d := newDecoder("unit", v)
	d.Version(unitVersion)
	u.Org = d.U32()
	u.Level = d.U8()
	u.State = d.U8()
	u.Created = d.Varint()
	u.Seq = d.Uvarint()
	return u, d.Done()
}

// decoder reads one record; the first error sticks and names the record
// type and byte offset.
type decoder = wire.Reader

func newDecoder(what string, v []byte) *decoder {
	return wire.NewReader(what, v)
}

// serialCookie is the RoaringFormatSpec cookie of a serialization with run
// containers; noOffsetThreshold is the container count from which the
// offset header is present.
const (
	serialCookie      = 12347
	noOffsetThreshold = 4
)

// appendRunsBitmap appends the portable roaring serialization of the
// offsets in runs — sorted, non-overlapping, non-adjacent inclusive ranges
// below 2^32 — using one run container per 2^16 block of offsets. It is
// what AppendChildren would write for the same set minus the bitmap
// allocations (a profile of aggregation ingest showed building and
// serializing a roaring.Bitmap per fresh case at half the allocations);
// roaring may pick array or bitmap containers where they are smaller, and
// reads both.
func appendRunsBitmap(dst []byte, runs [][2]uint64) []byte {
	// Split the runs at container boundaries: (key, low 16 bits, length−1).
	type piece struct {
		key     uint16
		lo, len uint16
	}
	var buf [8]piece
	ps := buf[:0]
	nc := 0
	for _, r := range runs {
		for lo := r[0]; ; {
			key := lo >> 16
			hi := min(r[1], key<<16|0xFFFF)
			if len(ps) == 0 || ps[len(ps)-1].key != uint16(key) {
				nc++
			}
			ps = append(ps, piece{uint16(key), uint16(lo), uint16(hi - lo)})
			if hi == r[1] {
				break
			}
			lo = hi + 1
		}
	}
	le16 := func(b []byte, v uint16) []byte { return append(b, byte(v), byte(v>>8)) }
	start := len(dst)
	c := uint32(serialCookie) | uint32(nc-1)<<16
	dst = append(dst, byte(c), byte(c>>8), byte(c>>16), byte(c>>24))
	for i := 0; i < (nc+7)/8; i++ { // every container is a run container
		bits := byte(0xFF)
		if rest := nc - i*8; rest < 8 {
			bits = byte(1)<<rest - 1
		}
		dst = append(dst, bits)
	}
	// Descriptive header: key and cardinality−1 per container.
	for i := 0; i < len(ps); {
		key, card := ps[i].key, uint32(0)
		for ; i < len(ps) && ps[i].key == key; i++ {
			card += uint32(ps[i].len) + 1
		}
		dst = le16(le16(dst, key), uint16(card-1))
	}
	offsets := -1
	if nc >= noOffsetThreshold {
		offsets = len(dst)
		dst = append(dst, make([]byte, 4*nc)...)
	}
	// Containers: the number of runs, then (start, length−1) pairs.
	for i, ci := 0, 0; i < len(ps); ci++ {
		if offsets >= 0 {
			o := uint32(len(dst) - start)
			b := dst[offsets+4*ci:]
			b[0], b[1], b[2], b[3] = byte(o), byte(o>>8), byte(o>>16), byte(o>>24)
		}
		key, j := ps[i].key, i
		for j < len(ps) && ps[j].key == key {
			j++
		}
		dst = le16(dst, uint16(j-i))
		for ; i < j; i++ {
			dst = le16(le16(dst, ps[i].lo), ps[i].len)
		}
	}
	return dst
}
