package credit

// The credit book as the engine's callers use it (Office): who a key is
// to the book, the organisation an entry is about (by USCC), the default
// gravity of its sector, and the entries recalls and alerts add.

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/apikey"
	"tracecode/engine/model"
	"tracecode/engine/recall"
)

// Registry is what the office asks of the engine: organisations, their
// products, the clock.
type Registry interface {
	Org(id uint32) (model.Org, error)
	OrgByID(id uint32) *model.Org
	OrgByUSCC(uscc string) *model.Org
	Products(org uint32) []model.Product
	Now() time.Time
}

// Office is the credit book as API keys use it. It is safe for concurrent
// use.
type Office struct {
	// Book is the credit ledger.
	Book *Book
	reg  Registry
}

// NewOffice returns the office over book b, asking r.
func NewOffice(b *Book, r Registry) *Office { return &Office{Book: b, reg: r} }

func (o *Office) nowMillis() int64 { return o.reg.Now().UnixMilli() }

// KeyActor is who key k is to the credit book.
func KeyActor(k apikey.Key) Actor {
	a := Actor{By: k.Credential(), Org: k.Org}
	switch {
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		a.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		a.Operator = true
	}
	return a
}

// creditSubject is the organisation with USCC uscc (Org 0: none is
// registered; its region then comes from the code itself).
func (o *Office) subject(uscc string) Subject {
	s := Subject{USCC: uscc}
	if g := o.reg.OrgByUSCC(uscc); g != nil {
		s.Org, s.Region = g.ID, g.Region
	}
	return s
}

// specialSector reports whether organisation org makes food, drugs or
// special equipment (their entries' minimum publication is the longest).
func (o *Office) specialSector(org uint32) bool {
	for _, p := range o.reg.Products(org) {
		switch p.Category {
		case model.CatFood, model.CatDrug, model.CatFarm, model.CatElevator, model.CatGasCylinder:
			return true
		}
	}
	return false
}

// Add writes a credit entry about the organisation uscc names, as
// key k: a regulator of the organisation's division, or the operator
// importing it. A negative entry without a gravity gets Special when the
// organisation makes food, drugs or special equipment, else General.
func (o *Office) Add(k apikey.Key, uscc string, in Input) (Record, error) {
	if err := CheckUSCC(uscc); err != nil {
		return Record{}, err
	}
	s := o.subject(uscc)
	if s.Org == 0 {
		return Record{}, fmt.Errorf("%w: uscc %s: no registered organisation has it", ErrNotFound, uscc)
	}
	if in.Kind.Negative() && in.Gravity == 0 {
		in.Gravity = General
		if o.specialSector(s.Org) {
			in.Gravity = Special
		}
	}
	return o.Book.Add(KeyActor(k), s, in, o.nowMillis())
}

// View is an organisation's credit record as a key sees it.
type View struct {
	USCC    string  `json:"uscc"`
	Org     uint32  `json:"org,omitzero"`
	Name    string  `json:"name,omitempty"`
	NameEN  string  `json:"name_en,omitempty"`
	Risk    string  `json:"risk_class"`
	Entries []Entry `json:"entries"`
	// All: the view holds every entry (repaired, expired, not yet
	// published); otherwise only the published ones.
	All bool `json:"all"`
}

// seesAllCredit reports whether key k sees every entry about an
// organisation of org and region: the organisation itself, a regulator
// covering it, the operator.
func seesAllCredit(k apikey.Key, org, region uint32) bool {
	a := KeyActor(k)
	return a.Operator || (org != 0 && k.Org == org) || (a.Region != 0 && region != 0 && apikey.RegionCovers(a.Region, region))
}

// View returns the credit record of uscc for key k.
func (o *Office) View(k apikey.Key, uscc string) (View, error) {
	if err := CheckUSCC(uscc); err != nil {
		return View{}, err
	}
	s := o.subject(uscc)
	now := o.nowMillis()
	v := View{USCC: uscc, Org: s.Org, All: seesAllCredit(k, s.Org, s.Region)}
	if s.Org != 0 {
		if g, err := o.reg.Org(s.Org); err == nil {
			v.Name, v.NameEN = g.Name, g.NameEN
		}
	}
	v.Entries = o.Book.Entries(uscc, now, v.All)
	if v.Entries == nil {
		v.Entries = []Entry{}
	}
	if v.All {
		v.Risk = o.Book.RiskClass(uscc, now).String()
	}
	return v, nil
}

// ApplyRepair files key k's organisation's application to repair
// entry seq (its admin key or enterprise admin account).
func (o *Office) ApplyRepair(k apikey.Key, seq uint64, note, requestID string) (Record, error) {
	if k.Org == 0 || !k.Scopes.Has(apikey.ScopeAdmin) {
		return Record{}, fmt.Errorf("%w: an organisation's admin key applies for repair of its own entries", ErrForbidden)
	}
	return o.Book.Apply(KeyActor(k), seq, note, requestID, o.nowMillis())
}

// DecideRepair records key k's decision on the repair application
// of entry seq (a regulator of the organisation's division).
func (o *Office) DecideRepair(k apikey.Key, seq uint64, approve bool, note, requestID string) (Record, error) {
	return o.Book.Decide(KeyActor(k), seq, approve, note, requestID, o.nowMillis())
}

