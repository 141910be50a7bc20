package server

import (
	"sort"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRespCacheEvict times the put that finds its shard full: it
// drops entries under the shard's write lock, so its time is how long
// every reader of that shard waits behind it (a tail, not a mean). It
// reports the median and the slowest such put, and the hit ratio of a
// uniform scan over twice the cache's size.
func BenchmarkRespCacheEvict(b *testing.B) {
	b.ReportAllocs()
	c := newRespCache(DefaultCacheEntries)
	keys := make([][]byte, 2*DefaultCacheEntries)
	for i := range keys {
		keys[i] = []byte("/01/09506000134352/21/" + strconv.Itoa(i*7919))
	}
	e := &respEntry{gen: 1, frag: make([]byte, 64)}
	for _, k := range keys[:DefaultCacheEntries] {
		c.put(k, e)
	}
	var holds []time.Duration
	var hits int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[(i*40503)%len(keys)]
		if c.get(k, 0) != nil {
			hits++
			continue
		}
		sh := c.shard(k)
		full := len(sh.m) >= c.perShard
		t0 := time.Now()
		c.put(k, e)
		if full {
			holds = append(holds, time.Since(t0))
		}
	}
	b.StopTimer()
	if len(holds) > 0 {
		sort.Slice(holds, func(i, j int) bool { return holds[i] < holds[j] })
		b.ReportMetric(float64(holds[len(holds)/2].Nanoseconds()), "evict-p50-ns")
		b.ReportMetric(float64(holds[len(holds)-1].Nanoseconds()), "evict-max-ns")
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hit-ratio")
}
