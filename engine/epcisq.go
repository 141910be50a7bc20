package engine

// The EPCIS 2.0 query interface: engine/epcisq's office plans and runs
// queries over the ledger and decides who sees which event
// (epcisq.Office.Visible); queryEngine answers its questions.

import (
	"errors"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/ledger"
	"tracecode/engine/resolve"
)

// Queries returns the EPCIS query office: the events a key may see, and
// its owner's named queries (deleting one deletes its subscriptions).
func (e *Engine) Queries() *epcisq.Office {
	if o := e.queries.Load(); o != nil {
		return o
	}
	o := epcisq.NewOffice(e.db, queryEngine{e}, e.iss.StoreSecret("tracecode/epcisq/page-token/v1\x00"))
	o.OnDelete(func(owner, name string) error {
		if n := e.Notices(); n != nil && n.subs != nil {
			return n.subs.DeleteQuery(owner, name)
		}
		return nil
	})
	if !e.queries.CompareAndSwap(nil, o) {
		return e.queries.Load()
	}
	return o
}

// queryEngine answers epcisq.Engine from the engine's state.
type queryEngine struct{ e *Engine }

func (q queryEngine) Ledger() (*ledger.Ledger, error) {
	c, err := q.e.tr()
	if err != nil {
		return nil, err
	}
	return c.Ledger(), nil
}

// TraceCode resolves a MATCH_ value; k may trace it when TraceAccessOf
// grants it any access.
func (q queryEngine) TraceCode(k apikey.Key, raw string) (uint32, uint64, bool, bool, error) {
	var c resolve.Chain
	if err := q.e.ResolveInto(&c, raw); err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, 0, false, false, err
		}
		return 0, 0, false, false, nil
	}
	if c.Org == nil {
		return 0, 0, false, false, nil
	}
	return c.Node.Product, c.Node.Counter, q.e.Reports().TraceAccessOf(k, &c) != chain.TraceNone, true, nil
}

func (q queryEngine) SiteRegion(gln string) (uint32, bool) {
	o, err := q.e.Sites()
	if err != nil {
		return 0, false
	}
	s, ok := o.Book.ByGLN(gln)
	return s.Region, ok
}

// MovedInto answers epcisq.Moves from the site book.
func (q queryEngine) MovedInto(division uint32) []uint32 {
	if o, err := q.e.Sites(); err == nil {
		return o.MovedInto(division)
	}
	return nil
}

func (q queryEngine) PartyOrg(id string) uint32   { return q.e.partyOrg(id) }
func (q queryEngine) OrgRegion(org uint32) uint32 { return q.e.iss.OrgRegion(org) }
func (q queryEngine) NowMillis() int64            { return q.e.nowMillis() }

func (q queryEngine) ProductOwner(id uint32) uint32 {
	if p := q.e.iss.ProductByID(id); p != nil {
		return p.Org
	}
	return 0
}
