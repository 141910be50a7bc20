package resolve

import (
	"testing"

	"tracecode/engine/agg"
	"tracecode/engine/ledger"
)

// TestCacheStaleReadNotInserted: a value read before an invalidation of
// its shard is not cached after it, so a cache never serves a value older
// than the last commit.
func TestCacheStaleReadNotInserted(t *testing.T) {
	var c cache[uint32, int]
	c.init(64, func(k uint32) uint64 { return uint64(k) })
	_, gen, ok := c.get(7)
	if ok {
		t.Fatal("empty cache hit")
	}
	c.invalidate(7) // a report commits between the read and the put
	c.put(7, 1, gen)
	if _, _, ok := c.get(7); ok {
		t.Fatal("a value read before the invalidation was cached")
	}
	_, gen, _ = c.get(7)
	c.put(7, 2, gen)
	if v, _, ok := c.get(7); !ok || v != 2 {
		t.Fatalf("get after put: %v %v", v, ok)
	}
}

// TestInvalidateDropsTouched: what a report marks in Touched is dropped
// from every cache that holds it, and nothing else.
func TestInvalidateDropsTouched(t *testing.T) {
	rs := &Resolver{}
	rs.caches.init(64)
	n, other := agg.Node{Product: 3, Counter: 10}, agg.Node{Product: 3, Counter: 11}
	put := func() {
		for _, k := range []agg.Node{n, other} {
			_, g, _ := rs.caches.nodes.get(k)
			rs.caches.nodes.put(k, []ledger.Hit{{Seq: 1}}, g)
		}
		_, g, _ := rs.caches.lots.get(5)
		rs.caches.lots.put(5, []ledger.Hit{{Seq: 2}}, g)
	}
	put()
	var tc Touched
	tc.Node(n)
	tc.Lot(5)
	rs.Invalidate(&tc)
	if _, _, ok := rs.caches.nodes.get(n); ok {
		t.Error("touched node still cached")
	}
	if _, _, ok := rs.caches.lots.get(5); ok {
		t.Error("touched lot still cached")
	}
	if _, _, ok := rs.caches.nodes.get(other); !ok {
		t.Error("an untouched node was dropped")
	}
}
