package engine

// This file connects the engine to engine/credit: who a key is to the
// credit book, the organisation an entry is about (by USCC), the default
// gravity of its sector, and the entries recalls and alerts add. The rules
// (minimum publication, repair, risk class, the public lists) live in
// engine/credit.

import (
	"fmt"
	"sync"
	"sync/atomic"

	"tracecode/engine/alert"
	"tracecode/engine/complaint"
	"tracecode/engine/credit"
	"tracecode/engine/model"
	"tracecode/engine/recall"
)

// dutyBooks are the credit book and the complaint desk, opened on first
// use (they read their records into memory once).
type dutyBooks struct {
	mu         sync.Mutex // serialises opening
	credit     atomic.Pointer[credit.Book]
	complaints atomic.Pointer[complaint.Desk]
}

// CreditBook returns the engine's credit ledger, opening it on first use.
func (e *Engine) CreditBook() (*credit.Book, error) {
	if b := e.duties.credit.Load(); b != nil {
		return b, nil
	}
	e.duties.mu.Lock()
	defer e.duties.mu.Unlock()
	if b := e.duties.credit.Load(); b != nil {
		return b, nil
	}
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	b, err := credit.Open(e.db, credit.Config{Location: e.opts.Location})
	if err != nil {
		return nil, err
	}
	e.duties.credit.Store(b)
	return b, nil
}

// checkOpen returns ErrClosed once the engine is closed.
func (e *Engine) checkOpen() error {
	if e.iss.Closed() {
		return ErrClosed
	}
	return nil
}

// keyCredential names key k in the records it writes.
func keyCredential(k APIKey) string {
	if k.ID == 0 && k.Name != "" {
		return "account:" + k.Name
	}
	return fmt.Sprintf("key:%016x", k.ID)
}

// creditActor is who key k is to the credit book.
func creditActor(k APIKey) credit.Actor {
	a := credit.Actor{By: keyCredential(k), Org: k.Org}
	switch {
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		a.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		a.Operator = true
	}
	return a
}

// creditSubject is the organisation with USCC uscc (Org 0: none is
// registered; its region then comes from the code itself).
func (e *Engine) creditSubject(uscc string) credit.Subject {
	s := credit.Subject{USCC: uscc}
	if o := e.iss.OrgByUSCC(uscc); o != nil {
		s.Org, s.Region = o.ID, o.Region
	}
	return s
}

// specialSector reports whether organisation org makes food, drugs or
// special equipment (their entries' minimum publication is the longest).
func (e *Engine) specialSector(org uint32) bool {
	for _, p := range e.Products(org) {
		switch p.Category {
		case model.CatFood, model.CatDrug, model.CatFarm, model.CatElevator, model.CatGasCylinder:
			return true
		}
	}
	return false
}

// AddCredit writes a credit entry about the organisation uscc names, as
// key k: a regulator of the organisation's division, or the operator
// importing it. A negative entry without a gravity gets Special when the
// organisation makes food, drugs or special equipment, else General.
func (e *Engine) AddCredit(k APIKey, uscc string, in credit.Input) (credit.Record, error) {
	b, err := e.CreditBook()
	if err != nil {
		return credit.Record{}, err
	}
	if err := credit.CheckUSCC(uscc); err != nil {
		return credit.Record{}, err
	}
	s := e.creditSubject(uscc)
	if s.Org == 0 {
		return credit.Record{}, fmt.Errorf("%w: uscc %s: no registered organisation has it", credit.ErrNotFound, uscc)
	}
	if in.Kind.Negative() && in.Gravity == 0 {
		in.Gravity = credit.General
		if e.specialSector(s.Org) {
			in.Gravity = credit.Special
		}
	}
	return b.Add(creditActor(k), s, in, e.nowMillis())
}

// CreditView is an organisation's credit record as a key sees it.
type CreditView struct {
	USCC    string         `json:"uscc"`
	Org     uint32         `json:"org,omitzero"`
	Name    string         `json:"name,omitempty"`
	NameEN  string         `json:"name_en,omitempty"`
	Risk    string         `json:"risk_class"`
	Entries []credit.Entry `json:"entries"`
	// All: the view holds every entry (repaired, expired, not yet
	// published); otherwise only the published ones.
	All bool `json:"all"`
}

// seesAllCredit reports whether key k sees every entry about an
// organisation of org and region: the organisation itself, a regulator
// covering it, the operator.
func seesAllCredit(k APIKey, org, region uint32) bool {
	a := creditActor(k)
	return a.Operator || (org != 0 && k.Org == org) || (a.Region != 0 && region != 0 && RegionCovers(a.Region, region))
}

// Credit returns the credit record of uscc for key k.
func (e *Engine) Credit(k APIKey, uscc string) (CreditView, error) {
	b, err := e.CreditBook()
	if err != nil {
		return CreditView{}, err
	}
	if err := credit.CheckUSCC(uscc); err != nil {
		return CreditView{}, err
	}
	s := e.creditSubject(uscc)
	now := e.nowMillis()
	v := CreditView{USCC: uscc, Org: s.Org, All: seesAllCredit(k, s.Org, s.Region)}
	if s.Org != 0 {
		if o, err := e.Org(s.Org); err == nil {
			v.Name, v.NameEN = o.Name, o.NameEN
		}
	}
	v.Entries = b.Entries(uscc, now, v.All)
	if v.Entries == nil {
		v.Entries = []credit.Entry{}
	}
	if v.All {
		v.Risk = b.RiskClass(uscc, now).String()
	}
	return v, nil
}

