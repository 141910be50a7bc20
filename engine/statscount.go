package engine

import (
	"errors"
	"fmt"

	"tracecode/engine/model"
	"tracecode/engine/scanlog"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// This file connects the engine's writes to engine/stats: each write
// builds a stats.Delta of what it changed and commits through
// commitCounted, which folds the delta into the same batch. The rules of
// what is counted live in engine/stats (the metrics) and here (which
// records count as what).

// StatsQuery answers a statistics query from the committed counts (see
// stats.Read): one region and category over a span of days, by day or by
// month.
func (e *Engine) StatsQuery(q stats.Query) (stats.Answer, error) {
	return stats.Read(e.db, q)
}

// StatsFor answers q as key may see it. The operator's key (admin, no
// organisation) sees every region and organisation. A regulator's key sees
// its region and every division below it (q.Region 0 means its own
// region) and each organisation registered there. An organisation's key
// sees its own counts only (q.Org 0 means its own). Anything else is
// refused with ErrWrongOrg; a malformed query wraps ErrInvalid and
// stats.ErrQuery.
func (e *Engine) StatsFor(key APIKey, q stats.Query) (stats.Answer, error) {
	switch {
	case key.Org == 0 && key.Scopes.Has(ScopeAdmin):
	case key.Org != 0:
		if q.Region != 0 || (q.Org != 0 && q.Org != key.Org) {
			return stats.Answer{}, fmt.Errorf("%w: an organisation's key sees its own statistics only, not a region's or another organisation's", ErrWrongOrg)
		}
		q.Org = key.Org
	case key.Scopes.Has(ScopeRegulator):
		if q.Org != 0 {
			if !RegionCovers(key.Region, e.orgRegion(q.Org)) {
				return stats.Answer{}, fmt.Errorf("%w: organisation %d is not registered in the regulator's region %d", ErrWrongOrg, q.Org, key.Region)
			}
			break
		}
		if q.Region == 0 {
			q.Region = key.Region
		}
		if !RegionCovers(key.Region, q.Region) {
			return stats.Answer{}, fmt.Errorf("%w: region %d is outside the regulator's region %d", ErrWrongOrg, q.Region, key.Region)
		}
	default:
		return stats.Answer{}, fmt.Errorf("%w: the key is neither the operator's, a regulator's nor an organisation's", ErrWrongOrg)
	}
	a, err := stats.Read(e.db, q)
	if errors.Is(err, stats.ErrQuery) {
		return a, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return a, err
}

// statDay returns the business day of unix milliseconds ms.
func (e *Engine) statDay(ms int64) uint32 { return stats.Day(ms, e.opts.Location) }

// countScans commits a scan-log flush's batch b with its tallied scans
// folded in: public scans and newly suspicious items, at the product's
// organisation's region and the product's category, on the scan's
// business day (the quarter hour's first instant).
func (e *Engine) countScans(b *store.Batch, t map[scanlog.Tally]scanlog.TallyCount, commit func() error) error {
	var d stats.Delta
	for k, c := range t {
		var org, region uint32
		var cat model.Category
		if p := e.iss.ProductByID(k.Product); p != nil {
			org, region, cat = p.Org, e.iss.OrgRegion(p.Org), p.Category
		}
		day := e.statDay(k.Quarter * 900_000)
		d.Add(org, region, cat, day, stats.Scans, c.Scans)
		d.Add(org, region, cat, day, stats.Suspicious, c.Suspicious)
	}
	return e.stats.Commit(b, &d, commit)
}
