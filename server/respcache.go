package server

import (
	"sync"
	"sync/atomic"

	"tracecode/engine/resolve"
	"tracecode/engine/scanlog"
)

// respCache keeps the encoded public JSON chain of recently scanned items
// (the pre-computed per-key document of GS1's resolver CE, without its
// staleness): everything but the status and the scan counts, which are
// filled in per request. Profiles of a packed item with a seven-event
// timeline put engine.ResolveInto plus encoding at ~12 µs; a hit costs a
// map lookup and a copy.
//
// Correctness: an entry is served only if no write that can have changed
// its answer was announced since it started resolving, and on the day it
// was computed (expiry depends on the date). The engine says what each
// committed report can have changed (Engine.OnChanged, resolve.Scopes:
// the products and SSCC units of the items its records name and of
// everything inside the containers they name); the server bumps those
// scopes' generations (scopeGens). Every other write through the API that
// can change an existing code's chain — master data, notices, credit
// listings, a replica's refresh of anything but the report chain — bumps
// every scope (invalidate); minting, keys and accounts change none. An
// answer depends on its code and on the containers above it, and a write
// to a container names everything below it, so an entry is checked
// against the generation of its own product (or SSCC unit) and the
// global one. A resolution that raced with a write was tagged with the
// clock read before it started, which the write's bump passes, so it is
// never served afterwards. The server is the store's only writer while it
// runs (Pebble's lock).
type respCache struct {
	gens     *scopeGens // shared with the page caches (sharing)
	perShard int
	shards   [32]respShard

	hits, misses atomic.Uint64
}

type respShard struct {
	mu sync.RWMutex
	m  map[string]*respEntry // GUARDED_BY(mu)
}

// respEntry is one cached answer. Read-only once published.
type respEntry struct {
	gen    uint64 // scopeGens.start before resolving
	day    uint32
	ref    scanlog.Ref          // the item (Product 0: an SSCC unit): its scope
	status resolve.PublicStatus // status before scan counts are applied; gives the HTTP status
	frag   []byte               // the JSON members after "status", without scans
}

// scopeGens are the generations cached answers are checked against: a
// clock every bump advances, and per scope (a product, an SSCC unit) and
// for everything the clock's value at its last bump. An entry tagged with
// the clock read before its resolution started is current while neither
// its scope's nor the global generation passed it. Product ids index the
// array modulo its size (products are a few thousand; two sharing a slot
// only invalidate each other); units are hashed into their own slots.
// Bumps only raise a generation (storeMax), so concurrent bumps cannot
// lower one below a clock value a resolution already read.
type scopeGens struct {
	clock    atomic.Uint64
	all      atomic.Uint64
	products [1 << 14]atomic.Uint64
	units    [1 << 10]atomic.Uint64
	// global makes every bump bump everything (Config.CacheGlobal: the
	// behaviour before per-product generations, for benchmarks).
	global bool
}

// start returns the tag of an answer about to be resolved; never 0 (0
// means "not cacheable").
func (g *scopeGens) start() uint64 { return g.clock.Load() }

func (g *scopeGens) slot(ref scanlog.Ref) *atomic.Uint64 {
	if ref.Product == 0 {
		return &g.units[(ref.Counter*0x9E3779B97F4A7C15)>>54]
	}
	return &g.products[ref.Product%uint32(len(g.products))]
}

// current reports whether an answer for ref tagged gen is still current.
func (g *scopeGens) current(gen uint64, ref scanlog.Ref) bool {
	return gen >= g.all.Load() && gen >= g.slot(ref).Load()
}

func storeMax(a *atomic.Uint64, v uint64) {
	for {
		old := a.Load()
		if old >= v || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// bumpAll invalidates every entry.
func (g *scopeGens) bumpAll() { storeMax(&g.all, g.clock.Add(1)) }

// bump invalidates the entries of the scopes in sc.
func (g *scopeGens) bump(sc *resolve.Scopes) {
	if sc.All || g.global {
		g.bumpAll()
		return
	}
	if sc.Empty() {
		return
	}
	t := g.clock.Add(1)
	for _, p := range sc.Products {
		storeMax(g.slot(scanlog.Ref{Product: p}), t)
	}
	for _, u := range sc.Units {
		storeMax(g.slot(scanlog.Ref{Counter: u}), t)
	}
}

func newRespCache(entries int) *respCache {
	g := &scopeGens{}
	g.clock.Store(1) // 0 means "not cacheable"
	return newRespCacheOn(g, entries)
}

func newRespCacheOn(g *scopeGens, entries int) *respCache {
	c := &respCache{gens: g, perShard: max(entries/32, 1)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*respEntry)
	}
	return c
}

func (c *respCache) shard(key []byte) *respShard {
	var h uint32 = 2166136261
	for _, b := range key {
		h = (h ^ uint32(b)) * 16777619
	}
	return &c.shards[h%uint32(len(c.shards))]
}

// get returns the entry for key if it is current.
func (c *respCache) get(key []byte, day uint32) *respEntry {
	sh := c.shard(key)
	sh.mu.RLock()
	e := sh.m[string(key)]
	sh.mu.RUnlock()
	if e == nil || e.day != day || !c.gens.current(e.gen, e.ref) {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return e
}

// put stores e under key (copying key), dropping a random 64th of the
// shard when it is full. The drop runs under the shard's write lock, so
// every reader of the shard waits for it: dropping an eighth (256
// entries of the default 2,048 per shard) held the lock 45–52 µs at the
// median, a 64th 6 µs, with the same work per put and a fuller cache
// (BenchmarkRespCacheEvict, busy machine). (Dropping half kept the cache
// three quarters full on average: over 10^5 codes scanned uniformly,
// the bench's resolve/http, 49 % of answers were hits with half, more
// with an eighth.)
func (c *respCache) put(key []byte, e *respEntry) {
	sh := c.shard(key)
	sh.mu.Lock()
	if len(sh.m) >= c.perShard {
		n := 0
		for k := range sh.m {
			delete(sh.m, k)
			if n++; n >= max(c.perShard/64, 1) {
				break
			}
		}
	}
	sh.m[string(key)] = e
	sh.mu.Unlock()
}

// sharing returns a cache of entries whose generations are c's.
func (c *respCache) sharing(entries int) *respCache { return newRespCacheOn(c.gens, entries) }

// invalidate drops every cached answer of the response and page caches:
// a write happened that the engine does not announce (master data,
// notices, credit listings).
func (s *Server) invalidate() {
	if s.cache != nil {
		s.cache.gens.bumpAll()
	}
}

// changed drops the cached answers a committed report can have changed
// (Engine.OnChanged).
func (s *Server) changed(sc *resolve.Scopes) { s.cache.gens.bump(sc) }
