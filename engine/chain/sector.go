package chain

// The report path's hook into the category (sector) data: a captured
// event carrying a category event is validated against the item's
// profile and staged in the report's batch (engine/sector holds the
// records, engine/category the rules).

import (
	"errors"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
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
	n := rt.c.hooks.Notices()
	for i, k := range keys {
		o := rt.c.SectorOwner(k)
		a, err := rt.sector.Apply(rt.b, k, products[i], o.Region, seq, ce, time.UnixMilli(rt.now))
		if err != nil {
			if category.IsInvalid(err) || errors.Is(err, sector.ErrNoProfile) || errors.Is(err, sector.ErrNotRegistered) {
				rt.fail(field, k.String(), model.ErrInvalid, "%v", err)
				continue
			}
			return err
		}
		if n != nil { // the profiles' rules judge it with the report's other facts
			rt.facts = append(rt.facts, alert.Fact{Kind: alert.FactEvent, Seq: seq, Time: evTime, Org: rt.meta.Org,
				Region: rt.c.orgRegion(rt.meta.Org), Detail: sector.NewStaged(a.Profile, k, a.Before, a.After, a.Event, o)})
		}
	}
	return nil
}

// SectorOwner returns what the alert rules need of category item k: its
// product's producer and division, and its trace code ("" for a lot).
func (c *Chain) SectorOwner(k sector.ItemKey) sector.Owner {
	var o sector.Owner
	if k.IsLot() {
		if l, err := c.iss.Lot(k.Lot); err == nil {
			k.Product = l.Product
		}
	} else {
		o.Code = string(c.iss.AppendNode(nil, agg.Node{Product: k.Product, Counter: k.Counter}))
	}
	if p, err := c.iss.Product(k.Product); err == nil {
		o.Org, o.Region = p.Org, c.orgRegion(p.Org)
	}
	return o
}

// sectorCommitted publishes the report's category events. REQUIRES the
// report committed.
func (rt *reportTx) sectorCommitted() {
	if rt.sector != nil {
		rt.sector.Publish()
	}
}
