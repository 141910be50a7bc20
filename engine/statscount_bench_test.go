package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// BenchmarkReportStats measures what the statistics cost a report: line
// reports commissioning n codes, alternating in rounds of 50 between the
// statistics folded into the batch (on) and skipped (off) within one
// loop, so that both see the same machine load; stats-% is the
// difference. sync=off skips the fsync, so that the CPU cost is not hidden
// behind the disk (the worst case); sync=on is how reports are written.
//
//	go test -run '^$' -bench ReportStats -count 3 ./engine
//
// docs/stats.md records the figures.
func BenchmarkReportStats(b *testing.B) {
	e := openTest(b, "")
	w := newStatsWorld(&testing.T{}, e)
	blk := mint(b, e, issue.MintRequest{Product: w.prodA.ID, Lot: "BENCH", CreateLot: true, Level: model.LevelItem, Count: 1 << 30}).Block
	next := uint64(0)
	day := time.Date(2026, 2, 1, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		sync  bool
		codes uint64
	}{{false, 10}, {false, 1000}, {true, 10}} {
		b.Run(fmt.Sprintf("sync=%v/codes=%d", onOff(c.sync), c.codes), func(b *testing.B) {
			e.iss.SetNoSync(!c.sync)
			defer func() { e.statsOff = false; e.iss.SetNoSync(false) }()
			var spent [2]time.Duration
			var n [2]int
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				mode := (i / 50) % 2 // 0: on, 1: off
				e.statsOff = mode == 1
				if next+c.codes > blk.Count {
					b.Fatal("block used up")
				}
				// Spread over 28 days, as a line's reports are over its month.
				at := day.Add(time.Duration(i%28) * 24 * time.Hour)
				t0 := time.Now()
				if _, err := e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: w.orgA.ID, Credential: "bench", Time: at},
					Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: next, Last: next + c.codes - 1}}}}); err != nil {
					b.Fatal(err)
				}
				spent[mode] += time.Since(t0)
				n[mode]++
				next += c.codes
				i++
			}
			if n[0] > 0 && n[1] > 0 {
				on, off := float64(spent[0])/float64(n[0]), float64(spent[1])/float64(n[1])
				b.ReportMetric(on, "ns/report-on")
				b.ReportMetric(off, "ns/report-off")
				b.ReportMetric(100*(on-off)/off, "stats-%")
			}
		})
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