// ApplyCreditRepair files key k's organisation's application to repair
// entry seq (its admin key or enterprise admin account).
func (e *Engine) ApplyCreditRepair(k APIKey, seq uint64, note, requestID string) (credit.Record, error) {
	b, err := e.CreditBook()
	if err != nil {
		return credit.Record{}, err
	}
	if k.Org == 0 || !k.Scopes.Has(ScopeAdmin) {
		return credit.Record{}, fmt.Errorf("%w: an organisation's admin key applies for repair of its own entries", credit.ErrForbidden)
	}
	return b.Apply(creditActor(k), seq, note, requestID, e.nowMillis())
}

// DecideCreditRepair records key k's decision on the repair application
// of entry seq (a regulator of the organisation's division).
func (e *Engine) DecideCreditRepair(k APIKey, seq uint64, approve bool, note, requestID string) (credit.Record, error) {
	b, err := e.CreditBook()
	if err != nil {
		return credit.Record{}, err
	}
	return b.Decide(creditActor(k), seq, approve, note, requestID, e.nowMillis())
}

// CreditRepairsPending returns the entries with a repair application
// pending that key k decides (a regulator: its division's; the operator:
// all).
func (e *Engine) CreditRepairsPending(k APIKey) ([]credit.Entry, error) {
	b, err := e.CreditBook()
	if err != nil {
		return nil, err
	}
	a := creditActor(k)
	switch {
	case a.Operator:
		return b.Pending(nil, e.nowMillis()), nil
	case a.Region != 0:
		return b.Pending(func(r uint32) bool { return r != 0 && RegionCovers(a.Region, r) }, e.nowMillis()), nil
	}
	return nil, nil
}

// Listing is a published entry of the public lists with its
// organisation's names.
type Listing struct {
	credit.Entry
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// CreditListed returns the organisations now on the serious violation
// list and the abnormal-operations list (public).
func (e *Engine) CreditListed() ([]Listing, error) {
	b, err := e.CreditBook()
	if err != nil {
		return nil, err
	}
	var out []Listing
	for _, en := range b.Listed(e.nowMillis()) {
		l := Listing{Entry: en}
		if o, err := e.Org(en.Org); err == nil {
			l.Name, l.NameEN = o.Name, o.NameEN
		}
		out = append(out, l)
	}
	return out, nil
}

// CreditWarning returns the published serious-violation entry of
// organisation org, which the scan pages of its products show (ok false:
// none, or the organisation has no USCC).
func (e *Engine) CreditWarning(org uint32) (credit.Entry, bool) {
	b, err := e.CreditBook()
	if err != nil {
		return credit.Entry{}, false
	}
	var uscc string
	if o := e.iss.OrgByID(org); o != nil {
		uscc = o.USCC
	}
	return b.Warning(uscc, e.nowMillis())
}

// RiskClass returns the spot-check risk class of the organisation with
// USCC uscc now (credit.RiskLow when the book cannot be read).
func (e *Engine) RiskClass(uscc string) credit.RiskClass {
	b, err := e.CreditBook()
	if err != nil {
		return credit.RiskLow
	}
	return b.RiskClass(uscc, e.nowMillis())
}

// systemCredit writes an automatic entry about organisation org (a
// closed recall, a confirmed alert); an organisation without a USCC has
// no credit record, and a failure here does not undo what caused it.
func (e *Engine) systemCredit(org uint32, in credit.Input) {
	o, err := e.Org(org)
	if err != nil || o.USCC == "" {
		return
	}
	b, err := e.CreditBook()
	if err != nil {
		return
	}
	s := credit.Subject{USCC: o.USCC, Org: o.ID, Region: o.Region}
	_, _ = b.Add(credit.Actor{System: true}, s, in, e.nowMillis())
}

// creditRecallClosed adds the recall-history entry of a closed recall.
func (e *Engine) creditRecallClosed(r *recall.Recall) {
	if r.State != recall.Closed {
		return
	}
	e.systemCredit(r.Producer, credit.Input{Kind: credit.RecallHistory, Gravity: credit.Minor,
		Doc: fmt.Sprintf("recall %d", r.ID), SummaryZH: "产品召回(" + r.Level.String() + "级):" + truncateText(r.ReasonZH, 200),
		SummaryEN: "Product recall (level " + r.Level.String() + "): " + truncateText(r.ReasonEN, 400),
		Source:    fmt.Sprintf("recall:%d", r.ID), RequestID: fmt.Sprintf("recall:%d", r.ID)})
}

// creditAlertConfirmed adds the entry of an alert a regulator confirmed.
func (e *Engine) creditAlertConfirmed(a *alert.Alert) {
	if a.State != alert.Closed || a.Outcome() != alert.Confirmed || a.Subject.Org == 0 {
		return
	}
	e.systemCredit(a.Subject.Org, credit.Input{Kind: credit.AlertConfirmed, Gravity: credit.General,
		Doc: fmt.Sprintf("alert %d", a.ID), SummaryZH: "风险预警经监管部门确认:" + truncateText(a.MessageZH, 200),
		SummaryEN: "Risk alert confirmed by a regulator: " + truncateText(a.Message, 400),
		Source:    fmt.Sprintf("alert:%d", a.ID), RequestID: fmt.Sprintf("alert:%d", a.ID)})
}
