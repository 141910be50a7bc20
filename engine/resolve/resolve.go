package resolve

import (
	"cmp"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/code"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Resolver resolves scanned codes into Chains. It reads the store, the
// item state and the ledger directly, keeps the caches resolutions share,
// and asks everything else (the issuance state, the clock, the recall,
// custody, association and error-declaration marks) of its Source.
type Resolver struct {
	db     *store.DB
	items  *itemstate.Store
	led    *ledger.Ledger
	src    Source
	opts   Options
	caches caches
}

// Options are a Resolver's settings.
type Options struct {
	// MaxTimeline bounds the lot and product records a timeline takes
	// (the newest; Chain.TimelineTruncated says so).
	MaxTimeline int
	// Location is the business-day clock's zone (recall dates).
	Location *time.Location
	// DLBase is the Digital Link base URL of SSCCs' identity.
	DLBase string
	// CacheSize bounds the container caches, in entries each.
	CacheSize int
}

// New returns a Resolver over db, the item state and the ledger.
func New(db *store.DB, items *itemstate.Store, led *ledger.Ledger, src Source, o Options) *Resolver {
	r := &Resolver{db: db, items: items, led: led, src: src, opts: o}
	r.caches.init(o.CacheSize)
	return r
}

// ResolveInto fills c with the full chain of a scanned code in any format
// code.Parse reads (SSCCs included); pc, if not nil, is input already
// parsed (its strings must stay valid until c is reused). A code that
// parses but was never issued, was voided or released is not an error:
// c.Status says so and c.Reason why. The error is for input that is not a
// code at all (model.ErrBadCode, ErrNoSerial, ErrUnsupportedCode) and for
// I/O failures.
//
// Reusing c across calls makes the common path allocation-free once c's
// slices have grown (see Chain).
func (rs *Resolver) ResolveInto(c *Chain, input string, pc *code.Code) error {
	c.reset(input)
	// The resolver lives in the Chain: a reused Chain resolves without
	// allocating one (it escapes through the index callbacks).
	r := &c.rs
	*r = resolver{Resolver: rs, c: c}
	defer r.close()
	if err := r.identify(input, pc); err != nil || c.Status != 0 {
		return err
	}
	return r.run()
}

// resolver is one resolution in progress.
type resolver struct {
	*Resolver
	c   *Chain
	it  *store.Iter // c.iter once opened: one iterator over the event indexes and aggregation
	now int64
	pst [model.MaxDepth]itemstate.State // states of c.Parents
	hb  [16]ledger.Hit                  // scratch for uncached node hits
	// pc and spans are the parsed code and the printed forms' spans,
	// kept here (inside the Chain) because the Source receives pointers
	// to them: locals would move to the heap.
	pc    code.Code
	spans [NumForms][2]int
}

func (r *resolver) close() {
	if r.it != nil {
		r.it.Close()
	}
}

// iter opens the resolution's iterator on first use and points the
// Chain's reusable readers at it.
func (r *resolver) iter() error {
	if r.it != nil {
		return nil
	}
	// From the unit keys (below the event indexes) to the aggregation's:
	// one iterator reads units, indexes and containment.
	if err := r.db.NewIterInto(&r.c.iter, agg.UnitLower, agg.IterUpper); err != nil {
		return err
	}
	r.it = &r.c.iter
	r.c.ag.Reset(r.it)
	r.c.ix.Reset(r.it)
	return nil
}

func (r *resolver) aggReader() (*agg.Reader, error) {
	if err := r.iter(); err != nil {
		return nil, err
	}
	return &r.c.ag, nil
}

func (r *resolver) indexReader() (*ledger.IndexReader, error) {
	if err := r.iter(); err != nil {
		return nil, err
	}
	return &r.c.ix, nil
}

// run resolves state, containment, timeline, status and lineage.
func (r *resolver) run() error {
	c := r.c
	r.now = r.src.NowMillis()
	st, err := r.stateOf(c.Node)
	if err != nil {
		return err
	}
	c.State = st
	if !c.IsUnit && st.Has(itemstate.Voided) {
		c.Status = StatusVoided
		c.Reason = "rejected by the printing line"
		return nil
	}
	if !st.Has(itemstate.Commissioned) {
		c.Status = StatusIssued
		c.Reason = "issued to a printing line; not reported printed and verified yet"
		return nil
	}
	// Present containment.
	n := c.Node
	nst, nlvl := st, c.Level
	for depth := 0; depth < model.MaxDepth && nst.Has(itemstate.Packed); depth++ {
		run, ok, err := r.parentOf(n, nst, nlvl)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		lvl, err := r.levelOf(run.Parent)
		if err != nil {
			return err
		}
		c.Parents = append(c.Parents, ParentLink{Parent: run.Parent, Level: lvl, Since: run.Since, Seq: run.Seq})
		n, nlvl = run.Parent, lvl
		if nst, err = r.stateOf(n); err != nil {
			return err
		}
		r.pst[depth] = nst
	}
	// Past containment of the code itself.
	if st.Has(itemstate.History) {
		ag, err := r.aggReader()
		if err != nil {
			return err
		}
		if err := ag.History(c.Node, func(p *agg.PastRun) bool {
			c.Past = append(c.Past, PastLink{Parent: p.Parent, Since: p.Since, Until: p.Until, PackSeq: p.Seq, UnpackSeq: p.UnpackSeq})
			return true
		}); err != nil {
			return err
		}
	}
	// Contents of a container.
	if st.Has(itemstate.Container) {
		ag, err := r.aggReader()
		if err != nil {
			return err
		}
		if err := ag.Children(c.Node, func(block uint64, bm *roaring.Bitmap) bool {
			var p uint32
			if b := r.src.BlockByID(block); b != nil {
				p = b.Product
			}
			c.Children = append(c.Children, ChildGroup{Block: block, Product: p, Count: bm.GetCardinality()})
			return true
		}, func(uint64) bool {
			if k := len(c.Children); k > 0 && c.Children[k-1].Block == 0 {
				c.Children[k-1].Count++
			} else {
				c.Children = append(c.Children, ChildGroup{Count: 1})
			}
			return true
		}); err != nil {
			return err
		}
	}
	if err := r.timeline(st); err != nil {
		return err
	}
	r.status(st)
	r.intact()
	if err := r.chainExtras(); err != nil {
		return err
	}
	if st.Has(itemstate.Container) {
		if err := r.contents(); err != nil {
			return err
		}
	}
	if err := r.upstream(); err != nil {
		return err
	}
	r.handlers()
	return nil
}

// stateOf returns a node's item state.
func (r *resolver) stateOf(n agg.Node) (itemstate.State, error) {
	if n.IsUnit() {
		ag, err := r.aggReader()
		if err != nil {
			return 0, err
		}
		u, found, err := ag.Unit(n.Counter)
		if err != nil || !found {
			return 0, err
		}
		return itemstate.State(u.State), nil
	}
	b := r.src.BlockAt(n.Product, n.Counter)
	if b == nil {
		return 0, nil
	}
	return r.items.State(b.ID, n.Counter-b.Start)
}

// levelOf returns a node's packaging level.
func (r *resolver) levelOf(n agg.Node) (model.Level, error) {
	if n.IsUnit() {
		ag, err := r.aggReader()
		if err != nil {
			return 0, err
		}
		u, _, err := ag.Unit(n.Counter)
		return model.Level(u.Level), err
	}
	if b := r.src.BlockAt(n.Product, n.Counter); b != nil {
		return b.Level, nil
	}
	return 0, nil
}

// add puts record seq on the timeline. A record reached more than once
// (a container's event inherited through two paths, a lot record that
// also names the code) is kept once, as first reached, by sortTimeline.
func (r *resolver) add(seq uint64, via Via, n agg.Node, depth uint8, from, to int64) error {
	c := r.c
	s, found, err := r.led.Summary(seq)
	if err != nil || !found {
		return err
	}
	if s.EventTime < from || s.EventTime >= to {
		return nil
	}
	// Packing and unpacking recorded on a container concern the children
	// they moved; a code inherits only those that moved the containers on
	// its own path (added by inherit).
	if via == ViaContainer && s.EventType == epcis.AggregationEvent && (s.Action == epcis.ActionAdd || s.Action == epcis.ActionDelete) {
		return nil
	}
	c.Timeline = append(c.Timeline, Entry{Event: s, Via: via, Node: n, Depth: depth})
	return nil
}

const forever = int64(1) << 62

// ownEvents adds the records about node n itself (point and run index) in
// [from, to).
func (r *resolver) ownEvents(n agg.Node, st itemstate.State, lvl model.Level, via Via, depth uint8, from, to int64) error {
	if n.IsUnit() || st.Has(itemstate.Events) {
		hits, err := r.nodeHits(n, st, lvl)
		if err != nil {
			return err
		}
		for _, h := range hits {
			if err := r.add(h.Seq, via, n, depth, from, to); err != nil {
				return err
			}
		}
	}
	if via == ViaSelf && st.Has(itemstate.Container) { // a container's own packings
		ir, err := r.indexReader()
		if err != nil {
			return err
		}
		hits := r.hb[:0]
		if err := ir.Parent(n.Product, n.Counter, func(h ledger.Hit) bool { hits = append(hits, h); return true }); err != nil {
			return err
		}
		for _, h := range hits {
			if err := r.add(h.Seq, via, n, depth, from, to); err != nil {
				return err
			}
		}
	}
	if n.IsUnit() {
		return nil
	}
	w, err := r.window(n.Product, n.Counter)
	if err != nil {
		return err
	}
	var ferr error
	w.each(n.Counter, func(en *runEntry) {
		if ferr == nil {
			ferr = r.add(en.seq, via, n, depth, from, to)
		}
	})
	return ferr
}

// window returns the run-index window of a counter, cached.
func (r *resolver) window(product uint32, counter uint64) (*runWindow, error) {
	k := windowKey{product, counter / ledger.RunWindow}
	caches := &r.caches
	w, gen, ok := caches.windows.get(k)
	if ok {
		return w, nil
	}
	w, err := loadWindow(r.db, k)
	if err != nil {
		return nil, err
	}
	caches.windows.put(k, w, gen)
	return w, nil
}

// inherit adds the events of container n (at depth) in [from, to), and of
// whatever n was in during that time.
func (r *resolver) inherit(n agg.Node, depth uint8, from, to int64) error {
	if from >= to || int(depth) > model.MaxDepth {
		return nil
	}
	st, err := r.stateOf(n)
	if err != nil {
		return err
	}
	lvl, err := r.levelOf(n)
	if err != nil {
		return err
	}
	if err := r.ownEvents(n, st, lvl, ViaContainer, depth, from, to); err != nil {
		return err
	}
	if !st.Has(itemstate.Packed) && !st.Has(itemstate.History) {
		return nil
	}
	ag, err := r.aggReader()
	if err != nil {
		return err
	}
	if st.Has(itemstate.Packed) {
		run, ok, err := ag.Parent(n)
		if err != nil {
			return err
		}
		if ok {
			if err := r.add(run.Seq, ViaPacking, run.Parent, depth+1, from, to); err != nil {
				return err
			}
			if err := r.inherit(run.Parent, depth+1, max(from, run.Since), to); err != nil {
				return err
			}
		}
	}
	if st.Has(itemstate.History) {
		return r.inheritPast(n, depth, from, to)
	}
	return nil
}

// inheritPast adds, for each parent container n was in and left, that
// parent's events while n was inside it and [from, to) both hold.
func (r *resolver) inheritPast(n agg.Node, depth uint8, from, to int64) error {
	ag, err := r.aggReader()
	if err != nil {
		return err
	}
	{
		var past [8]PastLink
		ps := past[:0]
		if err := ag.History(n, func(p *agg.PastRun) bool {
			ps = append(ps, PastLink{Parent: p.Parent, Since: p.Since, Until: p.Until, PackSeq: p.Seq, UnpackSeq: p.UnpackSeq})
			return true
		}); err != nil {
			return err
		}
		for _, p := range ps {
			if err := r.add(p.PackSeq, ViaPacking, p.Parent, depth+1, from, to); err != nil {
				return err
			}
			if err := r.add(p.UnpackSeq, ViaUnpacking, p.Parent, depth+1, from, to); err != nil {
				return err
			}
			if err := r.inherit(p.Parent, depth+1, max(from, p.Since), min(to, p.Until)); err != nil {
				return err
			}
		}
	}
	return nil
}

// timeline collects the code's events: its own, its packing and
// unpacking, its containers' (present and past, bounded by the time it was
// inside), its lot's and its product's; sorted by event time.
func (r *resolver) timeline(st itemstate.State) error {
	c := r.c
	if err := r.ownEvents(c.Node, st, c.Level, ViaSelf, 0, -forever, forever); err != nil {
		return err
	}
	// Present containers, known from the walk up: each one's events from
	// the time the code (through the levels below) was inside it, and the
	// packing that put each level into the next.
	from := -forever
	for d, p := range c.Parents {
		depth := uint8(d + 1)
		lo := from
		if d == 0 {
			lo = -forever // the code's own packing
		}
		if err := r.add(p.Seq, ViaPacking, p.Parent, depth, lo, forever); err != nil {
			return err
		}
		from = max(from, p.Since)
		pst := r.pst[d]
		if err := r.ownEvents(p.Parent, pst, p.Level, ViaContainer, depth, from, forever); err != nil {
			return err
		}
		if pst.Has(itemstate.History) {
			if err := r.inheritPast(p.Parent, depth, from, forever); err != nil {
				return err
			}
		}
	}
	for _, p := range c.Past {
		if err := r.add(p.PackSeq, ViaPacking, p.Parent, 1, -forever, forever); err != nil {
			return err
		}
		if err := r.add(p.UnpackSeq, ViaUnpacking, p.Parent, 1, -forever, forever); err != nil {
			return err
		}
		if err := r.inherit(p.Parent, 1, p.Since, p.Until); err != nil {
			return err
		}
	}
	if c.IsUnit {
		return r.sortTimeline()
	}
	if c.Lot != nil {
		hits, err := r.lotHits(c.Lot.ID)
		if err != nil {
			return err
		}
		for _, h := range r.newest(hits) {
			if err := r.add(h.Seq, ViaLot, agg.Node{}, 0, -forever, forever); err != nil {
				return err
			}
		}
	}
	if c.Product != nil {
		hits, err := r.productHits(c.Product.ID)
		if err != nil {
			return err
		}
		for _, h := range r.newest(hits) {
			if err := r.add(h.Seq, ViaProduct, agg.Node{}, 0, -forever, forever); err != nil {
				return err
			}
		}
	}
	return r.sortTimeline()
}

// newest returns the newest Options.MaxTimeline of a lot's or product's
// records (hits are in log order), and marks the timeline truncated when
// that drops any: one organisation capturing many lot-level events must
// not make every scan of the lot slow.
func (r *resolver) newest(hits []ledger.Hit) []ledger.Hit {
	if m := r.opts.MaxTimeline; len(hits) > m {
		r.c.TimelineTruncated = true
		return hits[len(hits)-m:]
	}
	return hits
}

// sortTimeline sorts the timeline by event time, then log order, and
// keeps each record once, as it was first reached (a stable sort keeps
// the order of additions among equal records): O(n log n) in the number
// of entries added.
func (r *resolver) sortTimeline() error {
	tl := r.c.Timeline
	slices.SortStableFunc(tl, func(a, b Entry) int {
		if c := cmp.Compare(a.Event.EventTime, b.Event.EventTime); c != 0 {
			return c
		}
		return cmp.Compare(a.Event.Seq, b.Event.Seq)
	})
	out := tl[:0]
	for i := range tl {
		// The same record has the same time: its copies are adjacent.
		if k := len(out); k > 0 && out[k-1].Event.Seq == tl[i].Event.Seq {
			continue
		}
		out = append(out, tl[i])
	}
	clear(tl[len(out):]) // drop the duplicates' summary pointers
	r.c.Timeline = out
	return nil
}

// lotHits returns the records naming a lot, cached.
func (r *resolver) lotHits(lot uint32) ([]ledger.Hit, error) {
	return r.classHits(&r.caches.lots, lot, (*ledger.IndexReader).Lot)
}

// productHits returns the records naming a whole product, cached.
func (r *resolver) productHits(product uint32) ([]ledger.Hit, error) {
	return r.classHits(&r.caches.products, product, (*ledger.IndexReader).Product)
}

// classHits returns the records scan finds for a lot or product id,
// through cache ch.
func (r *resolver) classHits(ch *cache[uint32, []ledger.Hit], id uint32,
	scan func(*ledger.IndexReader, uint32, func(ledger.Hit) bool) error) ([]ledger.Hit, error) {
	h, gen, ok := ch.get(id)
	if ok {
		return h, nil
	}
	ir, err := r.indexReader()
	if err != nil {
		return nil, err
	}
	var hits []ledger.Hit
	if err := scan(ir, id, func(h ledger.Hit) bool { hits = append(hits, h); return true }); err != nil {
		return nil, err
	}
	ch.put(id, hits, gen)
	return hits, nil
}

// cacheable reports whether a node's own records and parent are cached:
// pallets and logistic units, each shared by hundreds of codes. Cases
// (shared by about ten) are not: with ten million of them, a bounded cache
// misses more than it hits and the misses cost allocations (measured at
// 10^7 items: slower with cases cached than without).
func (r *resolver) cacheable(n agg.Node, st itemstate.State, lvl model.Level) bool {
	return !r.caches.noContainers && st.Has(itemstate.Container) && (n.IsUnit() || lvl >= model.LevelPallet)
}

// parentEntry caches a container's present parent (ok false: none).
type parentEntry struct {
	run agg.Run
	ok  bool
}

// parentOf returns the run holding n now. Containers' (and units')
// answers are cached: they are shared by every code inside them.
func (r *resolver) parentOf(n agg.Node, st itemstate.State, lvl model.Level) (agg.Run, bool, error) {
	cacheable := r.cacheable(n, st, lvl)
	ch := &r.caches.parents
	var gen uint64
	if cacheable {
		v, g, ok := ch.get(n)
		if ok {
			return v.run, v.ok, nil
		}
		gen = g
	}
	run, ok, err := r.findParent(n)
	if err == nil && cacheable {
		ch.put(n, parentEntry{run, ok}, gen)
	}
	return run, ok, err
}

// findParent looks n's present parent up in its parent window, or in the
// index when the window is irregular or does not hold n (it was read
// before a report committed while the item state says packed).
func (r *resolver) findParent(n agg.Node) (agg.Run, bool, error) {
	w, err := r.parentWindow(n)
	if err != nil {
		return agg.Run{}, false, err
	}
	if w != nil {
		if run, ok := w.Find(n.Product, n.Counter); ok {
			return run, true, nil
		}
	}
	ag, err := r.aggReader()
	if err != nil {
		return agg.Run{}, false, err
	}
	return ag.Parent(n)
}

// parentWindow returns the cached parent window of n, loading it on a
// miss; nil for units and irregular windows.
func (r *resolver) parentWindow(n agg.Node) (*agg.ParentWindow, error) {
	if n.IsUnit() || r.caches.noParentWindows {
		return nil, nil
	}
	k := parentWindowKey{n.Product, agg.ParentWindowOf(n.Counter)}
	ch := &r.caches.pwindows
	w, gen, ok := ch.get(k)
	if !ok {
		if err := r.iter(); err != nil {
			return nil, err
		}
		var err error
		if w, err = agg.LoadParentWindow(r.it, k.product, k.window); err != nil {
			return nil, err
		}
		ch.put(k, w, gen)
	}
	if w.Irregular {
		return nil, nil
	}
	return w, nil
}

// nodeHits returns the records indexed on node n itself, cached for
// containers and units.
func (r *resolver) nodeHits(n agg.Node, st itemstate.State, lvl model.Level) ([]ledger.Hit, error) {
	cacheable := r.cacheable(n, st, lvl)
	ch := &r.caches.nodes
	var gen uint64
	if cacheable {
		v, g, ok := ch.get(n)
		if ok {
			return v, nil
		}
		gen = g
	}
	ir, err := r.indexReader()
	if err != nil {
		return nil, err
	}
	hits := r.hb[:0]
	if cacheable {
		hits = nil
	}
	if err := ir.Node(n.Product, n.Counter, func(h ledger.Hit) bool { hits = append(hits, h); return true }); err != nil {
		return nil, err
	}
	if cacheable {
		ch.put(n, hits, gen)
	}
	return hits, nil
}
