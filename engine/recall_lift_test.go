package engine

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// TestLiftRecall: a lifted recall no longer decides the status of the
// code, its contents or its lot's items; both records stay on the
// timeline; a lift of what is not recalled, or of another organisation's
// recall, is refused per code and writes nothing.
func TestLiftRecall(t *testing.T) {
	f := supply(t)
	case1, item13, item3 := f.code(f.cases, 1), f.code(f.items, 13), f.code(f.items, 3)
	m := f.meta(f.orgA)
	m.Time = testClock.Add(-2 * time.Hour)
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: m, Items: chain.Items{Codes: []string{case1}}, Reason: "seal"}); err != nil {
		t.Fatal(err)
	}
	status := func(code string) resolve.Status {
		t.Helper()
		c, err := f.e.Resolve(code)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	if s := status(item13); s != resolve.StatusRecalled {
		t.Fatalf("item in a recalled case: %v", s)
	}
	// Refusals: an item never recalled, another organisation lifting,
	// and no reason. Nothing is applied.
	m.Time = testClock.Add(-time.Hour)
	_, err := f.e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: m, Items: chain.Items{Codes: []string{item3}}, Reason: "x"})
	wantErrs(t, err, ie{chain.ErrNotRecalled, item3})
	mb := f.meta(f.orgB)
	_, err = f.e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: mb, Items: chain.Items{Codes: []string{case1}}, Reason: "x"})
	wantErrs(t, err, ie{model.ErrWrongOrg, case1})
	_, err = f.e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: m, Items: chain.Items{Codes: []string{case1}}})
	wantErrs(t, err, ie{model.ErrInvalid, ""})
	if s := status(item13); s != resolve.StatusRecalled {
		t.Fatalf("after refused lifts: %v", s)
	}
	rec, err := f.e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: m, Items: chain.Items{Codes: []string{case1}}, Reason: "seal intact after inspection", Regulator: "SAMR Zhejiang"})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{case1, item13, f.code(f.pallets, 0)} {
		if s := status(code); s != resolve.StatusActive {
			t.Errorf("%s after the lift: %v", code, s)
		}
	}
	c, _ := f.e.Resolve(item13)
	var kinds []string
	for _, en := range c.Timeline {
		kinds = append(kinds, en.Event.Kind.String())
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "recall recall-lift") {
		t.Errorf("timeline kinds %q lack the recall and its lift", got)
	}
	ts, err := f.e.tr()
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := ts.Ledger().Summary(rec.FirstSeq)
	if s.Credential != "regulator:SAMR Zhejiang" || s.Kind != ledger.KindRecallLift {
		t.Errorf("lift record: %+v", s)
	}
	// A lot recall and its lift, by EPCIS (persistentDisposition unset).
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: m, Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}}); err != nil {
		t.Fatal(err)
	}
	if s := status(item3); s != resolve.StatusRecalled {
		t.Fatalf("lot recall: %v", s)
	}
	lift := (`{"type":"ObjectEvent","eventTime":"2026-03-01T07:30:00Z","eventTimeZoneOffset":"+00:00","epcList":[],
"quantityList":[{"epcClass":"urn:epc:class:lgtin:9520123.045678.L1"}],"action":"OBSERVE","persistentDisposition":{"unset":["recalled"]}}`)
	if _, err := f.capture(f.orgB, doc(lift)); err == nil {
		t.Fatal("another organisation lifted the lot's recall")
	}
	if _, err := f.capture(f.orgA, doc(lift)); err != nil {
		t.Fatal(err)
	}
	if s := status(item3); s != resolve.StatusActive {
		t.Errorf("after the lot's lift: %v", s)
	}
	if _, err := f.capture(f.orgA, doc(strings.Replace(lift, "07:30", "07:31", 1))); err == nil {
		t.Error("lifting a lot that is not recalled was accepted")
	}
	// Reopened: the marks are reloaded from the store.
	f.e = reopen(t, f.e)
	if s := status(item3); s != resolve.StatusActive {
		t.Errorf("after reopening: %v", s)
	}
}
