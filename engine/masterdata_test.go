package engine

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

func TestOrgsAndProducts(t *testing.T) {
	e := openTest(t, "")
	o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "福州示范药业有限公司", USCC: "91350100M000100Y43", GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 1 || o.Region != 350100 {
		t.Fatalf("org %+v (region from the USCC)", o)
	}
	for _, c := range []struct {
		spec issue.OrgSpec
		want error
		has  string
	}{
		{issue.OrgSpec{Name: "x", USCC: "91350100M000100Y43"}, model.ErrExists, "organisation 1"},
		{issue.OrgSpec{Name: "x", USCC: "91350200M000000510"}, model.ErrInvalid, "expected"},
		{issue.OrgSpec{Name: "x", GCPs: []string{"690123"}}, model.ErrExists, "overlaps 6901234"},
		{issue.OrgSpec{Name: "x", GCPs: []string{"69012345"}}, model.ErrExists, "overlaps 6901234"},
		{issue.OrgSpec{Name: "x", GCPs: []string{"952", "9520123"}}, model.ErrInvalid, "4 to 12 digits"},
		{issue.OrgSpec{Name: "x", GCPs: []string{"9520", "9520123"}}, model.ErrInvalid, "same request"},
		{issue.OrgSpec{Name: "x", Region: "999999"}, model.ErrInvalid, "region"},
		{issue.OrgSpec{}, model.ErrInvalid, "name"},
	} {
		if _, err := e.Issuance().AddOrg(t.Context(), c.spec); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.has) {
			t.Errorf("AddOrg(%+v) = %v; want %v containing %q", c.spec, err, c.want, c.has)
		}
	}
	// A GTIN under the org's prefix joins it; an unowned prefix creates an org.
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "6901234567892", GCPLength: 7, NameZH: "药", Category: ParseCategoryMust("drug")})
	if err != nil || p.Org != o.ID || p.GTIN.String() != "06901234567892" || p.DefaultScheme != serial.GS1 {
		t.Fatalf("product %+v %v", p, err)
	}
	p2, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "奶粉", Category: ParseCategoryMust("food"), OrgName: "示范乳业"})
	if err != nil || p2.Org != 2 {
		t.Fatalf("product 2 %+v %v", p2, err)
	}
	if o2, _ := e.Issuance().Org(2); o2.Name != "示范乳业" || o2.GCPs[0] != "9520123" {
		t.Fatalf("created org %+v", o2)
	}
	// Named org: a prefix nobody was granted is refused naming it, and not
	// claimed; once the operator grants it, the product is created;
	// another org's prefix is refused.
	spec3 := issue.ProductSpec{Org: o.ID, GTIN: "04012345000009", GCPLength: 7, NameZH: "x", Category: 1}
	if _, err := e.Issuance().AddProduct(t.Context(), spec3); !errors.Is(err, model.ErrPrefixNotGranted) || !errors.Is(err, model.ErrWrongOrg) || !strings.Contains(err.Error(), "4012345") {
		t.Fatalf("an ungranted prefix: %v", err)
	}
	if o1, _ := e.Issuance().Org(o.ID); len(o1.GCPs) != 1 {
		t.Fatalf("creating a product claimed a prefix: %+v", o1)
	}
	if _, err := e.Issuance().GrantGCP(t.Context(), o.ID, "9520"); !errors.Is(err, model.ErrExists) {
		t.Fatalf("granting a prefix overlapping another org's: %v", err)
	}
	if _, err := e.Issuance().GrantGCP(t.Context(), 99, "4012345"); !errors.Is(err, model.ErrUnknownOrg) {
		t.Fatalf("granting to an unknown org: %v", err)
	}
	if _, err := e.Issuance().GrantGCP(t.Context(), o.ID, "40x"); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("granting a malformed prefix: %v", err)
	}
	if o1, err := e.Issuance().GrantGCP(t.Context(), o.ID, "4012345"); err != nil || len(o1.GCPs) != 2 || o1.GCPs[1] != "4012345" {
		t.Fatalf("grant: %+v %v", o1, err)
	}
	if o1, err := e.Issuance().GrantGCP(t.Context(), o.ID, "4012345"); err != nil || len(o1.GCPs) != 2 {
		t.Fatalf("grant again: %+v %v", o1, err)
	}
	p3, err := e.Issuance().AddProduct(t.Context(), spec3)
	if err != nil || p3.Org != o.ID {
		t.Fatal(p3, err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, GTIN: "09520123000011", GCPLength: 7, NameZH: "x", Category: 1}); !errors.Is(err, model.ErrWrongOrg) {
		t.Fatalf("another org's prefix: %v", err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "09520123000011", GCPLength: 8, NameZH: "x", Category: 1}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "9520123") {
		t.Fatalf("wrong gcp length: %v", err)
	}
	// Without a GTIN: own code or drug id, and an org.
	p4, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, DrugID: "8600001", NameZH: "注射液", Category: 3})
	if err != nil || p4.DefaultScheme != serial.NMPA {
		t.Fatal(p4, err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, DrugID: "8600003", NameZH: "x", Category: 3,
		Links: []model.Link{{Type: "gs1:pip", URL: "ftp://x"}}}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("bad link: %v", err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{DrugID: "8600002", NameZH: "x", Category: 3}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("no org, no GTIN: %v", err)
	}
	p5, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, OwnCode: "RICE-5KG", NameZH: "大米", Category: 1})
	if err != nil || p5.DefaultScheme != serial.Short {
		t.Fatal(p5, err)
	}
	if got, err := e.Issuance().ProductByCode(o.ID, "RICE-5KG"); err != nil || got.ID != p5.ID {
		t.Fatal(got, err)
	}
	if got, err := e.Issuance().ProductByDrugID("8600001"); err != nil || got.ID != p4.ID {
		t.Fatal(got, err)
	}
	if len(e.Issuance().Products(o.ID)) != 4 || len(e.Issuance().Products(0)) != 5 || len(e.Issuance().Orgs()) != 2 {
		t.Fatalf("listings: %d %d %d", len(e.Issuance().Products(o.ID)), len(e.Issuance().Products(0)), len(e.Issuance().Orgs()))
	}
	// Lots and dates.
	l, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "B1", Produced: 20260301, Expiry: 20280229, Site: "车间 3"})
	if err != nil || l.ID != 1 {
		t.Fatal(l, err)
	}
	if _, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "B2", Produced: 20260301, Expiry: 20250101}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("expiry before production: %v", err)
	}
	if got, err := e.Issuance().LotByNumber(p.ID, "B1"); err != nil || got != l {
		t.Fatal(got, err)
	}
	e = reopen(t, e)
	if got, err := e.Issuance().Lot(l.ID); err != nil || got != l {
		t.Fatalf("lot after reopen: %+v %v", got, err)
	}
}

