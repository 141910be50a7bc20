// Package scanreview is a regulator's review of the suspicious-copy flag
// the scan log (engine/scanlog) sets on an item: who may confirm or clear
// it, and the item a scanned code names, asked of the engine's resolver
// through Resolver.
package scanreview

import (
	"fmt"

	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/scanlog"
)

// Resolver resolves a scanned code (any format the engine's resolver
// takes) to its chain.
type Resolver interface {
	Resolve(input string) (*resolve.Chain, error)
}

// Review records a regulator's verdict on the suspicious flag of the item
// code names, at now (unix ms): scanlog.VerdictConfirmed keeps it
// flagged, scanlog.VerdictCleared clears it and drops the evidence so
// far. Only a regulator key whose region covers the producer's registered
// region may review (model.ErrWrongOrg otherwise); reason is required.
// The decision is durable when Review returns.
func Review(l *scanlog.Log, r Resolver, key apikey.Key, code string, v scanlog.Verdict, reason string, now int64) (scanlog.Ref, scanlog.Stats, error) {
	if v != scanlog.VerdictConfirmed && v != scanlog.VerdictCleared {
		return scanlog.Ref{}, scanlog.Stats{}, model.FieldErrorf("verdict", fmt.Sprint(uint8(v)), "must be confirmed or cleared")
	}
	if err := issue.CheckText("reason", reason, 200, true); err != nil {
		return scanlog.Ref{}, scanlog.Stats{}, err
	}
	if !key.Scopes.Has(apikey.ScopeRegulator) || key.Region == 0 {
		return scanlog.Ref{}, scanlog.Stats{}, fmt.Errorf("%w: only a regulator's key may confirm or clear a suspicious flag", model.ErrWrongOrg)
	}
	c, err := r.Resolve(code)
	if err != nil {
		return scanlog.Ref{}, scanlog.Stats{}, err
	}
	if c.Status == resolve.StatusNeverIssued || c.Org == nil {
		return scanlog.Ref{}, scanlog.Stats{}, model.FieldErrorf("code", code, "names no issued item")
	}
	if !apikey.RegionCovers(key.Region, c.Org.Region) {
		return scanlog.Ref{}, scanlog.Stats{}, fmt.Errorf("%w: the item's producer is registered in region %06d, outside this regulator's region %06d",
			model.ErrWrongOrg, c.Org.Region, key.Region)
	}
	ref := scanlog.Ref{Product: c.Node.Product, Counter: c.Node.Counter}
	st, err := l.Review(ref, scanlog.Review{Verdict: v, Time: now, Key: key.ID, Reason: reason})
	return ref, st, err
}
