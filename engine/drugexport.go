package engine

import (
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/drugexport"
	"tracecode/engine/issue"
)

// DrugTraceExport returns organisation org's drug movements with event
// times in [from, to) as the in/out bills of the national drug trace
// collaboration platform (engine/drugexport; docs/categories.md): for the
// organisation's own keys, the operator and the regulators of its region.
func (e *Engine) DrugTraceExport(k apikey.Key, org uint32, from, to time.Time) (*drugexport.Document, error) {
	ts, err := e.tr()
	if err != nil {
		return nil, err
	}
	return drugexport.ExportStore(e.db, ts.Ledger(), drugParts{e, e.iss}, k, drugexport.Request{Org: org, From: from, To: to})
}

// drugParts is the engine as the drug export asks it (drugexport.Engine).
type drugParts struct {
	*Engine
	*issue.Book
}

func (p drugParts) PartyOrg(id string) uint32 { return p.partyOrg(id) }

func (p drugParts) DrugFields(product uint32) category.Record {
	bk, err := p.Sectors().Book()
	if err != nil {
		return nil
	}
	if pp, _, ok := bk.Profile(product); ok && pp.Profile == "drug" {
		return pp.Fields
	}
	return nil
}