func TestDatesAndOptions(t *testing.T) {
	for in, want := range map[string]uint32{"2026-03-01": 20260301, "20280229": 20280229, "": 0} {
		if got, err := issue.ParseDate(in); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"2027-02-29", "2026/03/01", "tomorrow"} {
		if _, err := issue.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if issue.FormatDate(20260301) != "2026-03-01" || issue.FormatDate(0) != "" {
		t.Fatal("FormatDate")
	}
	for _, o := range []Options{
		{DLBase: "id.gs1.org"},
		{DLBase: "https://id.gs1.org/"},
		{ShortBase: "https://x.cn?a=1"},
		{BloomFPRate: 0.9},
	} {
		if _, err := Open(t.TempDir(), &o); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("Open with %+v: %v", o, err)
		}
	}
}

// TestOrgTownshipRegion: an organisation's registered region may be a
// township (9 digits, refused before); its county's and city's regulators
// cover it, a neighbouring county's does not.
func TestOrgTownshipRegion(t *testing.T) {
	e := openTest(t, "")
	o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "兰州示范乳业", Region: "620102001"})
	if err != nil || o.Region != 620102001 {
		t.Fatalf("org %+v %v", o, err)
	}
	if !apikey.RegionCovers(620102, o.Region) || !apikey.RegionCovers(620100, o.Region) || apikey.RegionCovers(620103, o.Region) {
		t.Error("county, city and neighbour coverage of a township organisation")
	}
	if _, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "x", Region: "620102000"}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "township") {
		t.Errorf("township part 000: %v", err)
	}
}
