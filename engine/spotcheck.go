package engine

// The engine's facade over engine/spotcheck: the spot-check book, opened on
// first use, as regulators' keys use it (spotcheck.Office), with the
// credit ledger's risk class and failed-inspection entry as its hooks.

import (
	"context"
	"fmt"

	"tracecode/engine/account"
	"tracecode/engine/credit"
	"tracecode/engine/model"
	"tracecode/engine/spotcheck"
)

// The spot-check types (see package spotcheck).
type (
	FailedSpotCheck  = spotcheck.Failed
	PublicSpotResult = spotcheck.PublicResult
)

// Spot-check functions (see package spotcheck).
var (
	SpotCheckVisible = spotcheck.Visible
	SpotSubjectKey   = spotcheck.SubjectKey
	IsSpotCheckError = spotcheck.IsError
)

// spotOffice returns the engine's spot-check office, opening the book on
// first use.
func (e *Engine) spotOffice() (*spotcheck.Office, error) {
	if o := e.duties.spot.Load(); o != nil {
		return o, nil
	}
	e.duties.mu.Lock()
	defer e.duties.mu.Unlock()
	if o := e.duties.spot.Load(); o != nil {
		return o, nil
	}
	bk, err := spotcheck.Open(e.db)
	if err != nil {
		return nil, err
	}
	o := spotcheck.NewOffice(bk, parts{e}, func(uscc string) spotcheck.Class { return spotcheck.Class(e.RiskClass(uscc)) },
		e.creditSpotFailed)
	e.duties.spot.Store(o)
	return o, nil
}

// withSpot calls f with the spot-check office.
func withSpot[T any](e *Engine, f func(o *spotcheck.Office) (T, error)) (T, error) {
	o, err := e.spotOffice()
	if err != nil {
		var zero T
		return zero, err
	}
	return f(o)
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
	note := ""
	if f.Note != "" {
		note = "。" + model.TruncateText(f.Note, 200)
	}
	src := fmt.Sprintf("spotcheck:%d-%d", f.Draw, f.N)
	_, err = b.Add(credit.Actor{System: true}, credit.Subject{USCC: f.USCC, Org: f.Org, Region: o.Region},
		credit.Input{Kind: credit.SpotCheckFailed, Gravity: credit.General, Doc: fmt.Sprintf("抽查 %d-%d", f.Draw, f.N),
			SummaryZH: "双随机抽查:" + f.Code.Text("zh") + note, SummaryEN: "Random spot check: " + f.Code.Text("en"),
			Source: src, RequestID: src}, f.Recorded)
	return err
}

// SpotChecks returns the engine's spot-check book (plans, draws, results).
func (e *Engine) SpotChecks() (*spotcheck.Book, error) {
	return withSpot(e, func(o *spotcheck.Office) (*spotcheck.Book, error) { return o.Book, nil })
}

// WireSpotChecks replaces the spot checks' hooks (by default the credit
// ledger's: Engine.RiskClass and a spot-check-failed entry): risk
// classes an organisation for sampling (nil: every organisation medium),
// failed records each failed inspection (nil: nowhere).
func (e *Engine) WireSpotChecks(risk spotcheck.Risk, failed func(FailedSpotCheck) error) error {
	_, err := withSpot(e, func(o *spotcheck.Office) (bool, error) { o.Wire(risk, failed); return true, nil })
	return err
}

// CreateSpotPlan stores plan p for regulator k (spotcheck.Office.CreatePlan).
func (e *Engine) CreateSpotPlan(k APIKey, by string, p spotcheck.Plan) (spotcheck.Plan, error) {
	return withSpot(e, func(o *spotcheck.Office) (spotcheck.Plan, error) { return o.CreatePlan(k, by, p) })
}

// SpotPlan returns plan id if k may read it.
func (e *Engine) SpotPlan(k APIKey, id uint32) (spotcheck.Plan, error) {
	return withSpot(e, func(o *spotcheck.Office) (spotcheck.Plan, error) { return o.Plan(k, id) })
}

// SpotPopulation is the population plan p draws from now
// (spotcheck.Office.Population).
func (e *Engine) SpotPopulation(p *spotcheck.Plan) (spotcheck.Population, error) {
	return withSpot(e, func(o *spotcheck.Office) (spotcheck.Population, error) { return o.Population(p) })
}

// DrawSpotCheck draws plan's inspections for regulator k
// (spotcheck.Office.Draw).
func (e *Engine) DrawSpotCheck(k APIKey, by string, plan uint32, seed string) (d spotcheck.Draw, created bool, err error) {
	o, err := e.spotOffice()
	if err != nil {
		return spotcheck.Draw{}, false, err
	}
	return o.Draw(k, by, plan, seed)
}

// SpotDraw returns draw id if k may read it.
func (e *Engine) SpotDraw(k APIKey, id uint64) (spotcheck.Draw, error) {
	return withSpot(e, func(o *spotcheck.Office) (spotcheck.Draw, error) { return o.DrawOf(k, id) })
}

// RecordSpotResult records the result of inspection r.N of draw r.Draw
// for regulator k (spotcheck.Office.Record).
func (e *Engine) RecordSpotResult(ctx context.Context, k APIKey, by string, r spotcheck.Result) (spotcheck.Result, error) {
	return withSpot(e, func(o *spotcheck.Office) (spotcheck.Result, error) { return o.Record(ctx, k, by, r) })
}

// PublicSpotResults returns every recorded result, newest first; org ≠ 0
// keeps that organisation's only.
func (e *Engine) PublicSpotResults(org uint32) ([]PublicSpotResult, error) {
	return withSpot(e, func(o *spotcheck.Office) ([]PublicSpotResult, error) { return o.PublicResults(org) })
}

// inspectors returns the inspector accounts (not disabled) of the
// divisions region covers.
func (e *Engine) inspectors(region uint32) ([]spotcheck.Inspector, error) {
	as, err := e.Accounts()
	if err != nil {
		return nil, err
	}
	staff, err := as.List(func(a *account.Account) bool {
		return a.Role == account.RoleInspector && a.Disabled == 0 && RegionCovers(region, a.Region)
	})
	if err != nil {
		return nil, err
	}
	out := make([]spotcheck.Inspector, 0, len(staff))
	for _, a := range staff {
		out = append(out, spotcheck.Inspector{Login: a.Login, Name: a.Name})
	}
	return out, nil
}
