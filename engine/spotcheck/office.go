package spotcheck

// The spot-check book as the engine's callers use it (Office): who may
// plan, draw and read, the population a plan draws from, and a result
// recorded on the chain and, when failed, in the credit ledger.

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

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/model"
)

// Engine is what the office asks of the engine: organisations and their
// products, the inspector accounts of a region, the report chain, the
// clock.
type Engine interface {
	Org(id uint32) (model.Org, error)
	Orgs() []model.Org
	Products(org uint32) []model.Product
	// Inspectors returns the inspector accounts (not disabled) of the
	// divisions region covers.
	Inspectors(region uint32) ([]Inspector, error)
	Capture(ctx context.Context, doc *epcis.Document, o *chain.CaptureOptions) (*chain.Receipt, error)
	Now() time.Time
}

// Office is the spot-check book as regulators' keys use it. It is safe
// for concurrent use.
type Office struct {
	// Book holds the plans, draws and results.
	Book *Book
	e    Engine
	mu   sync.RWMutex
	risk Risk               // GUARDED_BY(mu); the credit ledger's class; nil: every organisation medium
	fail func(Failed) error // GUARDED_BY(mu); nil: not recorded elsewhere
}

// NewOffice returns the office over book b, asking e; risk and fail are
// its hooks (see Wire).
func NewOffice(b *Book, e Engine, risk Risk, fail func(Failed) error) *Office {
	return &Office{Book: b, e: e, risk: risk, fail: fail}
}

// Failed is a failed inspection, as the credit ledger records it.
type Failed struct {
	USCC     string
	Org      uint32
	Draw     uint64
	N        uint32
	Code     Code
	Note     string
	By       string // the regulator who recorded the result
	Region   uint32 // the regulator's division
	Recorded int64  // unix ms
}

// Wire replaces the office's hooks: risk classes an organisation for
// sampling (nil: every organisation medium), failed records each failed
// inspection (nil: nowhere).
func (o *Office) Wire(risk Risk, failed func(Failed) error) {
	o.mu.Lock()
	o.risk, o.fail = risk, failed
	o.mu.Unlock()
}

// regulator refuses a key that is not a regulator's of a region.
func regulator(k apikey.Key) error {
	if !k.Scopes.Has(apikey.ScopeRegulator) || k.Region == 0 {
		return fmt.Errorf("%w: spot checks are planned, drawn and recorded by a regulator of a region", ErrForbidden)
	}
	return nil
}

// Visible reports whether k may read the spot-check records of region:
// the operator, and a regulator of a region covering it.
func Visible(k apikey.Key, region uint32) bool {
	if k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin) {
		return true
	}
	return k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 && apikey.RegionCovers(k.Region, region)
}

// CreatePlan stores plan p for regulator k (by: its login or key
// name). The plan's region defaults to k's and must lie within it.
func (o *Office) CreatePlan(k apikey.Key, by string, p Plan) (Plan, error) {
	if err := regulator(k); err != nil {
		return Plan{}, err
	}
	if p.Region == 0 {
		p.Region = k.Region
	}
	if !apikey.RegionCovers(k.Region, p.Region) {
		return Plan{}, fmt.Errorf("%w: region: %d is outside this regulator's division %d", ErrForbidden, p.Region, k.Region)
	}
	p.Created, p.CreatedBy = o.e.Now().UnixMilli(), by
	return o.Book.AddPlan(p)
}

// Plan returns plan id if k may read it.
func (o *Office) Plan(k apikey.Key, id uint32) (Plan, error) {
	p, err := o.Book.Plan(id)
	if err == nil && !Visible(k, p.Region) {
		err = fmt.Errorf("%w: plan %d", ErrNotFound, id)
	}
	return p, err
}

// SubjectKey is how a population names an organisation: its USCC, or
// "org:N" when it has none.
func SubjectKey(o *model.Org) string {
	if o.USCC != "" {
		return o.USCC
	}
	return "org:" + strconv.FormatUint(uint64(o.ID), 10)
}

