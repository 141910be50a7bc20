package engine

// The engine's facade over engine/chain, the report transaction: the
// report types under their engine names, the report methods as
// delegations; the chain reads the issuance state through
// chain.BookIssuance and fires the notices and statistics through
// chainHooks.

import (
	"context"
	"io"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/resolve"
	"tracecode/engine/sector"
)

// The report types (see package chain).
type (
	ReportMeta     = chain.ReportMeta
	Receipt        = chain.Receipt
	Items          = chain.Items
	BlockRange     = chain.BlockRange
	ItemError      = chain.ItemError
	ReportError    = chain.ReportError
	LineAction     = chain.LineAction
	LineReport     = chain.LineReport
	PackReport     = chain.PackReport
	UnpackReport   = chain.UnpackReport
	Ref            = chain.Ref
	CaptureOptions = chain.CaptureOptions
	RecallRequest  = chain.RecallRequest
	RecallResult   = chain.RecallResult
	LiftRequest    = chain.LiftRequest
	LotRef         = chain.LotRef
	TraceResult    = chain.TraceResult
	Recipient      = chain.Recipient
	Held           = chain.Held
	HeldRun        = chain.HeldRun
	TraceAccess    = chain.TraceAccess
	Pack           = chain.Pack
	Unpack         = chain.Unpack
)

// The line actions and trace accesses (see package chain).
const (
	LineCommission   = chain.LineCommission
	LineVoid         = chain.LineVoid
	LineDecommission = chain.LineDecommission

	TraceNone = chain.TraceNone
	TraceHeld = chain.TraceHeld
	TraceFull = chain.TraceFull
)

// Report limits (see package chain).
const (
	MaxReportErrors = chain.MaxReportErrors
	MaxFutureSkew   = chain.MaxFutureSkew
	MaxDepth        = chain.MaxDepth
)

// Report errors (see package chain). Every *ItemError wraps one of these
// (or a Lookup sentinel such as ErrNeverIssued, ErrVoided, ErrReleased).
var (
	ErrRejected        = chain.ErrRejected
	ErrNotCommissioned = chain.ErrNotCommissioned
	ErrCommissioned    = chain.ErrCommissioned
	ErrItemVoided      = chain.ErrItemVoided
	ErrDecommissioned  = chain.ErrDecommissioned
	ErrHasParent       = chain.ErrHasParent
	ErrNotChild        = chain.ErrNotChild
	ErrCycle           = chain.ErrCycle
	ErrLevel           = chain.ErrLevel
	ErrUnknownUnit     = chain.ErrUnknownUnit
	ErrFuture          = chain.ErrFuture
	ErrDuplicate       = chain.ErrDuplicate
	ErrUnsupported     = chain.ErrUnsupported
	ErrNoSuchEvent     = chain.ErrNoSuchEvent
	ErrNotRecalled     = chain.ErrNotRecalled
)

// tr returns e's report chain (opened by Open), or ErrClosed.
func (e *Engine) tr() (*chain.Chain, error) {
	if e.iss.Closed() {
		return nil, ErrClosed
	}
	return e.trace.Load(), nil
}

// loadTrace opens the report chain at Open.
func (e *Engine) loadTrace() error {
	c, err := chain.Open(e.db, chain.BookIssuance{Book: e.iss, StatsOff: func() bool { return e.statsOff }}, chainHooks{e}, chain.Options{
		Now:           e.opts.Now,
		Location:      e.opts.Location,
		SummaryCache:  e.opts.ResolveCache,
		ResolveSource: func(c *chain.Chain) resolve.Source { return resolveSource{e, c} },
		Resolve: resolve.Options{MaxTimeline: e.opts.MaxTimeline, Location: e.opts.Location,
			DLBase: e.opts.DLBase, CacheSize: e.opts.ResolveCache},
	})
	if err != nil {
		return err
	}
	e.trace.Store(c)
	return nil
}

// ReportLine applies a line report (chain.Chain.ReportLine).
func (e *Engine) ReportLine(ctx context.Context, r *LineReport) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.ReportLine(ctx, r)
}

