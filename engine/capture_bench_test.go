package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// captureBenchDoc returns an EPCIS 2.0 JSON document of n ObjectEvents
// (OBSERVE, storing at a site's location, one EPC each) over codes, their
// event times starting at t0 plus one second per document round so that no
// two documents hold the same event (their hash IDs differ).
func captureBenchDoc(codes []string, n int, t0 time.Time) string {
	evs := make([]string, n)
	for i := range evs {
		at := t0.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
		evs[i] = fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":"storing","disposition":"in_progress","readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"},"bizLocation":{"id":"urn:epc:id:sgln:9520123.00001.0"}}`,
			at, codes[i%len(codes)])
	}
	return doc(evs...)
}

// BenchmarkCapture500 captures EPCIS 2.0 JSON documents of 500
// ObjectEvents each (one commissioned code per event), one report and one
// fsync per document (sync=on; sync=off: the CPU alone), and reports
// events/s. The documents are built before the timer starts.
//
//	go test -run '^$' -bench Capture500 -benchtime 200x -count 3 ./engine
func BenchmarkCapture500(b *testing.B) {
	// The store's default options (its 256 MiB block cache), not the
	// tests' small store: a capture's duplicate checks read the hash
	// index's filter and index blocks, which a small cache keeps evicting.
	e, err := Open(b.TempDir(), &Options{Now: func() time.Time { return testClock }})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	var prod model.Product
	prod, err = e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, OrgName: "兰州乳业", NameZH: "婴幼儿配方乳粉",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		b.Fatal(err)
	}
	const count, perDoc = 5000, 500
	ib := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: count}).Block
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: prod.Org, Credential: "bench", Time: testClock.Add(-30 * 24 * time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: 0, Last: count - 1}}}}); err != nil {
		b.Fatal(err)
	}
	all := codes(b, e, ib.ID, issue.FormatDL, 0, count)
	round := 0
	for _, sync := range []bool{true, false} {
		b.Run("sync="+onOff(sync), func(b *testing.B) {
			e.iss.SetNoSync(!sync)
			defer e.iss.SetNoSync(false)
			docs := make([]string, b.N)
			for i := range docs {
				t0 := testClock.Add(-20 * 24 * time.Hour).Add(time.Duration(round) * time.Second)
				docs[i] = captureBenchDoc(all[(round*perDoc)%count:], perDoc, t0)
				round++
			}
			b.ReportAllocs()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			for i := range b.N {
				rec, err := e.Reports().CaptureJSON(ctx, strings.NewReader(docs[i]), &chain.CaptureOptions{Org: prod.Org, Credential: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				if rec.Duplicates != 0 {
					b.Fatalf("%d duplicates", rec.Duplicates)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(b.N*perDoc)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N*perDoc), "allocs/event")
		})
	}
}
