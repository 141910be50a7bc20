package epcisq

// The query interface as API keys use it (Office): who sees which event
// (Visible, the one owner of that rule), the queries a key may run, and
// the named queries of its owner.

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"tracecode/engine/apikey"
	"tracecode/engine/code"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Engine is what the office asks of the engine.
type Engine interface {
	// Ledger returns the report chain's ledger (store.ErrClosed once the
	// engine is closed).
	Ledger() (*ledger.Ledger, error)
	// TraceCode resolves a MATCH_ value to its code (product 0: an SSCC)
	// and says whether key k may trace it (a producer, a holder, a
	// regulator of a holder's region, the operator); found is false for a
	// value naming no code of this store.
	TraceCode(k apikey.Key, raw string) (product uint32, counter uint64, traceable, found bool, err error)
	// SiteRegion returns the division of the registered site a GLN names.
	SiteRegion(gln string) (region uint32, found bool)
	// PartyOrg returns the organisation a party identifier names through
	// its GS1 company prefix, or 0.
	PartyOrg(id string) uint32
	// OrgRegion returns an organisation's division (0: none).
	OrgRegion(org uint32) uint32
	// ProductOwner returns the organisation that registered a product (0:
	// no such product).
	ProductOwner(product uint32) uint32
	// NowMillis is the engine's clock, unix ms.
	NowMillis() int64
}

// Office answers the queries of API keys over one store. It is safe for
// concurrent use.
type Office struct {
	db       *store.DB
	e        Engine
	tokenKey []byte
	// namedMu serialises the saving and deleting of named queries (a
	// name is checked free, then written).
	namedMu sync.Mutex
	// onDelete runs, under namedMu, before a named query is deleted (its
	// subscriptions go with it); nil: nothing.
	onDelete func(owner, name string) error
}

// NewOffice returns the office over db asking e; page tokens are signed
// with tokenKey (at least 16 bytes, the same across restarts).
func NewOffice(db *store.DB, e Engine, tokenKey []byte) *Office {
	return &Office{db: db, e: e, tokenKey: tokenKey}
}

// OnDelete sets what runs before a named query is deleted (the deletion
// of its subscriptions); an error keeps the query.
func (o *Office) OnDelete(f func(owner, name string) error) {
	o.namedMu.Lock()
	o.onDelete = f
	o.namedMu.Unlock()
}

// Runner returns a runner over the store's ledger.
func (o *Office) Runner() (*Runner, error) {
	led, err := o.e.Ledger()
	if err != nil {
		return nil, err
	}
	return &Runner{DB: o.db, Led: led, TokenKey: o.tokenKey}, nil
}

// Env returns the answers a query of key k gets: the codes k may trace,
// the divisions of locations, the events k sees (Visible).
func (o *Office) Env(k apikey.Key) Env { return keyEnv{o: o, k: k} }

// Events answers one page of an EPCIS 2.0 SimpleEventQuery (the
// standard parameters, docs/epcis.md "Query") with the captured events k
// may see (Visible). A parameter error wraps ErrQueryParameter and names
// the parameter; the page token of the answer is valid only with the
// same parameters and key. opts are Run's (RawJSON).
func (o *Office) Events(k apikey.Key, params []Param, opts ...Option) (*Result, error) {
	r, err := o.Runner()
	if err != nil {
		return nil, err
	}
	q, err := Parse(params)
	if err != nil {
		return nil, err
	}
	if !k.Scopes.Has(apikey.ScopeAdmin) && !k.Scopes.Has(apikey.ScopeRegulator) && k.Org == 0 {
		return nil, fmt.Errorf("%w: events are queried with an organisation's, a regulator's or the operator's key", model.ErrWrongOrg)
	}
	return r.Run(q, Digest(caller(k), params), o.Env(k), opts...)
}

// caller names the caller a page token is bound to.
func caller(k apikey.Key) string {
	return "key:" + strconv.FormatUint(k.ID, 16) + "/org:" + strconv.FormatUint(uint64(k.Org), 10) +
		"/region:" + strconv.FormatUint(uint64(k.Region), 10) + "/scopes:" + strconv.FormatUint(uint64(k.Scopes), 10)
}

// keyEnv answers a query's questions for one key.
type keyEnv struct {
	o *Office
	k apikey.Key
}

func (q keyEnv) Code(raw string) (uint32, uint64, bool, bool, error) {
	return q.o.e.TraceCode(q.k, raw)
}

// LocationIn reports whether location (an SGLN or a Digital Link with
// AI 414) lies in division: the registered site of its GLN is in the
// division or below; a GLN of no site, by its company prefix's
// organisation's region.
func (q keyEnv) LocationIn(location string, division uint32) bool {
	if c, err := code.Parse(location); err == nil {
		for _, el := range c.Elements {
			if el.AI != "414" {
				continue
			}
			if r, ok := q.o.e.SiteRegion(el.Value); ok {
				return apikey.RegionCovers(division, r)
			}
		}
	}
	return apikey.RegionCovers(division, q.o.e.OrgRegion(q.o.e.PartyOrg(location)))
}

// MovedInto answers Moves when the engine does.
func (q keyEnv) MovedInto(division uint32) []uint32 {
	if m, ok := q.o.e.(Moves); ok {
		return m.MovedInto(division)
	}
	return nil
}

func (q keyEnv) Sees(s *ledger.Summary, payload func() (*ledger.Payload, error)) (bool, error) {
	return q.o.Visible(q.k, s, payload)
}

