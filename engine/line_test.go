package engine

import (
	"errors"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

func TestLineReportCommissionVoid(t *testing.T) {
	f := newFixture(t)
	e := f.e
	rec := f.commission(f.items, 0, 499)
	if rec.Records != 1 || rec.Codes != 500 {
		t.Fatalf("receipt %+v, want one record for 500 codes", rec)
	}
	ts, _ := e.tr()
	for _, c := range []struct {
		off  uint64
		want bool
	}{{0, true}, {499, true}, {500, false}, {999, false}} {
		st, err := ts.Items().State(f.items.ID, c.off)
		if err != nil || st.Has(itemstate.Commissioned) != c.want {
			t.Errorf("offset %d: state %v %v, want commissioned %v", c.off, st, err, c.want)
		}
	}
	// Void two listed codes of the uncommissioned rest.
	_, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineVoid,
		Items: chain.Items{Codes: []string{f.code(f.items, 600), f.code(f.items, 601)}}})
	if err != nil {
		t.Fatal(err)
	}
	// A report with errors applies nothing, and names every offender.
	mixed := &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission, Items: chain.Items{
		Ranges: []chain.BlockRange{{Block: f.items.ID, First: 495, Last: 505}},
		Codes: []string{f.code(f.items, 600), f.code(f.itemsB, 3), f.code(f.items, 700),
			"https://id.gs1.org/01/09520123456788/21/A000000000000", f.code(f.items, 700)},
	}}
	_, err = e.Reports().ReportLine(t.Context(), mixed)
	wantErrs(t, err,
		ie{model.ErrNeverIssued, "A000000000000"},
		ie{chain.ErrDuplicate, f.code(f.items, 700)},
		ie{model.ErrWrongOrg, f.code(f.itemsB, 3)},
		ie{chain.ErrItemVoided, f.code(f.items, 600)},
		ie{chain.ErrCommissioned, "offset 495"}, ie{chain.ErrCommissioned, "offset 496"}, ie{chain.ErrCommissioned, "offset 497"},
		ie{chain.ErrCommissioned, "offset 498"}, ie{chain.ErrCommissioned, "offset 499"},
	)
	if st, _ := ts.Items().State(f.items.ID, 700); st.Has(itemstate.Commissioned) {
		t.Fatal("a rejected report commissioned a code")
	}
	// Voiding a commissioned code is refused.
	_, err = e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineVoid,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 10, Last: 10}}}})
	wantErrs(t, err, ie{chain.ErrCommissioned, "offset 10"})
}

func TestReleaseRest(t *testing.T) {
	f := newFixture(t)
	e := f.e
	f.commission(f.items, 0, 799)
	// Releasing printed codes is refused per code.
	_, err := e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, From: 798})
	wantErrs(t, err, ie{chain.ErrCommissioned, "offset 798"}, ie{chain.ErrCommissioned, "offset 799"})
	rec, err := e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, From: 800, Note: "shift end"})
	if err != nil || rec.Codes != 200 {
		t.Fatalf("release: %+v %v", rec, err)
	}
	b, _ := e.Issuance().Block(f.items.ID)
	if b.ReleasedFrom() != 800 || b.Note != "shift end" {
		t.Fatalf("block after release: released from %d, note %q", b.ReleasedFrom(), b.Note)
	}
	if _, err := e.Issuance().Lookup(f.code(f.items, 900)); !errors.Is(err, model.ErrReleased) {
		t.Fatalf("lookup of a released code: %v", err)
	}
	// Commissioning released codes is refused.
	_, err = e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 800, Last: 801}}}})
	wantErrs(t, err, ie{model.ErrReleased, "offset 800"})
	// Another organisation cannot release the block.
	_, err = e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: f.meta(f.orgB), Block: f.items.ID, From: 0})
	wantErrs(t, err, ie{model.ErrWrongOrg, ""})
	f.e = reopen(t, e)
	b, _ = f.e.Issuance().Block(f.items.ID)
	if b.ReleasedFrom() != 800 {
		t.Fatalf("release lost on reopen")
	}
}

