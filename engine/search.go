package engine

import (
	"tracecode/engine/search"
)

// This file is the facade of the one-stop query's index (engine/search):
// built from master data at Open, kept current by every master-data
// write (issue.Options.Published), asked by Search.

// Search's errors and limits (see package search).
var (
	// ErrBadQuery is wrapped by every query error.
	ErrBadQuery = search.ErrInvalid
	// ParseSearchQuery reads a query (a name, a GTIN or a USCC).
	ParseSearchQuery = search.ParseQuery
)

// The kinds of a search hit.
const (
	HitEnterprise = search.HitOrg
	HitProduct    = search.HitProduct
)

// SearchHit is one organisation or product found, with its public
// master data: Org is the organisation (a product's producer), Product
// is set for a product.
type SearchHit struct {
	Kind    search.HitKind
	Match   search.Match
	Org     Org
	Product *Product
}

// SearchAnswer is the answer to a query: the hits, best first, and how
// many matched in all.
type SearchAnswer struct {
	Query search.Query
	Hits  []SearchHit
	Total int
}

// published is told of each organisation and product master data
// publishes (under the issuance book's lock: it only updates the index).
func (e *Engine) published(o *Org, p *Product) {
	x := e.search.Load()
	if x == nil {
		return // Open builds the index from the loaded state
	}
	if o != nil {
		x.PutOrg(o)
	}
	if p != nil {
		x.PutProduct(p)
	}
}

// refreshSearch puts into the index the organisations and products a
// replica's reload brought (ids are dense and never reused, and names
// never change once written, so the new ones are those above the
// highest ids indexed).
func (e *Engine) refreshSearch() {
	x := e.search.Load()
	org, product := x.MaxIDs()
	for id := org + 1; ; id++ {
		o := e.iss.OrgByID(id)
		if o == nil {
			break
		}
		x.PutOrg(o)
	}
	for id := product + 1; ; id++ {
		p, err := e.iss.Product(id)
		if err != nil {
			break
		}
		x.PutProduct(&p)
	}
}

// Search answers the one-stop query q: products by name or GTIN,
// organisations by name or USCC, at most limit hits (search.DefaultLimit
// when limit ≤ 0, never more than search.MaxLimit). A malformed query
// (a GTIN or USCC with a wrong check character, too long, empty) is an
// error wrapping ErrBadQuery that names what is wrong.
func (e *Engine) Search(q string, limit int) (SearchAnswer, error) {
	pq, err := search.ParseQuery(q)
	if err != nil {
		return SearchAnswer{}, err
	}
	r := e.search.Load().Search(pq, limit)
	a := SearchAnswer{Query: pq, Total: r.Total, Hits: make([]SearchHit, 0, len(r.Hits))}
	for _, h := range r.Hits {
		sh := SearchHit{Kind: h.Kind, Match: h.Match}
		switch h.Kind {
		case search.HitOrg:
			o, err := e.Org(h.ID)
			if err != nil {
				continue
			}
			sh.Org = o
		default:
			p, err := e.Product(h.ID)
			if err != nil {
				continue
			}
			sh.Product = &p
			if o, err := e.Org(p.Org); err == nil {
				sh.Org = o
			}
		}
		a.Hits = append(a.Hits, sh)
	}
	return a, nil
}