// Population is the population plan p draws from now: the
// organisations registered in its region that make products of its
// categories (every organisation when it names none), each with its risk
// class and its last inspectors, and the inspector accounts (role
// inspector, not disabled) of the region.
func (o *Office) Population(p *Plan) (Population, error) {
	o.mu.RLock()
	risk := o.risk
	o.mu.RUnlock()
	last := o.Book.LastInspectors()
	pop := Population{Plan: p.ID, Region: strconv.FormatUint(uint64(p.Region), 10)}
	for _, g := range o.e.Orgs() {
		if !apikey.RegionCovers(p.Region, g.Region) {
			continue
		}
		if len(p.Categories) > 0 {
			var cats []model.Category
			for _, pr := range o.e.Products(g.ID) {
				cats = append(cats, pr.Category)
			}
			if !p.Covers(cats) {
				continue
			}
		}
		class := Medium
		if risk != nil && g.USCC != "" {
			if c := risk(g.USCC); c.Valid() {
				class = c
			}
		}
		key := SubjectKey(&g)
		pop.Subjects = append(pop.Subjects, Subject{Key: key, Name: g.Name, Org: g.ID,
			Region: strconv.FormatUint(uint64(g.Region), 10), Class: class.String(), LastInspectors: last[key]})
	}
	staff, err := o.e.Inspectors(p.Region)
	if err != nil {
		return Population{}, err
	}
	pop.Inspectors = append(pop.Inspectors, staff...)
	return pop, pop.Check()
}

// Draw draws plan's inspections for regulator k: with seed (a
// value published in advance) or, when seed is empty, 32 random bytes of
// the server recorded as the seed. The same plan and seed give the stored
// draw again (created false).
func (o *Office) Draw(k apikey.Key, by string, plan uint32, seed string) (d Draw, created bool, err error) {
	if err := regulator(k); err != nil {
		return Draw{}, false, err
	}
	p, err := o.Plan(k, plan)
	if err != nil {
		return Draw{}, false, err
	}
	src := "given"
	if seed == "" {
		var b [32]byte
		rand.Read(b[:])
		seed, src = hex.EncodeToString(b[:]), "server-random"
	}
	if err := CheckSeed(seed); err != nil {
		return Draw{}, false, err
	}
	for _, old := range o.Book.Draws(func(d *Draw) bool { return d.Plan == plan && d.Seed == seed }) {
		return old, false, nil
	}
	pop, err := o.Population(&p)
	if err != nil {
		return Draw{}, false, err
	}
	out, err := Run(&p, &pop, seed)
	if err != nil {
		return Draw{}, false, err
	}
	now := o.e.Now()
	return o.Book.AddDraw(Draw{Plan: p.ID, Region: p.Region, Seed: seed, SeedSource: src, Outcome: out,
		Population: pop.Canonical(), Created: now.UnixMilli(), CreatedBy: by,
		PublishBy: now.Add(time.Duration(p.PublishDays) * 24 * time.Hour).UnixMilli()})
}

// DrawOf returns draw id if k may read it.
func (o *Office) DrawOf(k apikey.Key, id uint64) (Draw, error) {
	d, err := o.Book.Draw(id)
	if err == nil && !Visible(k, d.Region) {
		err = fmt.Errorf("%w: draw %d", ErrNotFound, id)
	}
	return d, err
}

