package sector

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

const version = 1

// ItemKey names an item of a category: one issued code (Product and
// Counter) or one lot (Lot). Exactly one form is set.
type ItemKey struct {
	Product uint32
	Counter uint64
	Lot     uint32
}

// CodeItem and LotItem build the two forms.
func CodeItem(product uint32, counter uint64) ItemKey {
	return ItemKey{Product: product, Counter: counter}
}

// LotItem names lot as an item.
func LotItem(lot uint32) ItemKey { return ItemKey{Lot: lot} }

// IsLot reports whether k names a lot.
func (k ItemKey) IsLot() bool { return k.Lot != 0 }

// String names the item for errors and JSON ("lot 7", "product 3 counter 12").
func (k ItemKey) String() string {
	if k.IsLot() {
		return fmt.Sprintf("lot %d", k.Lot)
	}
	return fmt.Sprintf("product %d counter %d", k.Product, k.Counter)
}

// appendItem appends the 13-byte item part of a key: kind u8 (1 a code, 2
// a lot) | product or lot u32 | counter u64.
func appendItem(dst []byte, k ItemKey) []byte {
	if k.IsLot() {
		dst = binary.BigEndian.AppendUint32(append(dst, 2), k.Lot)
		return binary.BigEndian.AppendUint64(dst, 0)
	}
	dst = binary.BigEndian.AppendUint32(append(dst, 1), k.Product)
	return binary.BigEndian.AppendUint64(dst, k.Counter)
}

func decodeItem(b []byte) (ItemKey, bool) {
	if len(b) != 13 {
		return ItemKey{}, false
	}
	id, n := binary.BigEndian.Uint32(b[1:5]), binary.BigEndian.Uint64(b[5:])
	switch b[0] {
	case 1:
		return ItemKey{Product: id, Counter: n}, true
	case 2:
		return ItemKey{Lot: id}, id != 0 && n == 0
	}
	return ItemKey{}, false
}

// OrgKey, ProductKey, ItemRecordKey and EventKey return the store keys.
func OrgKey(org uint32) []byte {
	return store.SectorOrgKey(org)
}

// ProductKey is the key of product's profile.
func ProductKey(product uint32) []byte {
	return store.SectorProductKey(product)
}

// ItemRecordKey is the key of an item's master data.
func ItemRecordKey(k ItemKey) []byte { return store.SectorItemKey(appendItem(nil, k)) }

// EventKey is the key of an item's category event recorded as seq.
func EventKey(k ItemKey, seq uint64) []byte {
	return store.SectorEventKey(appendItem(nil, k), seq)
}

// writeRecord writes n, then n (name, value) pairs sorted by name (read
// by readRecord).
func writeRecord(w *wire.Writer, r category.Record) {
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	slices.Sort(names)
	w.Count(len(names))
	for _, k := range names {
		w.Str(k)
		w.Str(r[k])
	}
}

func readRecord(d *wire.Reader) category.Record {
	d.Field = "fields"
	n := d.Count()
	if n == 0 {
		return nil
	}
	r := make(category.Record, n)
	for range n {
		k := d.Str()
		v := d.Str()
		if d.Err != nil {
			return nil
		}
		if _, dup := r[k]; dup || k == "" {
			d.Fail("field " + k + " empty or twice")
			return nil
		}
		r[k] = v
	}
	return r
}

// Org is an organisation's category data: the media it fills when it is a
// gas filling station.
//
// # Representation (key 0x13 | org u32, value version 1)
//
//	ver=1 | media strs | updated varint
type Org struct {
	Org     uint32   `json:"org"`
	Media   []string `json:"media"`
	Updated int64    `json:"updated"`
}

// AppendBinary appends the stored value of o.
func (o *Org) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.Strs(o.Media)
	w.Varint(o.Updated)
	return w.B
}

// DecodeOrg decodes the value v of key k.
func DecodeOrg(k, v []byte) (Org, error) {
	org, err := store.DecodeSectorOrgKey(k)
	if err != nil {
		return Org{}, err
	}
	o := Org{Org: org}
	d := wire.NewReader("sector org", v)
	d.Version(version)
	d.Field = "media"
	o.Media = d.Strs()
	d.Field = "updated"
	o.Updated = d.Varint()
	return o, d.Done()
}

// ProductProfile is a product's category profile and master data.
//
// # Representation (key 0x26 | product u32, value version 1)
//
//	ver=1 | profile str | n uvarint | n × (name str | value str) | updated varint
type ProductProfile struct {
	Product uint32          `json:"product"`
	Profile string          `json:"profile"`
	Fields  category.Record `json:"fields"`
	Updated int64           `json:"updated"`
}

