package store

import (
	"encoding/binary"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// Every value starts with a version byte. A decoder accepts versions
// 1..current and rejects 0 and anything newer (ErrVersion), so a record
// layout can change by adding a version without rewriting old records.
// The ids of primary records (org, product, lot, block) live in the key
// only and are passed to the decoder.

const orgVersion = 1

// AppendOrg appends o's value encoding to dst.
//
// # Representation (value of key 0x10|id, version 1)
//
//	ver=1 | created varint | name str | nameEN str | uscc str | region uvarint | nGCP uvarint | gcp str…
//
// str = uvarint length + bytes; varint is zig-zag.
func AppendOrg(dst []byte, o *model.Org) []byte {
	w := wire.Writer{B: dst}
	w.Version(orgVersion)
	w.Varint(o.Created)
	w.Str(o.Name)
	w.Str(o.NameEN)
	w.Str(o.USCC)
	w.U32(o.Region)
	w.Strs(o.GCPs)
	return w.B
}

// DecodeOrg decodes the value of org id.
func DecodeOrg(id uint32, b []byte) (model.Org, error) {
	d, _ := newDecoder("org", b, orgVersion)
	o := model.Org{ID: id}
	o.Created = d.varint("created")
	o.Name = d.str("name")
	o.NameEN = d.str("nameEN")
	o.USCC = d.str("uscc")
	o.Region = d.u32("region")
	n := d.count("gcp count")
	for i := 0; i < n && d.err() == nil; i++ {
		o.GCPs = append(o.GCPs, d.str("gcp"))
	}
	return o, d.done()
}

const productVersion = 3

// AppendProduct appends p's value encoding to dst.
//
// # Representation (value of key 0x20|id, version 2 or 3)
//
//	ver=2 | created varint | org uvarint | gtin str(0|14) | ownCode str | drugID str
//	      | gcpLen u8 | category u8 | levels u8 | defaultScheme u8
//	      | nameZH str | nameEN str | nLinks uvarint | (type str | url str)…
//	      | revision uvarint
//	ver=3 | the same | nLevelGTINs uvarint | (level u8 | gtin str(14))…
//
// Version 1 has no revision (it decodes as revision 0). A product without level GTINs is written as version 2, so that a store
// that never declared one stays readable by the builds before version 3;
// versions 1 and 2 decode as "no level GTINs".
func AppendProduct(dst []byte, p *model.Product) []byte {
	w := wire.Writer{B: dst}
	levels := p.LevelGTINs.Declared()
	if len(levels) == 0 {
		w.Version(2)
	} else {
		w.Version(productVersion)
	}
	w.Varint(p.Created)
	w.U32(p.Org)
	if p.GTIN.IsZero() {
		w.Bytes(nil)
	} else {
		w.Bytes(p.GTIN[:])
	}
	w.Str(p.OwnCode)
	w.Str(p.DrugID)
	w.U8(p.GCPLength)
	w.U8(byte(p.Category))
	w.U8(byte(p.Levels))
	w.U8(byte(p.DefaultScheme))
	w.Str(p.NameZH)
	w.Str(p.NameEN)
	w.Count(len(p.Links))
	for _, l := range p.Links {
		w.Str(l.Type)
		w.Str(l.URL)
	}
	w.U32(p.Revision)
	if len(levels) != 0 {
		w.Count(len(levels))
		for _, l := range levels {
			w.U8(byte(l))
			g := p.LevelGTINs.Of(l)
			w.Bytes(g[:])
		}
	}
	return w.B
}

// DecodeProduct decodes the value of product id.
func DecodeProduct(id uint32, b []byte) (model.Product, error) {
	d, ver := newDecoder("product", b, productVersion)
	p := model.Product{ID: id}
	p.Created = d.varint("created")
	p.Org = d.u32("org")
	if g := d.raw("gtin"); d.err() == nil {
		switch len(g) {
		case 0:
		case 14:
			copy(p.GTIN[:], g)
			if p.GTIN.IsZero() {
				d.fail("gtin", "starts with NUL")
			}
		default:
			d.fail("gtin", fmt.Sprintf("has length %d", len(g)))
		}
	}
	p.OwnCode = d.str("ownCode")
	p.DrugID = d.str("drugID")
	p.GCPLength = d.u8()
	p.Category = model.Category(d.u8())
	p.Levels = model.LevelSet(d.u8())
	p.DefaultScheme = serial.Scheme(d.u8())
	p.NameZH = d.str("nameZH")
	p.NameEN = d.str("nameEN")
	n := d.count("link count")
	for i := 0; i < n && d.err() == nil; i++ {
		p.Links = append(p.Links, model.Link{Type: d.str("link type"), URL: d.str("link url")})
	}
	if ver >= 2 {
		p.Revision = d.u32("revision")
	}
	if ver >= 3 {
		n := d.count("level GTIN count")
		for i := 0; i < n && d.err() == nil; i++ {
			l := model.Level(d.u8())
			g := d.raw("level gtin")
			switch {
			case d.err() != nil:
			case l != model.LevelInner && l != model.LevelCase:
				d.fail("level gtin", fmt.Sprintf("is for level %v (only inner and case have one)", l))
			case len(g) != 14 || g[0] == 0:
				d.fail("level gtin", fmt.Sprintf("has length %d", len(g)))
			case !p.LevelGTINs[l].IsZero():
				d.fail("level gtin", fmt.Sprintf("for level %v appears twice", l))
			default:
				copy(p.LevelGTINs[l][:], g)
			}
		}
	}
	return p, d.done()
}

const productStateVersion = 1

// AppendProductState appends s's value encoding to dst.
//
// # Representation (value of key 0x24|id, version 1)
//
//	ver=1 | highWater uvarint | n uvarint | issued[1..n] uvarint…
//
// issued[s] is indexed by serial.Scheme (index 0 is not stored).
func AppendProductState(dst []byte, s *model.ProductState) []byte {
	w := wire.Writer{B: dst}
	w.Version(productStateVersion)
	w.Uvarint(s.HighWater)
	w.Count(serial.NumSchemes - 1)
	for _, n := range s.Issued[1:] {
		w.Uvarint(n)
	}
	return w.B
}

// DecodeProductState decodes a product state value. Counts for schemes a
// newer build added are ignored only if zero; otherwise it is an error.
func DecodeProductState(b []byte) (model.ProductState, error) {
	d, _ := newDecoder("product state", b, productStateVersion)
	var s model.ProductState
	s.HighWater = d.uvarint("highWater")
	n := d.count("scheme count")
	for i := 1; i <= n && d.err() == nil; i++ {
		v := d.uvarint("issued")
		if i < serial.NumSchemes {
			s.Issued[i] = v
		} else if v != 0 {
			d.fail("issued", fmt.Sprintf("for unknown scheme %d is %d", i, v))
		}
	}
	return s, d.done()
}

const lotVersion = 2

// AppendLot appends l's value encoding to dst.
//
// # Representation (value of key 0x30|id, version 2)
//
//	ver=2 | created varint | product uvarint | number str | produced uvarint | expiry uvarint | site str
//	      | revision uvarint
//
// Version 1 has no revision (it decodes as revision 0).
func AppendLot(dst []byte, l *model.Lot) []byte {
	w := wire.Writer{B: dst}
	w.Version(lotVersion)
	w.Varint(l.Created)
	w.U32(l.Product)
	w.Str(l.Number)
	w.U32(l.Produced)
	w.U32(l.Expiry)
	w.Str(l.Site)
	w.U32(l.Revision)
	return w.B
}

// DecodeLot decodes the value of lot id.
func DecodeLot(id uint32, b []byte) (model.Lot, error) {
	d, ver := newDecoder("lot", b, lotVersion)
	l := model.Lot{ID: id}
	l.Created = d.varint("created")
	l.Product = d.u32("product")
	l.Number = d.str("number")
	l.Produced = d.u32("produced")
	l.Expiry = d.u32("expiry")
	l.Site = d.str("site")
	if ver >= 2 {
		l.Revision = d.u32("revision")
	}
	return l, d.done()
}

// Key is an FF1 key of one generation: a product's, or the engine-wide
// short-code key.
//
// # Representation (value of keys 0x25|product|gen and 0x02|gen, version 1)
//
//	ver=1 | created varint | wrap u8 | key str
//
// wrap WrapClear (0): key is the AES key itself (16, 24 or 32 bytes).
// wrap WrapAESGCM (1, store format 2): key is the AES key sealed under the
// key-encryption key (package engine, docs/keys.md):
//
//	kek id u64 | nonce [12] | AES-256-GCM ciphertext of the key, with tag [16]
//
// the record's store key being the additional data, so a sealed key cannot
// be moved to another product or generation.
type Key struct {
	Created int64  // unix milliseconds
	Wrap    uint8  // WrapClear or WrapAESGCM
	Bytes   []byte // the AES key (WrapClear) or the sealed key (WrapAESGCM)
}

// Key wrappings.
const (
	WrapClear  = 0 // the key in the clear
	WrapAESGCM = 1 // sealed with AES-256-GCM under a key-encryption key
	// WrappedKeyOverhead is what sealing adds to a key: KEK id, nonce, tag.
	WrappedKeyOverhead = 8 + 12 + 16
)

const keyVersion = 1

// AppendBinary appends k's value encoding to dst.
func (k *Key) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(keyVersion)
	w.Varint(k.Created)
	w.U8(k.Wrap)
	w.Bytes(k.Bytes)
	return w.B
}