// Record records the result of inspection r.N of draw r.Draw
// for regulator k (by: its login or key name). Sampled codes are recorded
// on the chain as one inspection event (ObjectEvent OBSERVE, bizStep
// inspecting; conformant for no problem, non_conformant for a failed
// check) in the inspected organisation's record, by the regulator's
// region; a failed check goes to the credit ledger. The result is public
// from the moment it is recorded. Recording the same result again is a
// no-op; a different one is refused.
func (o *Office) Record(ctx context.Context, k apikey.Key, by string, r Result) (Result, error) {
	if err := regulator(k); err != nil {
		return Result{}, err
	}
	d, err := o.DrawOf(k, r.Draw)
	if err != nil {
		return Result{}, err
	}
	if r.N == 0 || int(r.N) > len(d.Outcome.Inspections) {
		return Result{}, fmt.Errorf("%w: draw %d has no inspection %d", ErrNotFound, r.Draw, r.N)
	}
	if err := CheckResult(&r); err != nil {
		return Result{}, err
	}
	if old, ok := o.Book.Result(r.Draw, r.N); ok {
		if o.Book.SameResult(&r) {
			return old, nil
		}
		return Result{}, fmt.Errorf("%w: inspection %d of draw %d already has its result (%s, recorded by %s)",
			ErrConflict, r.N, r.Draw, old.Code, old.RecordedBy)
	}
	in := d.Outcome.Inspections[r.N-1]
	now := o.e.Now()
	if len(r.Codes) > 0 {
		ev := epcis.Event{Type: epcis.ObjectEvent, EventTime: now, EventTimeZoneOffset: now.Format("-07:00"),
			Action: epcis.ActionObserve, BizStep: epcis.BizStepInspecting}
		switch {
		case r.Code == NoProblem:
			ev.Disposition = epcis.DispConformant
		case r.Code.Failed():
			ev.Disposition = epcis.DispNonConformant
		}
		for _, c := range r.Codes {
			ev.EPCList = append(ev.EPCList, epcis.Identifier{Raw: c, Canon: c})
		}
		doc := &epcis.Document{Events: []epcis.Event{ev}}
		rc, err := o.e.Capture(ctx, doc, &chain.CaptureOptions{Org: in.Org, Region: k.Region,
			Credential: "spotcheck " + by, RequestID: fmt.Sprintf("spotcheck-%d-%d", r.Draw, r.N)})
		if err != nil {
			return Result{}, fmt.Errorf("codes: %w", err)
		}
		r.LedgerSeq = rc.FirstSeq
	}
	r.Recorded, r.RecordedBy = now.UnixMilli(), by
	got, created, err := o.Book.SetResult(r)
	if err != nil || !created || !got.Code.Failed() {
		return got, err
	}
	o.mu.RLock()
	fail := o.fail
	o.mu.RUnlock()
	if fail != nil {
		uscc := in.Subject
		if in.Org != 0 {
			if g, err := o.e.Org(in.Org); err == nil {
				uscc = g.USCC
			}
		}
		if err := fail(Failed{USCC: uscc, Org: in.Org, Draw: r.Draw, N: r.N, Code: r.Code, Note: r.Note,
			By: by, Region: k.Region, Recorded: r.Recorded}); err != nil {
			return got, fmt.Errorf("result recorded; the credit ledger refused it: %w", err)
		}
	}
	return got, nil
}

// PublicResult is a recorded result as the public pages show it.
type PublicResult struct {
	Draw     uint64
	N        uint32
	Plan     string
	Items    []string
	Region   uint32
	Subject  string // USCC or org:N
	Name     string
	Org      uint32
	Code     Code
	Note     string
	Lots     []string
	Recorded int64
}

// PublicResults returns every recorded result, newest first; org ≠ 0
// keeps that organisation's only.
func (o *Office) PublicResults(org uint32) ([]PublicResult, error) {
	var out []PublicResult
	for _, d := range o.Book.Draws(nil) {
		p, err := o.Book.Plan(d.Plan)
		if err != nil {
			return nil, err
		}
		for _, r := range o.Book.Results(d.ID) {
			in := d.Outcome.Inspections[r.N-1]
			if org != 0 && in.Org != org {
				continue
			}
			out = append(out, PublicResult{Draw: d.ID, N: r.N, Plan: p.Name, Items: p.Items, Region: d.Region,
				Subject: in.Subject, Name: in.Name, Org: in.Org, Code: r.Code, Note: r.Note, Lots: r.Lots, Recorded: r.Recorded})
		}
	}
	sortNewest(out)
	return out, nil
}

func sortNewest(rs []PublicResult) {
	slices.SortStableFunc(rs, func(a, b PublicResult) int { return cmp.Compare(b.Recorded, a.Recorded) })
}

// IsError reports whether err is one of the package's.
func IsError(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound) ||
		errors.Is(err, ErrForbidden) || errors.Is(err, ErrConflict)
}
