package resolve

import (
	"tracecode/engine/agg"
	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// Source is what a Resolver asks of the rest of the engine: the issuance
// state (codes to blocks, master data, a code's printed forms), the clock,
// and the marks reports keep in memory (recalls, custody, associations,
// error declarations). Its methods are safe for concurrent use.
type Source interface {
	Issuance
	Marks
	// NowMillis is the engine's clock, unix milliseconds.
	NowMillis() int64
	// DayOf is the business day (yyyymmdd) of unix milliseconds t.
	DayOf(t int64) uint32
}

// Issuance answers from the published issuance state.
type Issuance interface {
	// LookupCode finds the block of a parsed code; a *model.LookupError
	// says why it has none (the result holds what was found).
	LookupCode(pc *code.Code) (model.LookupResult, error)
	// BlockAt returns the block holding counter of product, or nil.
	BlockAt(product uint32, counter uint64) *model.Block
	// BlockByID returns block id, or nil.
	BlockByID(id uint64) *model.Block
	// Master returns the published records of product and its
	// organisation, of lot and of block; nil where unknown (or 0).
	Master(product, lot uint32, block uint64) (*model.Org, *model.Product, *model.Lot, *model.Block)
	// Org returns organisation id, or nil.
	Org(id uint32) *model.Org
	// SSCCOwner returns the organisation whose GS1 company prefix begins
	// the SSCC's digits after its extension digit (0 if none).
	SSCCOwner(s gs1.SSCC) uint32
	// SSCCBlock returns the sscc block that minted SSCC s and its offset
	// there, or nil (an SSCC labelled by another system).
	SSCCBlock(s gs1.SSCC) (*model.Block, uint64)
	// PartyOrg returns the registered organisation a party or location
	// identifier names through its company prefix (0 if none).
	PartyOrg(id string) uint32
	// AppendForms appends the printed forms of the code at offset of
	// block b (scanned: the serial as scanned, for imported serials) to
	// dst and sets forms[f] to the span of form f in the result; it
	// appends nothing if the block's forms are unavailable.
	AppendForms(dst []byte, b *model.Block, offset uint64, scanned string, forms *[NumForms][2]int) []byte
}

// The printed forms of a code, in the order of AppendForms' spans.
const (
	FormDigitalLink = iota
	FormElementString
	FormEPCURN
	FormSerial
	FormNMPA
	FormShort
	NumForms
)

// Marks are the in-memory marks reports keep: recalls, custody records,
// associations and error declarations.
type Marks interface {
	// RecallOf returns the recall of lot (0: none) or, failing that, of
	// product (0: none).
	RecallOf(lot, product uint32) (ledger.Recall, bool)
	// CustodyAny reports whether any code has a custody record; while it
	// is false every code is held by its owner.
	CustodyAny() bool
	// HasCustody reports whether node n has a custody record.
	HasCustody(n agg.Node) bool
	// AssociationsAny reports whether the store holds (or held) an
	// association.
	AssociationsAny() bool
	// MarkErroneous sets ErroneousBy of every entry of timeline whose
	// record was declared erroneous (to the declaration's seq), 0 of the
	// others.
	MarkErroneous(timeline []Entry)
}
