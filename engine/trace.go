package engine

// This file and the others of the per-item records (report.go, pack.go, capture.go,
// recall.go, resolve.go, chain_*.go, verify.go) add per-item records to
// the engine: line reports, aggregation, events, recalls, resolution and
// verification. They keep their state in a traceState attached to the
// Engine (see tr) and their records under the prefixes 0x70–0xBF
// (store/keys_trace.go); docs/chain.md explains the design.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/code/gs1"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// MaxFutureSkew is how far past the engine's clock an event time may lie.
// A later time is refused (a clock set wrong, or a forged record).
const MaxFutureSkew = 10 * time.Minute

// traceState is the per-item records' part of an open Engine.
type traceState struct {
	items *itemstate.Store
	led   *ledger.Ledger

	// rmu serialises reports: validation, commit and publication of one
	// report happen before the next report's validation starts. Lock
	// order: rmu, then the issuance write lock (issue.Book.Commit), then its
	// read lock.
	rmu reportLock

	recallMu sync.RWMutex
	// recalled lots and products, loaded at first use and updated after
	// each recall commits. GUARDED_BY(recallMu).
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

// tr returns e's traceState (loaded by Open), or ErrClosed.
func (e *Engine) tr() (*traceState, error) {
	if e.iss.Closed() {
		return nil, ErrClosed
	}
	return e.trace.Load(), nil
}

// loadTrace loads the trace state at Open: it opens the ledger (every
// organisation's log head and Merkle state), the recall marks, the custody
// index, the association flag and the error declarations. A damaged
// ledger fails Open here, once, with what is damaged, instead of every
// request retrying the load.
func (e *Engine) loadTrace() error {
	led, err := ledger.Open(e.db, &ledger.Options{SummaryCache: e.opts.ResolveCache})
	if err != nil {
		return fmt.Errorf("engine: open ledger: %w", err)
	}
	lots, products, err := ledger.LoadRecalls(e.db)
	if err != nil {
		return fmt.Errorf("engine: load recalls: %w", err)
	}
	ts := &traceState{
		rmu:            make(reportLock, 1),
		items:          itemstate.New(e.db, 0),
		led:            led,
		recallLots:     lots,
		recallProducts: products,
	}
	ts.res = resolve.New(e.db, ts.items, led, resolveSource{e, ts}, resolve.Options{
		MaxTimeline: e.opts.MaxTimeline, Location: e.opts.Location, DLBase: e.opts.DLBase, CacheSize: e.opts.ResolveCache})
	if ts.custody, err = loadCustodyIndex(e.db); err != nil {
		return fmt.Errorf("engine: load custody: %w", err)
	}
	anyAssoc, err := agg.HasAssociations(e.db)
	if err != nil {
		return fmt.Errorf("engine: load associations: %w", err)
	}
	ts.assocAny.Store(anyAssoc)
	if ts.erroneous, err = ledger.LoadErroneous(e.db); err != nil {
		return fmt.Errorf("engine: load error declarations: %w", err)
	}
	e.trace.Store(ts)
	return nil
}

// codeRef is a code resolved to what the engine knows of it.
type codeRef struct {
	node   agg.Node
	block  *Block // the published block; nil for an SSCC unit
	offset uint64 // counter − block.Start
	org    uint32 // owner: the block's organisation, or the unit's
	level  Level
	lot    uint32
}

func (r *codeRef) isUnit() bool { return r.block == nil }

// formatSSCC appends the 18 digits of a unit node's SSCC.
func formatSSCC(dst []byte, v uint64) []byte {
	var b [18]byte
	for i := 17; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:]...)
}

// refOfSSCC resolves an SSCC to its unit, or to the organisation owning
// its GS1 company prefix when it is not registered yet (org set, node set,
// registered false).
func (e *Engine) refOfSSCC(s gs1.SSCC, unit func(uint64) (agg.Unit, bool, error)) (r codeRef, registered bool, err error) {
	v := model.SSCCValue(s)
	r.node = agg.UnitNode(v)
	u, ok, err := unit(v)
	if err != nil {
		return r, false, err
	}
	if ok {
		r.org, r.level = u.Org, Level(u.Level)
		return r, true, nil
	}
	org, _ := e.gcpOwner(string(s[1:17]))
	r.org, r.level = org, LevelPallet
	return r, false, nil
}

// refOfLookup turns a successful Lookup into a codeRef with the published
// block.
func (e *Engine) refOfLookup(res *LookupResult) (codeRef, error) {
	b := e.iss.BlockByID(res.Block.ID)
	if b == nil {
		return codeRef{}, fmt.Errorf("%w %d", ErrUnknownBlock, res.Block.ID)
	}
	return codeRef{node: agg.Node{Product: b.Product, Counter: res.Counter}, block: b,
		offset: res.Offset, org: b.Org, level: b.Level, lot: b.Lot}, nil
}

// locate and blockInfo adapt the block table to agg's checks.
func (e *Engine) locate(product uint32, counter uint64) (uint64, uint64, bool) {
	if b := e.blockAt(product, counter); b != nil {
		return b.ID, b.Start, true
	}
	return 0, 0, false
}

func (e *Engine) blockInfo(id uint64) (uint32, uint64, bool) {
	if b := e.iss.BlockByID(id); b != nil {
		return b.Product, b.Start, true
	}
	return 0, 0, false
}

// orgName returns an organisation's name for messages, or its id.
func (e *Engine) orgName(id uint32) string {
	if o := e.iss.OrgByID(id); o != nil {
		return fmt.Sprintf("%s (%d)", o.Name, id)
	}
	return fmt.Sprintf("organisation %d", id)
}
