package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/scanlog"
	"tracecode/engine/stats"
)

// statsWorld is two organisations in two Gansu cities, one in a township
// of Lanzhou's Chengguan district and one in Tianshui's Qinzhou district,
// each with a food product and a block of 1,000 items.
type statsWorld struct {
	e            *Engine
	orgA, orgB   model.Org
	prodA, prodB model.Product
	itemsA       model.Block
	itemsB       model.Block
}

func newStatsWorld(t *testing.T, e *Engine) *statsWorld {
	t.Helper()
	ctx := context.Background()
	w := &statsWorld{e: e}
	var err error
	if w.orgA, err = e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "兰州甲乳业有限公司", Region: "620102001", GCPs: []string{"9520123"}}); err != nil {
		t.Fatal(err)
	}
	if w.orgB, err = e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水乙食品有限公司", Region: "620502", GCPs: []string{"6901234"}}); err != nil {
		t.Fatal(err)
	}
	if w.prodA, err = e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: w.orgA.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉",
		Category: model.CatFood, Levels: model.LevelSet(0).With(model.LevelItem)}); err != nil {
		t.Fatal(err)
	}
	if w.prodB, err = e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: w.orgB.ID, GTIN: testGTIN2, GCPLength: 7, NameZH: "苹果",
		Category: model.CatFarm, Levels: model.LevelSet(0).With(model.LevelItem)}); err != nil {
		t.Fatal(err)
	}
	w.itemsA = mint(t, e, issue.MintRequest{Product: w.prodA.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 1000}).Block
	w.itemsB = mint(t, e, issue.MintRequest{Product: w.prodB.ID, Lot: "B1", CreateLot: true, Level: model.LevelItem, Count: 1000}).Block
	return w
}

func (w *statsWorld) commission(t *testing.T, b model.Block, lo, hi uint64, at time.Time) {
	t.Helper()
	if _, err := w.e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: b.Org, Credential: "test", Time: at},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: lo, Last: hi}}}}); err != nil {
		t.Fatal(err)
	}
}

func statsTotals(t *testing.T, e *Engine, q stats.Query) stats.Counts {
	t.Helper()
	a, err := e.Statistics().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	return a.Totals
}

// TestStatsCountedAtEveryLevel: a township organisation's registration,
// product, mint and commissioning are counted at the township, its county,
// city and province and the country, under the product's category and
// category 0; another city sees only its own, another category nothing.
func TestStatsCountedAtEveryLevel(t *testing.T) {
	e := openTest(t, "")
	w := newStatsWorld(t, e)
	w.commission(t, w.itemsA, 0, 99, testClock.Add(-24*time.Hour))
	w.commission(t, w.itemsB, 0, 9, testClock.Add(-3*time.Hour))

	span := stats.Query{From: 20260201, To: 20260331}
	for _, c := range []struct {
		region            uint32
		cat               model.Category
		orgs, products    uint64
		minted, commissed uint64
		events            uint64
	}{
		{0, 0, 2, 2, 2000, 110, 2},
		{620000, 0, 2, 2, 2000, 110, 2},
		{620000, model.CatFood, 2, 1, 1000, 100, 1}, // organisations are counted under category 0 only
		{620100, 0, 1, 1, 1000, 100, 1},
		{620102, 0, 1, 1, 1000, 100, 1},
		{620102001, model.CatFood, 1, 1, 1000, 100, 1},
		{620102002, 0, 0, 0, 0, 0, 0},
		{620500, 0, 1, 1, 1000, 10, 1},
		{620502, model.CatFarm, 1, 1, 1000, 10, 1},
		{620500, model.CatFood, 1, 0, 0, 0, 0},
		{330000, 0, 0, 0, 0, 0, 0},
	} {
		q := span
		q.Region, q.Category = c.region, c.cat
		got := statsTotals(t, e, q)
		if c.cat != 0 {
			c.orgs = 0 // organisation metrics live under category 0
		}
		want := map[stats.Metric]uint64{stats.OrgsRegistered: c.orgs, stats.Products: c.products, stats.CodesMinted: c.minted,
			stats.Commissioned: c.commissed, stats.Events: c.events, stats.EventsObject: c.events}
		for m, n := range want {
			if got.Get(m) != n {
				t.Errorf("region %d category %d: %v = %d, want %d", c.region, c.cat, m, got.Get(m), n)
			}
		}
	}
	// The reporting lag: a day late and three hours late.
	got := statsTotals(t, e, stats.Query{Region: 620000, From: 20260201, To: 20260331})
	if got.Get(stats.LagBucket(24*time.Hour)) != 1 || got.Get(stats.LagBucket(3*time.Hour)) != 1 {
		t.Errorf("lag buckets: le1d %d le6h %d, want 1 and 1", got.Get(stats.LagBucket(24*time.Hour)), got.Get(stats.LagBucket(3*time.Hour)))
	}
	// By day: the commissioning counts on its event's business day
	// (Asia/Shanghai): 2026-02-28 16:00 and 2026-03-01 13:00.
	a, err := e.Statistics().Query(stats.Query{Region: 620000, From: 20260227, To: 20260301})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Buckets) != 3 || a.Buckets[0].Start != 20260227 || a.Buckets[2].Start != 20260301 {
		t.Fatalf("buckets %+v, want three days from 2026-02-27", a.Buckets)
	}
	if n := a.Buckets[1].Counts.Get(stats.Commissioned); n != 100 {
		t.Errorf("commissioned on 2026-02-28: %d, want 100", n)
	}
	if n := a.Buckets[2].Counts.Get(stats.Commissioned); n != 10 {
		t.Errorf("commissioned on 2026-03-01: %d, want 10", n)
	}
	if n := a.Buckets[1].Counts.Get(stats.OrgsActive); n != 1 {
		t.Errorf("organisations active on 2026-02-28: %d, want 1", n)
	}
}

