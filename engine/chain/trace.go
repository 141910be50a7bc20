package chain

// Package chain is the report transaction: line reports, packing and
// unpacking, EPCIS capture (one method per event type), associations,
// error declarations, custody, recalls and their lifting, and the forward
// trace of a lot. A report is validated whole, staged in one indexed
// batch and committed with fsync, or refused with every offending code
// (report.go). The chain keeps the per-item state reports share — the
// item-state bitmaps, the ledger, the recall marks, the custody index, the
// association flag and the error declarations — and reaches the issuance
// state (organisations, products, lots, blocks) only through Issuance.
// docs/chain.md explains the design.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
	"tracecode/engine/code/gs1"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/resolve"
	"tracecode/engine/sector"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// MaxFutureSkew is how far past the engine's clock an event time may lie.
// A later time is refused (a clock set wrong, or a forged record).
const MaxFutureSkew = 10 * time.Minute

// Issuance is what the chain reads of the issuance state (organisations,
// products, lots, blocks), and how a report's batch is committed
// alongside issuance's writes. Every method may be called concurrently.
type Issuance interface {
	// Org returns organisation id, or nil. The chain does not change it.
	Org(id uint32) *model.Org
	// OrgOfGCP returns the organisation holding GS1 company prefix
	// digits: exactly that prefix (exact), or the registered prefix
	// digits begin with; 0 if none.
	OrgOfGCP(digits string, exact bool) uint32
	Product(id uint32) (model.Product, error)
	ProductByGTIN(g gs1.GTIN) (model.Product, error)
	Lot(id uint32) (model.Lot, error)
	LotByNumber(product uint32, number string) (model.Lot, error)
	// ProductOf returns product id's organisation and category; ok false
	// if there is no such product.
	ProductOf(id uint32) (org uint32, cat model.Category, ok bool)
	// LotProduct returns the product of lot id, or 0.
	LotProduct(id uint32) uint32
	// Block returns the published block id, or nil.
	Block(id uint64) *model.Block
	// BlockAt returns the published block holding counter of product, or
	// nil.
	BlockAt(product uint32, counter uint64) *model.Block
	// Lookup resolves a scanned code to its block and offset.
	Lookup(input string) (model.LookupResult, error)
	// SSCCAt returns the SSCC at offset off of an sscc block (ok false
	// for a block of another scheme).
	SSCCAt(b *model.Block, off uint64) (gs1.SSCC, bool)
	// SSCCBlock returns the sscc block that minted s and its offset
	// there, or nil.
	SSCCBlock(s gs1.SSCC) (*model.Block, uint64)
	// AppendDL appends the Digital Link URI of the code at offset off of
	// b (an error for imported blocks).
	AppendDL(dst []byte, b *model.Block, off uint64) ([]byte, error)
	// AppendNode appends a node's name for people: its Digital Link (or
	// serial, NMPA code or short code), or "SSCC …".
	AppendNode(dst []byte, n agg.Node) []byte
	// CommitReport commits a report's batch b with its statistics d
	// folded in, with fsync, serialised with issuance's writers: it
	// fails (committing nothing) if a block in seen is no longer the
	// published one, and publishes the released blocks (same id, a
	// released tail or a void) after the commit.
	CommitReport(b *store.Batch, seen, released map[uint64]*model.Block, d *stats.Delta) error
	// HoldDB keeps the store open until the returned function is called,
	// or returns store.ErrClosed.
	HoldDB() (release func(), err error)
}

// Notices are the recall book, the alert rules and the outbox a report
// gives its facts to.
type Notices struct {
	Recalls *recall.Book
	Alerts  *alert.Evaluator
	Outbox  *outbox.Outbox
}

// Hooks are what reports fire besides their own records.
type Hooks interface {
	// Notices returns the recall book, alert rules and outbox, or nil
	// while they are not open: reports then judge no facts.
	Notices() *Notices
	// CountStats says whether reports fold their statistics into their
	// batch (off only in benchmarks that compare the cost).
	CountStats() bool
	// Sector returns the category book, loading it on first use.
	Sector() (*sector.Book, error)
	// SiteRegion returns the division (GB/T 2260 county or township) of
	// the registered site whose GLN is gln as it was when record seq was
	// appended (the region index, ledger EvRegion); found is false for a
	// GLN of no site.
	SiteRegion(gln string, seq uint64) (region uint32, found bool)
	// Changed tells the caches of whole answers what a committed report
	// can have changed. It is called under the report lock, once the
	// report's writes are visible to readers (before they are durable);
	// it must not call back into the chain.
	Changed(s *resolve.Scopes)
}