// RepairsPending returns the entries with a repair application
// pending that key k decides (a regulator: its division's; the operator:
// all).
func (o *Office) RepairsPending(k apikey.Key) []Entry {
	a := KeyActor(k)
	switch {
	case a.Operator:
		return o.Book.Pending(nil, o.nowMillis())
	case a.Region != 0:
		return o.Book.Pending(func(r uint32) bool { return r != 0 && apikey.RegionCovers(a.Region, r) }, o.nowMillis())
	}
	return nil
}

// Listing is a published entry of the public lists with its
// organisation's names.
type Listing struct {
	Entry
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// Listed returns the organisations now on the serious violation list and
// the abnormal-operations list (public).
func (o *Office) Listed() []Listing {
	var out []Listing
	for _, en := range o.Book.Listed(o.nowMillis()) {
		l := Listing{Entry: en}
		if g, err := o.reg.Org(en.Org); err == nil {
			l.Name, l.NameEN = g.Name, g.NameEN
		}
		out = append(out, l)
	}
	return out
}

// Warning returns the published serious-violation entry of
// organisation org, which the scan pages of its products show (ok false:
// none, or the organisation has no USCC).
func (o *Office) Warning(org uint32) (Entry, bool) {
	var uscc string
	if g := o.reg.OrgByID(org); g != nil {
		uscc = g.USCC
	}
	return o.Book.Warning(uscc, o.nowMillis())
}

// RiskClass returns the spot-check risk class of the organisation with
// USCC uscc now.
func (o *Office) RiskClass(uscc string) RiskClass {
	return o.Book.RiskClass(uscc, o.nowMillis())
}

// System writes an automatic entry about organisation org (a
// closed recall, a confirmed alert); an organisation without a USCC has
// no credit record, and a failure here does not undo what caused it.
func (o *Office) System(org uint32, in Input) {
	g, err := o.reg.Org(org)
	if err != nil || g.USCC == "" {
		return
	}
	s := Subject{USCC: g.USCC, Org: g.ID, Region: g.Region}
	_, _ = o.Book.Add(Actor{System: true}, s, in, o.nowMillis())
}

// RecallClosed adds the recall-history entry of a closed recall.
func (o *Office) RecallClosed(r *recall.Recall) {
	if r.State != recall.Closed {
		return
	}
	o.System(r.Producer, Input{Kind: RecallHistory, Gravity: Minor,
		Doc: fmt.Sprintf("recall %d", r.ID), SummaryZH: "产品召回(" + r.Level.String() + "级):" + model.TruncateText(r.ReasonZH, 200),
		SummaryEN: "Product recall (level " + r.Level.String() + "): " + model.TruncateText(r.ReasonEN, 400),
		Source:    fmt.Sprintf("recall:%d", r.ID), RequestID: fmt.Sprintf("recall:%d", r.ID)})
}

// AlertConfirmed adds the entry of an alert a regulator confirmed.
func (o *Office) AlertConfirmed(a *alert.Alert) {
	if a.State != alert.Closed || a.Outcome() != alert.Confirmed || a.Subject.Org == 0 {
		return
	}
	o.System(a.Subject.Org, Input{Kind: AlertConfirmed, Gravity: General,
		Doc: fmt.Sprintf("alert %d", a.ID), SummaryZH: "风险预警经监管部门确认:" + model.TruncateText(a.MessageZH, 200),
		SummaryEN: "Risk alert confirmed by a regulator: " + model.TruncateText(a.Message, 400),
		Source:    fmt.Sprintf("alert:%d", a.ID), RequestID: fmt.Sprintf("alert:%d", a.ID)})
}

// SpotFailure is a failed spot-check inspection as the credit ledger
// records it (spotcheck.Failed, with its result's names).
type SpotFailure struct {
	USCC               string
	Org                uint32
	Draw               uint64
	N                  uint32
	ResultZH, ResultEN string // the result code's names
	Note               string
	Recorded           int64 // unix ms
}

// SpotCheckFailed writes the entry of a failed inspection (kind
// spot-check-failed, general gravity) against its organisation; an
// inspection of no registered organisation with a USCC writes none. A
// retry writes nothing new (the request id is the inspection's).
func (o *Office) SpotCheckFailed(f SpotFailure) error {
	if f.USCC == "" || f.Org == 0 {
		return nil // no credit record without a USCC
	}
	g, err := o.reg.Org(f.Org)
	if err != nil {
		return err
	}
	note := ""
	if f.Note != "" {
		note = "。" + model.TruncateText(f.Note, 200)
	}
	src := fmt.Sprintf("spotcheck:%d-%d", f.Draw, f.N)
	_, err = o.Book.Add(Actor{System: true}, Subject{USCC: f.USCC, Org: f.Org, Region: g.Region},
		Input{Kind: SpotCheckFailed, Gravity: General, Doc: fmt.Sprintf("抽查 %d-%d", f.Draw, f.N),
			SummaryZH: "双随机抽查:" + f.ResultZH + note, SummaryEN: "Random spot check: " + f.ResultEN,
			Source: src, RequestID: src}, f.Recorded)
	return err
}
