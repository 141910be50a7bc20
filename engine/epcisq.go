package engine

// The EPCIS 2.0 query interface's facade: engine/epcisq plans and runs a
// query over the ledger; this file binds it to the store and decides who
// sees which event (EventVisible, the one owner of that rule).

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"tracecode/engine/code"
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
	r := &epcisq.Runner{DB: e.db, Led: ts.Ledger(), TokenKey: e.queryTokenKey()}
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

// LocationIn reports whether location (an SGLN or a Digital Link with
// AI 414) lies in division: the registered site of its GLN is in the
// division or below; a GLN of no site, by its company prefix's
// organisation's region.
func (q queryEnv) LocationIn(location string, division uint32) bool {
	if c, err := code.Parse(location); err == nil {
		for _, el := range c.Elements {
			if el.AI != "414" {
				continue
			}
			if s, ok := q.e.SiteByGLN(el.Value); ok {
				return RegionCovers(division, s.Region)
			}
		}
	}
	return RegionCovers(division, q.e.orgRegion(q.e.partyOrg(location)))
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

// Named queries (the REST binding's /queries): a query's parameters saved
// under a name by its owner — an organisation, a regulator's region or the
// operator — and run with the events its owner's keys may see.
type NamedQuery = epcisq.NamedQuery

// ErrQueryExists: the owner already has a query of that name.
var ErrQueryExists = epcisq.ErrQueryExists

// namedMu serialises the saving and deleting of named queries (a name is
// checked free, then written).
var namedMu sync.Mutex

// queryOwner is who owns the named queries k creates and reads.
func queryOwner(k APIKey) (string, error) {
	switch {
	case k.Org != 0:
		return "org:" + strconv.FormatUint(uint64(k.Org), 10), nil
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		return "region:" + strconv.FormatUint(uint64(k.Region), 10), nil
	case k.Scopes.Has(ScopeAdmin):
		return "operator", nil
	}
	return "", fmt.Errorf("%w: named queries belong to an organisation, a regulator's region or the operator", ErrWrongOrg)
}

// CreateNamedQuery saves params under name for k's owner (the key needs
// the events, regulator or admin scope). The parameters are checked as
// QueryEvents checks them; a name in use is ErrQueryExists.
func (e *Engine) CreateNamedQuery(k APIKey, name string, params []QueryParam) (NamedQuery, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return NamedQuery{}, err
	}
	if !k.Scopes.Has(ScopeEvents) && !k.Scopes.Has(ScopeRegulator) && !k.Scopes.Has(ScopeAdmin) {
		return NamedQuery{}, fmt.Errorf("%w: creating a named query needs the events, regulator or admin scope", ErrWrongOrg)
	}
	if _, err := e.tr(); err != nil {
		return NamedQuery{}, err
	}
	n := NamedQuery{Owner: owner, Name: name, Params: params, Created: e.Now().UnixMilli(), Creator: "key:" + strconv.FormatUint(k.ID, 16)}
	namedMu.Lock()
	defer namedMu.Unlock()
	return n, epcisq.SaveQuery(e.db, &n)
}

// NamedQuery returns k's owner's query name (found false: none, or
// another owner's).
func (e *Engine) NamedQuery(k APIKey, name string) (NamedQuery, bool, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return NamedQuery{}, false, err
	}
	if _, err := e.tr(); err != nil {
		return NamedQuery{}, false, err
	}
	return epcisq.GetQuery(e.db, owner, name)
}

// NamedQueries lists k's owner's queries by name.
func (e *Engine) NamedQueries(k APIKey) ([]NamedQuery, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return nil, err
	}
	if _, err := e.tr(); err != nil {
		return nil, err
	}
	return epcisq.ListQueries(e.db, owner)
}

// DeleteNamedQuery removes k's owner's query name (the events, regulator
// or admin scope); found is false when there was none.
func (e *Engine) DeleteNamedQuery(k APIKey, name string) (bool, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return false, err
	}
	if !k.Scopes.Has(ScopeEvents) && !k.Scopes.Has(ScopeRegulator) && !k.Scopes.Has(ScopeAdmin) {
		return false, fmt.Errorf("%w: deleting a named query needs the events, regulator or admin scope", ErrWrongOrg)
	}
	if _, err := e.tr(); err != nil {
		return false, err
	}
	namedMu.Lock()
	defer namedMu.Unlock()
	if err := e.dropSubscriptions(owner, name); err != nil {
		return false, err
	}
	return epcisq.DeleteQuery(e.db, owner, name)
}

// QueryNamedEvents runs k's owner's query name with paging (perPage,
// nextPageToken: no other parameter).
func (e *Engine) QueryNamedEvents(k APIKey, name string, paging []QueryParam) (*QueryResult, bool, error) {
	n, found, err := e.NamedQuery(k, name)
	if err != nil || !found {
		return nil, false, err
	}
	params := append([]QueryParam(nil), n.Params...)
	for _, p := range paging {
		if p.Name != "perPage" && p.Name != "nextPageToken" {
			return nil, true, &QueryParamError{Name: p.Name, Msg: "a named query's events take perPage and nextPageToken only (its other parameters are the query's)"}
		}
		if p.Name == "perPage" {
			params = slices.DeleteFunc(params, func(q QueryParam) bool { return q.Name == "perPage" })
		}
		params = append(params, p)
	}
	res, err := e.QueryEvents(k, params)
	return res, true, err
}