// Options are the chain's settings.
type Options struct {
	// Now is the engine's clock.
	Now func() time.Time
	// Location is the business time zone (expiry dates, statistics days).
	Location *time.Location
	// SummaryCache sizes the ledger's summary cache.
	SummaryCache int
	// Resolve are the resolver's options; ResolveSource builds the
	// resolver's source over the opened chain.
	Resolve       resolve.Options
	ResolveSource func(*Chain) resolve.Source
}

// Chain is the report transaction's state over one open store.
type Chain struct {
	db    *store.DB
	iss   Issuance
	hooks Hooks
	opts  Options

	items *itemstate.Store
	led   *ledger.Ledger

	// rmu serialises reports: validation, commit and publication of one
	// report happen before the next report's validation starts. Lock
	// order: rmu, then the issuance's locks.
	rmu reportLock

	recallMu sync.RWMutex
	// recalled lots and products, loaded at open and updated after each
	// recall commits. GUARDED_BY(recallMu).
	recallLots, recallProducts map[uint32]ledger.Recall

	// res resolves codes; it holds the caches reports invalidate.
	res *resolve.Resolver

	// custody: the codes with a custody record, in RAM (custody_index.go).
	// While it is empty every code is held by its owner and custody is not
	// looked up.
	custody *custodyIndex
	// assocAny: the store holds (or held) an association; while false
	// resolution looks none up.
	assocAny atomic.Bool

	errMu sync.RWMutex
	// erroneous maps records declared erroneous (EPCIS error declarations)
	// to their declarations; loaded at open, updated after each commit.
	// GUARDED_BY(errMu).
	erroneous map[uint64]uint64
}

// Open loads the chain's state: it opens the ledger (every
// organisation's log head and Merkle state), the recall marks, the custody
// index, the association flag and the error declarations. A damaged
// ledger fails here, once, with what is damaged, instead of every request
// retrying the load.
func Open(db *store.DB, iss Issuance, hooks Hooks, o Options) (*Chain, error) {
	led, err := ledger.Open(db, &ledger.Options{SummaryCache: o.SummaryCache, Division: locationDivision(iss, hooks)})
	if err != nil {
		return nil, fmt.Errorf("engine: open ledger: %w", err)
	}
	lots, products, err := ledger.LoadRecalls(db)
	if err != nil {
		return nil, fmt.Errorf("engine: load recalls: %w", err)
	}
	c := &Chain{
		db:             db,
		iss:            iss,
		hooks:          hooks,
		opts:           o,
		rmu:            make(reportLock, 1),
		items:          itemstate.New(db, 0),
		led:            led,
		recallLots:     lots,
		recallProducts: products,
	}
	c.res = resolve.New(db, c.items, led, o.ResolveSource(c), o.Resolve)
	if c.custody, err = loadCustodyIndex(db); err != nil {
		return nil, fmt.Errorf("engine: load custody: %w", err)
	}
	anyAssoc, err := agg.HasAssociations(db)
	if err != nil {
		return nil, fmt.Errorf("engine: load associations: %w", err)
	}
	c.assocAny.Store(anyAssoc)
	if c.erroneous, err = ledger.LoadErroneous(db); err != nil {
		return nil, fmt.Errorf("engine: load error declarations: %w", err)
	}
	return c, nil
}

// Ledger returns the event ledger.
func (c *Chain) Ledger() *ledger.Ledger { return c.led }

// Items returns the item-state store.
func (c *Chain) Items() *itemstate.Store { return c.items }

// Resolver returns the resolver whose caches reports invalidate.
func (c *Chain) Resolver() *resolve.Resolver { return c.res }

// Lock takes the report lock: no report runs until Unlock (Verify and a
// checkpoint read the ledger at rest under it).
func (c *Chain) Lock() { c.rmu.Lock() }

// Unlock releases the report lock.
func (c *Chain) Unlock() { c.rmu.Unlock() }

// CustodyAny reports whether any custody record may exist.
func (c *Chain) CustodyAny() bool { return !c.custody.empty() }

