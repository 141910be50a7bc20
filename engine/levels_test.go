package engine

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"tracecode/engine/amend"
	"tracecode/engine/apikey"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/serial"
)

// caseOf returns the level GTINs of a product of GTIN gtin whose case
// carries the GTIN's indicator-digit 1 form (GS1's case GTIN).
func caseOf(gtin string) map[model.Level]string {
	return map[model.Level]string{model.LevelCase: indicatorForm(gtin, '1')}
}

// indicatorForm returns gtin (8 to 14 digits) as a GTIN-14 with indicator
// digit d and its check digit recomputed.
func indicatorForm(gtin string, d byte) string {
	g, err := gs1.ParseGTIN(gtin)
	if err != nil {
		panic(err)
	}
	body := string(d) + g.String()[1:13]
	c, err := gs1.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

// TestEditProductLevelGTINs: the owning organisation declares its case
// GTIN; another organisation's key and a regulator may not, and a
// refused declaration writes nothing.
func TestEditProductLevelGTINs(t *testing.T) {
	w := newEditWorld(t)
	e := w.e
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: w.org.ID, GTIN: "06901234000016", GCPLength: 7, NameZH: "纯牛奶 250毫升",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase)})
	if err != nil {
		t.Fatal(err)
	}
	in := &amend.ProductEdit{LevelGTINs: map[model.Level]string{model.LevelCase: "16901234000013"}}
	for name, k := range map[string]apikey.Key{"another organisation": w.hostile, "a regulator": w.regulator} {
		if _, _, err := e.Amendments().EditProduct(t.Context(), k, p.ID, in); !errors.Is(err, model.ErrWrongOrg) {
			t.Errorf("%s declares the case GTIN: %v, want ErrWrongOrg", name, err)
		}
	}
	bad := &amend.ProductEdit{LevelGTINs: map[model.Level]string{model.LevelCase: "16901234000012"}}
	if _, _, err := e.Amendments().EditProduct(t.Context(), w.owner, p.ID, bad); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "check digit") {
		t.Errorf("a bad check digit: %v, want ErrInvalid naming the check digit", err)
	}
	if q, _ := e.Issuance().Product(p.ID); !q.LevelGTINs.Of(model.LevelCase).IsZero() {
		t.Fatalf("a refused declaration wrote case GTIN %s", q.LevelGTINs.Of(model.LevelCase))
	}
	if tr, err := e.Amendments().ProductTrail(w.owner, p.ID); err != nil || len(tr) != 0 {
		t.Fatalf("trail after refused declarations: %+v %v", tr, err)
	}
	q, _, err := e.Amendments().EditProduct(t.Context(), w.owner, p.ID, in)
	if err != nil || q.LevelGTINs.Of(model.LevelCase).String() != "16901234000013" {
		t.Fatalf("the owner declares the case GTIN: %v (case %s)", err, q.LevelGTINs.Of(model.LevelCase))
	}
	tr, err := e.Amendments().ProductTrail(w.owner, p.ID)
	if err != nil || len(tr) != 1 || tr[0].Changes[0] != (amend.Change{Field: "levelGTIN.case", Old: "", New: "16901234000013"}) {
		t.Fatalf("trail %+v %v", tr, err)
	}
	if r, err := e.Issuance().ProductByGTIN(q.LevelGTINs.Of(model.LevelCase)); err != nil || r.ID != p.ID {
		t.Fatalf("ProductByGTIN(case GTIN) = %d, %v", r.ID, err)
	}
}

