package alert

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"tracecode/engine/epcis"
	"tracecode/engine/store"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// apply applies facts in one committed batch and returns the alerts raised.
func apply(t *testing.T, x *Evaluator, now int64, fs ...*Fact) []Alert {
	t.Helper()
	b := x.db.NewBatch()
	defer b.Close()
	ev := x.Begin(b, now)
	for _, f := range fs {
		if err := ev.Apply(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	ev.Committed()
	return ev.Raised()
}

func sale(seq uint64, org uint32, items ...Item) *Fact {
	return &Fact{Kind: FactEvent, Seq: seq, Time: 1000 * int64(seq), Org: org, Region: 620102,
		Action: epcis.ActionObserve, BizStep: epcis.BizStepDispensing, Items: items}
}

func TestAlertRoundTrip(t *testing.T) {
	a := Alert{ID: 7, Rule: "drug-sold-twice", Severity: Critical,
		Subject: Subject{Product: 3, Counter: 99, Lot: 4, Org: 5, Recall: 6, Code: "(01)0952…"},
		Region:  620102, Time: 1234, Message: "m", MessageZH: "中",
		Evidence: []Evidence{{Kind: EvRecord, Seq: 10, Note: "first"}, {Kind: EvScan, Seq: 11}},
		State:    Closed, Changes: []Change{{State: Acknowledged, Time: 1, By: "k1"}, {State: Closed, Outcome: Cleared, Time: 2, By: "k2", Note: "ok"}}}
	v := a.AppendBinary(nil)
	got, err := Decode(7, v)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, a)
	}
	if got.Outcome() != Cleared {
		t.Errorf("outcome %v", got.Outcome())
	}
	for n := range len(v) {
		if _, err := Decode(7, v[:n]); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Fatalf("truncated at %d: %v", n, err)
		}
	}
	bad := append([]byte{9}, v[1:]...)
	if _, err := Decode(7, bad); !errors.Is(err, store.ErrVersion) {
		t.Errorf("version 9: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	a := Alert{Rule: "r", Severity: Warning, Subject: Subject{Code: "x"}, State: Open,
		Evidence: []Evidence{{Kind: EvRecord, Seq: 1}}}
	f.Add(a.AppendBinary(nil))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := Decode(1, v)
		if err != nil {
			return
		}
		if again, err := Decode(1, got.AppendBinary(nil)); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-decode: %v %+v %+v", err, again, got)
		}
	})
}

