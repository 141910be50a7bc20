package engine

import (
	"context"
	"io"

	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// Issuance — master data, mint, import, lookup, blocks, streams and
// formats, sealed keys, quotas — is engine/issue's Book; *Engine delegates
// to it and names its types, so callers need not import it.

type (
	OrgSpec       = issue.OrgSpec
	ProductSpec   = issue.ProductSpec
	LotSpec       = issue.LotSpec
	MintRequest   = issue.MintRequest
	MintResult    = issue.MintResult
	ImportRequest = issue.ImportRequest
	BlockFilter   = issue.BlockFilter
	StreamOptions = issue.StreamOptions
	StreamStats   = issue.StreamStats
	SpaceUsage    = issue.SpaceUsage
	KEK           = issue.KEK
	Format        = issue.Format
)

// Lookup errors and results (see package model).
var (
	ErrBadCode         = model.ErrBadCode
	ErrNoSerial        = model.ErrNoSerial
	ErrUnsupportedCode = model.ErrUnsupportedCode
	ErrNeverIssued     = model.ErrNeverIssued
	ErrNotImported     = model.ErrNotImported
	ErrReleased        = model.ErrReleased
	ErrVoided          = model.ErrVoided
	ErrLotMismatch     = model.ErrLotMismatch
)

type (
	LookupError  = model.LookupError
	LookupResult = model.LookupResult
)

// MaxImportCount is the most serials one import may carry.
const MaxImportCount = issue.MaxImportCount

// The printed forms of a code (issue.Format).
const (
	FormatSerial    = issue.FormatSerial
	FormatDL        = issue.FormatDL
	FormatElement   = issue.FormatElement
	FormatGS        = issue.FormatGS
	FormatEPCURN    = issue.FormatEPCURN
	FormatEPCHex    = issue.FormatEPCHex
	FormatNMPA      = issue.FormatNMPA
	FormatShort     = issue.FormatShort
	FormatCSV       = issue.FormatCSV
	FormatPesticide = issue.FormatPesticide
	FormatVetDrug   = issue.FormatVetDrug
)

var (
	// ErrKEK is returned when the key-encryption key is missing, wrong
	// or malformed.
	ErrKEK      = issue.ErrKEK
	NewKEK      = issue.NewKEK
	ParseKEK    = issue.ParseKEK
	FormatNames = issue.FormatNames
	ParseFormat = issue.ParseFormat
	ParseDate   = issue.ParseDate
	FormatDate  = issue.FormatDate
)

// Master data (issue/masterdata.go).

func (e *Engine) AddOrg(ctx context.Context, spec OrgSpec) (Org, error) {
	return e.iss.AddOrg(ctx, spec)
}
func (e *Engine) GrantGCP(ctx context.Context, org uint32, gcp string) (Org, error) {
	return e.iss.GrantGCP(ctx, org, gcp)
}
func (e *Engine) Org(id uint32) (Org, error)       { return e.iss.Org(id) }
func (e *Engine) OrgByGCP(gcp string) (Org, error) { return e.iss.OrgByGCP(gcp) }
func (e *Engine) Orgs() []Org                      { return e.iss.Orgs() }
func (e *Engine) AddProduct(ctx context.Context, spec ProductSpec) (Product, error) {
	return e.iss.AddProduct(ctx, spec)
}
func (e *Engine) Product(id uint32) (Product, error)        { return e.iss.Product(id) }
func (e *Engine) ProductByGTIN(g gs1.GTIN) (Product, error) { return e.iss.ProductByGTIN(g) }
func (e *Engine) ProductByDrugID(drugID string) (Product, error) {
	return e.iss.ProductByDrugID(drugID)
}
func (e *Engine) ProductByCode(org uint32, code string) (Product, error) {
	return e.iss.ProductByCode(org, code)
}
func (e *Engine) Products(org uint32) []Product                { return e.iss.Products(org) }
func (e *Engine) ProductState(id uint32) (ProductState, error) { return e.iss.ProductState(id) }
func (e *Engine) AddLot(ctx context.Context, spec LotSpec) (Lot, error) {
	return e.iss.AddLot(ctx, spec)
}
func (e *Engine) Lot(id uint32) (Lot, error) { return e.iss.Lot(id) }
func (e *Engine) LotByNumber(product uint32, number string) (Lot, error) {
	return e.iss.LotByNumber(product, number)
}
func (e *Engine) Lots(product uint32) []Lot { return e.iss.Lots(product) }

// Issuance (issue/mint.go, import.go, blocks.go, quota.go).

func (e *Engine) Mint(ctx context.Context, req MintRequest) (MintResult, error) {
	return e.iss.Mint(ctx, req)
}
func (e *Engine) Import(ctx context.Context, req ImportRequest) (MintResult, error) {
	return e.iss.Import(ctx, req)
}
func (e *Engine) Block(id uint64) (Block, error)      { return e.iss.Block(id) }
func (e *Engine) Blocks(f BlockFilter) []Block        { return e.iss.Blocks(f) }
func (e *Engine) SharedSpaces() []SpaceUsage          { return e.iss.SharedSpaces() }
func (e *Engine) Formats(id uint64) ([]Format, error) { return e.iss.Formats(id) }
func (e *Engine) WriteCodes(ctx context.Context, w io.Writer, id uint64, o StreamOptions) (StreamStats, error) {
	return e.iss.WriteCodes(ctx, w, id, o)
}

// Lookup (issue/lookup.go).

func (e *Engine) Lookup(input string) (LookupResult, error) { return e.iss.Lookup(input) }
func (e *Engine) LookupCode(c *code.Code) (LookupResult, error) {
	return e.iss.LookupCode(c)
}

// Keys (issue/kek.go).

func (e *Engine) KeysSealed() (sealed bool, kekID string)   { return e.iss.KeysSealed() }
func (e *Engine) SealKeys(ctx context.Context) (int, error) { return e.iss.SealKeys(ctx) }
func (e *Engine) RotateKEK(ctx context.Context, next KEK) (int, error) {
	return e.iss.RotateKEK(ctx, next)
}

// Check compares the issuance state in memory with a fresh load of the
// store (issue/check.go).
func (e *Engine) Check() error { return e.iss.Check() }

// What the report transaction, the resolver's source, verification and
// statistics ask of the issuance state.

// blockAt returns the published block holding counter of product, or nil.
func (e *Engine) blockAt(product uint32, counter uint64) *Block {
	return e.iss.BlockAt(product, counter)
}

// gcpOwner returns the organisation whose company prefix begins digits,
// with that prefix.
func (e *Engine) gcpOwner(digits string) (uint32, string) { return e.iss.GCPOwner(digits) }

// appendCode appends form fm of the code at offset off of block b.
func (e *Engine) appendCode(dst []byte, b *Block, off uint64, fm Format) ([]byte, error) {
	return e.iss.AppendCode(dst, b, off, fm)
}

func (e *Engine) nowMillis() int64 { return e.opts.Now().UnixMilli() }
