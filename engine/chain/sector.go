package chain

// The report path's hook into the category (sector) data: a captured
// event carrying a category event is validated against the item's
// profile and staged in the report's batch (engine/sector holds the
// records, engine/category the rules).

import (
	"errors"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// maxSectorItems bounds the items one category event names.
const maxSectorItems = 100

// sectorEvent is the report path's hook: a captured event carrying a
// category event (tc:kind, engine/category's namespace) is validated
// against the profile of every item it names (codes, lots; a
// transformation's inputs) and staged in the report's batch. A problem
// fails the report, naming the field. REQUIRES the report lock.
func (rt *reportTx) sectorEvent(ev *epcis.Event, base where, targets []ledger.Target, seq uint64, evTime int64) error {
	kind, fields, ok := category.FromEPCIS(ev)
	if !ok {
		return nil
	}
	bk, err := rt.c.hooks.Sector()
	if err != nil {
		return err
	}
	if rt.sector == nil {
		rt.sector = bk.Begin()
	}
	var keys []sector.ItemKey
	var products []uint32
	for _, t := range targets {
		if t.Role == ledger.RoleOutput || t.Role == ledger.RoleChild {
			continue
		}
		switch {
		case t.Kind == ledger.TargetLot:
			keys, products = append(keys, sector.LotItem(t.Lot)), append(products, t.Product)
		case t.Kind == ledger.TargetRun && t.Product != 0:
			for c := t.First; c <= t.Last && len(keys) <= maxSectorItems; c++ {
				keys, products = append(keys, sector.CodeItem(t.Product, c)), append(products, t.Product)
			}
		}
	}
	field := base.sub(".extensions")
	switch {
	case len(keys) == 0:
		rt.fail(field, kind, model.ErrInvalid, "a category event (tc:kind %s) must name the codes or lots it is about", kind)
		return nil
	case len(keys) > maxSectorItems:
		rt.fail(field, kind, model.ErrInvalid, "a category event names at most %d items", maxSectorItems)
		return nil
	}
	ce := category.Event{Kind: kind, Time: time.UnixMilli(evTime), Org: rt.meta.Org, Fields: fields}
	for i, k := range keys {
		p, _ := rt.c.iss.Product(products[i])
		_, err := rt.sector.Apply(rt.b, k, products[i], rt.c.orgRegion(p.Org), seq, ce, time.UnixMilli(rt.now))
		if err != nil {
			if category.IsInvalid(err) || errors.Is(err, sector.ErrNoProfile) || errors.Is(err, sector.ErrNotRegistered) {
				rt.fail(field, k.String(), model.ErrInvalid, "%v", err)
				continue
			}
			return err
		}
	}
	return nil
}

// sectorCommitted publishes the report's category events. REQUIRES the
// report committed.
func (rt *reportTx) sectorCommitted() {
	if rt.sector != nil {
		rt.sector.Publish()
	}
}
