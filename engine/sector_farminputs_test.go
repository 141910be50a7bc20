package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// TestSectorFarmInputFacts: a feed, a fertiliser and a seed product set to
// their profiles (by their owner only; a malformed number refused, naming
// the field, writing nothing) show their registration and licence numbers
// in zh and en among the public facts of every code of the product, its
// item and lot not registered with the profile.
func TestSectorFarmInputFacts(t *testing.T) {
	e := openTest(t, "")
	ctx := context.Background()
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "甘肃农资有限公司", GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "另一公司", GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: e, orgA: org.ID, orgB: other.ID}
	for _, tc := range []struct {
		profile, own string
		fields       category.Record
		bad          category.Record // a malformed number
		badField     string
		key, zh, en  string // a fact the scan shows
	}{
		{"feed", "FEED1", category.Record{"licence": "甘饲证（2019）01001", "standard": "GB/T 5915-2020"},
			category.Record{"licence": "甘饲证（2019）0100"}, "licence", "licence", "饲料生产许可证编号", "feed production licence"},
		{"fertiliser", "FERT1", category.Record{"reg_number": "甘农肥（2020）准字0789号", "nutrients": "N-P2O5-K2O 15-15-15"},
			category.Record{"reg_number": "农肥（2020）登字0789号"}, "reg_number", "reg_number", "肥料登记证号", "fertiliser registration number"},
		{"seed", "SEED1", category.Record{"variety_approval": "国审玉20210001", "variety": "郑单958"},
			category.Record{"variety_approval": "国审菜20210001"}, "variety_approval", "variety_approval", "品种审定编号", "variety approval number"},
	} {
		p, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, OwnCode: tc.own, NameZH: tc.profile, Category: ParseCategoryMust(tc.profile)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: other.ID, Product: p.ID, Profile: tc.profile, Fields: tc.fields}); !errors.Is(err, model.ErrWrongOrg) {
			t.Fatalf("%s: another organisation sets the profile: %v", tc.profile, err)
		}
		before := dump(t, e)
		if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: org.ID, Product: p.ID, Profile: tc.profile, Fields: tc.bad}); !errors.Is(err, model.ErrInvalid) ||
			!strings.Contains(err.Error(), tc.badField) {
			t.Fatalf("%s: a malformed number: %v", tc.profile, err)
		}
		if dump(t, e) != before {
			t.Fatalf("%s: a refused profile wrote to the store", tc.profile)
		}
		if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: org.ID, Product: p.ID, Profile: tc.profile, Fields: tc.fields}); err != nil {
			t.Fatal(err)
		}
		b := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelItem, Count: 3}).Block
		f.commission(b, 0, 2)
		for off := uint64(0); off < 3; off++ {
			facts := e.Sectors().Facts(p.ID, b.Start+off, true, 0, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), true)
			fact := findFact(facts, tc.key)
			if fact == nil || !fact.Public || fact.Label.ZH != tc.zh || fact.Label.EN != tc.en || fact.Value.ZH != tc.fields[tc.key] || len(facts) != 2 {
				t.Fatalf("%s code %d: facts %+v, want %s = %s", tc.profile, off, facts, tc.key, tc.fields[tc.key])
			}
		}
	}
}
