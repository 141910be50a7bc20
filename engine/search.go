package engine

import (
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/onestop"
	"tracecode/engine/search"
	"tracecode/engine/sector"
)

// This file is the facade of the one-stop query's index (engine/search):
// built from master data at Open, kept current by every master-data
// write (issue.Options.Published) and a replica's Refresh, asked by
// Search.

// published is told of each organisation and product master data
// publishes (under the issuance book's lock: it only updates the index).
func (e *Engine) published(o *model.Org, p *model.Product) {
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

// OneStop returns the one-stop office: the public view of an enterprise
// (Enterprise), the recalls in force of an organisation's or a product's
// items (RecallsOf, RecallCovers).
func (e *Engine) OneStop() *onestop.Office { return onestop.NewOffice(oneStopParts{e, e.iss}) }

// oneStopParts is the engine as the one-stop office asks it
// (onestop.Engine).
type oneStopParts struct {
	*Engine
	*issue.Book
}

func (p oneStopParts) NowMillis() int64 { return p.nowMillis() }

func (p oneStopParts) ProductProfile(id uint32) (sector.ProductProfile, bool) {
	return p.Sectors().ProductProfile(id)
}

func (p oneStopParts) PublicRecalls() ([]*notice.RecallView, error) {
	if n := p.Notices(); n != nil {
		return n.PublicRecalls()
	}
	return nil, nil
}
