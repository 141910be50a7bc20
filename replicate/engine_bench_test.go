package replicate

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine/issue"
)

// BenchmarkEngineMint mints blocks of 1,000 codes from concurrent
// clients with replication off (the store alone, fsync per group) and on
// (every batch also on a quorum of the in-process three-node cluster
// before the mint is answered), in the same run.
func BenchmarkEngineMint(b *testing.B) {
	for _, repl := range []bool{false, true} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("replication=%v/clients=%d", repl, clients), func(b *testing.B) {
				eng, _ := benchWriter(b, filepath.Join(b.TempDir(), "data"), repl, nil)
				prod := benchProduct(b, eng)
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
							if _, err := eng.Issuance().Mint(context.Background(), issue.MintRequest{Product: prod.ID, Count: 1000}); err != nil {
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
