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

func (s source) CategoryFacts(profile string, f *alert.Fact) (*category.History, *category.Event, alert.Subject, uint32, bool) {
	if profile != "gas-cylinder" {
		return nil, nil, alert.Subject{}, 0, false
	}
	e := &s.h.Events[len(s.h.Events)-1]
	return s.h, e, alert.Subject{Product: 1, Counter: 9, Code: s.h.Item.Get("reg_code")}, 620502, true
}

// TestAlertRulesRaise: every profile rule runs in the alert evaluator
// beside the built-in rules, and a cylinder filled despite the interlock
// raises a critical alert routed to its division, with the record as
// evidence.
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
	rules := append(alert.Builtin(), category.AlertRules(source{h})...)
	x, err := alert.New(db, alert.Config{}, rules...)
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	defer b.Close()
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
	if _, ok := got["cylinder-inspection-overdue"]; !ok {
		t.Errorf("the overdue rule did not raise: %+v", ev.Raised())
	}
	if len(got) != 2 {
		t.Errorf("%d rules raised, want 2: %v", len(got), got)
	}
}
