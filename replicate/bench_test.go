package replicate

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkPublish appends b.N records of 100 bytes to the R3 log of an
// in-process three-node cluster from concurrent writers, each waiting for
// its record's quorum acknowledgement, and reports records per second and
// records per message (the group commit).
func BenchmarkPublish(b *testing.B) {
	for _, writers := range []int{1, 16, 128} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			c := newTestCluster(b)
			js, _, kv := c.setup(10 * time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			lease, err := Acquire(ctx, kv, "bench")
			if err != nil {
				b.Fatal(err)
			}
			go func() { _ = lease.Keep(ctx) }()
			p, err := NewPublisher(ctx, js, lease, Position{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(100)
			b.ResetTimer()
			var (
				order sync.Mutex
				next  uint64
				wg    sync.WaitGroup
			)
			start := time.Now()
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						order.Lock()
						if next == uint64(b.N) {
							order.Unlock()
							return
						}
						next++
						a, err := p.Enqueue(Record{Seq: next, Data: recordData(next)})
						order.Unlock()
						if err != nil {
							b.Error(err)
							return
						}
						if err := a.Wait(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			msgs := p.Messages()
			if err := p.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "records/s")
			b.ReportMetric(float64(b.N)/float64(max(msgs, 1)), "records/msg")
		})
	}
}
