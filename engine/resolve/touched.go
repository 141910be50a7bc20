package resolve

import (
	"tracecode/engine/agg"
	"tracecode/engine/ledger"
)

// Touched lists what a report changed that the resolve caches hold; the
// report marks it while it runs and Invalidate drops it once committed.
// The zero value is empty.
type Touched struct {
	windows  map[windowKey]bool
	pwindows map[parentWindowKey]bool
	lots     map[uint32]bool
	products map[uint32]bool
	nodes    map[agg.Node]bool // their own records or their parent changed
}

// parentWindowKey names an agg.ParentWindow: counters window·2^
// agg.ParentWindowBits … of product.
type parentWindowKey struct {
	product uint32
	window  uint64
}

// ParentRuns marks the parent windows of product's counters first..last.
func (t *Touched) ParentRuns(product uint32, first, last uint64) {
	if t.pwindows == nil {
		t.pwindows = map[parentWindowKey]bool{}
	}
	for w := agg.ParentWindowOf(first); w <= agg.ParentWindowOf(last); w++ {
		t.pwindows[parentWindowKey{product, w}] = true
	}
}

// Node marks node n: its own records or its parent changed.
func (t *Touched) Node(n agg.Node) {
	if t.nodes == nil {
		t.nodes = map[agg.Node]bool{}
	}
	t.nodes[n] = true
}

type windowKey struct {
	product uint32
	window  uint64 // counter / ledger.RunWindow
}

// Window marks the run windows of product's counters first..last.
func (t *Touched) Window(product uint32, first, last uint64) {
	if t.windows == nil {
		t.windows = map[windowKey]bool{}
	}
	for w := first / ledger.RunWindow; w <= last/ledger.RunWindow; w++ {
		t.windows[windowKey{product, w}] = true
	}
}

// Lot marks lot id's records.
func (t *Touched) Lot(id uint32) {
	if t.lots == nil {
		t.lots = map[uint32]bool{}
	}
	t.lots[id] = true
}

// Product marks product id's records.
func (t *Touched) Product(id uint32) {
	if t.products == nil {
		t.products = map[uint32]bool{}
	}
	t.products[id] = true
}

// Invalidate drops what a committed report changed from the caches.
func (rs *Resolver) Invalidate(t *Touched) { rs.caches.invalidate(t) }
