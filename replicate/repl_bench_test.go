package replicate

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/replica"
)

// The replication figures of docs/performance.md ("Replication"): report
// throughput with replication off and on, the rate a replica applies the
// log at, and the lag of a replica under a steady write load. Run them
// on a quiet machine:
//
//	go test -run '^$' -bench 'EngineMint|EngineReport|ReplicaApply|ReplicationLag' -benchtime 2000x -count 3 ./replicate/

// benchWriter opens an engine in dir as the writer of a fresh R3 log on
// an in-process three-node cluster (repl), or on its store alone. stamp,
// if set, is called with each batch's log position as it is committed.
func benchWriter(b *testing.B, dir string, repl bool, stamp func(seq uint64)) (*engine.Engine, *testCluster) {
	b.Helper()
	eo := &engine.Options{}
	var c *testCluster
	if repl {
		c = newTestCluster(b)
		js, s, kv := c.setup(10 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		b.Cleanup(cancel)
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
		b.Cleanup(func() { _ = p.Close() })
		eo.Store.Replicator = stampedReplicator{StoreReplicator{P: p}, stamp}
	}
	eng, err := engine.Open(dir, eo)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = eng.Close() })
	return eng, c
}

// stampedReplicator calls stamp with each committed batch's position.
type stampedReplicator struct {
	StoreReplicator
	stamp func(seq uint64)
}

func (s stampedReplicator) Committed(seq uint64, repr []byte) func() error {
	if s.stamp != nil {
		s.stamp(seq)
	}
	return s.StoreReplicator.Committed(seq, repr)
}

// benchProduct adds the benchmarks' product.
func benchProduct(b *testing.B, eng *engine.Engine) model.Product {
	b.Helper()
	prod, err := eng.Issuance().AddProduct(b.Context(), issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
	if err != nil {
		b.Fatal(err)
	}
	return prod
}

// BenchmarkEngineReport commissions ranges of 100 codes (one report
// each) from concurrent clients with replication off and on, in the same
// run.
func BenchmarkEngineReport(b *testing.B) {
	for _, repl := range []bool{false, true} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("replication=%v/clients=%d", repl, clients), func(b *testing.B) {
				eng, _ := benchWriter(b, filepath.Join(b.TempDir(), "data"), repl, nil)
				prod := benchProduct(b, eng)
				org := prod.Org
				// Every report commissions its own 100 codes of one block.
				res, err := eng.Issuance().Mint(b.Context(), issue.MintRequest{Product: prod.ID, Count: uint64(b.N) * 100})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				var n atomic.Int64
				var wg sync.WaitGroup
				start := time.Now()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := n.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							first := uint64(i) * 100
							if _, err := eng.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: org}, Action: chain.LineCommission,
								Items: chain.Items{Ranges: []chain.BlockRange{{Block: res.Block.ID, First: first, Last: first + 99}}}}); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
			})
		}
	}
}

// BenchmarkReplicaApply: a writer mints b.N blocks of 1,000 codes from 16
// clients into the R3 log; then a new replica's store applies the whole
// log, as a replica catching up does: apply=each one record at a time
// with an fsync each (replica.Store.Apply, the former way), apply=grouped
// the records of the messages already delivered under one sync
// (replica.Store.ApplyBatches through NewBatchFollower, as follow and
// serve --replica-of do). It reports the replica's records/s (one record:
// one committed batch of the writer), the mints/s equivalent and the
// writer's own sustained mints/s, which the apply rate must exceed.
func BenchmarkReplicaApply(b *testing.B) {
	for _, grouped := range []bool{false, true} {
		name := "apply=each"
		if grouped {
			name = "apply=grouped"
		}
		b.Run(name, func(b *testing.B) {
			root := b.TempDir()
			eng, c := benchWriter(b, filepath.Join(root, "writer"), true, nil)
			prod := benchProduct(b, eng)
			var n atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range 16 {
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
			writerRate := float64(b.N) / time.Since(start).Seconds()
			end := eng.ReplicatedSeq()
			b.ReportAllocs()
			b.ResetTimer()
			start = time.Now()
			followInto(b, c, filepath.Join(root, "replica"), grouped, nil)(end)
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(end)/el.Seconds(), "records/s")
			b.ReportMetric(float64(b.N)/el.Seconds(), "mints/s")
			b.ReportMetric(writerRate, "writer-mints/s")
		})
	}
}

// BenchmarkReplicationLag: the writer mints at a steady rate (rate=…
// mints a second, one client each 1/rate) while a replica's engine
// follows and applies the log into its store; the lag of each batch is the time from
// its commit on the writer to its apply on the replica. It reports the
// p50 and p99 in milliseconds (the replica's reload of its in-memory
// state, every --replica-refresh, comes on top).
func BenchmarkReplicationLag(b *testing.B) {
	for _, rate := range []int{100, 500} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			root := b.TempDir()
			var mu sync.Mutex
			committed := map[uint64]time.Time{}
			eng, c := benchWriter(b, filepath.Join(root, "writer"), true, func(seq uint64) {
				mu.Lock()
				committed[seq] = time.Now()
				mu.Unlock()
			})
			prod := benchProduct(b, eng)
			var lags []time.Duration
			stop := followInto(b, c, filepath.Join(root, "replica"), true, func(seq uint64) {
				now := time.Now()
				mu.Lock()
				if t, ok := committed[seq]; ok {
					lags = append(lags, now.Sub(t))
				}
				mu.Unlock()
			})
			b.ReportAllocs()
			b.ResetTimer()
			tick := time.NewTicker(time.Second / time.Duration(rate))
			var wg sync.WaitGroup
			for range b.N {
				<-tick.C
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := eng.Issuance().Mint(context.Background(), issue.MintRequest{Product: prod.ID, Count: 100}); err != nil {
						b.Error(err)
					}
				}()
			}
			tick.Stop()
			wg.Wait()
			stop(eng.ReplicatedSeq())
			b.StopTimer()
			mu.Lock()
			defer mu.Unlock()
			if len(lags) == 0 {
				b.Fatal("no batch applied")
			}
			slices.Sort(lags)
			b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// followInto makes a new replica store in dir follow the log of c,
// applying the records of the messages delivered together under one sync
// (grouped) or each record with its own, and calling applied (if set)
// after each record it applies. The returned
// stop waits until the record at end is applied, then stops following
// and closes the store.
func followInto(b *testing.B, c *testCluster, dir string, grouped bool, applied func(seq uint64)) (stop func(end uint64)) {
	b.Helper()
	_, js := c.connect()
	s, err := js.Stream(b.Context(), StreamName)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := replica.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	fl := NewFollower(Position{}, func(r Record) error {
		err := rep.Apply(r.Seq, r.Data)
		if applied != nil {
			applied(r.Seq)
		}
		return err
	})
	if grouped {
		fl = NewBatchFollower(Position{}, func(recs []Record) error {
			data := make([][]byte, len(recs))
			for i, r := range recs {
				data[i] = r.Data
			}
			err := rep.ApplyBatches(recs[0].Seq, data)
			if applied != nil {
				for _, r := range recs {
					applied(r.Seq)
				}
			}
			return err
		})
	}
	ctx, cancel := context.WithCancel(b.Context())
	errc := make(chan error, 1)
	go func() { errc <- fl.Follow(ctx, s) }()
	return func(end uint64) {
		defer rep.Close()
		for fl.Stats().At.RecordSeq < end {
			select {
			case err := <-errc:
				b.Fatal(err)
			case <-time.After(2 * time.Millisecond):
			}
		}
		cancel()
		<-errc
	}
}
