package seed

import (
	"strings"
	"testing"

	"tracecode/engine/category"
)

func TestProduct(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	for _, va := range []string{"国审玉20210001", "甘审玉2020012", "陇审薯2019003"} {
		if err := category.ValidateProduct(p, category.Record{"variety_approval": va, "variety": "陇薯7号",
			"production_licence": "D(甘)农种许字(2021)第0012号", "business_licence": "D(甘张)农种许字(2021)第0045号"}); err != nil {
			t.Errorf("%s: %v", va, err)
		}
	}
	for _, tc := range []struct{ name, value, want string }{
		{"missing", "", `"variety_approval": is required`},
		{"not 国 nor a province", "省审玉2020012", "province abbreviation"},
		{"no 审", "国玉20210001", "position 2"},
		{"unknown crop", "甘审菜2020012", "crop abbreviation"},
		{"year", "国审玉18210001", "year"},
		{"sequence short", "甘审玉202001", "characters, want"},
		{"sequence long", "国审玉202100011", "end of the number"},
	} {
		err := category.ValidateProduct(p, category.Record{"variety_approval": tc.value})
		if err == nil || !category.IsInvalid(err) || !strings.Contains(err.Error(), `"variety_approval"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an invalid variety_approval error with %q", tc.name, err, tc.want)
		}
	}
	facts := p.ProductFacts(category.Record{"variety_approval": "国审玉20210001", "variety": "郑单958"})
	if len(facts) != 2 || facts[0].Label.ZH != "品种审定编号" || facts[0].Label.EN != "variety approval number" ||
		facts[0].Value.ZH != "国审玉20210001" || facts[1].Value.EN != "郑单958" {
		t.Errorf("facts: %+v", facts)
	}
}
