package engine

import (
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/model"
)

func TestPackRules(t *testing.T) {
	f := newFixture(t)
	e := f.e
	f.commission(f.items, 0, 99)
	f.commission(f.cases, 0, 9)
	t0 := testClock.Add(-2 * time.Hour)
	// Ten cases of ten items, then five cases on each of two pallets.
	for c := uint64(0); c < 10; c++ {
		f.packRange(f.cases, c, f.items, c*10, c*10+9, t0)
	}
	f.packRange(f.pallets, 0, f.cases, 0, 4, t0.Add(time.Minute))
	f.packRange(f.pallets, 1, f.cases, 5, 9, t0.Add(time.Minute))

	r, _ := agg.NewReader(e.db)
	defer r.Close()
	run, ok, _ := r.Parent(agg.Node{Product: f.prod.ID, Counter: f.items.Start + 37})
	if !ok || run.Parent != (agg.Node{Product: f.prod.ID, Counter: f.cases.Start + 3}) || run.First != f.items.Start+30 || run.Last != f.items.Start+39 {
		t.Fatalf("item 37 is in run %+v (ok %v), want case 3 holding items 30..39 as one run", run, ok)
	}

	m := f.meta(f.orgA)
	m.Time = t0.Add(2 * time.Minute)
	pack := func(parent chain.Ref, kids chain.Items) error {
		_, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: parent, Children: kids}}})
		return err
	}
	caseRef := func(off uint64) chain.Ref { return chain.Ref{Block: f.cases.ID, Offset: off} }
	// A child with a parent already; an uncommissioned child; a child of
	// another organisation.
	f.commission(f.cases, 10, 11)
	err := pack(caseRef(10), chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 98, Last: 101}}, Codes: []string{f.code(f.itemsB, 0)}})
	wantErrs(t, err,
		ie{model.ErrWrongOrg, f.code(f.itemsB, 0)},
		ie{chain.ErrNotCommissioned, "offset 100"}, ie{chain.ErrNotCommissioned, "offset 101"},
		ie{chain.ErrNotCommissioned, f.code(f.itemsB, 0)},
		ie{chain.ErrHasParent, "offset 98"}, ie{chain.ErrHasParent, "offset 99"})
	// Levels: an item cannot hold a case; a case cannot hold a case.
	err = pack(chain.Ref{Block: f.items.ID, Offset: 0}, chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 11, Last: 11}}})
	wantErrs(t, err, ie{chain.ErrLevel, "offset 11"})
	err = pack(caseRef(11), chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 10, Last: 10}}})
	wantErrs(t, err, ie{chain.ErrLevel, "offset 10"})
	// Cycles through SSCCs (units of equal level would otherwise allow it):
	// pallet SSCC A holds SSCC B; B may not then hold A.
	ssccA, ssccB := "(00)395201230000000012", "(00)395201230000000029"
	_, err = e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{
		{Parent: chain.Ref{Code: ssccB}, ParentLevel: model.LevelCase, Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 0, Last: 0}}}},
	}})
	wantErrs(t, err, ie{chain.ErrHasParent, "offset 0"})
	f.commission(f.items, 200, 209)
	if _, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{
		{Parent: chain.Ref{Code: ssccB}, ParentLevel: model.LevelCase, Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 200, Last: 209}}}},
		{Parent: chain.Ref{Code: ssccA}, Children: chain.Items{Codes: []string{ssccB}}},
	}}); err != nil {
		t.Fatal(err)
	}
	err = pack(chain.Ref{Code: ssccB}, chain.Items{Codes: []string{ssccA}})
	wantErrs(t, err, ie{chain.ErrLevel, ssccA}, ie{chain.ErrCycle, ssccB})
	// An SSCC of another organisation's company prefix cannot be
	// registered by A.
	err = pack(chain.Ref{Code: "(00)369012340000000017"}, chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 201, Last: 201}}})
	wantErrs(t, err, ie{model.ErrWrongOrg, "369012340000000017"})
	// Same child twice in one report.
	f.commission(f.items, 300, 301)
	_, err = e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{
		{Parent: caseRef(10), Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 300, Last: 301}}}},
		{Parent: caseRef(11), Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 301, Last: 301}}}},
	}})
	wantErrs(t, err, ie{chain.ErrHasParent, "offset 301"})
}

func TestUnpackHistory(t *testing.T) {
	f := newFixture(t)
	e := f.e
	f.commission(f.items, 0, 19)
	f.commission(f.cases, 0, 1)
	t0 := testClock.Add(-3 * time.Hour)
	f.packRange(f.cases, 0, f.items, 0, 9, t0)
	// Take out items 3 and 4 an hour later, and repack them into case 1.
	m := f.meta(f.orgA)
	m.Time = t0.Add(time.Hour)
	rec, err := e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 0},
		Children: chain.Items{Codes: []string{f.code(f.items, 3), f.code(f.items, 4)}}}}})
	if err != nil || rec.Codes != 2 {
		t.Fatalf("unpack: %+v %v", rec, err)
	}
	// Packing them somewhere at a time before they left case 0 is refused.
	early := f.meta(f.orgA)
	early.Time = t0.Add(30 * time.Minute)
	_, err = e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: early, Packs: []chain.Pack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 1},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 3, Last: 3}}}}}})
	wantErrs(t, err, ie{model.ErrInvalid, "offset 3"})
	f.packRange(f.cases, 1, f.items, 3, 4, t0.Add(2*time.Hour))
	// Unpacking a child that is not in the parent named is refused.
	_, err = e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 0},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 4, Last: 5}}}}}})
	wantErrs(t, err, ie{chain.ErrNotChild, "offset 4"})

	r, _ := agg.NewReader(e.db)
	item3 := agg.Node{Product: f.prod.ID, Counter: f.items.Start + 3}
	var past []agg.PastRun
	r.History(item3, func(p *agg.PastRun) bool { past = append(past, *p); return true })
	if len(past) != 1 || past[0].Parent.Counter != f.cases.Start || past[0].Since != t0.UnixMilli() || past[0].Until != t0.Add(time.Hour).UnixMilli() {
		t.Fatalf("history of item 3: %+v", past)
	}
	now, ok, _ := r.Parent(item3)
	if !ok || now.Parent.Counter != f.cases.Start+1 {
		t.Fatalf("item 3 now in %+v", now)
	}
	// Case 0 still holds 0..2 and 5..9 as two runs.
	for _, c := range []uint64{0, 2, 5, 9} {
		if run, ok, _ := r.Parent(agg.Node{Product: f.prod.ID, Counter: f.items.Start + c}); !ok || run.Parent.Counter != f.cases.Start {
			t.Errorf("item %d lost its parent: %+v", c, run)
		}
	}
	r.Close()
	// Unpack all of case 0 (an unpacking at the pharmacy).
	m.Time = t0.Add(150 * time.Minute)
	if rec, err := e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 0}, All: true}}}); err != nil || rec.Codes != 8 {
		t.Fatalf("unpack all: %+v %v", rec, err)
	}
	f.e = reopen(t, e)
}
