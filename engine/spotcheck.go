package engine

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"tracecode/engine/account"
	"tracecode/engine/credit"
	"tracecode/engine/epcis"
	"tracecode/engine/spotcheck"
)

// spotState is one engine's spot-check book and the hooks wired into it.
type spotState struct {
	book *spotcheck.Book
	mu   sync.RWMutex
	risk spotcheck.Risk              // GUARDED_BY(mu); the credit ledger's class; nil: every organisation medium
	fail func(FailedSpotCheck) error // GUARDED_BY(mu); nil: not recorded elsewhere
}

var spotStates sync.Map // *Engine → *spotState

// FailedSpotCheck is a failed inspection, as the credit ledger records it.
type FailedSpotCheck struct {
	USCC     string
	Org      uint32
	Draw     uint64
	N        uint32
	Code     spotcheck.Code
	Note     string
	By       string // the regulator who recorded the result
	Region   uint32 // the regulator's division
	Recorded int64  // unix ms
}

func (e *Engine) spot() (*spotState, error) {
	if s, ok := spotStates.Load(e); ok {
		return s.(*spotState), nil
	}
	bk, err := spotcheck.Open(e.db)
	if err != nil {
		return nil, err
	}
	st := &spotState{book: bk, fail: e.creditSpotFailed,
		risk: func(uscc string) spotcheck.Class { return spotcheck.Class(e.RiskClass(uscc)) }}
	got, _ := spotStates.LoadOrStore(e, st)
	return got.(*spotState), nil
}

// creditSpotFailed writes the credit entry of a failed inspection
// (kind spot-check-failed, general gravity) against its organisation.
func (e *Engine) creditSpotFailed(f FailedSpotCheck) error {
	if f.USCC == "" || f.Org == 0 {
		return nil // no credit record without a USCC
	}
	b, err := e.CreditBook()
	if err != nil {
		return err
	}
	o, err := e.Org(f.Org)
	if err != nil {
		return err
	}
	src := fmt.Sprintf("spotcheck:%d-%d", f.Draw, f.N)
	_, err = b.Add(credit.Actor{System: true}, credit.Subject{USCC: f.USCC, Org: f.Org, Region: o.Region},
		credit.Input{Kind: credit.SpotCheckFailed, Gravity: credit.General, Doc: fmt.Sprintf("抽查 %d-%d", f.Draw, f.N),
			SummaryZH: "双随机抽查:" + f.Code.Text("zh") + spotNote(f.Note), SummaryEN: "Random spot check: " + f.Code.Text("en"),
			Source: src, RequestID: src}, f.Recorded)
	return err
}

func spotNote(n string) string {
	if n == "" {
		return ""
	}
	return "。" + truncateText(n, 200)
}

// SpotChecks returns the engine's spot-check book (plans, draws, results).
func (e *Engine) SpotChecks() (*spotcheck.Book, error) {
	s, err := e.spot()
	if err != nil {
		return nil, err
	}
	return s.book, nil
}

// WireSpotChecks replaces the spot checks' hooks (by default the credit
// ledger's: Engine.RiskClass and a spot-check-failed entry): risk
// classes an organisation for sampling (nil: every organisation medium),
// failed records each failed inspection (nil: nowhere).
func (e *Engine) WireSpotChecks(risk spotcheck.Risk, failed func(FailedSpotCheck) error) error {
	s, err := e.spot()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.risk, s.fail = risk, failed
	s.mu.Unlock()
	return nil
}

// spotRegulator refuses a key that is not a regulator's of a region.
func spotRegulator(k APIKey) error {
	if !k.Scopes.Has(ScopeRegulator) || k.Region == 0 {
		return fmt.Errorf("%w: spot checks are planned, drawn and recorded by a regulator of a region", spotcheck.ErrForbidden)
	}
	return nil
}

