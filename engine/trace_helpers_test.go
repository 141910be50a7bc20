package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// fixture is a small supply chain: organisation A (GCP 9520123) with a
// product packed item → case → pallet and blocks of each level in lot L1,
// and organisation B (GCP 6901234) with a product of its own.
type fixture struct {
	t                     testing.TB
	e                     *Engine
	orgA, orgB            uint32
	prod, prodB           Product
	items, cases, pallets Block
	itemsB                Block
}

// testClock is the engine clock of trace tests (openTest's).
var testClock = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// newFixture opens an engine whose full Verify runs when the test ends
// (before openTest's Check and Close).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	e := openTest(t, "")
	f := &fixture{t: t, e: e}
	t.Cleanup(func() { f.verifyClean() })
	var err error
	f.prod, err = e.AddProduct(context.Background(), ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉", NameEN: "Infant formula",
		OrgName: "甲乳业有限公司", Category: ParseCategoryMust("food"),
		Levels: LevelSet(0).With(LevelItem).With(LevelCase).With(LevelPallet), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgA = f.prod.Org
	f.prodB, err = e.AddProduct(context.Background(), ProductSpec{GTIN: testGTIN2, GCPLength: 7, NameZH: "乙食品", OrgName: "乙食品有限公司",
		Category: ParseCategoryMust("food"), Levels: LevelSet(0).With(LevelItem).With(LevelCase), LevelGTINs: caseOf(testGTIN2)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgB = f.prodB.Org
	f.items = mint(t, e, MintRequest{Product: f.prod.ID, Lot: "L1", CreateLot: true, Level: LevelItem, Count: 1000}).Block
	f.cases = mint(t, e, MintRequest{Product: f.prod.ID, Lot: "L1", Level: LevelCase, Count: 100}).Block
	f.pallets = mint(t, e, MintRequest{Product: f.prod.ID, Lot: "L1", Level: LevelPallet, Count: 10}).Block
	f.itemsB = mint(t, e, MintRequest{Product: f.prodB.ID, Lot: "B1", CreateLot: true, Level: LevelItem, Count: 100}).Block
	return f
}

// verifyClean fails the test if Verify finds any problem.
func (f *fixture) verifyClean() {
	f.t.Helper()
	if f.e.iss.Closed() {
		return
	}
	rep, err := f.e.Verify()
	if err != nil {
		f.t.Errorf("Verify: %v", err)
		return
	}
	if !rep.OK() {
		f.t.Errorf("Verify at the end of the test found %d problem(s):\n%s", len(rep.Problems)+rep.Dropped, strings.Join(rep.Problems, "\n"))
	}
}

// code returns the Digital Link of offset off of block b.
func (f *fixture) code(b Block, off uint64) string {
	f.t.Helper()
	s, err := f.e.appendCode(nil, &b, off, FormatDL)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(s)
}

func (f *fixture) meta(org uint32) ReportMeta {
	return ReportMeta{Org: org, Credential: "test", Time: testClock.Add(-24 * time.Hour)}
}

// commission commissions offsets lo..hi of b as its owner.
func (f *fixture) commission(b Block, lo, hi uint64) *Receipt {
	f.t.Helper()
	rec, err := f.e.ReportLine(context.Background(), &LineReport{ReportMeta: f.meta(b.Org), Action: LineCommission,
		Items: Items{Ranges: []BlockRange{{Block: b.ID, First: lo, Last: hi}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// packRange packs offsets lo..hi of child block cb into offset po of
// parent block pb, at time at.
func (f *fixture) packRange(pb Block, po uint64, cb Block, lo, hi uint64, at time.Time) *Receipt {
	f.t.Helper()
	m := f.meta(pb.Org)
	m.Time = at
	rec, err := f.e.Pack(context.Background(), &PackReport{ReportMeta: m, Packs: []Pack{{Parent: Ref{Block: pb.ID, Offset: po},
		Children: Items{Ranges: []BlockRange{{Block: cb.ID, First: lo, Last: hi}}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// wantErrs checks that err is a *ReportError whose errors wrap the given
// sentinels in order, and that each names its code (by substring).
func wantErrs(t testing.TB, err error, want ...struct {
	sentinel error
	code     string
}) {
	t.Helper()
	var re *ReportError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *ReportError", err)
	}
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("a ReportError does not unwrap to ErrRejected")
	}
	if len(re.Errors) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(re.Errors), len(want), err)
	}
	for i, w := range want {
		got := &re.Errors[i]
		if !errors.Is(got, w.sentinel) || !strings.Contains(got.Code, w.code) {
			t.Errorf("error %d = %v (code %q), want %v on %q", i, got, got.Code, w.sentinel, w.code)
		}
	}
}

type ie = struct {
	sentinel error
	code     string
}
