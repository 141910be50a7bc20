package chain

import (
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// This file is the report path's hook into the alert rules: each record
// a report appends that sells, dispenses, ships or receives goods becomes
// an alert.Fact, and the facts are evaluated into the report's own batch
// just before it commits — an alert commits with the report that caused
// it, or not at all. Records of other steps (line reports, packing) cost
// one comparison.

// noteFact queues record s (with its targets) for the alert rules if any
// rule reads what it did. REQUIRES the report lock.
func (rt *reportTx) noteFact(s *ledger.Summary, targets []ledger.Target) {
	n := rt.c.hooks.Notices()
	if n == nil || !(alert.Saleish(s.BizStep) || alert.Shipping(s.BizStep) || alert.Receiving(s.BizStep)) {
		return
	}
	c := rt.c
	f := alert.Fact{Kind: alert.FactEvent, Seq: s.Seq, Time: s.EventTime, Org: s.Org, Region: c.orgRegion(s.Org),
		Action: s.Action, BizStep: s.BizStep, Disposition: s.Disposition}
	for _, d := range s.Dests {
		f.Dests = append(f.Dests, alert.Party{Type: d.Type, ID: d.ID, Org: c.PartyOrg(d.ID)})
	}
	for i := range targets {
		t := &targets[i]
		if t.Kind != ledger.TargetRun || t.Role == ledger.RoleOutput {
			continue
		}
		it := alert.Item{Product: t.Product, Counter: t.First, Count: t.Last - t.First + 1}
		if t.Product != 0 {
			b := c.blockAt(t.Product, t.First)
			if b == nil {
				continue
			}
			it.Lot, it.Owner, it.Drug = b.Lot, b.Org, b.Scheme == serial.NMPA
			it.OwnerRegion = c.orgRegion(b.Org)
			it.Code = string(c.iss.AppendNode(nil, agg.Node{Product: t.Product, Counter: t.First}))
			if it.Lot != 0 {
				if l, err := c.iss.Lot(it.Lot); err == nil {
					it.Expiry = expiryMillis(l.Expiry, c.opts.Location)
				}
				if ids := n.Recalls.ForLot(it.Lot); len(ids) > 0 {
					it.Recall = ids[len(ids)-1]
				} else if r, ok := rt.c.RecallOf(it.Lot, t.Product); ok {
					it.Recall = r.Seq
				}
			}
			if it.Lot != 0 && n.Recalls.Held(it.Lot) {
				it.Held = true
				if alert.Saleish(s.BizStep) {
					rt.fail(at("epcList"), it.Code, model.ErrState, "lot %d is on hold (stop-trade): it may not be sold or dispensed", it.Lot)
					rt.refused = true
				}
			}
			if alert.Receiving(s.BizStep) && it.Count == 1 && rt.mayHaveCustody(agg.Node{Product: t.Product, Counter: t.First}) {
				if h, err := rt.holderOf(agg.Node{Product: t.Product, Counter: t.First}, b.Org); err == nil {
					it.Pending = h.Pending
				}
			}
		}
		f.Items = append(f.Items, it)
	}
	rt.facts = append(rt.facts, f)
}

// expiryMillis returns the last millisecond of date yyyymmdd in loc (0:
// no date).
func expiryMillis(ymd uint32, loc *time.Location) int64 {
	if ymd == 0 {
		return 0
	}
	if loc == nil {
		loc = time.UTC
	}
	d := time.Date(int(ymd/10000), time.Month(ymd/100%100), int(ymd%100)+1, 0, 0, 0, 0, loc)
	return d.UnixMilli() - 1
}

// evalFacts evaluates the queued facts into the report's batch; the
// caller calls Committed on the result after the commit.
func (rt *reportTx) evalFacts() (*alert.Eval, error) {
	n := rt.c.hooks.Notices()
	if n == nil || len(rt.facts) == 0 {
		return nil, nil
	}
	ev := n.Alerts.Begin(rt.b, rt.now)
	for i := range rt.facts {
		if err := ev.Apply(&rt.facts[i]); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// alertRefused commits the traded-held alerts of a report refused
// because it sold or dispensed items of a lot on hold: the report is not
// applied, the attempt is recorded. Evidence names the record sequence
// the refused record would have had.
func (rt *reportTx) alertRefused() {
	n := rt.c.hooks.Notices()
	if n == nil || !rt.refused {
		return
	}
	b := rt.c.db.NewBatch()
	defer b.Close()
	ev := n.Alerts.Begin(b, rt.now)
	for i := range rt.facts {
		f := rt.facts[i]
		if !alert.Saleish(f.BizStep) {
			continue
		}
		if err := ev.ApplyRule("traded-held", &f); err != nil {
			return
		}
	}
	if len(ev.Raised()) == 0 || b.Commit(true) != nil {
		return
	}
	ev.Committed()
	n.Outbox.Kick()
}

// factsCommitted wakes the scheduler and the sender after the report
// committed.
func (rt *reportTx) factsCommitted(ev *alert.Eval) {
	if ev == nil {
		return
	}
	ev.Committed()
	if len(ev.Raised()) > 0 {
		rt.c.hooks.Notices().Outbox.Kick()
	}
}
