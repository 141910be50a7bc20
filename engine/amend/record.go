package amend

import (
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Kind says which record an amendment changed. Persisted (the key's kind
// byte): never renumber.
type Kind uint8

// The kinds of amended records.
const (
	KindProduct Kind = 1
	KindLot     Kind = 2
)

// String returns "product" or "lot".
func (k Kind) String() string {
	switch k {
	case KindProduct:
		return "product"
	case KindLot:
		return "lot"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Change is one field's old and new value, as a person reads them (dates
// YYYY-MM-DD, lists one item a line, "" for none).
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Entry is one amendment of a product or a lot: who changed what, when,
// and why. Entries are appended, never changed or deleted.
//
// # Representation (key 0x27 | kind u8 | id u32 | seq u32, value version 1)
//
//	ver=1 | at varint | by str | org uvarint | reason str | n uvarint | n × (field str | old str | new str)
type Entry struct {
	Kind    Kind
	ID      uint32   // the product or lot
	Seq     uint32   // from 1, in order of the record's amendments
	At      int64    // Unix milliseconds
	By      string   // "account:<login>" or "key:<16 hex>"
	Org     uint32   // the acting organisation (0: the operator)
	Reason  string   // why; required when a lot's dates change
	Changes []Change // in field order, at least one
}

const entryVersion = 1

// AppendBinary appends the stored value of e.
func (e *Entry) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(entryVersion)
	w.Varint(e.At)
	w.Str(e.By)
	w.U32(e.Org)
	w.Str(e.Reason)
	w.Count(len(e.Changes))
	for _, c := range e.Changes {
		w.Str(c.Field)
		w.Str(c.Old)
		w.Str(c.New)
	}
	return w.B
}

// DecodeEntry decodes the amendment stored under key k with value v.
func DecodeEntry(k, v []byte) (Entry, error) {
	kind, id, seq, err := store.DecodeAmendmentKey(k)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Kind: Kind(kind), ID: id, Seq: seq}
	d := wire.NewReader("amendment", v)
	d.Version(entryVersion)
	d.Field = "at"
	e.At = d.Varint()
	d.Field = "by"
	e.By = d.Str()
	d.Field = "org"
	e.Org = d.U32()
	d.Field = "reason"
	e.Reason = d.Str()
	d.Field = "changes"
	n := d.Count()
	for range n {
		e.Changes = append(e.Changes, Change{Field: d.Str(), Old: d.Str(), New: d.Str()})
	}
	return e, d.Done()
}

// Details are the facts of a product or a lot beyond its record: a
// product's description and images, a lot's quantity and origin. The
// zero value is none.
//
// # Representation (key 0x28 | kind u8 | id u32, value version 1)
//
//	ver=1 | description str | images strs | quantity uvarint | unit str | origin str
type Details struct {
	Description string   // a product's description, ≤ 2000 characters, lines kept
	Images      []string // a product's image URLs (http or https), ≤ 8
	Quantity    uint64   // a lot's quantity in Unit, 0 = not given
	Unit        string   // the unit of Quantity ("箱", "kg", "瓶" …), ≤ 20 characters
	Origin      string   // a lot's origin (产地), ≤ 100 characters
}

const detailsVersion = 1

// AppendBinary appends the stored value of d.
func (d *Details) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(detailsVersion)
	w.Str(d.Description)
	w.Strs(d.Images)
	w.Uvarint(d.Quantity)
	w.Str(d.Unit)
	w.Str(d.Origin)
	return w.B
}

// DecodeDetails decodes a Details value.
func DecodeDetails(v []byte) (Details, error) {
	var out Details
	d := wire.NewReader("details", v)
	d.Version(detailsVersion)
	d.Field = "description"
	out.Description = d.Str()
	d.Field = "images"
	out.Images = d.Strs()
	d.Field = "quantity"
	out.Quantity = d.Uvarint()
	d.Field = "unit"
	out.Unit = d.Str()
	d.Field = "origin"
	out.Origin = d.Str()
	return out, d.Done()
}