func TestRequestIDReplay(t *testing.T) {
	f := newFixture(t)
	r := &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 0, Last: 9}}}}
	r.RequestID = "line-3/0001"
	first, err := f.e.Reports().ReportLine(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.e.Reports().ReportLine(t.Context(), r)
	if err != nil || !again.Replayed || again.FirstSeq != first.FirstSeq {
		t.Fatalf("retry: %+v %v, want replay of %+v", again, err, first)
	}
}

func TestFutureTimeRefused(t *testing.T) {
	f := newFixture(t)
	m := f.meta(f.orgA)
	m.Time = testClock.Add(chain.MaxFutureSkew + 1e9)
	_, err := f.e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: m, Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 0, Last: 9}}}})
	wantErrs(t, err, ie{chain.ErrFuture, ""})
}

// TestReleaseVoidPrintedShipped: a block holding a printed item that was
// shipped can be neither released from before the item nor voided; the
// item keeps resolving as shipped, and Verify stays clean (the fixture
// checks it at the end). An unprinted block voids with a ledger record.
func TestReleaseVoidPrintedShipped(t *testing.T) {
	f := newFixture(t)
	e := f.e
	f.commission(f.items, 5, 5)
	if _, err := f.capture(f.orgA, doc(shipToB("2026-02-28T20:00:00+08:00", f.code(f.items, 5)))); err != nil {
		t.Fatal(err)
	}
	before := dump(t, e)
	_, err := e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, From: 0, Note: "line stopped"})
	wantErrs(t, err, ie{chain.ErrCommissioned, "offset 5"})
	_, err = e.Reports().VoidBlock(t.Context(), &chain.VoidReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, Note: "roll lost"})
	wantErrs(t, err, ie{chain.ErrCommissioned, "offset 5"})
	_, err = e.Reports().VoidBlock(t.Context(), &chain.VoidReport{ReportMeta: f.meta(f.orgB), Block: f.cases.ID})
	wantErrs(t, err, ie{model.ErrWrongOrg, ""})
	if after := dump(t, e); after != before {
		t.Fatal("a refused release or void wrote to the store")
	}
	c, err := e.Resolve(f.code(f.items, 5))
	if err != nil || c.Status != resolve.StatusInTransit {
		t.Fatalf("shipped item after refused release and void: %v %v (%s)", c.Status, err, c.Reason)
	}
	// The rest of the block after the item releases; a block with nothing
	// printed voids, each with a ledger record.
	rec, err := e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, From: 6})
	if err != nil || rec.Records != 1 || rec.Codes != 994 {
		t.Fatalf("release after the item: %+v %v", rec, err)
	}
	rec, err = e.Reports().VoidBlock(t.Context(), &chain.VoidReport{ReportMeta: f.meta(f.orgA), Block: f.cases.ID, Note: "roll lost"})
	if err != nil || rec.Records != 1 || rec.Codes != f.cases.Count {
		t.Fatalf("void: %+v %v", rec, err)
	}
	ts, _ := e.tr()
	if s, found, err := ts.Ledger().Summary(rec.FirstSeq); err != nil || !found || s.Kind != ledger.KindBlockVoid {
		t.Fatalf("void record %d: %+v %v %v", rec.FirstSeq, s, found, err)
	}
	if c, err := e.Resolve(f.code(f.cases, 3)); err != nil || c.Status != resolve.StatusVoided {
		t.Fatalf("code of the voided block: %v %v", c, err)
	}
	if rec, err := e.Reports().VoidBlock(t.Context(), &chain.VoidReport{ReportMeta: f.meta(f.orgA), Block: f.cases.ID}); err != nil || rec.Records != 0 {
		t.Fatalf("voiding again: %+v %v, want a no-op", rec, err)
	}
	if c, err := e.Resolve(f.code(f.items, 5)); err != nil || c.Status != resolve.StatusInTransit {
		t.Fatalf("shipped item after the release of the rest: %v %v", c.Status, err)
	}
}
