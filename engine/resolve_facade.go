package engine

import (
	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// Resolve returns the full chain of any scanned code (see ResolveInto).
func (e *Engine) Resolve(input string) (*resolve.Chain, error) {
	c := new(resolve.Chain)
	if err := e.ResolveInto(c, input); err != nil {
		return nil, err
	}
	return c, nil
}

// ResolveInto fills c with the full chain of a scanned code in any format
// code.Parse reads (SSCCs included); see resolve.Resolver.ResolveInto.
// Reusing c across calls makes the common path allocation-free once c's
// slices have grown.
func (e *Engine) ResolveInto(c *resolve.Chain, input string) error {
	ts, err := e.tr()
	if err != nil {
		return err
	}
	return ts.Resolver().ResolveInto(c, input, nil)
}

// ResolveCodeInto is ResolveInto of a code the caller has already parsed
// (input is kept as Chain.Input); pc's strings must stay valid until c is
// reused.
func (e *Engine) ResolveCodeInto(c *resolve.Chain, input string, pc *code.Code) error {
	ts, err := e.tr()
	if err != nil {
		return err
	}
	return ts.Resolver().ResolveInto(c, input, pc)
}

// LotStatus returns the public status of lot id: recalled (the lot or its
// whole product), expired (past its expiry date in the business-day
// clock, Options.Location), or registered.
func (e *Engine) LotStatus(id uint32) (resolve.ClassStatus, error) {
	l, err := e.iss.Lot(id)
	if err != nil {
		return resolve.ClassStatus{}, err
	}
	cs, err := e.classStatus(l.ID, l.Product)
	if err == nil && cs.Status == resolve.PublicRegistered && l.Expiry != 0 && e.Today() > l.Expiry {
		cs.Status = resolve.PublicExpired
	}
	return cs, err
}

// ProductStatus returns the public status of product id: recalled, or
// registered.
func (e *Engine) ProductStatus(id uint32) (resolve.ClassStatus, error) {
	p, err := e.iss.Product(id)
	if err != nil {
		return resolve.ClassStatus{}, err
	}
	return e.classStatus(0, p.ID)
}

// classStatus looks up the recall of a lot (0: none) or its product.
func (e *Engine) classStatus(lot, product uint32) (resolve.ClassStatus, error) {
	ts, err := e.tr()
	if err != nil {
		return resolve.ClassStatus{}, err
	}
	return ts.Resolver().ClassStatus(lot, product)
}

// resolveSource answers a Resolver's questions from the engine's state
// (resolve.Source).
type resolveSource struct {
	e           *Engine
	ts          *chain.Chain
	*issue.Book // LookupCode, BlockAt, BlockByID, Master
}

func (s resolveSource) NowMillis() int64          { return s.e.nowMillis() }
func (s resolveSource) DayOf(t int64) uint32      { return s.e.DayOf(t) }
func (s resolveSource) PartyOrg(id string) uint32 { return s.e.partyOrg(id) }

func (s resolveSource) Org(id uint32) *model.Org { return s.e.iss.OrgByID(id) }

func (s resolveSource) SSCCOwner(sscc gs1.SSCC) uint32 {
	org, _ := s.e.iss.GCPOwner(string(sscc[1:17]))
	return org
}

// resolveForms are the formats of resolve's printed forms, in their order.
var resolveForms = [resolve.NumForms]issue.Format{issue.FormatDL, issue.FormatElement, issue.FormatEPCURN, issue.FormatSerial, issue.FormatNMPA, issue.FormatShort}

func (s resolveSource) AppendForms(dst []byte, b *model.Block, offset uint64, scanned string, spans *[resolve.NumForms][2]int) []byte {
	return s.e.iss.AppendForms(dst, b, offset, scanned, resolveForms[:], spans[:])
}

func (s resolveSource) RecallOf(lot, product uint32) (ledger.Recall, bool) {
	return s.ts.RecallOf(lot, product)
}

func (s resolveSource) CustodyAny() bool           { return s.ts.CustodyAny() }
func (s resolveSource) HasCustody(n agg.Node) bool { return s.ts.HasCustody(n) }
func (s resolveSource) AssociationsAny() bool      { return s.ts.AssociationsAny() }

func (s resolveSource) MarkErroneous(timeline []resolve.Entry) { s.ts.MarkErroneous(timeline) }
