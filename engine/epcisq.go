package engine

// The EPCIS 2.0 query interface's facade: engine/epcisq plans and runs a
// query over the ledger; this file binds it to the store and decides who
// sees which event (EventVisible, the one owner of that rule).

import (
	"errors"
	"fmt"
	"strconv"

	"tracecode/engine/epcisq"
	"tracecode/engine/ledger"
)

// Query interface types and exceptions, so that callers need not import
// engine/epcisq.
type (
	QueryParam      = epcisq.Param
	QueryResult     = epcisq.Result
	QueryFound      = epcisq.Found
	QueryParamError = epcisq.ParamError
)

// The EPCIS query exceptions (QueryParameterException,
// QueryTooLargeException, QueryTooComplexException).
var (
	ErrQueryParameter  = epcisq.ErrQueryParameter
	ErrQueryTooLarge   = epcisq.ErrQueryTooLarge
	ErrQueryTooComplex = epcisq.ErrQueryTooComplex
)

// QueryEvents answers one page of an EPCIS 2.0 SimpleEventQuery (the
// standard parameters, docs/epcis.md "Query") with the captured events k
// may see (EventVisible). A parameter error wraps ErrQueryParameter and
// names the parameter; the page token of the answer is valid only with the
// same parameters and key.
func (e *Engine) QueryEvents(k APIKey, params []QueryParam) (*QueryResult, error) {
	ts, err := e.tr()
	if err != nil {
		return nil, err
	}
	q, err := epcisq.Parse(params)
	if err != nil {
		return nil, err
	}
	if !k.Scopes.Has(ScopeAdmin) && !k.Scopes.Has(ScopeRegulator) && k.Org == 0 {
		return nil, fmt.Errorf("%w: events are queried with an organisation's, a regulator's or the operator's key", ErrWrongOrg)
	}
	r := &epcisq.Runner{DB: e.db, Led: ts.led, TokenKey: e.queryTokenKey()}
	return r.Run(q, epcisq.Digest(queryCaller(k), params), queryEnv{e: e, k: k})
}

// queryCaller names the caller a page token is bound to.
func queryCaller(k APIKey) string {
	return "key:" + strconv.FormatUint(k.ID, 16) + "/org:" + strconv.FormatUint(uint64(k.Org), 10) +
		"/region:" + strconv.FormatUint(uint64(k.Region), 10) + "/scopes:" + strconv.FormatUint(uint64(k.Scopes), 10)
}

// queryTokenKey is the key page tokens are signed with, derived from the
// store's first short-code key (a secret every store has from its first
// Open): tokens stay valid across restarts, and another store cannot
// forge them.
func (e *Engine) queryTokenKey() []byte {
	return e.iss.StoreSecret("tracecode/epcisq/page-token/v1\x00")
}

// queryEnv answers epcisq's questions for one key.
type queryEnv struct {
	e *Engine
	k APIKey
}

// Code resolves a MATCH_ value; the key may trace it when TraceAccessOf
// grants it any access (the producer, a holder, a regulator of a holder's
// region, the operator).
func (q queryEnv) Code(raw string) (uint32, uint64, bool, bool, error) {
	var c Chain
	if err := q.e.ResolveInto(&c, raw); err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, 0, false, false, err
		}
		return 0, 0, false, false, nil
	}
	if c.Org == nil {
		return 0, 0, false, false, nil
	}
	return c.Node.Product, c.Node.Counter, q.e.TraceAccessOf(q.k, &c) != TraceNone, true, nil
}

func (q queryEnv) Sees(s *ledger.Summary, payload func() (*ledger.Payload, error)) (bool, error) {
	return q.e.EventVisible(q.k, s, payload)
}

// EventVisible decides whether key k sees the captured event s in a query
// answer:
//
//   - the operator's key sees every event;
//   - an organisation's key sees the events it recorded, those naming it
//     (its GS1 company prefix's PGLN or SGLN) as a source or destination —
//     the shipments to and from it — and those about codes, lots or
//     products it produced;
//   - a regulator's key sees the events recorded by an organisation of its
//     region, and those about products of a producer of its region.
//
// A query naming codes (MATCH_…) also sees every event of a code the key
// may trace (TraceAccessOf: a code it held, as GET /v1/trace/{code}).
// payload reads the event's targets when the rule needs them.
func (e *Engine) EventVisible(k APIKey, s *ledger.Summary, payload func() (*ledger.Payload, error)) (bool, error) {
	switch {
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		return true, nil
	case k.Org != 0 && s.Org == k.Org:
		return true, nil
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0 && RegionCovers(k.Region, e.orgRegion(s.Org)):
		return true, nil
	}
	if k.Org != 0 {
		for _, ps := range [2][]ledger.Pair{s.Sources, s.Dests} {
			for _, p := range ps {
				if e.partyOrg(p.ID) == k.Org {
					return true, nil
				}
			}
		}
	}
	if k.Org == 0 && !(k.Scopes.Has(ScopeRegulator) && k.Region != 0) {
		return false, nil
	}
	p, err := payload()
	if err != nil {
		return false, err
	}
	for _, t := range p.Targets {
		pr := e.iss.ProductByID(t.Product)
		if t.Product == 0 || pr == nil {
			continue
		}
		owner := pr.Org
		if k.Org != 0 && owner == k.Org {
			return true, nil
		}
		if k.Scopes.Has(ScopeRegulator) && k.Region != 0 {
			if o := e.iss.OrgByID(owner); o != nil && RegionCovers(k.Region, o.Region) {
				return true, nil
			}
		}
	}
	return false, nil
}
