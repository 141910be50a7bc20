package chain

// The resolver's source (resolve.Source) over the issuance state and the
// chain's marks: BookSource builds it for Options.ResolveSource.

import (
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// BookSource returns the Options.ResolveSource of a chain over b: the Book
// answers the issuance questions, the chain its marks (recalls, custody,
// associations, error declarations), a party's organisation and the clock
// (Options.Now, and Options.Location for the business day).
func BookSource(b *issue.Book) func(*Chain) resolve.Source {
	return func(c *Chain) resolve.Source { return bookSource{c, b} }
}

type bookSource struct {
	c           *Chain
	*issue.Book // LookupCode, BlockAt, BlockByID, Master
}

func (s bookSource) NowMillis() int64 { return s.c.opts.Now().UnixMilli() }

func (s bookSource) DayOf(ms int64) uint32 {
	y, m, d := time.UnixMilli(ms).In(s.c.opts.Location).Date()
	return uint32(y*10000 + int(m)*100 + d)
}

func (s bookSource) PartyOrg(id string) uint32 { return s.c.PartyOrg(id) }
func (s bookSource) Org(id uint32) *model.Org  { return s.Book.OrgByID(id) }

func (s bookSource) SSCCOwner(sscc gs1.SSCC) uint32 {
	org, _ := s.Book.GCPOwner(string(sscc[1:17]))
	return org
}

// resolveForms are the formats of resolve's printed forms, in their order.
var resolveForms = [resolve.NumForms]issue.Format{issue.FormatDL, issue.FormatElement, issue.FormatEPCURN, issue.FormatSerial, issue.FormatNMPA, issue.FormatShort}

func (s bookSource) AppendForms(dst []byte, b *model.Block, offset uint64, scanned string, spans *[resolve.NumForms][2]int) []byte {
	return s.Book.AppendForms(dst, b, offset, scanned, resolveForms[:], spans[:])
}

func (s bookSource) RecallOf(lot, product uint32) (ledger.Recall, bool) {
	return s.c.RecallOf(lot, product)
}

func (s bookSource) CustodyAny() bool                       { return s.c.CustodyAny() }
func (s bookSource) HasCustody(n agg.Node) bool             { return s.c.HasCustody(n) }
func (s bookSource) AssociationsAny() bool                  { return s.c.AssociationsAny() }
func (s bookSource) MarkErroneous(timeline []resolve.Entry) { s.c.MarkErroneous(timeline) }
