package rareearth

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

var cst = time.FixedZone("CST", 8*3600)

func ev(kind, day string, f category.Record) category.Event {
	t, err := time.ParseInLocation("2006-01-02", day, cst)
	if err != nil {
		panic(err)
	}
	return category.Event{Kind: kind, Time: t.Add(10 * time.Hour), Fields: f}
}

// month is an enterprise's October: 100 t REO on hand, 50 t mined,
// separation losing 2 t, 60 t sold, 20 t exported, 68 t on hand at the end.
func month() []category.Event {
	return []category.Event{
		ev("stock", "2026-09-30", category.Record{"mass_t": "200", "reo_pct": "50"}),
		ev("mine", "2026-10-05", category.Record{"mass_t": "1000", "reo_pct": "5", "quota_ref": "工信部原〔2026〕12号"}),
		ev("process", "2026-10-10", category.Record{"step": "separation", "in_mass_t": "100", "in_reo_pct": "40", "out_mass_t": "40", "out_reo_pct": "95"}),
		ev("sale", "2026-10-15", category.Record{"mass_t": "60", "reo_pct": "100", "invoice_no": "FP-1", "buyer": "某磁材公司"}),
		ev("export", "2026-10-20", category.Record{"mass_t": "20", "reo_pct": "100", "declaration_no": "620120261000001"}),
		ev("stock", "2026-10-31", category.Record{"mass_t": "136", "reo_pct": "50"}),
	}
}

func TestMassBalance(t *testing.T) {
	p := New(Config{})
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	b := p.MassBalance(month(), time.Date(2026, 10, 15, 0, 0, 0, 0, cst))
	if !b.Complete || !b.OK || b.Imbalance > 1e-9 || b.Imbalance < -1e-9 || b.ProcessLoss != 2 || b.Allowed != 1.5 {
		t.Fatalf("balanced month: %+v", b)
	}
	if got := string(b.AppendCSV(nil)); !strings.Contains(got, "2026-10,100.000,50.000,0.000,60.000,20.000,2.000,68.000,0.000,1.500,true,true") {
		t.Errorf("csv: %s", got)
	}
	// 5 t REO unaccounted for: the report raises.
	evs := month()
	evs[5].Fields["mass_t"] = "126"
	h := &category.History{Events: evs}
	rep := ev("monthly-report", "2026-11-05", category.Record{"month": "2026-10"})
	if err := category.ValidateEvent(p, h, &rep); err != nil {
		t.Fatal(err)
	}
	fs := category.Evaluate(p, h, &rep, rep.Time)
	if len(fs) != 1 || fs[0].Rule != "rare-earth-mass-imbalance" || fs[0].Message.EN != "2026-10 REO balance off by 5.000 t (allowed 1.500)" {
		t.Fatalf("imbalance: %+v", fs)
	}
	// Without a closing stock check the month cannot be judged.
	h.Events = evs[:5]
	if fs := category.Evaluate(p, h, &rep, rep.Time); len(fs) != 1 || !strings.Contains(fs[0].Message.EN, "cannot be judged") {
		t.Fatalf("incomplete: %+v", fs)
	}
	bad := ev("process", "2026-10-11", category.Record{"step": "smelting", "in_mass_t": "10", "in_reo_pct": "90", "out_mass_t": "10", "out_reo_pct": "99"})
	if err := category.ValidateEvent(p, h, &bad); err == nil || !strings.Contains(err.Error(), "more than it took in") {
		t.Errorf("process gaining REO: %v", err)
	}
	early := ev("monthly-report", "2026-10-20", category.Record{"month": "2026-10"})
	if err := category.ValidateEvent(p, h, &early); err == nil || !strings.Contains(err.Error(), "has not ended") {
		t.Errorf("report before the month ended: %v", err)
	}
}

