// Package recall is the recall as an object: a level (I, II, III), a
// scope, a reason in Chinese and English, an initiator (the producer, or
// a regulator of the producer's division ordering it — 责令召回), the
// deadlines its level sets, and the organisations that must act on it —
// every organisation the forward trace reaches, with the quantities it
// received, still holds and sold, its acknowledgement and what it
// recovered. Notifications to them are staged in the outbox in the same
// batch as the recall. docs/recall.md describes the model and the clocks.
//
// The package knows nothing of the ledger: the engine gives it the
// movements (Move) of the recalled goods it reads from its forward trace,
// and the package turns them into recipients and figures.
package recall

import (
	"errors"
	"fmt"
	"strings"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors.
var (
	ErrInvalid   = errors.New("recall: invalid")
	ErrNotFound  = errors.New("recall: not found")
	ErrState     = errors.New("recall: wrong state")
	ErrForbidden = errors.New("recall: not allowed")
)

// Level is a recall's level (一级, 二级, 三级): I is the most serious.
// Numeric values are persisted.
type Level uint8

// The levels.
const (
	LevelI   Level = 1 // 一级: serious harm to health or death
	LevelII  Level = 2 // 二级: general harm
	LevelIII Level = 3 // 三级: no harm expected (false labelling)
)

// String returns "I", "II" or "III".
func (l Level) String() string {
	switch l {
	case LevelI:
		return "I"
	case LevelII:
		return "II"
	case LevelIII:
		return "III"
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// MarshalText writes the name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseLevel reads "I", "II", "III" (or 1, 2, 3, 一级, 二级, 三级).
func ParseLevel(s string) (Level, error) {
	switch strings.TrimSpace(s) {
	case "I", "1", "一级", "i":
		return LevelI, nil
	case "II", "2", "二级", "ii":
		return LevelII, nil
	case "III", "3", "三级", "iii":
		return LevelIII, nil
	}
	return 0, fmt.Errorf("%w: level %q: want I, II or III", ErrInvalid, s)
}

// State is where a recall is. Numeric values are persisted.
type State uint8

// The states.
const (
	Active State = 1
	// Closing: the producer asked to close a recall a regulator ordered;
	// the regulator confirms.
	Closing State = 2
	Closed  State = 3
)

var stateNames = [...]string{"", "active", "closing", "closed"}

// String returns "active", "closing" or "closed".
func (s State) String() string {
	if s >= Active && s <= Closed {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText writes the name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Window is a product's production-date window (yyyymmdd, inclusive):
// every lot of Product produced in it is in scope.
type Window struct {
	Product  uint32 `json:"product"`
	From, To uint32 `json:"-"`
}

// Scope is what a recall covers.
type Scope struct {
	Lots     []uint32 `json:"lots,omitzero"`
	Products []uint32 `json:"products,omitzero"`
	// Codes are single codes (as given), with their lots resolved into
	// CodeLots by the engine.
	Codes    []string `json:"codes,omitzero"`
	CodeLots []uint32 `json:"-"`
	Window   *Window  `json:"window,omitzero"`
}

// Recall is one recall.
//
// # Representation (key 0xA0 | id u64, value version 1)
//
//	ver=1 | level u8 | sector u8 | state u8 | producer uvarint | producerRegion uvarint
//	      | ordered u8 | orderedBy str | orderRegion uvarint | nLots uvarint lot… | nProducts uvarint product…
//	      | nCodes uvarint str… | nCodeLots uvarint lot… | window u8 [product uvarint | from uvarint | to uvarint]
//	      | reasonZH str | reasonEN str | actionZH str | actionEN str | created varint | ackBy varint
//	      | startBy varint | finishBy varint | ledgerSeq uvarint | closed varint | closeNote str
//	      | closeAsked varint | progress uvarint (time varint | note str)…
type Recall struct {
	ID     uint64 `json:"id"`
	Level  Level  `json:"level"`
	Sector Sector `json:"sector"`
	State  State  `json:"state"`
	// Producer is the organisation whose goods are recalled (the owner of
	// the products), ProducerRegion its division.
	Producer       uint32 `json:"producer"`
	ProducerRegion uint32 `json:"producer_region"`
	// Ordered: a regulator ordered the recall (责令召回); OrderedBy is its
	// credential and OrderRegion its division. Closing it needs a
	// regulator's confirmation.
	Ordered     bool   `json:"ordered"`
	OrderedBy   string `json:"ordered_by,omitzero"`
	OrderRegion uint32 `json:"order_region,omitzero"`
	Scope       Scope  `json:"scope"`
	// Reason and what to do, in Chinese and English (shown on every scan
	// page of an affected item and on the public notice).
	ReasonZH string `json:"reason_zh"`
	ReasonEN string `json:"reason_en"`
	ActionZH string `json:"action_zh,omitzero"`
	ActionEN string `json:"action_en,omitzero"`
	Created  int64  `json:"created"` // unix ms
	// AckBy is when every recipient must have acknowledged; StartBy when
	// the recall must have started (notices out, sales stopped); FinishBy
	// when it must be finished (0: the sector's table sets none).
	AckBy     int64      `json:"ack_by"`
	StartBy   int64      `json:"start_by"`
	FinishBy  int64      `json:"finish_by,omitzero"`
	LedgerSeq uint64     `json:"ledger_seq"` // the ledger's recall record
	Closed    int64      `json:"closed,omitzero"`
	CloseNote string     `json:"close_note,omitzero"`
	CloseAsk  int64      `json:"close_asked,omitzero"`
	Progress  []Progress `json:"progress,omitzero"`
}

// Progress is a progress report the producer files.
type Progress struct {
	Time int64  `json:"time"`
	Note string `json:"note"`
}

// Key returns the store key of recall id.
func Key(id uint64) []byte {
	return store.RecallObjectKey(id)
}

const version = 1

// writeU32s writes a count and that many uvarints (read by readU32s).
func writeU32s(w *wire.Writer, v []uint32) {
	w.Count(len(v))
	for _, x := range v {
		w.U32(x)
	}
}

// AppendBinary appends the stored value of r.
func (r *Recall) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U8(uint8(r.Level))
	w.U8(uint8(r.Sector))
	w.U8(uint8(r.State))
	w.U32(r.Producer)
	w.U32(r.ProducerRegion)
	w.Bool(r.Ordered)
	w.Str(r.OrderedBy)
	w.U32(r.OrderRegion)
	writeU32s(&w, r.Scope.Lots)
	writeU32s(&w, r.Scope.Products)
	w.Strs(r.Scope.Codes)
	writeU32s(&w, r.Scope.CodeLots)
	if win := r.Scope.Window; win != nil {
		w.Bool(true)
		w.U32(win.Product)
		w.U32(win.From)
		w.U32(win.To)
	} else {
		w.Bool(false)
	}
	for _, s := range [...]string{r.ReasonZH, r.ReasonEN, r.ActionZH, r.ActionEN} {
		w.Str(s)
	}
	for _, t := range [...]int64{r.Created, r.AckBy, r.StartBy, r.FinishBy} {
		w.Varint(t)
	}
	w.Uvarint(r.LedgerSeq)
	w.Varint(r.Closed)
	w.Str(r.CloseNote)
	w.Varint(r.CloseAsk)
	w.Count(len(r.Progress))
	for _, p := range r.Progress {
		w.Varint(p.Time)
		w.Str(p.Note)
	}
	return w.B
}

func readU32s(d *wire.Reader) []uint32 {
	n := d.Count()
	var out []uint32
	for i := 0; i < n && d.Err == nil; i++ {
		out = append(out, d.U32())
	}
	return out
}

// Decode decodes the stored value v of recall id.
func Decode(id uint64, v []byte) (Recall, error) {
	d := wire.NewReader("recall", v)
	d.Version(version)
	r := Recall{ID: id}
	d.Field = "level"
	r.Level = Level(d.U8())
	r.Sector = Sector(d.U8())
	r.State = State(d.U8())
	if d.Err == nil && (r.Level < LevelI || r.Level > LevelIII || r.State < Active || r.State > Closed) {
		d.Fail(fmt.Sprintf("level %d state %d", r.Level, r.State))
	}
	d.Field = "producer"
	r.Producer = d.U32()
	r.ProducerRegion = d.U32()
	d.Field = "order"
	r.Ordered = d.U8() == 1
	r.OrderedBy = d.Str()
	r.OrderRegion = d.U32()
	d.Field = "scope"
	r.Scope.Lots = readU32s(d)
	r.Scope.Products = readU32s(d)
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		r.Scope.Codes = append(r.Scope.Codes, d.Str())
	}
	r.Scope.CodeLots = readU32s(d)
	if d.U8() == 1 {
		r.Scope.Window = &Window{Product: d.U32(), From: d.U32(), To: d.U32()}
	}
	d.Field = "reason"
	r.ReasonZH, r.ReasonEN, r.ActionZH, r.ActionEN = d.Str(), d.Str(), d.Str(), d.Str()
	d.Field = "times"
	r.Created, r.AckBy, r.StartBy, r.FinishBy = d.Varint(), d.Varint(), d.Varint(), d.Varint()
	r.LedgerSeq = d.Uvarint()
	d.Field = "close"
	r.Closed = d.Varint()
	r.CloseNote = d.Str()
	r.CloseAsk = d.Varint()
	d.Field = "progress"
	n = d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		r.Progress = append(r.Progress, Progress{Time: d.Varint(), Note: d.Str()})
	}
	return r, d.Done()
}

// Lots returns every lot the recall names (its lots and its codes' lots),
// without duplicates.
func (r *Recall) Lots() []uint32 {
	seen := map[uint32]bool{}
	var out []uint32
	for _, l := range append(append([]uint32(nil), r.Scope.Lots...), r.Scope.CodeLots...) {
		if l != 0 && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// checkText checks a free-text field a person wrote.
func checkText(field, s string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fmt.Errorf("%w: %s: empty", ErrInvalid, field)
	case len(s) > max:
		return fmt.Errorf("%w: %s: %d bytes, more than %d", ErrInvalid, field, len(s), max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f || r == 0xfffd }):
		return fmt.Errorf("%w: %s holds a control character or invalid UTF-8", ErrInvalid, field)
	}
	return nil
}
