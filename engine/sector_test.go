package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/category/cylinder"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// Filling stations of the sector tests (Tianshui, valid USCCs).
const (
	stationA = "91620502MA71TX017D"
	stationB = "91620502MA71TX0258"
)

// sectorDoc returns an EPCIS document binding the category namespace.
func sectorDoc(events ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"tc":"` + category.NS + `"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T07:00:00Z",
"epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

// cylinderWorld is two filling stations, A owning ten commissioned
// cylinder codes of a gas-cylinder product.
type cylinderWorld struct {
	*fixture
	a, b   model.Org
	cyl    model.Product
	codes  model.Block
	plain  model.Product // a food product of A: no profile
	plainB model.Block
}

func newCylinderWorld(t *testing.T) *cylinderWorld {
	t.Helper()
	e := openTest(t, "")
	ctx := context.Background()
	a, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水市秦州区气体充装站", USCC: stationA, GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水市麦积区气体充装站", USCC: stationB, GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	cyl, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: a.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "40L 无缝钢质氧气瓶",
		Category: ParseCategoryMust("gas-cylinder")})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: a.ID, OwnCode: "FOOD1", NameZH: "食品", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	w := &cylinderWorld{fixture: &fixture{t: t, e: e, orgA: a.ID, orgB: b.ID}, a: a, b: b, cyl: cyl, plain: plain}
	w.codes = mint(t, e, issue.MintRequest{Product: cyl.ID, Level: model.LevelItem, Count: 10}).Block
	w.plainB = mint(t, e, issue.MintRequest{Product: plain.ID, Level: model.LevelItem, Count: 10}).Block
	w.commission(w.codes, 0, 9)
	w.commission(w.plainB, 0, 9)
	return w
}

func cylinderFields(reg, lastInspection string) category.Record {
	return category.Record{"reg_code": reg, "medium": "O2", "volume_l": "40", "serial": "S" + reg[len(reg)-6:],
		"made": "2020-01-01", "working_pressure_mpa": "15", "supervision_cert": "TS-2020-001", "filler": stationA,
		"last_inspection": lastInspection}
}

func fillEvent(code, station, extra string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","tc:kind":"fill","tc:station":%q,"tc:operator":"张三","tc:precheck":"pass","tc:postcheck":"pass"%s}`,
		code, station, extra)
}

