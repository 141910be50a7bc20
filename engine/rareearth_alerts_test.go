package engine

import (
	"context"
	"strings"
	"testing"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// addRareEarth gives the sector alert world a rare-earth product of
// organisation A with two codes commissioned: each is one enterprise's
// register (its flow's events go on it).
func (w *sectorAlertWorld) addRareEarth() {
	w.t.Helper()
	ctx := context.Background()
	pr, err := w.e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: w.orgA, GTIN: gtinOf("952012310099"), GCPLength: 7,
		NameZH: "混合稀土精矿", Category: ParseCategoryMust("rare-earth")})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: w.orgA, Product: pr.ID, Profile: "rare-earth",
		Fields: category.Record{"form": "concentrate", "catalogue_name": "稀土精矿"}}); err != nil {
		w.t.Fatal(err)
	}
	blk := mint(w.t, w.e, issue.MintRequest{Product: pr.ID, Level: model.LevelItem, Count: 2}).Block
	w.commission(blk, 0, 1)
	w.blocks["rare-earth"] = blk
	w.register("rare-earth", 0, category.Record{})
	w.register("rare-earth", 1, category.Record{})
}

// TestRareEarthReportMissing: the alert scheduler, on a fake clock,
// watches a mine's monthly flow report. March's report filed on 8 April
// raises nothing on the 11th; April's, not filed, raises nothing on 10
// May and one warning at midnight starting 11 May — the due date is in
// the store, so a restart in between keeps it, and firing again does not
// raise it twice; filing April's report late (13 May) closes the alert
// as resolved, by the rule, naming the filing. May's report missing
// raises a new alert on 11 June.
func TestRareEarthReportMissing(t *testing.T) {
	w := newSectorAlertWorld(t)
	w.addRareEarth()
	const rule = "rare-earth-report-missing"
	mine := func(m, d int) {
		t.Helper()
		if err := w.event("rare-earth", 0, w.day(m, d, 9), "mine", map[string]string{"mass_t": "120", "reo_pct": "50", "quota_ref": "甘-003"}); err != nil {
			t.Fatal(err)
		}
	}
	report := func(month string, m, d int) {
		t.Helper()
		if err := w.event("rare-earth", 0, w.day(m, d, 10), "monthly-report", map[string]string{"month": month}); err != nil {
			t.Fatalf("report %s: %v", month, err)
		}
	}
	mine(3, 2)
	report("2026-03", 4, 8)
	mine(4, 3)
	w.set(w.day(4, 11, 0))
	w.fire()
	if got := w.alerts(rule); len(got) != 0 {
		t.Fatalf("March was reported on the 8th: %+v", got)
	}
	w.set(w.day(5, 10, 23))
	w.fire()
	if got := w.alerts(rule); len(got) != 0 {
		t.Fatalf("raised before April's deadline: %+v", got)
	}
	dir := w.e.db.Dir()
	if err := w.e.Close(); err != nil {
		t.Fatal(err)
	}
	w.e = openSectorAlerts(t, dir, w.clock)
	w.set(w.day(5, 11, 0))
	w.fire()
	w.set(w.day(5, 12, 9))
	w.fire()
	got := w.alerts(rule)
	if len(got) != 1 || got[0].State != alert.Open || got[0].Region != 620502 || got[0].Severity != alert.Warning ||
		got[0].Time != w.day(5, 11, 0).UnixMilli() || !strings.Contains(got[0].Message, "2026-04") || !strings.Contains(got[0].Message, "2026-05-10") {
		t.Fatalf("April's report missing: %+v", got)
	}
	if got[0].Subject.Code == "" || got[0].Subject.Product == 0 {
		t.Errorf("subject: %+v", got[0].Subject)
	}

	// Filed late: the alert closes, resolved by the rule.
	report("2026-04", 5, 13)
	got = w.alerts(rule)
	if len(got) != 1 || got[0].State != alert.Closed || got[0].Outcome() != alert.Resolved || len(got[0].Changes) != 1 ||
		got[0].Changes[0].By != "rule "+rule || !strings.Contains(got[0].Changes[0].Note, "2026-04 report was filed on 2026-05-13") ||
		got[0].Changes[0].Time != w.day(5, 13, 10).UnixMilli() {
		t.Fatalf("after the late report: %+v", got)
	}
	// Another report (here May's, filed early enough) closes nothing more.
	mine(5, 14)
	w.set(w.day(6, 11, 0))
	w.fire()
	got = w.alerts(rule)
	if len(got) != 2 || got[0].State != alert.Closed || got[1].State != alert.Open || !strings.Contains(got[1].Message, "2026-05") {
		t.Fatalf("May's report missing: %+v", got)
	}
	report("2026-05", 6, 20)
	if got = w.alerts(rule); got[1].State != alert.Closed || got[0].Changes[0].Time != w.day(5, 13, 10).UnixMilli() {
		t.Fatalf("after May's late report: %+v", got)
	}
	// The other register, with no event, was never watched.
	for _, a := range w.alerts(rule) {
		if a.Subject.Counter != got[0].Subject.Counter {
			t.Errorf("an alert about an enterprise with no flow: %+v", a)
		}
	}
}

// TestRareEarthMassImbalance: a plant's monthly report judges the month's
// REO balance at capture. April is off by 1 t of REO, inside the 1 %
// tolerance of the 150 t available: no alert. May is off by 45 t (1.7
// allowed): one critical alert, routed to the producer's county, with the
// report as evidence and the figures in its message.
func TestRareEarthMassImbalance(t *testing.T) {
	w := newSectorAlertWorld(t)
	w.addRareEarth()
	const rule = "rare-earth-mass-imbalance"
	type step struct {
		m, d   int
		kind   string
		fields map[string]string
	}
	record := func(steps ...step) {
		t.Helper()
		for _, s := range steps {
			if err := w.event("rare-earth", 1, w.day(s.m, s.d, 12), s.kind, s.fields); err != nil {
				t.Fatalf("%s on %d-%d: %v", s.kind, s.m, s.d, err)
			}
		}
	}
	record(
		step{3, 31, "stock", map[string]string{"mass_t": "100", "reo_pct": "50"}},                                          // 50 t REO
		step{4, 3, "mine", map[string]string{"mass_t": "200", "reo_pct": "50", "quota_ref": "甘-003"}},                      // +100
		step{4, 14, "sale", map[string]string{"mass_t": "60", "reo_pct": "50", "invoice_no": "62001233", "buyer": "包头磁材"}}, // −30
		step{4, 30, "stock", map[string]string{"mass_t": "238", "reo_pct": "50"}},                                          // 119: off by 1
		step{5, 5, "monthly-report", map[string]string{"month": "2026-04"}})
	if got := w.alerts(rule); len(got) != 0 {
		t.Fatalf("April within the tolerance: %+v", got)
	}
	record(
		step{5, 3, "mine", map[string]string{"mass_t": "100", "reo_pct": "50", "quota_ref": "甘-003"}}, // +50: 169 expected
		step{5, 31, "stock", map[string]string{"mass_t": "248", "reo_pct": "50"}},                     // 124 on hand
		step{6, 5, "monthly-report", map[string]string{"month": "2026-05"}})
	got := w.alerts(rule)
	if len(got) != 1 || got[0].Severity != alert.Critical || got[0].Region != 620502 || len(got[0].Evidence) != 1 ||
		got[0].Message != "2026-05 REO balance off by 45.000 t (allowed 1.690)" {
		t.Fatalf("May's imbalance: %+v", got)
	}
}
