package engine

// The engine's facade over engine/chain, the report transaction, which
// Reports returns; the chain reads the issuance state through
// chain.BookIssuance and fires the notices and statistics through
// chainHooks.

import (
	"tracecode/engine/chain"
	"tracecode/engine/resolve"
	"tracecode/engine/sector"
)

// tr returns e's report chain (opened by Open), or ErrClosed.
func (e *Engine) tr() (*chain.Chain, error) {
	if e.iss.Closed() {
		return nil, ErrClosed
	}
	return e.trace.Load(), nil
}

// Reports returns the engine's report transaction, its chain.Chain: line
// reports (ReportLine), packing (Pack, Unpack), EPCIS capture (Capture,
// CaptureJSON, CaptureXML), recalls and lifts (Recall, LiftRecall), block
// releases and voids (ReleaseRest, VoidBlock), checkpoints (Checkpoint),
// the forward trace (ForwardTrace), a container's past contents
// (ContentsDuring), and who sees a code's private trace (Holders,
// TraceAccessOf). After Close its calls return ErrClosed (the store's)
// once they reach the store.
func (e *Engine) Reports() *chain.Chain { return e.trace.Load() }

// loadTrace opens the report chain at Open.
func (e *Engine) loadTrace() error {
	c, err := chain.Open(e.db, chain.BookIssuance{Book: e.iss, StatsOff: func() bool { return e.statsOff }}, chainHooks{e}, chain.Options{
		Now:           e.opts.Now,
		Location:      e.opts.Location,
		SummaryCache:  e.opts.ResolveCache,
		ResolveSource: chain.BookSource(e.iss),
		Resolve: resolve.Options{MaxTimeline: e.opts.MaxTimeline, Location: e.opts.Location,
			DLBase: e.opts.DLBase, CacheSize: e.opts.ResolveCache},
	})
	if err != nil {
		return err
	}
	e.trace.Store(c)
	return nil
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

func (h chainHooks) Sector() (*sector.Book, error) { return h.e.Sectors().Book() }

func (h chainHooks) Changed(s *resolve.Scopes) {
	if fn := h.e.changed.Load(); fn != nil {
		(*fn)(s)
	}
}

// OnChanged sets the function told, after every committed report (on a
// replica: after every Refresh), which answers it can have changed (the
// server's response cache). It is called from the writer's goroutine,
// under the report lock: it must be quick and must not report. It
// replaces the function set before: one server caches an engine's answers.
func (e *Engine) OnChanged(fn func(*resolve.Scopes)) { e.changed.Store(&fn) }
