package engine

import (
	"fmt"
	"testing"

	"tracecode/engine/verify"
)

// BenchmarkVerify runs the whole Verify — data-file checksums, issuance,
// the ledger's hashes and checkpoints, aggregation, item state, and the
// replay of every record with the key-by-key comparison of everything it
// derives — on BenchmarkTrace's world (-chain.items packed items, two
// events per pallet):
//
//	go test -run '^$' -bench Verify -benchtime 1x ./engine
//
// docs/performance.md ("Verify") records the figures.
func BenchmarkVerify(b *testing.B) {
	w := traceWorld(b)
	b.Run(fmt.Sprintf("items=%d", w.n), func(b *testing.B) {
		var rep *verify.Report
		for b.Loop() {
			var err error
			if rep, err = w.e.Verify(); err != nil {
				b.Fatal(err)
			}
			if !rep.OK() {
				b.Fatalf("Verify found %d problem(s): %v", len(rep.Problems)+rep.Dropped, rep.Err())
			}
		}
		b.ReportMetric(float64(rep.Replayed), "records")
		b.ReportMetric(float64(rep.Derived), "derived")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(w.n)*1e9, "ns/item")
	})
}