func TestReportDue(t *testing.T) {
	p := New(Config{})
	h := &category.History{Events: month()}
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, cst); return t }
	if fs := category.Evaluate(p, h, nil, at("2026-11-10 23:59")); len(fs) != 1 || !strings.Contains(fs[0].Message.EN, "2026-09 rare-earth flow report") {
		// On 10 November the October report is not yet late; September's is.
		t.Fatalf("on the 10th: %+v", fs)
	}
	h.Events = append(h.Events, ev("monthly-report", "2026-10-09", category.Record{"month": "2026-09"}))
	if fs := category.Evaluate(p, h, nil, at("2026-11-10 23:59")); len(fs) != 0 {
		t.Fatalf("September filed: %+v", fs)
	}
	fs := category.Evaluate(p, h, nil, at("2026-11-11 00:00"))
	if len(fs) != 1 || fs[0].Message.EN != "the 2026-10 rare-earth flow report was not filed by 2026-11-10" {
		t.Fatalf("on the 11th: %+v", fs)
	}
	h.Events = append(h.Events, ev("monthly-report", "2026-11-08", category.Record{"month": "2026-10"}))
	if fs := category.Evaluate(p, h, nil, at("2026-11-11 00:00")); len(fs) != 0 {
		t.Fatalf("October filed on the 8th: %+v", fs)
	}
}

// TestFacts: the scan page shows the catalogue name, the form, the mining
// quota and the last report to anyone; the special invoice and the customs
// declaration only to those who see private facts.
func TestFacts(t *testing.T) {
	p := New(Config{})
	h := &category.History{Product: category.Record{"form": "separated-oxide", "catalogue_name": "氧化镨钕"},
		Events: append(month(), ev("monthly-report", "2026-11-05", category.Record{"month": "2026-10"}))}
	got := map[string]category.Fact{}
	for _, f := range p.Facts(h, time.Date(2026, 11, 6, 0, 0, 0, 0, cst)) {
		got[f.Key] = f
	}
	for k, want := range map[string]struct {
		zh, en string
		public bool
	}{
		"catalogue_name": {"氧化镨钕", "氧化镨钕", true},
		"form":           {"单一或分离氧化物", "separated-oxide", true},
		"quota_ref":      {"工信部原〔2026〕12号", "工信部原〔2026〕12号", true},
		"last_report":    {"2026-10", "2026-10", true},
		"invoice_no":     {"FP-1", "FP-1", false},
		"declaration_no": {"620120261000001", "620120261000001", false},
	} {
		f, ok := got[k]
		if !ok || f.Value.ZH != want.zh || f.Value.EN != want.en || f.Public != want.public || f.Label.ZH == "" || f.Label.EN == "" {
			t.Errorf("fact %s = %+v, want %+v", k, f, want)
		}
	}
}

// TestReportNextDue: an enterprise is watched from the month of its
// first event — the first deadline is that month's (the 11th of the next
// month, midnight), never an earlier month's; a month reported in time is
// skipped; a report filed late clears the alert of its deadline.
func TestReportNextDue(t *testing.T) {
	p := New(Config{})
	var r reportMissing
	for _, rule := range p.Rules() {
		if x, ok := rule.(reportMissing); ok {
			r = x
		}
	}
	at := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, cst); return t }
	h := &category.History{}
	if _, ok := r.NextDue(h, time.Time{}, cst); ok {
		t.Fatal("an enterprise with no event is watched")
	}
	h.Events = month() // from 30 September
	if d, ok := r.NextDue(h, time.Time{}, cst); !ok || !d.Equal(at("2026-10-11 00:00")) {
		t.Fatalf("first due: %v %v, want September's deadline", d, ok)
	}
	h.Events = h.Events[1:] // from 5 October
	if d, ok := r.NextDue(h, time.Time{}, cst); !ok || !d.Equal(at("2026-11-11 00:00")) {
		t.Fatalf("first due: %v %v, want October's deadline", d, ok)
	}
	h.Events = append(h.Events, ev("monthly-report", "2026-11-09", category.Record{"month": "2026-10"}))
	if d, ok := r.NextDue(h, at("2026-11-09 12:00"), cst); !ok || !d.Equal(at("2026-12-11 00:00")) {
		t.Fatalf("after October's report: %v %v", d, ok)
	}
	if _, ok := r.Cleared(h, at("2026-12-11 00:00")); ok {
		t.Fatal("November's alert cleared by October's report")
	}
	h.Events = append(h.Events, ev("monthly-report", "2026-12-14", category.Record{"month": "2026-11"}))
	if note, ok := r.Cleared(h, at("2026-12-11 00:00")); !ok || !strings.Contains(note, "2026-11 report was filed on 2026-12-14") {
		t.Fatalf("late report: %q %v", note, ok)
	}
}
