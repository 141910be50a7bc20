package engine

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
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

// countAlerts adds the alerts the report's facts raised to its delta: at
// the subject's organisation (the product's owner when the subject names
// a product) and the product's category, on the day they were raised.
func (rt *reportTx) countAlerts(ev *alert.Eval) {
	e := rt.e
	if ev == nil || e.statsOff {
		return
	}
	for _, a := range ev.Raised() {
		org := a.Subject.Org
		var cat model.Category
		if p := e.iss.ProductByID(a.Subject.Product); p != nil {
			cat = p.Category
			if org == 0 {
				org = p.Org
			}
		}
		region := e.iss.OrgRegion(org)
		if org == 0 {
			region = a.Region
		}
		rt.sd.Add(org, region, cat, e.statDay(a.Time), stats.Alerts, 1)
	}
}

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

// tally adds ledger record s, with its targets, to the report's delta: the
// record and its event type, its reporting lag, the organisation's
// activity, and the codes it names under the metric its kind or business
// step counts them in (per category).
func (rt *reportTx) tally(s *ledger.Summary, targets []ledger.Target) {
	e, d := rt.e, &rt.sd
	if e.statsOff {
		return
	}
	day := e.statDay(s.EventTime)
	metric, perCode := recordMetric(s)
	region := e.iss.OrgRegion(s.Org)
	var first model.Category // the category the record itself counts under
	for i := range targets {
		t := &targets[i]
		var cat model.Category
		if p := e.iss.ProductByID(t.Product); p != nil {
			cat = p.Category
		} else if t.Kind == ledger.TargetLot {
			if l := e.iss.LotByID(t.Lot); l != nil {
				if p := e.iss.ProductByID(l.Product); p != nil {
					cat = p.Category
				}
			}
		}
		if first == 0 {
			first = cat
		}
		if !perCode || metric == 0 || !countsTarget(s.Kind, t.Role) {
			continue
		}
		var n uint64
		switch {
		case t.Kind == ledger.TargetRun && t.Last >= t.First:
			n = t.Last - t.First + 1
		case t.HasQuantity && t.UOM == "" && t.Quantity > 0:
			n = uint64(t.Quantity)
		}
		d.Add(s.Org, region, cat, day, metric, n)
	}
	if !perCode && metric != 0 {
		d.Add(s.Org, region, first, day, metric, 1)
	}
	d.Add(s.Org, region, first, day, stats.Events, 1)
	if m := eventTypeMetric(s.EventType); m != 0 {
		d.Add(s.Org, region, first, day, m, 1)
	}
	d.Add(s.Org, region, first, e.statDay(s.RecordTime), stats.LagBucket(time.Duration(s.RecordTime-s.EventTime)*time.Millisecond), 1)
	d.Active(s.Org, region, day)
}

// recordMetric returns the metric a record counts in and whether it counts
// its codes (perCode) or itself (recalls); 0 when it counts in none but
// the record metrics.
func recordMetric(s *ledger.Summary) (m stats.Metric, perCode bool) {
	switch s.Kind {
	case ledger.KindCommission:
		return stats.Commissioned, true
	case ledger.KindVoid, ledger.KindRelease, ledger.KindBlockVoid:
		return stats.Voided, true
	case ledger.KindDecommission:
		return stats.Decommissioned, true
	case ledger.KindPack:
		return stats.Packed, true
	case ledger.KindUnpack:
		return stats.Unpacked, true
	case ledger.KindRecall:
		return stats.RecallsOpened, false
	case ledger.KindRecallLift:
		return stats.RecallsClosed, false
	}
	if s.Flags&ledger.FlagErrorDeclared != 0 {
		return 0, false
	}
	if s.Disposition == epcis.DispRecalled || slices.Contains(s.SetDisp, string(epcis.DispRecalled)) {
		return stats.RecallsOpened, false
	}
	if slices.Contains(s.UnsetDisp, string(epcis.DispRecalled)) {
		return stats.RecallsClosed, false
	}
	switch s.BizStep {
	case epcis.BizStepCommissioning:
		if s.Action == epcis.ActionAdd {
			return stats.Commissioned, true
		}
	case epcis.BizStepShipping:
		return stats.Shipped, true
	case epcis.BizStepReceiving:
		return stats.Received, true
	case epcis.BizStepRetailSelling:
		return stats.Sold, true
	case epcis.BizStepDispensing:
		return stats.Dispensed, true
	case epcis.BizStepDecommissioning, epcis.BizStepDestroying:
		return stats.Decommissioned, true
	case epcis.BizStepInspecting:
		return stats.Inspected, true
	case epcis.BizStepPacking:
		if s.EventType == epcis.AggregationEvent && s.Action == epcis.ActionAdd {
			return stats.Packed, true
		}
	case epcis.BizStepUnpacking:
		if s.EventType == epcis.AggregationEvent && s.Action == epcis.ActionDelete {
			return stats.Unpacked, true
		}
	}
	return 0, false
}

// countsTarget reports whether a target of role r counts as one of the
// record's codes: packing counts the children, not the parents;
// everything else the codes and quantities it names, inputs of a
// transformation excepted.
func countsTarget(k ledger.Kind, r ledger.Role) bool {
	switch r {
	case ledger.RoleParent, ledger.RoleInput:
		return false
	case ledger.RoleChild:
		return true
	}
	return k != ledger.KindPack && k != ledger.KindUnpack
}

// eventTypeMetric returns the metric counting records of EPCIS event type
// t.
func eventTypeMetric(t epcis.EventType) stats.Metric {
	switch t {
	case epcis.ObjectEvent:
		return stats.EventsObject
	case epcis.AggregationEvent:
		return stats.EventsAggregation
	case epcis.TransactionEvent:
		return stats.EventsTransaction
	case epcis.TransformationEvent:
		return stats.EventsTransformation
	case epcis.AssociationEvent:
		return stats.EventsAssociation
	}
	return 0
}