// TestStatsActiveOncePerDayAndMonth: an organisation reporting several
// times a day is one active organisation that day and one that month, also
// after the engine reopened (the marks are read back from the store).
func TestStatsActiveOncePerDayAndMonth(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	w := newStatsWorld(t, e)
	day1 := time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC)
	w.commission(t, w.itemsA, 0, 9, day1)
	w.commission(t, w.itemsA, 10, 19, day1.Add(time.Hour))
	w.commission(t, w.itemsB, 0, 9, day1)
	e = reopen(t, e)
	w.e = e
	w.commission(t, w.itemsA, 20, 29, day1.Add(2*time.Hour))
	w.commission(t, w.itemsA, 30, 39, day1.Add(48*time.Hour))

	a, err := e.Statistics().Query(stats.Query{Region: 620000, From: 20260201, To: 20260228})
	if err != nil {
		t.Fatal(err)
	}
	byDay := map[uint32]stats.Counts{}
	for _, b := range a.Buckets {
		byDay[b.Start] = b.Counts
	}
	if c := byDay[20260210]; c.Get(stats.OrgsActive) != 2 || c.Get(stats.Commissioned) != 40 || c.Get(stats.Events) != 4 {
		t.Errorf("2026-02-10: active %d commissioned %d events %d, want 2, 40, 4", c.Get(stats.OrgsActive), c.Get(stats.Commissioned), c.Get(stats.Events))
	}
	if c := byDay[20260212]; c.Get(stats.OrgsActive) != 1 {
		t.Errorf("2026-02-12: active %d, want 1", c.Get(stats.OrgsActive))
	}
	m, err := e.Statistics().Query(stats.Query{Region: 620000, From: 20260201, To: 20260331, ByMonth: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buckets) != 2 || m.Buckets[0].Start != 20260201 || m.Buckets[1].Start != 20260301 {
		t.Fatalf("month buckets %+v", m.Buckets)
	}
	if n := m.Buckets[0].Counts.Get(stats.OrgsActive); n != 2 {
		t.Errorf("organisations active in February: %d, want 2 (distinct, not the sum of days)", n)
	}
	if n := m.Buckets[0].Counts.Get(stats.Commissioned); n != 50 {
		t.Errorf("commissioned in February: %d, want 50", n)
	}
	if n := m.Buckets[1].Counts.Get(stats.CodesMinted); n != 2000 {
		t.Errorf("minted in March: %d, want 2000", n)
	}
}

// TestStatsRejectedReportCountsNothing: a refused report adds nothing.
func TestStatsRejectedReportCountsNothing(t *testing.T) {
	e := openTest(t, "")
	w := newStatsWorld(t, e)
	w.commission(t, w.itemsA, 0, 9, testClock)
	_, err := e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: w.orgA.ID, Credential: "test", Time: testClock},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: w.itemsA.ID, First: 5, Last: 20}}}})
	if !errors.Is(err, chain.ErrRejected) {
		t.Fatalf("want a rejection, got %v", err)
	}
	got := statsTotals(t, e, stats.Query{Region: 620000, From: 20260301, To: 20260301})
	if got.Get(stats.Commissioned) != 10 || got.Get(stats.Events) != 1 {
		t.Errorf("commissioned %d events %d after a rejected report, want 10 and 1", got.Get(stats.Commissioned), got.Get(stats.Events))
	}
}

