package all

import (
	"testing"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/category/cylinder"
	"tracecode/engine/store"
)

// source serves one cylinder's history for any fact.
type source struct{ h *category.History }

func (s source) CategoryTarget(profile string, f *alert.Fact) (category.Target, bool) {
	if profile != "gas-cylinder" {
		return category.Target{}, false
	}
	t := category.Target{Before: s.h, After: s.h, Subject: alert.Subject{Product: 1, Counter: 9, Code: s.h.Item.Get("reg_code")},
		Region: 620502, Key: []byte("cyl-9")}
	if f.Kind == alert.FactEvent {
		t.Event = &s.h.Events[len(s.h.Events)-1]
	}
	return t, true
}

// TestAlertRulesRaise: every profile rule runs in the alert evaluator
// beside the built-in rules; a cylinder filled despite the interlock
// raises a critical alert routed to its division, with the record as
// evidence; the overdue inspection is not raised by the event but
// scheduled, and raised once when the scheduler's clock reaches it.
func TestAlertRulesRaise(t *testing.T) {
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cst := time.FixedZone("CST", 8*3600)
	fill := category.Event{Kind: "fill", Time: time.Date(2026, 12, 7, 9, 0, 0, 0, cst), Fields: category.Record{
		"station": "91350100M000100Y43", "operator": "张三", "precheck": "pass", "postcheck": "pass"}}
	h := &category.History{
		Product: category.Record{"variety": "seamless"},
		Item: category.Record{"reg_code": "162001000123", "medium": "O2", "made": "2018-01-01", "filler": "91350100M000100Y43",
			"last_inspection": "2021-01-01"},
		Inputs: map[string]category.Record{cylinder.StationKey("91350100M000100Y43"): {"media": "O2"}},
		Events: []category.Event{fill},
	}
	rules := append(alert.Builtin(), category.AlertRules(source{h}, cst)...)
	x, err := alert.New(db, alert.Config{}, rules...)
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	ev := x.Begin(b, fill.Time.UnixMilli())
	if err := ev.Apply(&alert.Fact{Kind: alert.FactEvent, Time: fill.Time.UnixMilli(), Seq: 77}); err != nil {
		t.Fatal(err)
	}
	got := map[string]alert.Alert{}
	for _, a := range ev.Raised() {
		got[a.Rule] = a
	}
	a, ok := got["cylinder-filled-despite-interlock"]
	if !ok || a.Severity != alert.Critical || a.Region != 620502 || a.Subject.Code != "162001000123" ||
		len(a.Evidence) != 1 || a.Evidence[0].Seq != 77 || a.MessageZH == "" {
		t.Fatalf("raised %+v", ev.Raised())
	}
	if len(got) != 1 {
		t.Errorf("%d rules raised on the event, want 1: %v", len(got), got)
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	b.Close()

	// The inspection was due 2026-01-01 (O2: 5 years): the scheduler
	// fires the entry the event left, once.
	clock := fill.Time
	sch := x.NewScheduler(func() time.Time { return clock }, nil)
	for range 2 {
		if _, err := sch.FireDue(); err != nil {
			t.Fatal(err)
		}
	}
	var overdue []alert.Alert
	all, err := x.List(alert.Actor{Operator: true}, alert.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if a.Rule == "cylinder-inspection-overdue" {
			overdue = append(overdue, a)
		}
	}
	if len(overdue) != 1 || overdue[0].Region != 620502 || overdue[0].Subject.Code != "162001000123" {
		t.Fatalf("overdue alerts %+v", overdue)
	}
}
