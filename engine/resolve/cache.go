package resolve

import (
	"slices"
	"sync"

	"tracecode/engine/agg"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// cache is a bounded map with random eviction, sharded to keep resolvers
// from contending. A value read from the store before a writer invalidated
// its key is not inserted after the invalidation (the shard generation
// moved), so a cache never holds a value older than the last commit.
type cache[K comparable, V any] struct {
	per    int
	hash   func(K) uint64
	shards [16]cacheShard[K, V]
}

type cacheShard[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V // GUARDED_BY(mu)
	gen uint64  // GUARDED_BY(mu)
}

func (c *cache[K, V]) init(n int, hash func(K) uint64) {
	c.per, c.hash = max(n/len(c.shards), 1), hash
	for i := range c.shards {
		c.shards[i].m = make(map[K]V)
	}
}

func (c *cache[K, V]) shard(k K) *cacheShard[K, V] { return &c.shards[c.hash(k)%uint64(len(c.shards))] }

// get returns the cached value, or the shard generation to pass to put.
func (c *cache[K, V]) get(k K) (v V, gen uint64, ok bool) {
	sh := c.shard(k)
	sh.mu.RLock()
	v, ok = sh.m[k]
	gen = sh.gen
	sh.mu.RUnlock()
	return v, gen, ok
}

// put caches v if no invalidation happened in k's shard since gen.
func (c *cache[K, V]) put(k K, v V, gen uint64) {
	sh := c.shard(k)
	sh.mu.Lock()
	if sh.gen == gen {
		if len(sh.m) >= c.per {
			for x := range sh.m {
				delete(sh.m, x)
				break
			}
		}
		sh.m[k] = v
	}
	sh.mu.Unlock()
}

func (c *cache[K, V]) invalidate(k K) {
	sh := c.shard(k)
	sh.mu.Lock()
	delete(sh.m, k)
	sh.gen++
	sh.mu.Unlock()
}

// runWindow is every run-index entry of one product window (RunWindow
// counters), sorted by first counter: the run events of any counter of the
// window are found by a binary search and a short backward scan.
type runWindow struct {
	entries []runEntry
	maxSpan uint64
}

type runEntry struct {
	first, last uint64
	seq         uint64
	role        ledger.Role
}

// each calls fn with the entries holding counter c.
func (w *runWindow) each(c uint64, fn func(e *runEntry)) {
	i, _ := slices.BinarySearchFunc(w.entries, c+1, func(e runEntry, t uint64) int {
		if e.first < t {
			return -1
		}
		return 1
	})
	for i--; i >= 0; i-- {
		e := &w.entries[i]
		if c-e.first > w.maxSpan {
			break
		}
		if c <= e.last {
			fn(e)
		}
	}
}

// caches hold what resolvers read again and again: the run events
// of a window (a commission report covers every code of a block), and the
// events of lots and products.
type caches struct {
	windows  cache[windowKey, *runWindow]
	lots     cache[uint32, []ledger.Hit]
	products cache[uint32, []ledger.Hit]
	// Containers (cases, pallets, SSCC units) are shared by every code
	// inside them: their own records and their present parent are cached.
	nodes   cache[agg.Node, []ledger.Hit]
	parents cache[agg.Node, parentEntry]
	// The child→parent runs of product windows, in stride form: a line's
	// consecutive packing makes the present parent of any item or case a
	// binary search in memory (agg.ParentWindow).
	pwindows cache[parentWindowKey, *agg.ParentWindow]
	// noContainers bypasses the two container caches (benchmarks measure
	// resolution without them: the worst case of a store whose cases do
	// not fit).
	noContainers bool
	// noParentWindows bypasses pwindows (benchmarks compare).
	noParentWindows bool
}

func nodeHash(n agg.Node) uint64 {
	return uint64(n.Product)*0x9E3779B97F4A7C15 ^ n.Counter*0xC2B2AE3D27D4EB4F
}

// init bounds the container caches at n entries each (Options.ResolveCache).
func (c *caches) init(n int) {
	c.nodes.init(n, nodeHash)
	c.parents.init(n, nodeHash)
	c.pwindows.init(n, func(k parentWindowKey) uint64 { return uint64(k.product)*0x9E3779B97F4A7C15 ^ k.window })
	c.windows.init(1<<16, func(k windowKey) uint64 { return uint64(k.product)*0x9E3779B97F4A7C15 ^ k.window })
	c.lots.init(1<<16, func(k uint32) uint64 { return uint64(k) })
	c.products.init(1<<12, func(k uint32) uint64 { return uint64(k) })
}

// invalidate drops what a committed report changed.
func (c *caches) invalidate(t *Touched) {
	for k := range t.windows {
		c.windows.invalidate(k)
	}
	for k := range t.lots {
		c.lots.invalidate(k)
	}
	for k := range t.products {
		c.products.invalidate(k)
	}
	for n := range t.nodes {
		c.nodes.invalidate(n)
		c.parents.invalidate(n)
	}
	for k := range t.pwindows {
		c.pwindows.invalidate(k)
	}
}

// loadWindow reads the run-index entries of a window.
func loadWindow(db *store.DB, k windowKey) (*runWindow, error) {
	lo := store.AppendEvRunKey(make([]byte, 0, 13), k.product, k.window*ledger.RunWindow)
	hi := store.AppendEvRunKey(make([]byte, 0, 13), k.product, (k.window+1)*ledger.RunWindow)
	w := &runWindow{}
	err := db.Scan(lo, hi, func(key, v []byte) error {
		_, first, seq, err := store.DecodeEvRunKey(key)
		if err != nil {
			return err
		}
		role, span, err := ledger.DecodeRunIndexValue(v)
		if err != nil {
			return err
		}
		w.entries = append(w.entries, runEntry{first: first, last: first + span,
			seq: seq, role: role})
		w.maxSpan = max(w.maxSpan, span)
		return nil
	})
	return w, err
}

// Bypass switches the container caches (containers) and the parent
// windows (parentWindows) off or back on, for benchmarks that measure
// resolution without them (the worst case of a store whose cases do not
// fit). It must not be called while resolutions run.
func (rs *Resolver) Bypass(containers, parentWindows bool) {
	rs.caches.noContainers, rs.caches.noParentWindows = containers, parentWindows
}