// TestStatsQueryErrors: a bad query names its field.
func TestStatsQueryErrors(t *testing.T) {
	e := openTest(t, "")
	for _, c := range []struct {
		q    stats.Query
		want string
	}{
		{stats.Query{Region: 12345, From: 20260101, To: 20260102}, "region 12345"},
		{stats.Query{Region: 620000, From: 20260231, To: 20260301}, "from 20260231"},
		{stats.Query{Region: 620000, From: 20260301, To: 20260201}, "to 2026-02-01 is before from 2026-03-01"},
		{stats.Query{Region: 620000, From: 20200101, To: 20260101}, "spans"},
		{stats.Query{Region: 620000, Category: 99, From: 20260101, To: 20260102}, "category 99"},
	} {
		_, err := e.Statistics().Query(c.q)
		if !errors.Is(err, stats.ErrQuery) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an ErrQuery naming %q", c.q, err, c.want)
		}
	}
}

// TestStatsScans: public scans count at the product's organisation's
// region and category on the scan's business day when the scan log
// flushes, and an item counts once as suspicious when its scans first
// cross the thresholds (three prefectures), however often it is scanned
// afterwards.
func TestStatsScans(t *testing.T) {
	e := openTest(t, "")
	w := newStatsWorld(t, e)
	sl := e.NewScanLog(&scanlog.Options{FlushInterval: time.Hour})
	at := time.Date(2026, 2, 20, 3, 0, 0, 0, time.UTC).UnixMilli()
	for i := range 10 {
		if _, err := sl.Record(scanlog.Scan{Ref: scanlog.Ref{Product: w.prodA.ID, Counter: w.itemsA.Start + uint64(i)}, Time: at, Client: uint32(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	// One item scanned in three prefectures, then twice more.
	for i, region := range []uint32{110101, 310101, 440103, 440103, 110101} {
		if _, err := sl.Record(scanlog.Scan{Ref: scanlog.Ref{Product: w.prodB.ID, Counter: w.itemsB.Start}, Time: at, Region: region, Client: uint32(100 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sl.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := sl.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		region            uint32
		scans, suspicious uint64
	}{{620000, 15, 1}, {620100, 10, 0}, {620102001, 10, 0}, {620500, 5, 1}, {0, 15, 1}} {
		got := statsTotals(t, e, stats.Query{Region: c.region, From: 20260220, To: 20260220})
		if got.Get(stats.Scans) != c.scans || got.Get(stats.Suspicious) != c.suspicious {
			t.Errorf("region %d: scans %d suspicious %d, want %d and %d", c.region, got.Get(stats.Scans), got.Get(stats.Suspicious), c.scans, c.suspicious)
		}
	}
	got := statsTotals(t, e, stats.Query{Org: w.orgB.ID, Category: model.CatFarm, From: 20260220, To: 20260220})
	if got.Get(stats.Scans) != 5 {
		t.Errorf("organisation B's farm scans: %d, want 5", got.Get(stats.Scans))
	}
}

// TestStatsAlerts: an alert a report raises counts at its subject
// organisation's region, in the same batch as the report.
func TestStatsAlerts(t *testing.T) {
	c := newNoticeChain(t)
	case2, item25 := c.code(t, c.cases, 2), c.code(t, c.items, 25)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6905678", case2))
	c.capture(t, c.h.ID, receive("2026-03-01T10:00:00+08:00", case2))
	c.capture(t, c.h.ID, dispense("2026-03-01T11:00:00+08:00", item25))
	c.capture(t, c.h.ID, dispense("2026-03-01T12:00:00+08:00", item25))
	for _, q := range []stats.Query{{Region: 620103}, {Region: 620000}, {Org: c.h.ID}} {
		q.From, q.To = 20260301, 20260301
		got := statsTotals(t, c.e, q)
		if n := got.Get(stats.Alerts); n != 1 {
			t.Errorf("%+v: %d alerts, want 1", q, n)
		}
	}
	other := statsTotals(t, c.e, stats.Query{Region: 620102, From: 20260301, To: 20260301})
	if n := other.Get(stats.Alerts); n != 0 {
		t.Errorf("another county: %d alerts", n)
	}
}