// TestSectorCylinder: a product's profile and an item's master data are
// validated (every field named) and stored by the owner only; the fill
// interlock answers from them; a fill event is validated on capture (a
// denied fill refused whole, writing nothing) and an inspection recorded
// by capture changes the interlock's answer, also after a restart.
func TestSectorCylinder(t *testing.T) {
	w := newCylinderWorld(t)
	e, ctx := w.e, context.Background()

	// The product's profile: another organisation may not set it; bad
	// fields are named; a profile of another category is refused.
	good := category.Record{"variety": "seamless", "maker": "兰州气瓶厂"}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: w.b.ID, Product: w.cyl.ID, Profile: "gas-cylinder", Fields: good}); !errors.Is(err, model.ErrWrongOrg) {
		t.Fatalf("another organisation's profile: %v", err)
	}
	before := dump(t, e)
	_, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: w.a.ID, Product: w.cyl.ID, Profile: "gas-cylinder",
		Fields: category.Record{"variety": "steel", "colour": "blue"}})
	if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "variety") || !strings.Contains(err.Error(), "maker") ||
		!strings.Contains(err.Error(), "colour") {
		t.Fatalf("bad product fields: %v", err)
	}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: w.a.ID, Product: w.cyl.ID, Profile: "elevator", Fields: good}); !errors.Is(err, model.ErrInvalid) ||
		!strings.Contains(err.Error(), "profile") {
		t.Fatalf("a profile of another category: %v", err)
	}
	if dump(t, e) != before {
		t.Fatal("a refused profile wrote to the store")
	}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: w.a.ID, Product: w.cyl.ID, Profile: "gas-cylinder", Fields: good}); err != nil {
		t.Fatal(err)
	}

	// Items: the owner registers each cylinder's master data.
	code0, code1, code2 := w.code(w.codes, 0), w.code(w.codes, 1), w.code(w.codes, 2)
	const reg0, reg1 = "162502000123", "162502000124"
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.b.ID, Code: code0, Fields: cylinderFields(reg0, "2024-01-01")}); !errors.Is(err, model.ErrWrongOrg) {
		t.Fatalf("another organisation registers A's cylinder: %v", err)
	}
	bad := cylinderFields(reg0, "2024-01-01")
	delete(bad, "medium")
	bad["volume_l"] = "-3"
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.a.ID, Code: code0, Fields: bad}); !errors.Is(err, model.ErrInvalid) ||
		!strings.Contains(err.Error(), "medium") || !strings.Contains(err.Error(), "volume_l") {
		t.Fatalf("bad item fields: %v", err)
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.a.ID, Code: w.shortCode(0), Fields: bad}); !errors.Is(err, model.ErrInvalid) ||
		!strings.Contains(err.Error(), "no category profile") {
		t.Fatalf("an item of a product without a profile: %v", err)
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.a.ID, Code: code0, Fields: cylinderFields(reg0, "2024-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.a.ID, Code: code1, Fields: cylinderFields(reg0, "2022-06-01")}); !errors.Is(err, model.ErrExists) {
		t.Fatalf("a registration code given twice: %v", err)
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: w.a.ID, Code: code1, Fields: cylinderFields(reg1, "2022-06-01")}); err != nil {
		t.Fatal(err)
	}

	// Stations.
	if _, err := e.Sectors().SetStation(ctx, w.a.ID, []string{"O2", "neon"}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "media[1]") {
		t.Fatalf("bad media: %v", err)
	}
	if _, err := e.Sectors().SetStation(ctx, w.a.ID, []string{"O2", "N2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sectors().SetStation(ctx, w.b.ID, []string{"O2"}); err != nil {
		t.Fatal(err)
	}

	// The interlock.
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	check := func(code, station string, allow bool, want cylinder.Reasons) {
		t.Helper()
		d, err := e.Sectors().CheckFill(code, station, now)
		if err != nil || d.Allow != allow || d.Reasons != want {
			t.Fatalf("CheckFill(%s, %s) = %+v %v, want allow %v reasons %v", code, station, d, err, allow, want)
		}
	}
	check(reg0, stationA, true, 0)
	check("1 62 502 000123", stationA, true, 0)
	check(code0, stationA, true, 0) // the trace code on the tag
	check(reg1, stationA, false, cylinder.InspectionOverdue)
	check(reg0, stationB, false, cylinder.BoundElsewhere)
	check("162502999999", stationA, false, cylinder.NotRegistered)
	check(code2, stationA, false, cylinder.NotRegistered)
	if _, err := e.Sectors().CheckFill(reg0, "91620102MA71LN016L", now); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "station") {
		t.Fatalf("an unregistered station: %v", err)
	}
	if _, err := e.Sectors().CheckFill("not a code", stationA, now); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("a code that is neither: %v", err)
	}

	// Capture: a fill of cylinder 0 is recorded.
	if _, err := w.capture(w.a.ID, sectorDoc(fillEvent(code0, stationA, `,"tc:weight_kg":"6.5"`))); err != nil {
		t.Fatal(err)
	}
	facts := e.Sectors().Facts(w.cyl.ID, w.codes.Start, true, 0, now, true)
	if f := findFact(facts, "last_fill"); f == nil || !strings.Contains(f.Value.EN, "6.5 kg") {
		t.Fatalf("facts after a fill: %+v", facts)
	}
	// A denied fill, a fill without its operator and a fill of an
	// unregistered cylinder are refused, the whole document with them.
	before = dump(t, e)
	noOperator := strings.Replace(fillEvent(code0, stationA, ""), `"tc:operator":"张三",`, "", 1)
	_, err = w.capture(w.a.ID, sectorDoc(fillEvent(code1, stationA, ""), noOperator, fillEvent(code2, stationA, "")))
	var re *chain.ReportError
	if !errors.As(err, &re) || len(re.Errors) != 3 {
		t.Fatalf("refused fills: %v", err)
	}
	for i, want := range []string{"periodic inspection overdue", "operator", "not registered"} {
		if !strings.Contains(re.Errors[i].Error(), want) || re.Errors[i].Event != i || !strings.Contains(re.Errors[i].Field, "extensions") {
			t.Errorf("error %d: %+v, want %q", i, re.Errors[i], want)
		}
	}
	// A category event on a product without a profile.
	_, err = w.capture(w.a.ID, sectorDoc(fillEvent(w.shortCode(0), stationA, "")))
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "no category profile") {
		t.Fatalf("category event without a profile: %v", err)
	}
	// Another organisation may not record on A's cylinder.
	if _, err := w.capture(w.b.ID, sectorDoc(fillEvent(code0, stationB, ""))); err == nil {
		t.Fatal("B recorded a fill on A's cylinder")
	}
	if dump(t, e) != before {
		t.Fatal("a refused capture wrote to the store")
	}

	// An inspection that passes, then a fill in the same document.
	insp := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","tc:kind":"inspection","tc:result":"pass","tc:inspector":"天水市特种设备检验所"}`, code1)
	if _, err := w.capture(w.a.ID, sectorDoc(insp, fillEvent(code1, stationA, ""))); err != nil {
		t.Fatal(err)
	}
	check(reg1, stationA, true, 0)

	// After a restart the book is read back from the store.
	w.e = reopen(t, e)
	e = w.e
	check(reg1, stationA, true, 0)
	check(reg0, stationB, false, cylinder.BoundElsewhere)
	if pp, ok := e.Sectors().ProductProfile(w.cyl.ID); !ok || pp.Profile != "gas-cylinder" || pp.Fields.Get("maker") != "兰州气瓶厂" {
		t.Fatalf("profile after reopen: %+v %v", pp, ok)
	}
	facts = e.Sectors().Facts(w.cyl.ID, w.codes.Start+1, true, 0, now, true)
	if f := findFact(facts, "next_inspection"); f == nil || f.Value.EN != "2029-03-01" || f.Status != "ok" {
		t.Fatalf("next inspection after reopen: %+v", facts)
	}
}