// TestSoldTwice: a drug code dispensed twice raises one critical alert
// routed to the second pharmacy's county, naming both records — within
// one report and across reports; a non-drug code and a first sale raise
// nothing.
func TestSoldTwice(t *testing.T) {
	x, err := New(openDB(t), Config{}, Builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	drug := Item{Product: 1, Counter: 500, Count: 1, Lot: 2, Code: "81234567890123456789", Drug: true}
	food := Item{Product: 2, Counter: 7, Count: 1, Lot: 3, Code: "food"}
	if got := apply(t, x, 1, sale(1, 10, drug, food)); len(got) != 0 {
		t.Fatalf("first sale raised %+v", got)
	}
	if got := apply(t, x, 2, sale(2, 10, food)); len(got) != 0 {
		t.Fatalf("a food code sold twice raised %+v", got)
	}
	got := apply(t, x, 3, sale(3, 11, drug))
	if len(got) != 1 {
		t.Fatalf("second dispensing raised %d alerts", len(got))
	}
	a := got[0]
	if a.Rule != "drug-sold-twice" || a.Severity != Critical || a.Region != 620102 || a.Subject.Org != 11 ||
		a.Subject.Counter != 500 || a.State != Open || len(a.Evidence) != 2 || a.Evidence[0].Seq != 1 || a.Evidence[1].Seq != 3 {
		t.Errorf("alert %+v", a)
	}
	// Twice in one report: the second fact sees the first's mark.
	d2 := drug
	d2.Counter = 501
	if got := apply(t, x, 4, sale(4, 10, d2), sale(5, 10, d2)); len(got) != 1 || got[0].Evidence[0].Seq != 4 {
		t.Fatalf("two dispensings in one report: %+v", got)
	}
	// Stored, visible to the county's and the province's regulators, not
	// to another county's nor to another organisation.
	county := Actor{Region: 620102, By: "reg"}
	if l, err := x.List(county, Filter{Rule: "drug-sold-twice"}); err != nil || len(l) != 2 || l[0].ID <= l[1].ID {
		t.Fatalf("county list: %v %+v", err, l)
	}
	if l, _ := x.List(Actor{Region: 620000}, Filter{}); len(l) != 2 {
		t.Errorf("province sees %d", len(l))
	}
	if l, _ := x.List(Actor{Region: 620103}, Filter{}); len(l) != 0 {
		t.Errorf("another county sees %d", len(l))
	}
	if l, _ := x.List(Actor{Org: 11}, Filter{}); len(l) != 1 {
		t.Errorf("the second seller sees %d", len(l))
	}
	if _, err := x.Get(Actor{Org: 12}, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another org reads the alert: %v", err)
	}
}

// TestAlertLifecycle: the organisation acknowledges, only a regulator
// closes (with a note), a closed alert stays closed; ids survive a
// reopened evaluator.
func TestAlertLifecycle(t *testing.T) {
	db := openDB(t)
	x, err := New(db, Config{}, Builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	got := apply(t, x, 1, &Fact{Kind: FactScan, Time: 5000, Region: 620102, Suspicious: true, Why: "seen in Lanzhou and Urumqi 3 min apart",
		Items: []Item{{Product: 1, Counter: 9, Code: "c"}}})
	if len(got) != 1 || got[0].Rule != "clone-scan" {
		t.Fatalf("clone scan: %+v", got)
	}
	id := got[0].ID
	org := Actor{Org: got[0].Subject.Org}
	reg := Actor{Region: 620100, By: "city"}
	if _, err := x.Acknowledge(Actor{Region: 630000}, id, "", 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("another province acknowledges: %v", err)
	}
	if _, err := x.Acknowledge(reg, id, "looking", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Acknowledge(reg, id, "again", 3); !errors.Is(err, ErrState) {
		t.Errorf("second acknowledgement: %v", err)
	}
	if _, err := x.Close(org, id, Confirmed, "x", 3); err == nil {
		t.Error("an organisation closed an alert")
	}
	if _, err := x.Close(reg, id, Cleared, "", 3); !errors.Is(err, ErrInvalid) {
		t.Errorf("close without a note: %v", err)
	}
	if _, err := x.Close(reg, id, Cleared, "bad\x00note", 3); !errors.Is(err, ErrInvalid) {
		t.Errorf("close with a control character: %v", err)
	}
	a, err := x.Close(reg, id, Confirmed, "cloned labels seized", 4)
	if err != nil || a.State != Closed || a.Outcome() != Confirmed || len(a.Changes) != 2 {
		t.Fatalf("close: %v %+v", err, a)
	}
	if _, err := x.Close(reg, id, Cleared, "again", 5); !errors.Is(err, ErrState) {
		t.Errorf("closing a closed alert: %v", err)
	}
	if l, _ := x.List(reg, Filter{State: Open}); len(l) != 0 {
		t.Errorf("open alerts: %+v", l)
	}
	x2, err := New(db, Config{}, Builtin()...)
	if err != nil {
		t.Fatal(err)
	}
	got = apply(t, x2, 9, &Fact{Kind: FactScan, Time: 5000 + 25*3600*1000, Suspicious: true, Items: []Item{{Product: 1, Counter: 9, OwnerRegion: 620103}}})
	if len(got) != 1 || got[0].ID != id+1 || got[0].Region != 620103 {
		t.Fatalf("after reopen: %+v", got)
	}
}

// TestCloneScanWindow: a cloned code scanned again within the window adds
// no alert; after it, one more.
func TestCloneScanWindow(t *testing.T) {
	x, _ := New(openDB(t), Config{CloneMarkWindow: time.Hour}, Builtin()...)
	scan := func(at int64) int {
		return len(apply(t, x, at, &Fact{Kind: FactScan, Time: at, Region: 620102, Suspicious: true, Items: []Item{{Product: 1, Counter: 1}}}))
	}
	if scan(0) != 1 || scan(1000) != 0 || scan(3599_000) != 0 || scan(3600_000) != 1 {
		t.Error("clone alerts not merged within the window")
	}
	if n := len(apply(t, x, 1, &Fact{Kind: FactScan, Time: 1, Items: []Item{{Product: 1, Counter: 2}}})); n != 0 {
		t.Errorf("a scan that is not suspicious raised %d", n)
	}
}

// TestTradeRules: expiry (with grace), recalled and held lots, shipments
// to unregistered parties and receipts by the wrong organisation.
func TestTradeRules(t *testing.T) {
	x, _ := New(openDB(t), Config{ExpiryGrace: time.Second}, Builtin()...)
	exp := Item{Product: 1, Counter: 1, Count: 10, Lot: 5, Code: "a", Expiry: 10_000}
	f := sale(11, 3, exp) // time 11,000: within the grace
	if got := apply(t, x, 1, f); len(got) != 0 {
		t.Fatalf("sale within grace: %+v", got)
	}
	f = sale(12, 3, exp, exp) // two runs of one lot: one alert
	if got := apply(t, x, 1, f); len(got) != 1 || got[0].Rule != "traded-expired" || got[0].Subject.Lot != 5 {
		t.Fatalf("expired sale: %+v", got)
	}
	rec := Item{Product: 1, Counter: 20, Count: 1, Lot: 6, Code: "b", Recall: 4, Held: true}
	f = sale(1, 3, rec)
	f.BizStep = epcis.BizStepShipping
	f.Dests = []Party{{Type: "owning_party", ID: "urn:epc:id:pgln:9520000.00001", Org: 9}}
	rules := map[string]bool{}
	for _, a := range apply(t, x, 1, f) {
		rules[a.Rule] = true
	}
	if !rules["traded-recalled"] || !rules["traded-held"] || rules["shipped-unregistered"] || len(rules) != 2 {
		t.Errorf("shipping a recalled, held lot: %v", rules)
	}
	f.Items = []Item{{Product: 1, Counter: 30}}
	f.Dests[0].Org = 0
	if got := apply(t, x, 1, f); len(got) != 1 || got[0].Rule != "shipped-unregistered" || !strings.Contains(got[0].Message, "pgln") {
		t.Errorf("shipment to nobody registered: %+v", got)
	}
	f = &Fact{Kind: FactEvent, Seq: 40, Org: 7, BizStep: epcis.BizStepReceiving, Items: []Item{{Product: 1, Counter: 30, Pending: 8}}}
	if got := apply(t, x, 1, f); len(got) != 1 || got[0].Rule != "received-by-other" || got[0].Subject.Org != 7 {
		t.Errorf("received by another: %+v", got)
	}
	f.Org = 8
	if got := apply(t, x, 1, f); len(got) != 0 {
		t.Errorf("received by its destination: %+v", got)
	}
}

// TestRecallOverdue: a recall's deadlines are scheduled when it is
// created; the recipient that acknowledges is cancelled, the other
// raises an alert when the scheduler fires at its deadline — and not
// before; the finish deadline fires for the producer.
func TestRecallOverdue(t *testing.T) {
	db := openDB(t)
	x, _ := New(db, Config{}, Builtin()...)
	clock := time.UnixMilli(0)
	s := x.NewScheduler(func() time.Time { return clock }, nil)
	day := int64(24 * 3600 * 1000)
	apply(t, x, 0, &Fact{Kind: FactRecall, Recall: &RecallFact{ID: 3, Step: RecallCreated, Org: 1, Region: 620100, Lot: 9,
		Recipients: []RecallParty{{Org: 20, Region: 620102, AckBy: day}, {Org: 21, Region: 620103, AckBy: day}}, FinishBy: 10 * day}})
	apply(t, x, 1, &Fact{Kind: FactRecall, Recall: &RecallFact{ID: 3, Step: RecallAcked, Org: 20}})
	clock = time.UnixMilli(day - 1)
	next, err := s.FireDue()
	if err != nil || next != day {
		t.Fatalf("before the deadline: next %d, %v", next, err)
	}
	if l, _ := x.List(Actor{Operator: true}, Filter{}); len(l) != 0 {
		t.Fatalf("alerts before the deadline: %+v", l)
	}
	clock = time.UnixMilli(day)
	if next, err = s.FireDue(); err != nil || next != 10*day {
		t.Fatalf("at the deadline: next %d, %v", next, err)
	}
	l, _ := x.List(Actor{Operator: true}, Filter{Rule: "recall-overdue"})
	if len(l) != 1 || l[0].Subject.Org != 21 || l[0].Region != 620103 || l[0].Subject.Recall != 3 || l[0].Subject.Lot != 9 {
		t.Fatalf("overdue: %+v", l)
	}
	clock = time.UnixMilli(11 * day)
	if next, err = s.FireDue(); err != nil || next != 1<<63-1 {
		t.Fatalf("finish: next %d, %v", next, err)
	}
	l, _ = x.List(Actor{Region: 620100}, Filter{Rule: "recall-overdue"})
	if len(l) != 2 || l[0].Subject.Org != 1 || !strings.Contains(l[0].Message, "not finished") {
		t.Fatalf("finish overdue: %+v", l)
	}
	// A closed recall cancels what is left.
	apply(t, x, 2, &Fact{Kind: FactRecall, Recall: &RecallFact{ID: 4, Step: RecallCreated, Recipients: []RecallParty{{Org: 20, AckBy: 12 * day}}, FinishBy: 13 * day}})
	apply(t, x, 3, &Fact{Kind: FactRecall, Recall: &RecallFact{ID: 4, Step: RecallClosed, Recipients: []RecallParty{{Org: 20}}}})
	clock = time.UnixMilli(20 * day)
	if next, err = s.FireDue(); err != nil || next != 1<<63-1 {
		t.Fatalf("closed recall: next %d, %v", next, err)
	}
	if l, _ := x.List(Actor{Operator: true}, Filter{}); len(l) != 2 {
		t.Errorf("a closed recall's deadlines fired: %d alerts", len(l))
	}
}

func TestNewRefusesDuplicateRules(t *testing.T) {
	if _, err := New(openDB(t), Config{}, SoldTwice{}, SoldTwice{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate rule: %v", err)
	}
}

func TestRegionPath(t *testing.T) {
	if got := RegionPath(620102); !reflect.DeepEqual(got, []uint32{620102, 620100, 620000}) {
		t.Errorf("RegionPath(620102) = %v", got)
	}
	if !Covers(620000, 620102) || Covers(620102, 620000) || Covers(0, 0) {
		t.Error("Covers")
	}
}
