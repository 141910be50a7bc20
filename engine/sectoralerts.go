package engine

import (
	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/sector"
	"tracecode/engine/store"
)

// This file wires the category profiles' rules into the alert evaluator
// (engine/category.AlertRules over engine/sector's book); the rules, the
// adapter and the scheduling are those packages'.

// sectorAlertRules returns every profile's rules, reading the book.
func (e *Engine) sectorAlertRules() []alert.Rule {
	return category.AlertRules(sector.AlertSource{Book: e.sectorBook, Owner: e.sectorOwner}, e.location())
}

// sectorOwner returns category item k's producer, division and code.
func (e *Engine) sectorOwner(k sector.ItemKey) sector.Owner {
	if c := e.trace.Load(); c != nil {
		return c.SectorOwner(k)
	}
	return sector.Owner{}
}

// scheduleSectorItem stages in b the due dates of registering it (an
// elevator's first maintenance and inspection, a cylinder's inspection);
// the caller calls Committed on the result after b commits.
func (e *Engine) scheduleSectorItem(b *store.Batch, bk *sector.Book, it sector.Item) (*alert.Eval, error) {
	n := e.Notices()
	if n == nil {
		return nil, nil
	}
	st, ok := bk.Registering(it, e.sectorOwner(it.Key))
	if !ok {
		return nil, nil
	}
	ev := n.Alerts.Begin(b, e.nowMillis())
	return ev, ev.Apply(&alert.Fact{Kind: alert.FactEvent, Time: e.nowMillis(), Detail: st})
}