// TestSectorLotItem: a lot is an item too: a farm lot's pesticide use is
// recorded, and its certificate refused inside the pesticide's safety
// interval, read from the pesticide's registration.
func TestSectorLotItem(t *testing.T) {
	e := openTest(t, "")
	ctx := context.Background()
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水花牛苹果合作社", USCC: "91620503MA71PE013U", GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "另一合作社", GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	pest, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: other.ID, OwnCode: "PEST1", NameZH: "吡虫啉", Category: ParseCategoryMust("pesticide")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: other.ID, Product: pest.ID, Profile: "pesticide", Fields: category.Record{
		"reg_number": "PD20141234", "holder": "某农药公司", "active_ingredients": "吡虫啉 10%", "code_prefix": "11412341001",
		"targets": "apple", "safety_intervals": "apple=14"}}); err != nil {
		t.Fatal(err)
	}
	apples, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "花牛苹果", Category: ParseCategoryMust("farm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: org.ID, Product: apples.ID, Profile: "farm", Fields: category.Record{"class": "fruit"}}); err != nil {
		t.Fatal(err)
	}
	lot, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: apples.ID, Number: "HN2026A"})
	if err != nil {
		t.Fatal(err)
	}
	lotFields := category.Record{"origin": "620503100", "committer": "天水花牛苹果合作社", "contact": "0938-1234567"}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: other.ID, Product: apples.ID, Lot: "HN2026A", Fields: lotFields}); !errors.Is(err, model.ErrWrongOrg) {
		t.Fatalf("another organisation registers the lot: %v", err)
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: org.ID, Product: apples.ID, Lot: "HN2026A", Fields: lotFields}); err != nil {
		t.Fatal(err)
	}
	lotEPC := "urn:epc:class:lgtin:9520123.045678.HN2026A"
	use := `{"type":"ObjectEvent","eventTime":"2026-02-20T09:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE",
"quantityList":[{"epcClass":"` + lotEPC + `"}],"tc:kind":"pesticide-use","tc:input":"PD20141234","tc:crop":"apple","tc:dose":"30 mL/亩","tc:operator":"李四"}`
	if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(sectorDoc(use)), &chain.CaptureOptions{Org: org.ID}); err != nil {
		t.Fatal(err)
	}
	cert := `{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"OBSERVE",
"quantityList":[{"epcClass":"` + lotEPC + `"}],"tc:kind":"certificate","tc:quantity":"500","tc:unit":"kg"}`
	_, err = e.Reports().CaptureJSON(ctx, strings.NewReader(sectorDoc(cert)), &chain.CaptureOptions{Org: org.ID})
	if err == nil || !strings.Contains(err.Error(), "2026-03-06") {
		t.Fatalf("a certificate inside the 14-day safety interval: %v", err)
	}
	facts := e.Sectors().Facts(apples.ID, 0, false, lot.ID, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), true)
	if len(facts) == 0 {
		t.Fatal("no facts for the lot")
	}
}

// shortCode returns the short-code URL of offset off of the plain block.
func (w *cylinderWorld) shortCode(off uint64) string {
	w.t.Helper()
	s, err := w.e.iss.AppendCode(nil, &w.plainB, off, issue.FormatShort)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(s)
}

func findFact(facts []category.Fact, key string) *category.Fact {
	for i := range facts {
		if facts[i].Key == key {
			return &facts[i]
		}
	}
	return nil
}
