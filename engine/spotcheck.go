package engine

// The engine's spot-check book, opened on first use, as regulators' keys
// use it (spotcheck.Office), with the credit office's risk class and
// failed-inspection entry as its hooks.

import (
	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/credit"
	"tracecode/engine/spotcheck"
)

// SpotChecks returns the engine's spot-check office (plans, draws,
// results and who may do what with them), opening the book on first use.
// Its hooks are the credit office's risk class and spot-check-failed
// entry (spotcheck.Office.Wire replaces them).
func (e *Engine) SpotChecks() (*spotcheck.Office, error) {
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
	risk := func(uscc string) spotcheck.Class {
		c, err := e.Credit()
		if err != nil {
			return spotcheck.Class(credit.RiskLow)
		}
		return spotcheck.Class(c.RiskClass(uscc))
	}
	failed := func(f spotcheck.Failed) error {
		c, err := e.Credit()
		if err != nil {
			return err
		}
		return c.SpotCheckFailed(credit.SpotFailure{USCC: f.USCC, Org: f.Org, Draw: f.Draw, N: f.N,
			ResultZH: f.Code.Text("zh"), ResultEN: f.Code.Text("en"), Note: f.Note, Recorded: f.Recorded})
	}
	o := spotcheck.NewOffice(bk, parts{e, e.iss}, risk, failed)
	e.duties.spot.Store(o)
	return o, nil
}

// inspectors returns the inspector accounts (not disabled) of the
// divisions region covers.
func (e *Engine) inspectors(region uint32) ([]spotcheck.Inspector, error) {
	as, err := e.Accounts()
	if err != nil {
		return nil, err
	}
	staff, err := as.List(func(a *account.Account) bool {
		return a.Role == account.RoleInspector && a.Disabled == 0 && apikey.RegionCovers(region, a.Region)
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