// SpotCheckVisible reports whether k may read the spot-check records of
// region: the operator, and a regulator of a region covering it.
func SpotCheckVisible(k APIKey, region uint32) bool {
	if k.Org == 0 && k.Scopes.Has(ScopeAdmin) {
		return true
	}
	return k.Scopes.Has(ScopeRegulator) && k.Region != 0 && RegionCovers(k.Region, region)
}

// CreateSpotPlan stores plan p for regulator k (by: its login or key
// name). The plan's region defaults to k's and must lie within it.
func (e *Engine) CreateSpotPlan(k APIKey, by string, p spotcheck.Plan) (spotcheck.Plan, error) {
	if err := spotRegulator(k); err != nil {
		return spotcheck.Plan{}, err
	}
	if p.Region == 0 {
		p.Region = k.Region
	}
	if !RegionCovers(k.Region, p.Region) {
		return spotcheck.Plan{}, fmt.Errorf("%w: region: %d is outside this regulator's division %d", spotcheck.ErrForbidden, p.Region, k.Region)
	}
	bk, err := e.SpotChecks()
	if err != nil {
		return spotcheck.Plan{}, err
	}
	p.Created, p.CreatedBy = e.Now().UnixMilli(), by
	return bk.AddPlan(p)
}

// SpotPlan returns plan id if k may read it.
func (e *Engine) SpotPlan(k APIKey, id uint32) (spotcheck.Plan, error) {
	bk, err := e.SpotChecks()
	if err != nil {
		return spotcheck.Plan{}, err
	}
	p, err := bk.Plan(id)
	if err == nil && !SpotCheckVisible(k, p.Region) {
		err = fmt.Errorf("%w: plan %d", spotcheck.ErrNotFound, id)
	}
	return p, err
}

// SpotSubjectKey is how a population names an organisation: its USCC, or
// "org:N" when it has none.
func SpotSubjectKey(o *Org) string {
	if o.USCC != "" {
		return o.USCC
	}
	return "org:" + strconv.FormatUint(uint64(o.ID), 10)
}

// SpotPopulation is the population plan p draws from now: the
// organisations registered in its region that make products of its
// categories (every organisation when it names none), each with its risk
// class and its last inspectors, and the inspector accounts (role
// inspector, not disabled) of the region.
func (e *Engine) SpotPopulation(p *spotcheck.Plan) (spotcheck.Population, error) {
	s, err := e.spot()
	if err != nil {
		return spotcheck.Population{}, err
	}
	s.mu.RLock()
	risk := s.risk
	s.mu.RUnlock()
	last := s.book.LastInspectors()
	pop := spotcheck.Population{Plan: p.ID, Region: strconv.FormatUint(uint64(p.Region), 10)}
	for _, o := range e.Orgs() {
		if !RegionCovers(p.Region, o.Region) {
			continue
		}
		if len(p.Categories) > 0 {
			var cats []Category
			for _, pr := range e.Products(o.ID) {
				cats = append(cats, pr.Category)
			}
			if !p.Covers(cats) {
				continue
			}
		}
		class := spotcheck.Medium
		if risk != nil && o.USCC != "" {
			if c := risk(o.USCC); c.Valid() {
				class = c
			}
		}
		key := SpotSubjectKey(&o)
		pop.Subjects = append(pop.Subjects, spotcheck.Subject{Key: key, Name: o.Name, Org: o.ID,
			Region: strconv.FormatUint(uint64(o.Region), 10), Class: class.String(), LastInspectors: last[key]})
	}
	as, err := e.Accounts()
	if err != nil {
		return spotcheck.Population{}, err
	}
	staff, err := as.List(func(a *account.Account) bool {
		return a.Role == account.RoleInspector && a.Disabled == 0 && RegionCovers(p.Region, a.Region)
	})
	if err != nil {
		return spotcheck.Population{}, err
	}
	for _, a := range staff {
		pop.Inspectors = append(pop.Inspectors, spotcheck.Inspector{Login: a.Login, Name: a.Name})
	}
	return pop, pop.Check()
}