// TestCaseCodesCarryTheCaseGTIN: a case block of a product that declared
// its case GTIN prints that GTIN in every form (Digital Link, element
// string, EPC URN, SGTIN-96 with filter 2); a scanned case code resolves
// by its Digital Link and its EPC to the product, the case level and the
// items packed into it; the case's serial under the item GTIN was never
// issued.
func TestCaseCodesCarryTheCaseGTIN(t *testing.T) {
	f := newFixture(t)
	e := f.e
	caseGTIN := indicatorForm(testGTIN, '1')
	f.commission(f.items, 0, 9)
	f.commission(f.cases, 0, 0)
	f.packRange(f.cases, 0, f.items, 0, 9, testClock.Add(-time.Hour))

	dl := f.code(f.cases, 0)
	if !strings.Contains(dl, "/01/"+caseGTIN+"/21/") {
		t.Fatalf("case Digital Link %s does not carry the case GTIN %s", dl, caseGTIN)
	}
	el, err := e.iss.AppendCode(nil, &f.cases, 0, issue.FormatElement)
	if err != nil || !strings.HasPrefix(string(el), "(01)"+caseGTIN) {
		t.Fatalf("case element string %s (%v), want (01)%s…", el, err, caseGTIN)
	}
	urn, err := e.iss.AppendCode(nil, &f.cases, 0, issue.FormatEPCURN)
	if err != nil || !strings.HasPrefix(string(urn), "urn:epc:id:sgtin:9520123.1"+testGTIN[8:13]+".") {
		t.Fatalf("case EPC URN %s (%v), want the case GTIN's (indicator 1)", urn, err)
	}
	if item := f.code(f.items, 0); !strings.Contains(item, "/01/"+testGTIN+"/") {
		t.Fatalf("item Digital Link %s does not carry the item GTIN", item)
	}
	for name, in := range map[string]string{"digital link": dl, "EPC URN": string(urn)} {
		c, err := e.Resolve(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Status != resolve.StatusActive || c.Product == nil || c.Product.ID != f.prod.ID || c.Level != model.LevelCase ||
			c.Block == nil || c.Block.ID != f.cases.ID || c.Offset != 0 {
			t.Fatalf("%s %s resolves to %+v (status %v: %s), want product %d case offset 0", name, in, c.Product, c.Status, c.Reason, f.prod.ID)
		}
		n := 0
		for _, g := range c.Children {
			n += int(g.Count)
		}
		if n != 10 {
			t.Errorf("%s: the case holds %d items, want 10 (%+v)", name, n, c.Children)
		}
	}
	// The case's serial under the item GTIN is no code of ours.
	wrong := strings.Replace(dl, "/01/"+caseGTIN+"/", "/01/"+testGTIN+"/", 1)
	if _, err := e.Issuance().Lookup(wrong); !errors.Is(err, model.ErrNeverIssued) || !strings.Contains(err.Error(), caseGTIN) {
		t.Errorf("case serial under the item GTIN: %v, want ErrNeverIssued naming the case GTIN", err)
	}
	// SGTIN-96: the case's filter (2) and GTIN.
	sg := mint(t, e, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelCase, Count: 1, Scheme: serial.SGTIN96}).Block
	hex, err := e.iss.AppendCode(nil, &sg, 0, issue.FormatEPCHex)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := e.Issuance().Lookup(string(hex))
	if err != nil || tag.Block.ID != sg.ID {
		t.Fatalf("SGTIN-96 %s of a case: %+v, %v", hex, tag.Block, err)
	}
	if got := epcFilter(t, string(hex)); got != 2 {
		t.Errorf("SGTIN-96 filter of a case = %d, want 2", got)
	}
}

// TestLevelMintNeedsLevelGTIN: a product without a case GTIN may not mint
// cases above its items (the message names how to declare it); a product
// whose lowest level is the case mints cases under its own GTIN; blocks
// minted before the declaration keep the GTIN they were printed with.
func TestLevelMintNeedsLevelGTIN(t *testing.T) {
	e := openTest(t, "")
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, OrgName: "甲", NameZH: "x", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Issuance().Mint(t.Context(), issue.MintRequest{Product: p.ID, Level: model.LevelCase, Count: 1})
	if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "tracecode product levels") {
		t.Fatalf("case mint without a case GTIN: %v, want ErrInvalid naming tracecode product levels", err)
	}
	items := mint(t, e, issue.MintRequest{Product: p.ID, Count: 1}).Block
	cs, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN2, GCPLength: 7, OrgName: "乙", NameZH: "苹果 5千克箱", Category: ParseCategoryMust("farm"),
		Levels: model.LevelSet(0).With(model.LevelCase)})
	if err != nil {
		t.Fatal(err)
	}
	box := mint(t, e, issue.MintRequest{Product: cs.ID, Level: model.LevelCase, Count: 1}).Block
	if dl := codeOf(t, e, box, 0); !strings.Contains(dl, "/01/"+testGTIN2+"/") {
		t.Errorf("a case-only product's case %s, want its own GTIN", dl)
	}
	if _, _, err := e.Amendments().EditProduct(t.Context(), CommandLineKey, p.ID, &amend.ProductEdit{LevelGTINs: caseOf(testGTIN)}); err != nil {
		t.Fatal(err)
	}
	cases := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelCase, Count: 1}).Block
	if dl := codeOf(t, e, cases, 0); !strings.Contains(dl, "/01/"+indicatorForm(testGTIN, '1')+"/") {
		t.Errorf("case %s after the declaration, want the case GTIN", dl)
	}
	if dl := codeOf(t, e, items, 0); !strings.Contains(dl, "/01/"+testGTIN+"/") {
		t.Errorf("item %s, want the item GTIN", dl)
	}
	for _, b := range []model.Block{items, cases, box} {
		if _, err := e.Issuance().Lookup(codeOf(t, e, b, 0)); err != nil {
			t.Errorf("block %d: %v", b.ID, err)
		}
	}
}

func codeOf(t *testing.T, e *Engine, b model.Block, off uint64) string {
	t.Helper()
	s, err := e.iss.AppendCode(nil, &b, off, issue.FormatDL)
	if err != nil {
		t.Fatal(err)
	}
	return string(s)
}

// epcFilter returns the filter value of an SGTIN-96 or SSCC-96 in hex:
// the 3 bits after the 8-bit header.
func epcFilter(t *testing.T, hex string) int {
	t.Helper()
	v, err := strconv.ParseUint(hex[:4], 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	return int(v>>5) & 7
}
