// Package ledger is the append-only log of everything reported about codes:
// captured EPCIS events and the engine's native reports (line reports,
// packing, unpacking, recalls). Every record gets a global sequence number
// and a place in its organisation's log, where a hash chain links it to the
// previous record, and periodic Merkle checkpoints (RFC 6962 trees,
// transparency-dev/merkle) summarise the log so far: any later edit,
// insertion or deletion changes a hash that Verify recomputes.
//
// The package also keeps the indexes that find records by what they are
// about — a code, a run of consecutive codes, a lot, a product — and the
// lot and product recall marks. It stores; the engine decides what is
// allowed and what a record means.
package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"

	"tracecode/engine/epcis"
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Kind says what produced a record. Numeric values are persisted.
type Kind uint8

// The record kinds.
const (
	// KindEPCIS is a captured EPCIS 2.0 event; the payload body is the
	// event's JSON as epcis.AppendEvent writes it (lossless).
	KindEPCIS Kind = 1
	// KindCommission is a native line report: the targets were printed
	// and verified.
	KindCommission Kind = 2
	// KindVoid is a native line report: the targets were rejected.
	KindVoid Kind = 3
	// KindDecommission: the targets left the supply chain.
	KindDecommission Kind = 4
	// KindPack: each parent target is followed by the children packed
	// into it.
	KindPack Kind = 5
	// KindUnpack: each parent target is followed by the children taken
	// out of it.
	KindUnpack Kind = 6
	// KindRecall: the targets (codes, lots, products) were recalled.
	KindRecall Kind = 7
	// KindRelease: a line returned the unused tail of a block.
	KindRelease Kind = 8
	// KindRecallLift: the recall of the targets (codes, lots, products)
	// ended; the body is the reason.
	KindRecallLift Kind = 9
	// KindBlockVoid: a whole block was voided (its labels destroyed or
	// lost); the target is the block's range, the body the note.
	KindBlockVoid Kind = 10
	numKinds      Kind = 11
)

var kindNames = [numKinds]string{"", "epcis", "commission", "void", "decommission", "pack", "unpack", "recall", "release", "recall-lift", "block-void"}

