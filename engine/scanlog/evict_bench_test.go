package scanlog

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkScanLogEvict times one eviction of the in-memory counts at the
// 2^18 entries (4,096 per shard; the default is 2^20), each shard a quarter over its
// share, while another goroutine records scans of cached items: the
// slowest of those Records ("record-max-ns") is how long a scan waited
// behind a shard's eviction.
func BenchmarkScanLogEvict(b *testing.B) {
	db, _ := openTestDB(b)
	defer db.Close()
	const entries = 1 << 18
	l := Open(db, &Options{CacheEntries: entries, NoRaw: true, FlushInterval: time.Hour, CountInterval: time.Hour})
	defer l.Close()
	b.ReportAllocs()
	next := uint64(0)
	var worst atomic.Int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for range entries/4 + entries - len(l.shards)*l.perShard/4*3 {
			if _, err := l.Record(Scan{Ref: Ref{3, next}, Time: 1}); err != nil {
				b.Fatal(err)
			}
			next++
		}
		if err := l.Flush(); err != nil {
			b.Fatal(err)
		}
		hot := Ref{3, next - 1} // cached, not dirty after the flush
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for k := uint64(0); k < 64; k++ {
					t0 := time.Now()
					l.Record(Scan{Ref: Ref{hot.Product, hot.Counter - k}, Time: 2}) //nolint:errcheck // cached
					if d := time.Since(t0).Nanoseconds(); d > worst.Load() {
						worst.Store(d)
					}
				}
			}
		}()
		b.StartTimer()
		l.evict()
		b.StopTimer()
		close(stop)
		wg.Wait()
	}
	b.ReportMetric(float64(worst.Load()), "record-max-ns")
}

// TestEvictInChunks: shards over their share drop to three quarters of
// it although that takes several holds of their lock (the flush evicts).
func TestEvictInChunks(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	const entries = scanShards * 4 * evictChunk // a quarter is four chunks
	l := Open(db, &Options{CacheEntries: entries, NoRaw: true, FlushInterval: time.Hour, CountInterval: time.Hour})
	defer l.Close()
	for i := range uint64(2 * entries) {
		if _, err := l.Record(Scan{Ref: Ref{3, i}, Time: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range l.shards {
		if n := len(l.shards[i].m); n > l.perShard*3/4 {
			t.Errorf("shard %d holds %d counts after the flush's eviction, want ≤ %d", i, n, l.perShard*3/4)
		}
	}
}
