package chain

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"tracecode/engine/agg"
	"tracecode/engine/store"
)

// custodyIndex is, per product (0: SSCC units), the set of counters that
// have a custody record, held in RAM so that the check at ingest and the
// holder at resolution read the store only for codes that were handed on
// (or are inside something that was). It may hold counters whose record
// was removed since (an error declaration): a superset costs a lookup,
// never a wrong answer. Loaded at open; updated after each commit.
type custodyIndex struct {
	mu sync.RWMutex
	m  map[uint32]*roaring64.Bitmap // GUARDED_BY(mu)
}

// loadCustodyIndex reads the counters of every custody record.
func loadCustodyIndex(db *store.DB) (*custodyIndex, error) {
	ci := &custodyIndex{m: map[uint32]*roaring64.Bitmap{}}
	err := db.ScanPrefix(store.CustodyKeys.Prefix(), func(k, _ []byte) error {
		if product, counter, err := store.DecodeCustodyKey(k); err == nil {
			ci.addLocked(agg.Node{Product: product, Counter: counter})
		}
		return nil
	})
	return ci, err
}

func (ci *custodyIndex) addLocked(n agg.Node) {
	bm := ci.m[n.Product]
	if bm == nil {
		bm = roaring64.New()
		ci.m[n.Product] = bm
	}
	bm.Add(n.Counter)
}

// add records that nodes have custody records.
func (ci *custodyIndex) add(nodes map[agg.Node]bool) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	for n := range nodes {
		ci.addLocked(n)
	}
}

// has reports whether n may have a custody record.
func (ci *custodyIndex) has(n agg.Node) bool {
	ci.mu.RLock()
	defer ci.mu.RUnlock()
	bm := ci.m[n.Product]
	return bm != nil && bm.Contains(n.Counter)
}

// anyIn reports whether a counter in first..last of product may have a
// custody record.
func (ci *custodyIndex) anyIn(product uint32, first, last uint64) bool {
	ci.mu.RLock()
	defer ci.mu.RUnlock()
	bm := ci.m[product]
	if bm == nil {
		return false
	}
	below := uint64(0)
	if first > 0 {
		below = bm.Rank(first - 1)
	}
	return bm.Rank(last) > below
}

// empty reports whether no custody record exists.
func (ci *custodyIndex) empty() bool {
	ci.mu.RLock()
	defer ci.mu.RUnlock()
	return len(ci.m) == 0
}
