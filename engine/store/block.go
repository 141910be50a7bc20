package store

import (
	"encoding/binary"
	"fmt"

	"tracecode/engine/serial"
)

// Block is one allocation of codes: the product counters [Start, Start+Count)
// of one product, under one scheme, for one lot and packaging level. A block
// of any size is this one record; no per-code record exists until a line
// reports on a code (the per-item records, keyed by product and counter).
//
// # Representation (value of key 0x40|id, version 1)
//
//	ver=1 | created varint | updated varint | org uvarint | product uvarint | lot uvarint
//	      | level u8 | scheme u8 | keyGen u8 | state u8 | flags u8
//	      | start uvarint | count uvarint | requested−count uvarint | released uvarint
//	      | [shortStart uvarint, only if scheme = short]
//	      | requestID str | note str
//
// A typical block value is 35–50 bytes.
type Block struct {
	ID        uint64        // global block id, from 1, never reused
	Org       uint32        // organisation that requested the block (owner of the product)
	Product   uint32        // product id
	Lot       uint32        // lot id; 0 = no lot
	Level     Level         // packaging level the codes are printed on
	Scheme    serial.Scheme // how codes are derived and written
	KeyGen    uint8         // FF1 key generation of the product (or of the short-code key)
	State     BlockState    // active, importing, voided
	Flags     uint8         // BlockFlag… bits
	Start     uint64        // first product counter of the block
	Count     uint64        // number of codes; ≥ 1
	Requested uint64        // count asked for; > Count when partially fulfilled
	Released  uint64        // codes returned unused at the tail: offsets [Count−Released, Count)
	// ShortStart is the first engine-wide short-code counter of a Short
	// block: code i of the block is global counter ShortStart+i.
	ShortStart uint64
	RequestID  string // client request id (idempotency key within Org), may be empty
	Note       string // why the block was voided or released, free text
	Created    int64  // unix milliseconds
	Updated    int64  // unix milliseconds of the last release or void; 0 if none
}

// Block flags.
const (
	// BlockFlagAllowPartial records that the request accepted partial
	// fulfilment (part of the idempotency comparison).
	BlockFlagAllowPartial uint8 = 1 << 0
)

const blockVersion = 1

// End returns Start+Count, the first counter after the block.
func (b *Block) End() uint64 { return b.Start + b.Count }

// ReleasedFrom returns the first released offset; Count if nothing is
// released.
func (b *Block) ReleasedFrom() uint64 { return b.Count - b.Released }

// AppendBinary appends b's value encoding to dst.
func (b *Block) AppendBinary(dst []byte) []byte {
	dst = append(dst, blockVersion)
	dst = binary.AppendVarint(dst, b.Created)
	dst = binary.AppendVarint(dst, b.Updated)
	dst = binary.AppendUvarint(dst, uint64(b.Org))
	dst = binary.AppendUvarint(dst, uint64(b.Product))
	dst = binary.AppendUvarint(dst, uint64(b.Lot))
	dst = append(dst, byte(b.Level), byte(b.Scheme), b.KeyGen, byte(b.State), b.Flags)
	dst = binary.AppendUvarint(dst, b.Start)
	dst = binary.AppendUvarint(dst, b.Count)
	dst = binary.AppendUvarint(dst, b.Requested-b.Count)
	dst = binary.AppendUvarint(dst, b.Released)
	if b.Scheme == serial.Short {
		dst = binary.AppendUvarint(dst, b.ShortStart)
	}
	dst = appendStr(dst, b.RequestID)
	return appendStr(dst, b.Note)
}

// DecodeBlock decodes the value of block id and checks its invariants
// (count ≥ 1, released ≤ count, no counter overflow).
func DecodeBlock(id uint64, v []byte) (Block, error) {
	d, _ := newDecoder("block", v, blockVersion)
	b := Block{ID: id}
	b.Created = d.varint("created")
	b.Updated = d.varint("updated")
	b.Org = d.u32("org")
	b.Product = d.u32("product")
	b.Lot = d.u32("lot")
	b.Level = Level(d.u8())
	b.Scheme = serial.Scheme(d.u8())
	b.KeyGen = d.u8()
	b.State = BlockState(d.u8())
	b.Flags = d.u8()
	b.Start = d.uvarint("start")
	b.Count = d.uvarint("count")
	extra := d.uvarint("requested")
	b.Released = d.uvarint("released")
	if b.Scheme == serial.Short {
		b.ShortStart = d.uvarint("shortStart")
	}
	b.RequestID = d.str("requestID")
	b.Note = d.str("note")
	if d.err() == nil {
		switch {
		case b.Count == 0:
			d.fail("count", "is 0")
		case b.Start+b.Count < b.Start:
			d.fail("count", "overflows the counter space")
		case b.Released > b.Count:
			d.fail("released", fmt.Sprintf("%d exceeds count %d", b.Released, b.Count))
		case b.Count+extra < b.Count:
			d.fail("requested", "overflows")
		case b.Scheme == serial.Short && b.ShortStart+b.Count < b.ShortStart:
			d.fail("shortStart", "overflows the short-code space")
		}
	}
	b.Requested = b.Count + extra
	return b, d.done()
}
