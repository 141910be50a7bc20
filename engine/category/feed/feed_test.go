package feed

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
	good := category.Record{"licence": "甘饲证（2019）01001", "additive_approval": "甘饲添字(2020)101001", "standard": "GB/T 5915-2020"}
	if err := category.ValidateProduct(p, good); err != nil {
		t.Fatal(err)
	}
	if err := category.ValidateProduct(p, category.Record{"licence": "京饲证(2014)06001"}); err != nil {
		t.Errorf("licence alone, ASCII parentheses: %v", err)
	}
	for _, tc := range []struct{ name, field, value, want string }{
		{"licence missing", "licence", "", `"licence": is required`},
		{"licence without province", "licence", "饲证（2019）01001", "province abbreviation"},
		{"licence of another kind", "licence", "甘饲添（2019）01001", "position 3"},
		{"licence year", "licence", "甘饲证（2219）01001", "year"},
		{"licence sequence short", "licence", "甘饲证（2019）0100", "characters, want"},
		{"additive approval sequence letter", "additive_approval", "甘饲添字（2020）10100X", "digit of the sequence"},
		{"additive approval written as a licence", "additive_approval", "甘饲证（2019）01001", "position 3 is not the 添 of 饲添字"},
	} {
		r := category.Record{"licence": good["licence"], "additive_approval": good["additive_approval"]}
		r[tc.field] = tc.value
		err := category.ValidateProduct(p, r)
		if err == nil || !category.IsInvalid(err) || !strings.Contains(err.Error(), `"`+tc.field+`"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an invalid-field error naming %s with %q", tc.name, err, tc.field, tc.want)
		}
	}
	facts := p.ProductFacts(good)
	if len(facts) != 3 || facts[0].Key != "licence" || facts[0].Value.ZH != good["licence"] || facts[1].Label.EN != "feed-additive approval number" ||
		facts[2].Label.ZH != "产品标准" || !facts[0].Public {
		t.Errorf("facts: %+v", facts)
	}
	if facts := p.ProductFacts(category.Record{"licence": good["licence"]}); len(facts) != 1 {
		t.Errorf("facts of a licence alone: %+v", facts)
	}
}