// AppendBinary appends the stored value of p.
func (p *ProductProfile) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.Str(p.Profile)
	writeRecord(&w, p.Fields)
	w.Varint(p.Updated)
	return w.B
}

// DecodeProduct decodes the value v of key k.
func DecodeProduct(k, v []byte) (ProductProfile, error) {
	product, err := store.DecodeSectorProductKey(k)
	if err != nil {
		return ProductProfile{}, err
	}
	p := ProductProfile{Product: product}
	d := wire.NewReader("sector product", v)
	d.Version(version)
	d.Field = "profile"
	p.Profile = d.Str()
	p.Fields = readRecord(d)
	d.Field = "updated"
	p.Updated = d.Varint()
	return p, d.Done()
}

// Item is one item's master data.
//
// # Representation (key 0x32 | item, value version 1)
//
//	ver=1 | product uvarint | n uvarint | n × (name str | value str) | org uvarint | updated varint
//
// The item part of the key is kind u8 (1 a code, 2 a lot) | product or lot
// u32 | counter u64 (0 for a lot). Private fields are stored as
// "sha256:" and the hex digest of the value.
type Item struct {
	Key     ItemKey         `json:"-"`
	Product uint32          `json:"product"`
	Fields  category.Record `json:"fields"`
	Org     uint32          `json:"org"` // who registered it
	Updated int64           `json:"updated"`
}

// AppendBinary appends the stored value of it.
func (it *Item) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U32(it.Product)
	writeRecord(&w, it.Fields)
	w.U32(it.Org)
	w.Varint(it.Updated)
	return w.B
}

// DecodeItem decodes the value v of key k.
func DecodeItem(k, v []byte) (Item, error) {
	key, ok := ItemKey{}, false
	if item, err := store.DecodeSectorItemKey(k); err == nil {
		key, ok = decodeItem(item)
	}
	if !ok {
		return Item{}, fmt.Errorf("%w: sector item key %x", store.ErrCorrupt, k)
	}
	it := Item{Key: key}
	d := wire.NewReader("sector item", v)
	d.Version(version)
	d.Field = "product"
	it.Product = d.U32()
	it.Fields = readRecord(d)
	d.Field = "org"
	it.Org = d.U32()
	d.Field = "updated"
	it.Updated = d.Varint()
	return it, d.Done()
}

// Event is one recorded category event of an item.
//
// # Representation (key 0x95 | item | seq u64, value version 1)
//
//	ver=1 | kind str | time unix ms varint | org uvarint | n uvarint | n × (name str | value str)
type Event struct {
	Item  ItemKey
	Seq   uint64 // the ledger record that carried it
	Event category.Event
}

// AppendBinary appends the stored value of e.
func (e *Event) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.Str(e.Event.Kind)
	w.Varint(e.Event.Time.UnixMilli())
	w.U32(e.Event.Org)
	writeRecord(&w, e.Event.Fields)
	return w.B
}

// DecodeEvent decodes the value v of key k.
func DecodeEvent(k, v []byte) (Event, error) {
	key, ok, seq := ItemKey{}, false, uint64(0)
	if item, s, err := store.DecodeSectorEventKey(k); err == nil {
		key, ok = decodeItem(item)
		seq = s
	}
	if !ok {
		return Event{}, fmt.Errorf("%w: sector event key %x", store.ErrCorrupt, k)
	}
	e := Event{Item: key, Seq: seq}
	d := wire.NewReader("sector event", v)
	d.Version(version)
	d.Field = "kind"
	e.Event.Kind = d.Str()
	d.Field = "time"
	e.Event.Time = time.UnixMilli(d.Varint())
	d.Field = "org"
	e.Event.Org = d.U32()
	e.Event.Fields = readRecord(d)
	return e, d.Done()
}

// HashPrivate returns r with the values of the private fields of specs
// replaced by "sha256:" and their hex SHA-256 (category.Hash; a value
// already hashed is kept): identity numbers are never stored in the
// clear.
func HashPrivate(specs []category.FieldSpec, r category.Record) category.Record {
	var out category.Record
	for _, f := range specs {
		v, ok := r[f.Name]
		if !f.Private || !ok || v == "" || category.IsHashed(v) {
			continue
		}
		if out == nil {
			out = make(category.Record, len(r))
			for k, v := range r {
				out[k] = v
			}
		}
		out[f.Name] = category.Hash(v)
	}
	if out == nil {
		return r
	}
	return out
}
