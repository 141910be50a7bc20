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
// Correctness: every write through the API that can change an existing
// code's chain (reports, aggregation, events, recalls, release, void — not
// minting, master data or keys) bumps gen after it is applied; an entry is served only if
// it was computed under the current gen and on the current day (expiry
// depends on the date). A resolution that raced with a write was tagged
// with the gen read before it started, so it is never served afterwards.
// The server is the store's only writer while it runs (Pebble's lock).
type respCache struct {
	gen      atomic.Uint64
	genp     *atomic.Uint64 // the generation entries are checked against: &gen, or a shared one
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
	gen    uint64
	day    uint32
	ref    scanlog.Ref
	status resolve.PublicStatus // status before scan counts are applied; gives the HTTP status
	frag   []byte               // the JSON members after "status", without scans
}

func newRespCache(entries int) *respCache {
	c := &respCache{perShard: max(entries/32, 1)}
	c.gen.Store(1) // 0 means "not cacheable"
	c.genp = &c.gen
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
	if e == nil || e.gen != c.genp.Load() || e.day != day {
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

// bump invalidates every entry (after a write).
func (c *respCache) bump() { c.gen.Add(1) }

// sharing returns a cache of entries whose generation is c's.
func (c *respCache) sharing(entries int) *respCache {
	p := newRespCache(entries)
	p.genp = c.genp
	return p
}

// invalidate bumps the generation the response and page caches share: a
// write happened.
func (s *Server) invalidate() {
	if s.cache != nil {
		s.cache.bump()
	}
}