// Pack applies a packing report (chain.Chain.Pack).
func (e *Engine) Pack(ctx context.Context, r *PackReport) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.Pack(ctx, r)
}

// Unpack applies an unpacking report (chain.Chain.Unpack).
func (e *Engine) Unpack(ctx context.Context, r *UnpackReport) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.Unpack(ctx, r)
}

// Capture applies an EPCIS document (chain.Chain.Capture).
func (e *Engine) Capture(ctx context.Context, doc *epcis.Document, o *CaptureOptions) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.Capture(ctx, doc, o)
}

// CaptureJSON reads and applies an EPCIS 2.0 JSON document
// (chain.Chain.CaptureJSON).
func (e *Engine) CaptureJSON(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.CaptureJSON(ctx, r, o)
}

// CaptureXML reads and applies an EPCIS XML document
// (chain.Chain.CaptureXML).
func (e *Engine) CaptureXML(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.CaptureXML(ctx, r, o)
}

// Recall records a recall (chain.Chain.Recall).
func (e *Engine) Recall(ctx context.Context, r *RecallRequest) (*RecallResult, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.Recall(ctx, r)
}

// LiftRecall lifts a recall (chain.Chain.LiftRecall).
func (e *Engine) LiftRecall(ctx context.Context, r *LiftRequest) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.LiftRecall(ctx, r)
}

// ForwardTrace lists who handled items of a lot (chain.Chain.ForwardTrace).
func (e *Engine) ForwardTrace(lot uint32) (*TraceResult, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.ForwardTrace(lot)
}

// ContentsDuring lists what a container held between from and to
// (chain.Chain.ContentsDuring).
func (e *Engine) ContentsDuring(container Node, from, to time.Time) (*Held, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.ContentsDuring(container, from, to)
}

// Holders returns the organisations that held the code rc resolves to
// (chain.Chain.Holders).
func (e *Engine) Holders(rc *Chain) []uint32 { return e.trace.Load().Holders(rc) }

// TraceAccessOf decides what key k sees of the private trace of rc
// (chain.Chain.TraceAccessOf).
func (e *Engine) TraceAccessOf(k APIKey, rc *Chain) TraceAccess {
	return e.trace.Load().TraceAccessOf(k, rc)
}

// partyOrg returns the registered organisation a party identifier names
// through its GS1 company prefix, or 0.
func (e *Engine) partyOrg(id string) uint32 { return e.trace.Load().PartyOrg(id) }

// chainHooks fires the notices and statistics of reports.
type chainHooks struct{ e *Engine }

func (h chainHooks) Notices() *chain.Notices {
	if n := h.e.notices.Load(); n != nil {
		return &n.hooks
	}
	return nil
}

func (h chainHooks) CountStats() bool { return !h.e.statsOff }

func (h chainHooks) SiteRegion(gln string, seq uint64) (uint32, bool) {
	if o, err := h.e.Sites(); err == nil {
		return o.Book.RegionAt(gln, seq)
	}
	return 0, false
}

// Block releases and voids (see package chain).
type (
	ReleaseReport = chain.ReleaseReport
	VoidReport    = chain.VoidReport
)

// ReleaseRest releases the unused rest of a block (chain.Chain.ReleaseRest).
func (e *Engine) ReleaseRest(ctx context.Context, r *ReleaseReport) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.ReleaseRest(ctx, r)
}

// VoidBlock voids a whole unprinted block (chain.Chain.VoidBlock).
func (e *Engine) VoidBlock(ctx context.Context, r *VoidReport) (*Receipt, error) {
	c, err := e.tr()
	if err != nil {
		return nil, err
	}
	return c.VoidBlock(ctx, r)
}

// blockInfo returns block id's product and first counter.
func (e *Engine) blockInfo(id uint64) (uint32, uint64, bool) {
	if b := e.iss.BlockByID(id); b != nil {
		return b.Product, b.Start, true
	}
	return 0, 0, false
}

// orgRegion returns organisation id's GB/T 2260 region (0 if none).
func (e *Engine) orgRegion(id uint32) uint32 { return e.iss.OrgRegion(id) }

func (h chainHooks) Sector() (*sector.Book, error) { return h.e.sectorBook() }