// DrawSpotCheck draws plan's inspections for regulator k: with seed (a
// value published in advance) or, when seed is empty, 32 random bytes of
// the server recorded as the seed. The same plan and seed give the stored
// draw again (created false).
func (e *Engine) DrawSpotCheck(k APIKey, by string, plan uint32, seed string) (d spotcheck.Draw, created bool, err error) {
	if err := spotRegulator(k); err != nil {
		return spotcheck.Draw{}, false, err
	}
	p, err := e.SpotPlan(k, plan)
	if err != nil {
		return spotcheck.Draw{}, false, err
	}
	src := "given"
	if seed == "" {
		var b [32]byte
		rand.Read(b[:])
		seed, src = hex.EncodeToString(b[:]), "server-random"
	}
	if err := spotcheck.CheckSeed(seed); err != nil {
		return spotcheck.Draw{}, false, err
	}
	bk, err := e.SpotChecks()
	if err != nil {
		return spotcheck.Draw{}, false, err
	}
	for _, o := range bk.Draws(func(d *spotcheck.Draw) bool { return d.Plan == plan && d.Seed == seed }) {
		return o, false, nil
	}
	pop, err := e.SpotPopulation(&p)
	if err != nil {
		return spotcheck.Draw{}, false, err
	}
	out, err := spotcheck.Run(&p, &pop, seed)
	if err != nil {
		return spotcheck.Draw{}, false, err
	}
	now := e.Now()
	return bk.AddDraw(spotcheck.Draw{Plan: p.ID, Region: p.Region, Seed: seed, SeedSource: src, Outcome: out,
		Population: pop.Canonical(), Created: now.UnixMilli(), CreatedBy: by,
		PublishBy: now.Add(time.Duration(p.PublishDays) * 24 * time.Hour).UnixMilli()})
}

// SpotDraw returns draw id if k may read it.
func (e *Engine) SpotDraw(k APIKey, id uint64) (spotcheck.Draw, error) {
	bk, err := e.SpotChecks()
	if err != nil {
		return spotcheck.Draw{}, err
	}
	d, err := bk.Draw(id)
	if err == nil && !SpotCheckVisible(k, d.Region) {
		err = fmt.Errorf("%w: draw %d", spotcheck.ErrNotFound, id)
	}
	return d, err
}

