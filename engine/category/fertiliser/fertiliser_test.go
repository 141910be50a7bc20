package fertiliser

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
	for _, reg := range []string{"农肥（2019）准字1234号", "农肥(2021)临字0456号", "甘农肥（2020）准字0789号"} {
		if err := category.ValidateProduct(p, category.Record{"reg_number": reg, "nutrients": "N-P2O5-K2O 15-15-15"}); err != nil {
			t.Errorf("%s: %v", reg, err)
		}
	}
	for _, tc := range []struct{ name, value, want string }{
		{"missing", "", `"reg_number": is required`},
		{"unknown province", "X农肥（2019）准字1234号", "province abbreviation"},
		{"neither 准 nor 临", "农肥（2019）登字1234号", "准 (registration) or 临"},
		{"year", "农肥（1919）准字1234号", "year"},
		{"sequence short", "农肥（2019）准字123号", "digit of the sequence"},
		{"no 号", "农肥（2019）准字1234", "characters, want"},
		{"pesticide number", "PD20141234", "province abbreviation"},
	} {
		err := category.ValidateProduct(p, category.Record{"reg_number": tc.value})
		if err == nil || !category.IsInvalid(err) || !strings.Contains(err.Error(), `"reg_number"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an invalid reg_number error with %q", tc.name, err, tc.want)
		}
	}
	facts := p.ProductFacts(category.Record{"reg_number": "农肥（2019）准字1234号", "nutrients": "N≥46%"})
	if len(facts) != 2 || facts[0].Label.ZH != "肥料登记证号" || facts[0].Label.EN != "fertiliser registration number" ||
		facts[0].Value.EN != "农肥（2019）准字1234号" || facts[1].Key != "nutrients" || !facts[1].Public {
		t.Errorf("facts: %+v", facts)
	}
}