// DecodeKey decodes a key value.
func DecodeKey(b []byte) (Key, error) {
	d, _ := newDecoder("key", b, keyVersion)
	var k Key
	k.Created = d.varint("created")
	k.Wrap = d.u8()
	k.Bytes = append([]byte(nil), d.raw("key")...)
	if d.err() == nil {
		n := len(k.Bytes)
		switch k.Wrap {
		case WrapClear:
			if n != 16 && n != 24 && n != 32 {
				d.fail("key", fmt.Sprintf("has %d bytes, want an AES key", n))
			}
		case WrapAESGCM:
			if n-WrappedKeyOverhead != 16 && n-WrappedKeyOverhead != 24 && n-WrappedKeyOverhead != 32 {
				d.fail("key", fmt.Sprintf("has %d bytes, want a sealed AES key", n))
			}
		default:
			d.fail("wrap", fmt.Sprintf("is %d, want 0 (clear) or 1 (AES-GCM)", k.Wrap))
		}
	}
	return k, d.done()
}

// Uint is a single unsigned number: a meta counter, a dictionary id in an
// index key's value, an imported serial's offset.
//
// # Representation (version 1)
//
//	ver=1 | n uvarint
type Uint uint64

const uintVersion = 1

// AppendBinary appends u's value encoding to dst: the bytes
// wire.Writer's Version and Uvarint write, spelled out so that the
// function stays small enough to inline and a caller's AppendBinary(nil)
// stays on its stack (three of them on every mint).
func (u Uint) AppendBinary(dst []byte) []byte {
	return binary.AppendUvarint(append(dst, uintVersion), uint64(u))
}