// Visible decides whether key k sees the captured event s in a query
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
// may trace (Engine.TraceCode). payload reads the event's targets when
// the rule needs them.
func (o *Office) Visible(k apikey.Key, s *ledger.Summary, payload func() (*ledger.Payload, error)) (bool, error) {
	regulator := k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return true, nil
	case k.Org != 0 && s.Org == k.Org:
		return true, nil
	case regulator && apikey.RegionCovers(k.Region, o.e.OrgRegion(s.Org)):
		return true, nil
	}
	if k.Org != 0 {
		for _, ps := range [2][]ledger.Pair{s.Sources, s.Dests} {
			for _, p := range ps {
				if o.e.PartyOrg(p.ID) == k.Org {
					return true, nil
				}
			}
		}
	}
	if k.Org == 0 && !regulator {
		return false, nil
	}
	p, err := payload()
	if err != nil {
		return false, err
	}
	for _, t := range p.Targets {
		owner := uint32(0)
		if t.Product != 0 {
			owner = o.e.ProductOwner(t.Product)
		}
		if owner == 0 {
			continue
		}
		if k.Org != 0 && owner == k.Org {
			return true, nil
		}
		if regulator && apikey.RegionCovers(k.Region, o.e.OrgRegion(owner)) {
			return true, nil
		}
	}
	return false, nil
}

// Owner is who owns the named queries k creates and reads: its
// organisation, its regulator's region, or the operator.
func Owner(k apikey.Key) (string, error) {
	switch {
	case k.Org != 0:
		return "org:" + strconv.FormatUint(uint64(k.Org), 10), nil
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		return "region:" + strconv.FormatUint(uint64(k.Region), 10), nil
	case k.Scopes.Has(apikey.ScopeAdmin):
		return "operator", nil
	}
	return "", fmt.Errorf("%w: named queries belong to an organisation, a regulator's region or the operator", model.ErrWrongOrg)
}

// MayWrite reports (as an error naming what) whether key k may change
// its owner's named queries and subscriptions: the events, regulator or
// admin scope.
func MayWrite(k apikey.Key, what string) error {
	if !k.Scopes.Has(apikey.ScopeEvents) && !k.Scopes.Has(apikey.ScopeRegulator) && !k.Scopes.Has(apikey.ScopeAdmin) {
		return fmt.Errorf("%w: %s needs the events, regulator or admin scope", model.ErrWrongOrg, what)
	}
	return nil
}

// open returns ErrClosed once the engine is closed.
func (o *Office) open() error {
	_, err := o.e.Ledger()
	return err
}

// Create saves params under name for k's owner (the key needs the
// events, regulator or admin scope). The parameters are checked as
// Events checks them; a name in use is ErrQueryExists.
func (o *Office) Create(k apikey.Key, name string, params []Param) (NamedQuery, error) {
	owner, err := Owner(k)
	if err != nil {
		return NamedQuery{}, err
	}
	if err := MayWrite(k, "creating a named query"); err != nil {
		return NamedQuery{}, err
	}
	if err := o.open(); err != nil {
		return NamedQuery{}, err
	}
	n := NamedQuery{Owner: owner, Name: name, Params: params, Created: o.e.NowMillis(), Creator: "key:" + strconv.FormatUint(k.ID, 16)}
	o.namedMu.Lock()
	defer o.namedMu.Unlock()
	return n, SaveQuery(o.db, &n)
}

// Named returns k's owner's query name (found false: none, or another
// owner's).
func (o *Office) Named(k apikey.Key, name string) (NamedQuery, bool, error) {
	owner, err := Owner(k)
	if err != nil {
		return NamedQuery{}, false, err
	}
	if err := o.open(); err != nil {
		return NamedQuery{}, false, err
	}
	return GetQuery(o.db, owner, name)
}

// List lists k's owner's queries by name.
func (o *Office) List(k apikey.Key) ([]NamedQuery, error) {
	owner, err := Owner(k)
	if err != nil {
		return nil, err
	}
	if err := o.open(); err != nil {
		return nil, err
	}
	return ListQueries(o.db, owner)
}

// Delete removes k's owner's query name and its subscriptions (the
// events, regulator or admin scope); found is false when there was none.
func (o *Office) Delete(k apikey.Key, name string) (bool, error) {
	owner, err := Owner(k)
	if err != nil {
		return false, err
	}
	if err := MayWrite(k, "deleting a named query"); err != nil {
		return false, err
	}
	if err := o.open(); err != nil {
		return false, err
	}
	o.namedMu.Lock()
	defer o.namedMu.Unlock()
	if o.onDelete != nil {
		if err := o.onDelete(owner, name); err != nil {
			return false, err
		}
	}
	return DeleteQuery(o.db, owner, name)
}

// NamedEvents runs k's owner's query name with paging (perPage,
// nextPageToken: no other parameter).
func (o *Office) NamedEvents(k apikey.Key, name string, paging []Param, opts ...Option) (*Result, bool, error) {
	n, found, err := o.Named(k, name)
	if err != nil || !found {
		return nil, false, err
	}
	params := append([]Param(nil), n.Params...)
	for _, p := range paging {
		if p.Name != "perPage" && p.Name != "nextPageToken" {
			return nil, true, &ParamError{Name: p.Name, Msg: "a named query's events take perPage and nextPageToken only (its other parameters are the query's)"}
		}
		if p.Name == "perPage" {
			params = slices.DeleteFunc(params, func(q Param) bool { return q.Name == "perPage" })
		}
		params = append(params, p)
	}
	res, err := o.Events(k, params, opts...)
	return res, true, err
}
