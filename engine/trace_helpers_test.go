package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// fixture is a small supply chain: organisation A (GCP 9520123) with a
// product packed item → case → pallet and blocks of each level in lot L1
// (the pallets an sscc block: SSCCs, packed into by block reference), and
// organisation B (GCP 6901234) with a product of its own.
type fixture struct {
	t                     testing.TB
	e                     *Engine
	orgA, orgB            uint32
	prod, prodB           model.Product
	items, cases, pallets model.Block
	itemsB                model.Block
}

// testClock is the engine clock of trace tests (openTest's).
var testClock = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// newFixture opens an engine whose full Verify runs when the test ends
// (before openTest's Check and Close).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, openTest(t, ""))
}

// newFixtureOn is newFixture on engine e.
func newFixtureOn(t testing.TB, e *Engine) *fixture {
	t.Helper()
	f := &fixture{t: t, e: e}
	t.Cleanup(func() { f.verifyClean() })
	var err error
	f.prod, err = e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉", NameEN: "Infant formula",
		OrgName: "甲乳业有限公司", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase).With(model.LevelPallet), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgA = f.prod.Org
	f.prodB, err = e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: testGTIN2, GCPLength: 7, NameZH: "乙食品", OrgName: "乙食品有限公司",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN2)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgB = f.prodB.Org
	f.items = mint(t, e, issue.MintRequest{Product: f.prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 1000}).Block
	f.cases = mint(t, e, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelCase, Count: 100}).Block
	f.pallets = mint(t, e, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelPallet, Count: 10}).Block
	f.itemsB = mint(t, e, issue.MintRequest{Product: f.prodB.ID, Lot: "B1", CreateLot: true, Level: model.LevelItem, Count: 100}).Block
	return f
}

// palletNode returns the unit node of the SSCC at offset off of the
// fixture's sscc pallet block.
func (f *fixture) palletNode(off uint64) agg.Node {
	f.t.Helper()
	s, ok := f.e.iss.SSCCAt(&f.pallets, off)
	if !ok {
		f.t.Fatalf("block %d (%v) has no SSCC at offset %d", f.pallets.ID, f.pallets.Scheme, off)
	}
	return agg.UnitNode(model.SSCCValue(s))
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
func (f *fixture) code(b model.Block, off uint64) string {
	f.t.Helper()
	s, err := f.e.iss.AppendCode(nil, &b, off, issue.FormatDL)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(s)
}

func (f *fixture) meta(org uint32) chain.ReportMeta {
	return chain.ReportMeta{Org: org, Credential: "test", Time: testClock.Add(-24 * time.Hour)}
}

// commission commissions offsets lo..hi of b as its owner.
func (f *fixture) commission(b model.Block, lo, hi uint64) *chain.Receipt {
	f.t.Helper()
	rec, err := f.e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: f.meta(b.Org), Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: lo, Last: hi}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

// packRange packs offsets lo..hi of child block cb into offset po of
// parent block pb, at time at.
func (f *fixture) packRange(pb model.Block, po uint64, cb model.Block, lo, hi uint64, at time.Time) *chain.Receipt {
	f.t.Helper()
	m := f.meta(pb.Org)
	m.Time = at
	rec, err := f.e.Reports().Pack(context.Background(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Block: pb.ID, Offset: po},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: cb.ID, First: lo, Last: hi}}}}}})
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
	var re *chain.ReportError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *ReportError", err)
	}
	if !errors.Is(err, chain.ErrRejected) {
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