// DecodeUint decodes a Uint value; what names the record for errors.
func DecodeUint(what string, b []byte) (Uint, error) {
	d, _ := newDecoder(what, b, uintVersion)
	v := d.uvarint(what)
	return Uint(v), d.done()
}

// BloomChunk is one chunk of an imported block's serialized bloom filter
// (bits-and-blooms/bloom/v3 WriteTo format, split into chunks of at most
// BloomChunkSize bytes so that no value is huge).
//
// # Representation (value of key 0x61|block|chunk, version 1)
//
//	ver=1 | bytes…
const bloomChunkVersion = 1

// BloomChunkSize is the largest chunk of a bloom filter stored in one value.
const BloomChunkSize = 1 << 20

// AppendBloomChunk appends the value encoding of chunk to dst.
func AppendBloomChunk(dst, chunk []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(bloomChunkVersion)
	w.Raw(chunk)
	return w.B
}

// DecodeBloomChunk returns the chunk bytes of a bloom chunk value (aliasing b).
func DecodeBloomChunk(b []byte) ([]byte, error) {
	d, _ := newDecoder("bloom chunk", b, bloomChunkVersion)
	if d.err() != nil {
		return nil, d.err()
	}
	if len(b)-1 > BloomChunkSize {
		return nil, fmt.Errorf("%w: bloom chunk value has %d bytes, more than %d", ErrCorrupt, len(b)-1, BloomChunkSize)
	}
	return b[1:], nil
}