// HasCustody reports whether n may have a custody record.
func (c *Chain) HasCustody(n agg.Node) bool { return c.custody.has(n) }

// AssociationsAny reports whether the store holds (or held) an
// association.
func (c *Chain) AssociationsAny() bool { return c.assocAny.Load() }

// MarkErroneous sets each timeline entry's ErroneousBy: the error
// declaration that declared its record erroneous, or 0.
func (c *Chain) MarkErroneous(timeline []resolve.Entry) {
	c.errMu.RLock()
	defer c.errMu.RUnlock()
	if len(c.erroneous) == 0 {
		return
	}
	for i := range timeline {
		timeline[i].ErroneousBy = c.erroneous[timeline[i].Event.Seq]
	}
}

func (c *Chain) nowMillis() int64 { return c.opts.Now().UnixMilli() }

// codeRef is a code resolved to what the engine knows of it.
type codeRef struct {
	node   agg.Node
	block  *model.Block // the published block; nil for an SSCC unit
	offset uint64       // counter − block.Start
	org    uint32       // owner: the block's organisation, or the unit's
	level  model.Level
	lot    uint32
	// minted: an SSCC an sscc block minted; level is the block's.
	minted bool
}

func (r *codeRef) isUnit() bool { return r.block == nil }

// refOfSSCC resolves an SSCC to its unit, or to the organisation owning
// its GS1 company prefix when it is not registered yet (org set, node set,
// registered false).
func (c *Chain) refOfSSCC(s gs1.SSCC, unit func(uint64) (agg.Unit, bool, error)) (r codeRef, registered bool, err error) {
	v := model.SSCCValue(s)
	r.node = agg.UnitNode(v)
	u, ok, err := unit(v)
	if err != nil {
		return r, false, err
	}
	if ok {
		r.org, r.level = u.Org, model.Level(u.Level)
		return r, true, nil
	}
	org := c.iss.OrgOfGCP(string(s[1:17]), false)
	r.org, r.level = org, model.LevelPallet
	if b, off := c.iss.SSCCBlock(s); b != nil {
		// Minted, not packed into yet: a unit of the block's organisation
		// at the block's level (a pallet, or a mixed case), unless its
		// label was voided or returned unused.
		switch {
		case b.State == model.BlockVoided:
			return r, false, fmt.Errorf("%w: SSCC %s is in voided block %d", model.ErrVoided, s, b.ID)
		case off >= b.ReleasedFrom():
			return r, false, fmt.Errorf("%w: SSCC %s is in the released tail of block %d", model.ErrReleased, s, b.ID)
		}
		r.org, r.level, r.minted = b.Org, b.Level, true
	}
	return r, false, nil
}

// refOfLookup turns a successful Lookup into a codeRef with the published
// block.
func (c *Chain) refOfLookup(res *model.LookupResult) (codeRef, error) {
	b := c.iss.Block(res.Block.ID)
	if b == nil {
		return codeRef{}, fmt.Errorf("%w %d", model.ErrUnknownBlock, res.Block.ID)
	}
	return codeRef{node: agg.Node{Product: b.Product, Counter: res.Counter}, block: b,
		offset: res.Offset, org: b.Org, level: b.Level, lot: b.Lot}, nil
}

// blockAt returns the published block holding counter of product, or nil.
func (c *Chain) blockAt(product uint32, counter uint64) *model.Block {
	return c.iss.BlockAt(product, counter)
}

// blockInfo adapts the block table to agg's checks.
func (c *Chain) blockInfo(id uint64) (uint32, uint64, bool) {
	if b := c.iss.Block(id); b != nil {
		return b.Product, b.Start, true
	}
	return 0, 0, false
}

// orgName returns an organisation's name for messages, or its id.
func (c *Chain) orgName(id uint32) string {
	if o := c.iss.Org(id); o != nil {
		return fmt.Sprintf("%s (%d)", o.Name, id)
	}
	return fmt.Sprintf("organisation %d", id)
}

// describeNode names a node for people: the code's Digital Link (or its
// serial, NMPA code or short code), or "SSCC …".
func (c *Chain) describeNode(n agg.Node) string { return string(c.iss.AppendNode(nil, n)) }

// fmtMillis formats unix milliseconds as RFC 3339 UTC.
func fmtMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }
