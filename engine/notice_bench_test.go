package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/recall"
	"tracecode/engine/serial"
)

// BenchmarkRecallRecipients computes the recipient list of a recall of a
// lot of 10^6 items packed ten to a case in 10^5 cases, each of 1,000
// organisations having received 100 cases in one shipment: the forward
// trace's records, the items inside the shipped cases, the tally by
// organisation. Setup (minting, packing, 1,000 shipments, a full
// compaction) is not timed.
func BenchmarkRecallRecipients(b *testing.B) {
	const items, perCase, orgs = 1_000_000, 10, 1000
	cases := items / perCase
	e := openTest(b, "")
	ctx := context.Background()
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉", OrgName: "乳业", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		b.Fatal(err)
	}
	ib := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: items}).Block
	cb := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", Level: model.LevelCase, Count: uint64(cases)}).Block
	meta := chain.ReportMeta{Org: prod.Org, Credential: "bench", Time: testClock.Add(-48 * time.Hour)}
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: 0, Last: items - 1}, {Block: cb.ID, First: 0, Last: uint64(cases) - 1}}}}); err != nil {
		b.Fatal(err)
	}
	meta.Time = testClock.Add(-40 * time.Hour)
	for lo := 0; lo < cases; lo += 10000 {
		var packs []chain.Pack
		for c := lo; c < lo+10000; c++ {
			packs = append(packs, chain.Pack{Parent: chain.Ref{Block: cb.ID, Offset: uint64(c)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: uint64(c * perCase), Last: uint64(c*perCase + perCase - 1)}}}})
		}
		if _, err := e.Reports().Pack(ctx, &chain.PackReport{ReportMeta: meta, Packs: packs}); err != nil {
			b.Fatal(err)
		}
	}
	caseCodes := codes(b, e, cb.ID, issue.FormatDL, 0, uint64(cases))
	var events []string
	for o := range orgs {
		gcp := fmt.Sprintf("69%05d", o)
		if _, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: fmt.Sprintf("经销商 %d", o), Region: "620102", GCPs: []string{gcp}}); err != nil {
			b.Fatal(err)
		}
		per := cases / orgs
		events = append(events, shipTo(fmt.Sprintf("2026-02-28T%02d:%02d:00+08:00", o/60%24, o%60), gcp, caseCodes[o*per:(o+1)*per]...))
		if len(events) == 100 {
			if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(doc(events...)), &chain.CaptureOptions{Org: prod.Org, Credential: "bench"}); err != nil {
				b.Fatal(err)
			}
			events = events[:0]
		}
	}
	// Compactions of the setup's writes would run during the timed loop.
	if err := e.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var rs []recall.Recipient
	for b.Loop() {
		moves, err := e.Reports().RecallMoves(ib.Lot, nil)
		if err != nil {
			b.Fatal(err)
		}
		rs = recall.Recipients(prod.Org, moves)
	}
	b.StopTimer()
	if len(rs) != orgs || rs[0].AtStart.Received != items/orgs || rs[0].AtStart.Cases != uint64(cases/orgs) {
		b.Fatalf("%d recipients, first %+v", len(rs), rs[0])
	}
	b.ReportMetric(float64(len(rs)), "recipients")
}

// BenchmarkCaptureAlerts measures what the alert rules cost a capture of
// one dispensing event of an NMPA-coded item (the worst case: every rule
// that reads events sees it, and drug-sold-twice writes a mark),
// alternating in rounds of 50 between the rules on and off within one
// loop, so that both see the same machine load; alerts-% is the
// difference. sync=off skips the fsync (CPU cost alone).
//
//	go test -run '^$' -bench CaptureAlerts -count 3 ./engine
func BenchmarkCaptureAlerts(b *testing.B) {
	e := openTest(b, "")
	n, err := e.OpenNotices(notice.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, DrugID: "8612345", OrgName: "兰州制药", NameZH: "阿莫西林胶囊",
		Category: ParseCategoryMust("drug"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		b.Fatal(err)
	}
	const count = 20000
	ib := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: count, Scheme: serial.NMPA}).Block
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: prod.Org, Credential: "bench", Time: testClock.Add(-48 * time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: 0, Last: count - 1}}}}); err != nil {
		b.Fatal(err)
	}
	all := codes(b, e, ib.ID, issue.FormatDL, 0, count)
	next := 0
	for _, sync := range []bool{false, true} {
		b.Run("sync="+onOff(sync), func(b *testing.B) {
			e.iss.SetNoSync(!sync)
			defer func() { e.iss.SetNoSync(false); e.notices.Store(n) }()
			var spent [2]time.Duration
			var runs [2]int
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				mode := (i / 50) % 2 // 0: rules on, 1: off
				if mode == 0 {
					e.notices.Store(n)
				} else {
					e.notices.Store(nil)
				}
				if next == count {
					b.Fatal("items used up")
				}
				d := doc(dispense(fmt.Sprintf("2026-02-28T%02d:%02d:%02d+08:00", 8+next/3600%10, next/60%60, next%60), all[next]))
				t0 := time.Now()
				if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(d), &chain.CaptureOptions{Org: prod.Org, Credential: "bench"}); err != nil {
					b.Fatal(err)
				}
				spent[mode] += time.Since(t0)
				runs[mode]++
				next++
				i++
			}
			if runs[0] > 0 && runs[1] > 0 {
				on, off := float64(spent[0])/float64(runs[0]), float64(spent[1])/float64(runs[1])
				b.ReportMetric(on, "ns/capture-on")
				b.ReportMetric(off, "ns/capture-off")
				b.ReportMetric(100*(on-off)/off, "alerts-%")
			}
		})
	}
}
