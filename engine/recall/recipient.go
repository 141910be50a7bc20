package recall

import (
	"cmp"
	"slices"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// MoveKind is what a record of the forward trace did with recalled goods.
type MoveKind uint8

// The move kinds.
const (
	// MoveReceived: the organisation took the goods in (receiving,
	// arriving, accepting).
	MoveReceived MoveKind = 1
	// MoveSold: it sold or dispensed them (retail_selling, dispensing).
	MoveSold MoveKind = 2
	// MoveShipped: it shipped them on (shipping, departing).
	MoveShipped MoveKind = 3
	// MoveRemoved: it took them off sale for the recall (removing).
	MoveRemoved MoveKind = 4
	// MoveDestroyed: it destroyed them (destroying).
	MoveDestroyed MoveKind = 5
	// MoveReturned: it received them back as a return (receiving with the
	// disposition returned), usually the producer.
	MoveReturned MoveKind = 6
)

// Move is one record's effect on one organisation's quantities.
type Move struct {
	Seq   uint64
	Time  int64 // unix ms, the event's time
	Org   uint32
	Kind  MoveKind
	Items uint64 // items (consumer units) the record moved, contents of containers counted
	Cases uint64 // containers among what it named
}

// Figures are an organisation's quantities of the recalled goods.
type Figures struct {
	Received uint64 `json:"received"`
	Cases    uint64 `json:"cases_received"`
	Sold     uint64 `json:"sold"`
	Shipped  uint64 `json:"shipped"`
	// Held is what it still holds: received − sold − shipped − removed −
	// destroyed (never below 0).
	Held      uint64 `json:"held"`
	Removed   uint64 `json:"removed"`
	Destroyed uint64 `json:"destroyed"`
	Returned  uint64 `json:"returned"` // returns it received
}

// Recovered is what the organisation took out of circulation: removed,
// destroyed, and returns received.
func (f *Figures) Recovered() uint64 { return f.Removed + f.Destroyed + f.Returned }

// Tally folds moves into per-organisation figures.
func Tally(moves []Move) map[uint32]*Figures {
	out := map[uint32]*Figures{}
	for i := range moves {
		m := &moves[i]
		f := out[m.Org]
		if f == nil {
			f = &Figures{}
			out[m.Org] = f
		}
		switch m.Kind {
		case MoveReceived:
			f.Received += m.Items
			f.Cases += m.Cases
		case MoveSold:
			f.Sold += m.Items
		case MoveShipped:
			f.Shipped += m.Items
		case MoveRemoved:
			f.Removed += m.Items
		case MoveDestroyed:
			f.Destroyed += m.Items
		case MoveReturned:
			f.Returned += m.Items
			f.Received += m.Items
		}
	}
	for _, f := range out {
		out := f.Sold + f.Shipped + f.Removed + f.Destroyed
		if f.Received > out {
			f.Held = f.Received - out
		}
	}
	return out
}

// Recipient is an organisation that must act on a recall.
//
// # Representation (key 0xA1 | recall id u64 | org u32, value version 1)
//
//	ver=1 | region uvarint | name str | received uvarint | cases uvarint | held uvarint
//	      | sold uvarint | shipped uvarint | ackBy varint | acked varint | ackedBy str | ackNote str
//
// The quantities are those at the recall's creation (what the
// notification said); Figures read later are live.
type Recipient struct {
	Recall  uint64  `json:"recall"`
	Org     uint32  `json:"org"`
	Name    string  `json:"name"`
	Region  uint32  `json:"region"`
	AtStart Figures `json:"at_start"`
	AckBy   int64   `json:"ack_by"`
	Acked   int64   `json:"acked,omitzero"`
	AckedBy string  `json:"acked_by,omitzero"`
	AckNote string  `json:"ack_note,omitzero"`
}

// RecipientKey returns the store key of org's place in recall id (org 0:
// the recall's first key).
func RecipientKey(id uint64, org uint32) []byte {
	return store.RecallRecipientKey(id, org)
}

// AppendBinary appends the stored value of p.
func (p *Recipient) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U32(p.Region)
	w.Str(p.Name)
	for _, v := range [...]uint64{p.AtStart.Received, p.AtStart.Cases, p.AtStart.Held, p.AtStart.Sold, p.AtStart.Shipped} {
		w.Uvarint(v)
	}
	w.Varint(p.AckBy)
	w.Varint(p.Acked)
	w.Str(p.AckedBy)
	w.Str(p.AckNote)
	return w.B
}

// DecodeRecipient decodes the value v of key k.
func DecodeRecipient(k, v []byte) (Recipient, error) {
	id, org, err := store.DecodeRecallRecipientKey(k)
	if err != nil {
		return Recipient{}, err
	}
	p := Recipient{Recall: id, Org: org}
	d := wire.NewReader("recall recipient", v)
	d.Version(version)
	d.Field = "region"
	p.Region = d.U32()
	d.Field = "name"
	p.Name = d.Str()
	d.Field = "quantities"
	f := &p.AtStart
	f.Received, f.Cases, f.Held, f.Sold, f.Shipped = d.Uvarint(), d.Uvarint(), d.Uvarint(), d.Uvarint(), d.Uvarint()
	d.Field = "ack"
	p.AckBy = d.Varint()
	p.Acked = d.Varint()
	p.AckedBy = d.Str()
	p.AckNote = d.Str()
	return p, d.Done()
}

// Recipients returns the organisations moves reach, except the producer,
// with their figures, ordered by organisation.
func Recipients(producer uint32, moves []Move) []Recipient {
	var out []Recipient
	for org, f := range Tally(moves) {
		if org == producer || org == 0 {
			continue
		}
		out = append(out, Recipient{Org: org, AtStart: *f})
	}
	slices.SortFunc(out, func(a, b Recipient) int { return cmp.Compare(a.Org, b.Org) })
	return out
}
