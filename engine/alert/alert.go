// Package alert is the risk-warning (风险预警) engine: rules, each a small
// Go type with a documented trigger, severity and routing, evaluated
// incrementally as each report, event and scan is applied — a rule sees
// one Fact at a time and what it remembered of earlier ones (marks), never
// a scan of the store — and the alerts they raise, which regulators and
// the organisations concerned acknowledge and close.
//
// Rules that fire on a date (a recall deadline, an overdue inspection, a
// missing periodic report) schedule a due entry when the fact that starts
// the clock is applied; the Scheduler wakes on the earliest due date (a
// timer, not polling) and gives the rule a FactDue.
//
// Everything a rule writes — marks, due entries, alerts — goes into the
// caller's batch, so it commits with the report that caused it or not at
// all. docs/alerts.md describes the model and every rule.
package alert

import (
	"errors"
	"fmt"
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors. ErrInvalid and ErrState wrap a message naming the field or the
// alert at fault.
var (
	ErrInvalid   = errors.New("alert: invalid")
	ErrNotFound  = errors.New("alert: not found")
	ErrState     = errors.New("alert: wrong state")
	ErrForbidden = errors.New("alert: not allowed")
)

// Severity is how urgent an alert is. Numeric values are persisted.
type Severity uint8

// The severities.
const (
	// Info: worth a look; nothing is known to be wrong.
	Info Severity = 1
	// Warning: a rule of the trade was broken (a sale after expiry, a
	// shipment to an unregistered party); the organisation must explain.
	Warning Severity = 2
	// Critical: goods may be counterfeit, diverted or dangerous (a drug
	// code dispensed twice, a sale of a recalled or held item); a regulator
	// acts.
	Critical Severity = 3
)

var severityNames = [...]string{"", "info", "warning", "critical"}

// String returns "info", "warning" or "critical".
func (s Severity) String() string {
	if s >= Info && s <= Critical {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText writes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && n == s {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("%w: severity %q: want info, warning or critical", ErrInvalid, s)
}

// State is where an alert is in its life: open → acknowledged → closed.
// Numeric values are persisted.
type State uint8

// The states.
const (
	Open         State = 1
	Acknowledged State = 2
	Closed       State = 3
)

var stateNames = [...]string{"", "open", "acknowledged", "closed"}

// String returns "open", "acknowledged" or "closed".
func (s State) String() string {
	if s >= Open && s <= Closed {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText writes the name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseState reads a state name.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if i > 0 && n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("%w: state %q: want open, acknowledged or closed", ErrInvalid, s)
}

// Outcome is how a closed alert ended. Numeric values are persisted.
type Outcome uint8

// The outcomes.
const (
	// Resolved: the cause was dealt with (the default).
	Resolved Outcome = 0
	// Confirmed: a regulator confirmed the suspicion (a clone, a diversion).
	Confirmed Outcome = 1
	// Cleared: a regulator found nothing wrong (a false alarm).
	Cleared Outcome = 2
)

var outcomeNames = [...]string{"resolved", "confirmed", "cleared"}

// String returns "resolved", "confirmed" or "cleared".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// MarshalText writes the name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// ParseOutcome reads an outcome name ("" is resolved).
func ParseOutcome(s string) (Outcome, error) {
	if s == "" {
		return Resolved, nil
	}
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("%w: outcome %q: want resolved, confirmed or cleared", ErrInvalid, s)
}

// Subject is what an alert is about: one code (Product and Counter;
// product 0 is an SSCC), a lot, an organisation, or a recall — any
// combination the rule knows. Code is the code as printed or scanned, for
// people; the numeric fields are the keys.
type Subject struct {
	Product uint32 `json:"product,omitzero"`
	Counter uint64 `json:"counter,omitzero"`
	Lot     uint32 `json:"lot,omitzero"`
	Org     uint32 `json:"org,omitzero"`
	Recall  uint64 `json:"recall,omitzero"`
	Code    string `json:"code,omitzero"`
}

// EvidenceKind says what an evidence entry points at. Numeric values are
// persisted.
type EvidenceKind uint8

// The evidence kinds.
const (
	// EvRecord: a ledger record (Seq is its global sequence number).
	EvRecord EvidenceKind = 1
	// EvScan: a public scan (Seq is its unix ms).
	EvScan EvidenceKind = 2
	// EvRecall: a recall (Seq is its id).
	EvRecall EvidenceKind = 3
	// EvDue: a due date that passed (Seq is its unix ms).
	EvDue EvidenceKind = 4
)

var evidenceNames = [...]string{"", "record", "scan", "recall", "due"}

// String returns "record", "scan", "recall" or "due".
func (k EvidenceKind) String() string {
	if k >= EvRecord && k <= EvDue {
		return evidenceNames[k]
	}
	return fmt.Sprintf("evidence(%d)", uint8(k))
}

// MarshalText writes the name.
func (k EvidenceKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Evidence is one record that made a rule fire, with a line saying what
// it showed.
type Evidence struct {
	Kind EvidenceKind `json:"kind"`
	Seq  uint64       `json:"seq"`
	Note string       `json:"note,omitzero"`
}

// Change is one state change of an alert: who made it, when, with what
// note.
type Change struct {
	State   State   `json:"state"`
	Outcome Outcome `json:"outcome,omitzero"`
	Time    int64   `json:"time"` // unix ms
	By      string  `json:"by"`   // the credential (an API key id, a user)
	Note    string  `json:"note,omitzero"`
}

// Alert is one risk warning.
//
// # Representation (key 0xA8 | id u64, value version 1)
//
//	ver=1 | rule str | severity u8 | product uvarint | counter uvarint | lot uvarint
//	      | org uvarint | recall uvarint | code str | region uvarint | time varint
//	      | message str | messageZH str | nEvidence uvarint (kind u8 | seq uvarint | note str)…
//	      | state u8 | nChanges uvarint (state u8 | outcome u8 | time varint | by str | note str)…
//
// Times are unix milliseconds; str is a uvarint length and the bytes.
type Alert struct {
	ID       uint64   `json:"id"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Subject  Subject  `json:"subject"`
	// Region is the GB/T 2260 division the alert is routed to: its
	// regulators and every level above them see it.
	Region uint32 `json:"region"`
	Time   int64  `json:"time"` // unix ms when it was raised
	// Message says what happened in English; MessageZH in Chinese.
	Message   string     `json:"message"`
	MessageZH string     `json:"message_zh"`
	Evidence  []Evidence `json:"evidence"`
	State     State      `json:"state"`
	Changes   []Change   `json:"changes,omitzero"`
}

// Outcome returns how a closed alert ended (Resolved while it is open).
func (a *Alert) Outcome() Outcome {
	for i := len(a.Changes) - 1; i >= 0; i-- {
		if a.Changes[i].State == Closed {
			return a.Changes[i].Outcome
		}
	}
	return Resolved
}

// Key returns the store key of alert id.
func Key(id uint64) []byte { return store.AlertKey(id) }

const alertVersion = 1

// AppendBinary appends the stored value of a (its id is in the key).
func (a *Alert) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(alertVersion)
	w.Str(a.Rule)
	w.U8(uint8(a.Severity))
	s := &a.Subject
	w.U32(s.Product)
	w.Uvarint(s.Counter)
	w.U32(s.Lot)
	w.U32(s.Org)
	w.Uvarint(s.Recall)
	w.Str(s.Code)
	w.U32(a.Region)
	w.Varint(a.Time)
	w.Str(a.Message)
	w.Str(a.MessageZH)
	w.Count(len(a.Evidence))
	for _, e := range a.Evidence {
		w.U8(uint8(e.Kind))
		w.Uvarint(e.Seq)
		w.Str(e.Note)
	}
	w.U8(uint8(a.State))
	w.Count(len(a.Changes))
	for _, c := range a.Changes {
		w.U8(uint8(c.State))
		w.U8(uint8(c.Outcome))
		w.Varint(c.Time)
		w.Str(c.By)
		w.Str(c.Note)
	}
	return w.B
}

// Decode decodes the stored value v of alert id.
func Decode(id uint64, v []byte) (Alert, error) {
	d := wire.NewReader("alert", v)
	d.Version(alertVersion)
	a := Alert{ID: id}
	d.Field = "rule"
	a.Rule = d.Str()
	d.Field = "severity"
	a.Severity = Severity(d.U8())
	d.Field = "subject"
	a.Subject.Product = d.U32()
	a.Subject.Counter = d.Uvarint()
	a.Subject.Lot = d.U32()
	a.Subject.Org = d.U32()
	a.Subject.Recall = d.Uvarint()
	a.Subject.Code = d.Str()
	d.Field = "region"
	a.Region = d.U32()
	d.Field = "time"
	a.Time = d.Varint()
	d.Field = "message"
	a.Message = d.Str()
	a.MessageZH = d.Str()
	d.Field = "evidence"
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		var e Evidence
		e.Kind = EvidenceKind(d.U8())
		e.Seq = d.Uvarint()
		e.Note = d.Str()
		a.Evidence = append(a.Evidence, e)
	}
	d.Field = "state"
	a.State = State(d.U8())
	if d.Err == nil && (a.State < Open || a.State > Closed) {
		d.Fail(fmt.Sprintf("state %d", a.State))
	}
	d.Field = "changes"
	n = d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		var c Change
		c.State = State(d.U8())
		c.Outcome = Outcome(d.U8())
		c.Time = d.Varint()
		c.By = d.Str()
		c.Note = d.Str()
		a.Changes = append(a.Changes, c)
	}
	return a, d.Done()
}

// Actor is who asks to change or read alerts: an organisation's key, a
// regulator's key (Region set) or the operator.
type Actor struct {
	Org      uint32
	Region   uint32 // a regulator's GB/T 2260 division; 0 otherwise
	Operator bool
	By       string // the credential, recorded with every change
}

// Sees reports whether actor may see alert a: the operator sees every
// alert, a regulator those routed to its division or any division inside
// it (a province sees its counties' alerts), an organisation those about
// itself.
func (x Actor) Sees(a *Alert) bool {
	switch {
	case x.Operator:
		return true
	case x.Region != 0:
		return Covers(x.Region, a.Region)
	default:
		return x.Org != 0 && x.Org == a.Subject.Org
	}
}

// Covers reports whether division region covers division code: a province
// covers its cities, counties and townships, a city its counties and
// townships. 0 and unknown codes cover only themselves.
func Covers(region, code uint32) bool {
	if region == code {
		return region != 0
	}
	r, err := cn.NewRegion(int(region))
	if err != nil {
		return false
	}
	o, err := cn.NewRegion(int(code))
	if err != nil {
		return false
	}
	return r.Contains(o)
}

// RegionPath returns the divisions that see an alert routed to region,
// from the region itself up to its province (a township's county, city
// and province). The outbox publishes an alert once per entry.
func RegionPath(region uint32) []uint32 {
	r, err := cn.NewRegion(int(region))
	if err != nil || region == 0 {
		if region == 0 {
			return nil
		}
		return []uint32{region}
	}
	var out []uint32
	for _, p := range r.AppendPath(nil) {
		out = append(out, p.Uint32())
	}
	// AppendPath runs from the province down; the alert's own division first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// checkText checks a free-text field a person wrote.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrInvalid, field, len(s), max)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == 0xfffd }) {
		return fmt.Errorf("%w: %s holds a control character or invalid UTF-8", ErrInvalid, field)
	}
	return nil
}