// RecordSpotResult records the result of inspection r.N of draw r.Draw
// for regulator k (by: its login or key name). Sampled codes are recorded
// on the chain as one inspection event (ObjectEvent OBSERVE, bizStep
// inspecting; conformant for no problem, non_conformant for a failed
// check) in the inspected organisation's record, by the regulator's
// region; a failed check goes to the credit ledger. The result is public
// from the moment it is recorded. Recording the same result again is a
// no-op; a different one is refused.
func (e *Engine) RecordSpotResult(ctx context.Context, k APIKey, by string, r spotcheck.Result) (spotcheck.Result, error) {
	if err := spotRegulator(k); err != nil {
		return spotcheck.Result{}, err
	}
	d, err := e.SpotDraw(k, r.Draw)
	if err != nil {
		return spotcheck.Result{}, err
	}
	if r.N == 0 || int(r.N) > len(d.Outcome.Inspections) {
		return spotcheck.Result{}, fmt.Errorf("%w: draw %d has no inspection %d", spotcheck.ErrNotFound, r.Draw, r.N)
	}
	if err := spotcheck.CheckResult(&r); err != nil {
		return spotcheck.Result{}, err
	}
	s, err := e.spot()
	if err != nil {
		return spotcheck.Result{}, err
	}
	if old, ok := s.book.Result(r.Draw, r.N); ok {
		if s.book.SameResult(&r) {
			return old, nil
		}
		return spotcheck.Result{}, fmt.Errorf("%w: inspection %d of draw %d already has its result (%s, recorded by %s)",
			spotcheck.ErrConflict, r.N, r.Draw, old.Code, old.RecordedBy)
	}
	in := d.Outcome.Inspections[r.N-1]
	now := e.Now()
	if len(r.Codes) > 0 {
		ev := epcis.Event{Type: epcis.ObjectEvent, EventTime: now, EventTimeZoneOffset: now.Format("-07:00"),
			Action: epcis.ActionObserve, BizStep: epcis.BizStepInspecting}
		switch {
		case r.Code == spotcheck.NoProblem:
			ev.Disposition = epcis.DispConformant
		case r.Code.Failed():
			ev.Disposition = epcis.DispNonConformant
		}
		for _, c := range r.Codes {
			ev.EPCList = append(ev.EPCList, epcis.Identifier{Raw: c, Canon: c})
		}
		doc := &epcis.Document{Events: []epcis.Event{ev}}
		rc, err := e.Capture(ctx, doc, &CaptureOptions{Org: in.Org, Region: k.Region,
			Credential: "spotcheck " + by, RequestID: fmt.Sprintf("spotcheck-%d-%d", r.Draw, r.N)})
		if err != nil {
			return spotcheck.Result{}, fmt.Errorf("codes: %w", err)
		}
		r.LedgerSeq = rc.FirstSeq
	}
	r.Recorded, r.RecordedBy = now.UnixMilli(), by
	got, created, err := s.book.SetResult(r)
	if err != nil || !created || !got.Code.Failed() {
		return got, err
	}
	s.mu.RLock()
	fail := s.fail
	s.mu.RUnlock()
	if fail != nil {
		uscc := in.Subject
		if in.Org != 0 {
			if o, err := e.Org(in.Org); err == nil {
				uscc = o.USCC
			}
		}
		if err := fail(FailedSpotCheck{USCC: uscc, Org: in.Org, Draw: r.Draw, N: r.N, Code: r.Code, Note: r.Note,
			By: by, Region: k.Region, Recorded: r.Recorded}); err != nil {
			return got, fmt.Errorf("result recorded; the credit ledger refused it: %w", err)
		}
	}
	return got, nil
}

// PublicSpotResult is a recorded result as the public pages show it.
type PublicSpotResult struct {
	Draw     uint64
	N        uint32
	Plan     string
	Items    []string
	Region   uint32
	Subject  string // USCC or org:N
	Name     string
	Org      uint32
	Code     spotcheck.Code
	Note     string
	Lots     []string
	Recorded int64
}

// PublicSpotResults returns every recorded result, newest first; org ≠ 0
// keeps that organisation's only.
func (e *Engine) PublicSpotResults(org uint32) ([]PublicSpotResult, error) {
	bk, err := e.SpotChecks()
	if err != nil {
		return nil, err
	}
	var out []PublicSpotResult
	for _, d := range bk.Draws(nil) {
		p, err := bk.Plan(d.Plan)
		if err != nil {
			return nil, err
		}
		for _, r := range bk.Results(d.ID) {
			in := d.Outcome.Inspections[r.N-1]
			if org != 0 && in.Org != org {
				continue
			}
			out = append(out, PublicSpotResult{Draw: d.ID, N: r.N, Plan: p.Name, Items: p.Items, Region: d.Region,
				Subject: in.Subject, Name: in.Name, Org: in.Org, Code: r.Code, Note: r.Note, Lots: r.Lots, Recorded: r.Recorded})
		}
	}
	sortNewest(out)
	return out, nil
}

func sortNewest(rs []PublicSpotResult) {
	slices.SortStableFunc(rs, func(a, b PublicSpotResult) int { return cmp.Compare(b.Recorded, a.Recorded) })
}

// IsSpotCheckError reports whether err is one of package spotcheck's.
func IsSpotCheckError(err error) bool {
	return errors.Is(err, spotcheck.ErrInvalid) || errors.Is(err, spotcheck.ErrNotFound) ||
		errors.Is(err, spotcheck.ErrForbidden) || errors.Is(err, spotcheck.ErrConflict)
}