// String returns the kind's name.
func (k Kind) String() string {
	if k >= 1 && k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Pair is a typed identifier: a business transaction (type "inv", id
// "urn:epcglobal:cbv:bt:…"), or a source or destination (type
// "owning_party", id a PGLN).
type Pair struct {
	Type string
	ID   string
}

// Summary is what a timeline shows of a record: the what-when-where-why-who
// of the event without its targets. It is small and decoded on its own, so
// a resolver never reads a large report to show one line of it. Strings
// are CBV values as captured (bare terms such as "shipping" or custom
// URIs) and identifiers as received.
//
// # Representation (key 0x80 | seq u64, value version 1)
//
//	ver=1 | kind u8 | org uvarint | orgSeq uvarint | recordTime varint | eventTime varint
//	      | tzOffset varint (minutes) | eventType str | action str | bizStep str | disposition str
//	      | nSet uvarint str… | nUnset uvarint str… | readPoint str | bizLocation str
//	      | credential str | eventID str | nBizTx uvarint (type str | id str)…
//	      | nSource uvarint (type str | id str)… | nDest uvarint (type str | id str)…
//	      | contentHash [32] | flags u8
//
// Times are unix milliseconds. str = uvarint length + bytes.
type Summary struct {
	Seq        uint64 // global sequence number, from 1 (in the key)
	Kind       Kind
	Org        uint32 // the organisation that recorded it
	OrgSeq     uint64 // position in the organisation's log, from 1
	RecordTime int64  // when the engine recorded it
	EventTime  int64  // when it happened
	TZOffset   int16  // the event's local offset in minutes (EPCIS eventTimeZoneOffset)

	EventType   epcis.EventType // native kinds use the closest EPCIS event type
	Action      epcis.Action    // ADD, OBSERVE, DELETE, or "" (TransformationEvent)
	BizStep     epcis.BizStep
	Disposition epcis.Disposition
	SetDisp     []string // persistentDisposition.set
	UnsetDisp   []string // persistentDisposition.unset
	ReadPoint   string
	BizLocation string
	Credential  string // who recorded it within the organisation (an API key id, a user)
	EventID     string // the eventID the event came with, if any
	BizTx       []Pair
	Sources     []Pair
	Dests       []Pair

	// ContentHash is the content hash: for KindEPCIS the SHA-256 of the
	// CBV 2.0 event hash ID's pre-hash string (the digest in
	// ni:///sha-256;…), for native kinds the SHA-256 of the payload.
	ContentHash [32]byte
	Flags       uint8 // Flag… bits
}

// Summary flags.
const (
	// FlagErrorDeclared: the event carries an EPCIS errorDeclaration.
	FlagErrorDeclared uint8 = 1 << 0
)

const summaryVersion = 1

// AppendSummaryKey appends the key of record seq.
func AppendSummaryKey(dst []byte, seq uint64) []byte {
	return store.AppendEventKey(dst, seq)
}

func writePairs(w *wire.Writer, ps []Pair) {
	w.Count(len(ps))
	for _, p := range ps {
		w.Str(p.Type)
		w.Str(p.ID)
	}
}

// AppendValue appends the summary's value encoding.
func (s *Summary) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(summaryVersion)
	w.U8(byte(s.Kind))
	w.U32(s.Org)
	w.Uvarint(s.OrgSeq)
	w.Varint(s.RecordTime)
	w.Varint(s.EventTime)
	w.Varint(int64(s.TZOffset))
	w.Str(string(s.EventType))
	w.Str(string(s.Action))
	w.Str(string(s.BizStep))
	w.Str(string(s.Disposition))
	w.Strs(s.SetDisp)
	w.Strs(s.UnsetDisp)
	w.Str(s.ReadPoint)
	w.Str(s.BizLocation)
	w.Str(s.Credential)
	w.Str(s.EventID)
	writePairs(&w, s.BizTx)
	writePairs(&w, s.Sources)
	writePairs(&w, s.Dests)
	w.Raw(s.ContentHash[:])
	w.U8(s.Flags)
	return w.B
}

// DecodeSummary decodes the summary of record seq (copying strings).
func DecodeSummary(seq uint64, v []byte) (Summary, error) {
	d := newDecoder("summary", v)
	d.Version(summaryVersion)
	s := Summary{Seq: seq}
	s.Kind = Kind(d.U8())
	s.Org = d.U32()
	s.OrgSeq = d.Uvarint()
	s.RecordTime = d.Varint()
	s.EventTime = d.Varint()
	tz := d.Varint()
	if d.Err == nil && (tz < -14*60 || tz > 14*60) {
		d.Fail("time-zone offset out of ±14:00")
	}
	s.TZOffset = int16(tz)
	s.EventType = epcis.EventType(d.Str())
	s.Action = epcis.Action(d.Str())
	s.BizStep = epcis.BizStep(d.Str())
	s.Disposition = epcis.Disposition(d.Str())
	s.SetDisp = d.Strs()
	s.UnsetDisp = d.Strs()
	s.ReadPoint = d.Str()
	s.BizLocation = d.Str()
	s.Credential = d.Str()
	s.EventID = d.Str()
	s.BizTx = readPairs(d)
	s.Sources = readPairs(d)
	s.Dests = readPairs(d)
	copy(s.ContentHash[:], d.Raw(32))
	s.Flags = d.U8()
	if d.Err == nil && (s.Kind == 0 || s.Kind >= numKinds) {
		d.Fail(fmt.Sprintf("unknown kind %d", s.Kind))
	}
	return s, d.Done()
}

// Role says how a target takes part in a record. Numeric values are
// persisted.
type Role uint8

// The roles.
const (
	RoleEPC    Role = 1 // an EPC of an ObjectEvent, or a code of a line report
	RoleParent Role = 2 // the parent of an aggregation
	RoleChild  Role = 3 // a child of an aggregation (after its parent target)
	RoleInput  Role = 4 // a transformation input
	RoleOutput Role = 5 // a transformation output
	RoleClass  Role = 6 // a quantity of a class (lot or product) in an ObjectEvent or aggregation
	numRoles        = 7
)

var roleNames = [numRoles]string{"", "epc", "parent", "child", "input", "output", "class"}

// String returns the role's name.
func (r Role) String() string {
	if r >= 1 && r < numRoles {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// TargetKind says what a target names.
type TargetKind uint8

// The target kinds. Numeric values are persisted.
const (
	// TargetRun: counters First..Last of Product (one code when First =
	// Last; an SSCC unit when Product is 0).
	TargetRun TargetKind = 1
	// TargetLot: a lot (with its product), with an optional quantity.
	TargetLot TargetKind = 2
	// TargetProduct: a whole product (an EPC class without lot).
	TargetProduct TargetKind = 3
)

// Target is one thing a record is about, resolved to engine ids.
type Target struct {
	Role        Role
	Kind        TargetKind
	Product     uint32 // TargetRun (0: SSCC), TargetLot, TargetProduct
	First, Last uint64 // TargetRun
	Lot         uint32 // TargetLot
	Quantity    float64
	HasQuantity bool
	UOM         string // UN/ECE Rec. 20 unit, "" for a count
}

// Payload is the large part of a record: its targets and, for captured
// events, the event's JSON.
//
// # Representation (key 0x84 | seq u64, value version 1)
//
//	ver=1 | n uvarint | target… | body str
//	target = role u8 | kind u8 | run:     product uvarint | first uvarint | span uvarint
//	                            | lot:     lot uvarint | product uvarint | q
//	                            | product: product uvarint | q
//	q = 0 | 1 float64-bits u64 (big-endian) uom str
type Payload struct {
	Targets []Target
	Body    []byte
}

const payloadVersion = 1

// AppendPayloadKey appends the payload key of record seq.
func AppendPayloadKey(dst []byte, seq uint64) []byte {
	return store.AppendEventPayloadKey(dst, seq)
}

// AppendValue appends the payload's value encoding.
func (p *Payload) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(payloadVersion)
	w.Count(len(p.Targets))
	for i := range p.Targets {
		t := &p.Targets[i]
		w.U8(byte(t.Role))
		w.U8(byte(t.Kind))
		switch t.Kind {
		case TargetRun:
			w.U32(t.Product)
			w.Uvarint(t.First)
			w.Uvarint(t.Last - t.First)
		case TargetLot:
			w.U32(t.Lot)
			w.U32(t.Product)
			writeQuantity(&w, t)
		case TargetProduct:
			w.U32(t.Product)
			writeQuantity(&w, t)
		default:
			panic(fmt.Sprintf("BUG: ledger: target kind %d", t.Kind))
		}
	}
	w.Bytes(p.Body)
	return w.B
}

func writeQuantity(w *wire.Writer, t *Target) {
	if !t.HasQuantity {
		w.Bool(false)
		return
	}
	w.Bool(true)
	w.BE64(math.Float64bits(t.Quantity))
	w.Str(t.UOM)
}

// DecodePayload decodes a payload value. The body is copied once, so the
// payload outlives v.
func DecodePayload(v []byte) (Payload, error) {
	var p Payload
	body, err := decodePayload(v, &p.Targets)
	p.Body = append([]byte{}, body...)
	return p, err
}

// DecodePayloadBody returns the body of a payload value, aliasing v: it
// checks the targets but does not build them (a query answer needs only
// the event's JSON). Copy the body if it must outlive v.
func DecodePayloadBody(v []byte) ([]byte, error) {
	return decodePayload(v, nil)
}

// decodePayload decodes the targets into *targets (nil: checks and skips
// them) and returns the body aliasing v.
func decodePayload(v []byte, targets *[]Target) ([]byte, error) {
	d := newDecoder("payload", v)
	d.Version(payloadVersion)
	n := d.Count()
	if n > 0 && targets != nil {
		*targets = make([]Target, 0, n)
	}
	for i := 0; i < n && d.Err == nil; i++ {
		t := Target{Role: Role(d.U8()), Kind: TargetKind(d.U8())}
		if d.Err == nil && (t.Role == 0 || t.Role >= numRoles) {
			d.Fail(fmt.Sprintf("target %d has unknown role %d", i, t.Role))
		}
		switch t.Kind {
		case TargetRun:
			t.Product = d.U32()
			t.First = d.Uvarint()
			t.Last = t.First + d.Uvarint()
			if d.Err == nil && t.Last < t.First {
				d.Fail("run overflows")
			}
		case TargetLot:
			t.Lot = d.U32()
			t.Product = d.U32()
			readQuantity(d, &t, targets != nil)
		case TargetProduct:
			t.Product = d.U32()
			readQuantity(d, &t, targets != nil)
		default:
			d.Fail(fmt.Sprintf("target %d has unknown kind %d", i, t.Kind))
		}
		if targets != nil {
			*targets = append(*targets, t)
		}
	}
	body := d.Bytes()
	return body, d.Done()
}

// readQuantity reads a target's quantity; keep false skips the unit
// without copying it.
func readQuantity(d *decoder, t *Target, keep bool) {
	switch d.U8() {
	case 0:
	case 1:
		b := d.Raw(8)
		if d.Err == nil {
			t.Quantity = math.Float64frombits(binary.BigEndian.Uint64(b))
			t.HasQuantity = true
		}
		if keep {
			t.UOM = d.Str()
		} else {
			d.Bytes()
		}
	default:
		d.Fail("bad quantity flag")
	}
}

// RecordHash is what the organisation's hash chain and Merkle tree commit
// to: SHA-256 over a domain tag, the sequence number and both stored
// values, so any change to either value, or moving a record to another
// sequence number, changes it.
func RecordHash(seq uint64, summary, payload []byte) [32]byte {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte("tracecode/ledger/record/v1\x00"))
	binary.BigEndian.PutUint64(b[:], seq)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(len(summary)))
	h.Write(b[:])
	h.Write(summary)
	h.Write(payload)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
