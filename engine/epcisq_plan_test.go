package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// TestQueryStepWithNarrowWindow: EQ_bizStep with a short event-time
// window over a store whose indexes are on disk walks the event-time
// index (the smaller range) instead of every event of the step, and pages
// through it to the same answer.
func TestQueryStepWithNarrowWindow(t *testing.T) {
	e := openTest(t, "")
	ctx := context.Background()
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, OrgName: "兰州乳业", NameZH: "婴幼儿配方乳粉",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		t.Fatal(err)
	}
	const n, perDoc = 2000, 500
	ib := mint(t, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: n}).Block
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: prod.Org, Credential: "test", Time: testClock.Add(-30 * 24 * time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: 0, Last: n - 1}}}}); err != nil {
		t.Fatal(err)
	}
	all := codes(t, e, ib.ID, issue.FormatDL, 0, n)
	t0 := testClock.Add(-20 * 24 * time.Hour)
	stepOf := func(i int) string { return [...]string{"storing", "shipping", "receiving", "inspecting"}[i%4] }
	for first := 0; first < n; first += perDoc {
		evs := make([]string, 0, perDoc)
		for i := first; i < first+perDoc; i++ {
			evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q}`,
				t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), all[i], stepOf(i)))
		}
		if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(doc(evs...)), &chain.CaptureOptions{Org: prod.Org, Credential: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	from, to := t0.Add(1000*time.Minute), t0.Add(1040*time.Minute)
	want := 0
	for i := 1000; i < 1040; i++ {
		if stepOf(i) == "storing" {
			want++
		}
	}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	params := []epcisq.Param{{Name: "EQ_bizStep", Value: "storing"}, {Name: "GE_eventTime", Value: from.Format(time.RFC3339)},
		{Name: "LT_eventTime", Value: to.Format(time.RFC3339)}, {Name: "perPage", Value: "3"}}
	got, scanned, pages := map[uint64]bool{}, 0, 0
	for p := params; ; pages++ {
		res, err := e.Queries().Events(op, p)
		if err != nil {
			t.Fatal(err)
		}
		scanned += res.Scanned
		for _, f := range res.Events {
			if got[f.Summary.Seq] {
				t.Fatalf("record %d returned twice", f.Summary.Seq)
			}
			got[f.Summary.Seq] = true
			if s := string(f.Summary.BizStep); s != "storing" {
				t.Errorf("record %d has bizStep %s", f.Summary.Seq, s)
			}
			if at := time.UnixMilli(f.Summary.EventTime); at.Before(from) || !at.Before(to) {
				t.Errorf("record %d at %v, outside [%v, %v)", f.Summary.Seq, at, from, to)
			}
		}
		if res.Next == "" {
			break
		}
		p = append(params[:len(params):len(params)], epcisq.Param{Name: "nextPageToken", Value: res.Next})
	}
	if len(got) != want || pages < 2 {
		t.Fatalf("%d events in %d pages, want %d in several", len(got), pages+1, want)
	}
	if steps := n / 4; scanned >= steps {
		t.Errorf("the query read %d index entries: every event of the step (%d), not the window's", scanned, steps)
	}
}
