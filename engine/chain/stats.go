package chain

// The report's statistics: each record a report appends adds to the
// report's stats.Delta, which the issuance's commit folds into the same
// batch. The metrics are engine/stats's; which records count as what is
// here.

import (
	"slices"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/stats"
)

// statDay returns the business day of unix milliseconds ms.
func (c *Chain) statDay(ms int64) uint32 { return stats.Day(ms, c.opts.Location) }

// countAlerts adds the alerts the report's facts raised to its delta: at
// the subject's organisation (the product's owner when the subject names
// a product) and the product's category, on the day they were raised.
func (rt *reportTx) countAlerts(ev *alert.Eval) {
	c := rt.c
	if ev == nil || !c.hooks.CountStats() {
		return
	}
	for _, a := range ev.Raised() {
		org := a.Subject.Org
		var cat model.Category
		if powner, pcat, ok := c.iss.ProductOf(a.Subject.Product); ok {
			cat = pcat
			if org == 0 {
				org = powner
			}
		}
		region := c.orgRegion(org)
		if org == 0 {
			region = a.Region
		}
		rt.sd.Add(org, region, cat, c.statDay(a.Time), stats.Alerts, 1)
	}
}

// tally adds ledger record s, with its targets, to the report's delta: the
// record and its event type, its reporting lag, the organisation's
// activity, and the codes it names under the metric its kind or business
// step counts them in (per category).
func (rt *reportTx) tally(s *ledger.Summary, targets []ledger.Target) {
	c, d := rt.c, &rt.sd
	if !c.hooks.CountStats() {
		return
	}
	day := c.statDay(s.EventTime)
	metric, perCode := recordMetric(s)
	region := c.orgRegion(s.Org)
	var first model.Category // the category the record itself counts under
	for i := range targets {
		t := &targets[i]
		var cat model.Category
		if _, pcat, ok := c.iss.ProductOf(t.Product); ok {
			cat = pcat
		} else if t.Kind == ledger.TargetLot {
			if _, pcat, ok := c.iss.ProductOf(c.iss.LotProduct(t.Lot)); ok {
				cat = pcat
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
	d.Add(s.Org, region, first, c.statDay(s.RecordTime), stats.LagBucket(time.Duration(s.RecordTime-s.EventTime)*time.Millisecond), 1)
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
