package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/store"
	"tracecode/engine/store/storetest"
)

// BenchmarkPackConcurrent packs line-order pallets — 50 cases of 10
// consecutive items, one report each, acknowledged only once durable —
// from several reporters at once (lines, warehouses). One op is one
// report of 500 children. The reports are group-committed: each applies
// its batch under the report lock and waits for the fsync after it, so
// the reports queued meanwhile share the next fsync. design=plain writes
// the same links the one-key-per-link way, a synced batch per report from
// as many goroutines (Pebble group-commits those too).
//
//	go test -run '^$' -bench PackConcurrent -benchtime 2000x ./engine
func BenchmarkPackConcurrent(b *testing.B) {
	for _, n := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("design=ranges/reporters=%d", n), func(b *testing.B) { benchPackConcurrent(b, n) })
		b.Run(fmt.Sprintf("design=plain/reporters=%d", n), func(b *testing.B) { benchPackConcurrentPlain(b, n) })
	}
}

const packPerReport = 50 // cases of 10 items per report: a pallet's

// runReporters runs ops reports, indices 0..ops-1, from reporters
// goroutines at once and fails b with the first error.
func runReporters(b *testing.B, reporters int, ops int64, report func(k int64) error) {
	var next atomic.Int64 // the next report's index
	var wg sync.WaitGroup
	errs := make(chan error, reporters)
	for range reporters {
		wg.Go(func() {
			for {
				k := next.Add(1) - 1
				if k >= ops {
					return
				}
				if err := report(k); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func benchPackConcurrent(b *testing.B, reporters int) {
	fs := storetest.NewWALSyncFS(vfs.Default)
	o := &Options{}
	o.Store.FS = fs
	e, err := Open(b.TempDir(), o)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	p, err := e.Issuance().AddProduct(b.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "x", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		b.Fatal(err)
	}
	// Enough for any run: minting and commissioning cost almost nothing
	// per code.
	items, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: p.ID, Count: 1_000_000_000})
	cases, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: p.ID, Level: model.LevelCase, Count: 100_000_000})
	meta := chain.ReportMeta{Org: p.Org, Time: time.Now().Add(-time.Hour)}
	for _, blk := range []model.Block{items.Block, cases.Block} {
		if _, err := e.Reports().ReportLine(b.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: 0, Last: blk.Count - 1}}}}); err != nil {
			b.Fatal(err)
		}
	}
	ops := int64(b.N)
	syncs0 := fs.Syncs()
	b.ReportAllocs()
	b.ResetTimer()
	runReporters(b, reporters, ops, func(k int64) error {
		r := &chain.PackReport{ReportMeta: meta, Packs: make([]chain.Pack, 0, packPerReport)}
		for c := k * packPerReport; c < (k+1)*packPerReport; c++ {
			r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: cases.Block.ID, Offset: uint64(c)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.Block.ID, First: uint64(c * 10), Last: uint64(c*10 + 9)}}}})
		}
		_, err := e.Reports().Pack(b.Context(), r)
		return err
	})
	b.ReportMetric(float64(ops*packPerReport*10)/b.Elapsed().Seconds(), "children/s")
	// Fsyncs of the log per report: 1 or more without group commit,
	// below 1 when reports share them. Unlike the rate, a busy machine
	// does not move it much.
	b.ReportMetric(float64(fs.Syncs()-syncs0)/float64(ops), "fsyncs/report")
}

func benchPackConcurrentPlain(b *testing.B, reporters int) {
	db, err := store.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ops := int64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	runReporters(b, reporters, ops, func(k int64) error {
		var kb []byte
		bt := db.NewBatch()
		for c := k * packPerReport; c < (k+1)*packPerReport; c++ {
			for j := range int64(10) {
				kb = plainLinks(bt, nodeBytes(1, uint64(c*10+j)), nodeBytes(1, 1<<40+uint64(c)), kb)
			}
		}
		return bt.Commit(true)
	})
	b.ReportMetric(float64(ops*packPerReport*10)/b.Elapsed().Seconds(), "children/s")
}
