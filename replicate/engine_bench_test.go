package replicate

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/model"
)

// BenchmarkEngineMint mints blocks of 1,000 codes from concurrent
// clients with replication off (the store alone, fsync per group) and on
// (every batch also on a quorum of the in-process three-node cluster
// before the mint is answered), in the same run.
func BenchmarkEngineMint(b *testing.B) {
	for _, repl := range []bool{false, true} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("replication=%v/clients=%d", repl, clients), func(b *testing.B) {
				eo := &engine.Options{}
				if repl {
					c := newTestCluster(b)
					js, s, kv := c.setup(10 * time.Second)
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					lease, err := Acquire(ctx, kv, "bench")
					if err != nil {
						b.Fatal(err)
					}
					go func() { _ = lease.Keep(ctx) }()
					at, err := LogPosition(ctx, s)
					if err != nil {
						b.Fatal(err)
					}
					p, err := NewPublisher(ctx, js, lease, at, nil)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					eo.Store.Replicator = StoreReplicator{P: p}
				}
				eng, err := engine.Open(filepath.Join(b.TempDir(), "data"), eo)
				if err != nil {
					b.Fatal(err)
				}
				defer eng.Close()
				prod, err := eng.AddProduct(b.Context(), engine.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				var n atomic.Int64
				var wg sync.WaitGroup
				start := time.Now()
				for c := 0; c < clients; c++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for n.Add(1) <= int64(b.N) {
							if _, err := eng.Mint(context.Background(), engine.MintRequest{Product: prod.ID, Count: 1000}); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mints/s")
			})
		}
	}
}
