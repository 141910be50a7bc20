package store

import (
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

const blockVersion = 1

// AppendBlock appends b's value encoding to dst.
//
// # Representation (value of key 0x40|id, version 1)
//
//	ver=1 | created varint | updated varint | org uvarint | product uvarint | lot uvarint
//	      | level u8 | scheme u8 | keyGen u8 | state u8 | flags u8
//	      | start uvarint | count uvarint | requested−count uvarint | released uvarint
//	      | [shortStart uvarint, only if scheme = short or sscc]
//	      | requestID str | note str
//
// shortStart is a short block's first engine-wide short-code counter, an
// sscc block's first SSCC serial reference.
//
// A typical block value is 35–50 bytes.
func AppendBlock(dst []byte, b *model.Block) []byte {
	w := wire.Writer{B: dst}
	w.Version(blockVersion)
	w.Varint(b.Created)
	w.Varint(b.Updated)
	w.U32(b.Org)
	w.U32(b.Product)
	w.U32(b.Lot)
	w.U8(byte(b.Level))
	w.U8(byte(b.Scheme))
	w.U8(b.KeyGen)
	w.U8(byte(b.State))
	w.U8(b.Flags)
	w.Uvarint(b.Start)
	w.Uvarint(b.Count)
	w.Uvarint(b.Requested - b.Count)
	w.Uvarint(b.Released)
	if b.Scheme == serial.Short || b.Scheme == serial.SSCC {
		w.Uvarint(b.ShortStart)
	}
	w.Str(b.RequestID)
	w.Str(b.Note)
	return w.B
}

// DecodeBlock decodes the value of block id and checks its invariants
// (count ≥ 1, released ≤ count, no counter overflow).
func DecodeBlock(id uint64, v []byte) (model.Block, error) {
	d, _ := newDecoder("block", v, blockVersion)
	b := model.Block{ID: id}
	b.Created = d.varint("created")
	b.Updated = d.varint("updated")
	b.Org = d.u32("org")
	b.Product = d.u32("product")
	b.Lot = d.u32("lot")
	b.Level = model.Level(d.u8())
	b.Scheme = serial.Scheme(d.u8())
	b.KeyGen = d.u8()
	b.State = model.BlockState(d.u8())
	b.Flags = d.u8()
	b.Start = d.uvarint("start")
	b.Count = d.uvarint("count")
	extra := d.uvarint("requested")
	b.Released = d.uvarint("released")
	if b.Scheme == serial.Short || b.Scheme == serial.SSCC {
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
		case b.Scheme == serial.SSCC && b.ShortStart+b.Count > serial.SSCCRefs(1):
			d.fail("shortStart", "puts the SSCC serial references beyond 15 digits")
		}
	}
	b.Requested = b.Count + extra
	return b, d.done()
}
