package engine

import (
	"tracecode/engine/search"
)

// This file is the facade of the one-stop query's index (engine/search):
// built from master data at Open, kept current by every master-data
// write (issue.Options.Published) and a replica's Refresh, asked by
// Search.

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

// Search answers the one-stop query q (search.Index.Answer): products
// by name or GTIN, organisations by name or USCC, at most limit hits. A
// malformed query is an error wrapping search.ErrInvalid.
func (e *Engine) Search(q string, limit int) (search.Answer, error) {
	return e.search.Load().Answer(q, limit, e.iss)
}
