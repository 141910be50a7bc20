package chain

import (
	"context"
	"maps"
	"slices"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// below is what a walk finds inside containers (as staged): the lots the
// forward trace reaches, and the products and SSCC units whose answers
// hang on the containers (resolve.Scopes). Maps are made on first add.
type below struct {
	lots, products map[uint32]bool
	units          map[uint64]bool
}

func (b *below) addLot(l uint32) {
	if b.lots == nil {
		b.lots = map[uint32]bool{}
	}
	b.lots[l] = true
}

func (b *below) addProduct(p uint32) {
	if b.products == nil {
		b.products = map[uint32]bool{}
	}
	b.products[p] = true
}

func (b *below) addUnit(u uint64) {
	if b.units == nil {
		b.units = map[uint64]bool{}
	}
	b.units[u] = true
}

// merge adds o's finds to b.
func (b *below) merge(o *below) {
	for l := range o.lots {
		b.addLot(l)
	}
	for p := range o.products {
		b.addProduct(p)
	}
	for u := range o.units {
		b.addUnit(u)
	}
}

// Bounds past which a report's scopes become "every answer" (Scopes.All):
// a cache bumping thousands of generations gains nothing over one global
// bump, and a unit run that long is no SSCC selection a line sends.
const (
	maxScopeProducts = 1024
	maxScopeUnits    = 4096
)

// scopeTargets adds to the report's scopes the answers a record naming
// targets changes: the products of the items it names and of everything
// inside the containers among them, the units it names and those inside,
// the products of the lots and products it names. A transformation
// (input or output targets) changes the upstream lots of codes made from
// its outputs' lots, which no target names: every answer. A failed walk
// (a store read) is every answer too: the report itself goes on.
func (rt *reportTx) scopeTargets(targets []ledger.Target) {
	sc := &rt.scope
	for i := range targets {
		if sc.all {
			return
		}
		t := &targets[i]
		if t.Role == ledger.RoleInput || t.Role == ledger.RoleOutput {
			sc.all = true
			return
		}
		switch {
		case t.Kind == ledger.TargetRun && t.Product == 0:
			if t.Last-t.First >= maxScopeUnits {
				sc.all = true
				return
			}
			for u := t.First; u <= t.Last; u++ {
				sc.in.addUnit(u)
				if rt.unitStateLoad(u).Has(itemstate.Container) {
					if err := rt.scopeBelow(agg.UnitNode(u)); err != nil {
						sc.all = true
					}
				}
			}
		case t.Kind == ledger.TargetRun:
			sc.in.addProduct(t.Product)
			b := rt.c.blockAt(t.Product, t.First)
			if b == nil || b.Level <= model.LevelItem {
				continue // items hold nothing
			}
			offs, err := rt.containerOffsets(b.ID, t.First-b.Start, t.Last-b.Start)
			if err != nil {
				sc.all = true
				continue
			}
			for _, off := range offs {
				if err := rt.scopeBelow(agg.Node{Product: t.Product, Counter: b.Start + off}); err != nil {
					sc.all = true
				}
			}
		default: // a lot (with its product) or a product
			sc.in.addProduct(t.Product)
		}
	}
	if len(sc.in.products) > maxScopeProducts || len(sc.in.units) > maxScopeUnits {
		sc.all = true
	}
}

// ScopesOf returns what records naming the targets recs can have changed
// (resolve.Scopes), walking the containers among them as stored now: a
// replica's engine asks it about the records of the batches it applied.
func (c *Chain) ScopesOf(recs [][]ledger.Target) *resolve.Scopes {
	rt, _, err := c.begin(context.Background(), &ReportMeta{})
	if err != nil {
		return &resolve.Scopes{All: true}
	}
	defer rt.abort()
	for _, t := range recs {
		rt.scopeTargets(t)
	}
	return rt.scope.scopes()
}

// scopeBelow adds what is inside container n to the report's scopes: the
// forward trace's memo when its walk ran already (captures), else a walk
// straight into the scopes, memoizing nothing (a pack report's parents
// are walked once; in BenchmarkPackConcurrent the memo's maps took a
// report of 50 cases from 590 to 1,309 allocations, this to 1,150).
func (rt *reportTx) scopeBelow(n agg.Node) error {
	if memo, ok := rt.inside[n]; ok {
		rt.scope.in.merge(memo)
		return nil
	}
	return rt.descendantsWalk(n, &rt.scope.in, 0)
}

// reportScope is what a report's records can have changed (scopeTargets).
type reportScope struct {
	in  below
	all bool
}

// scopes returns the report's scopes, for Hooks.Changed.
func (sc *reportScope) scopes() *resolve.Scopes {
	if sc.all {
		return &resolve.Scopes{All: true}
	}
	return &resolve.Scopes{Products: slices.Sorted(maps.Keys(sc.in.products)), Units: slices.Sorted(maps.Keys(sc.in.units))}
}
