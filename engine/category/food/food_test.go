package food

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

func TestFoodProfiles(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		p        *Profile
		product  category.Record
		event    category.Event
		wantRule string
		ok       category.Record // fields that make the event pass
	}{
		{Dairy(Limits{}), category.Record{"sc_licence": "SC10562010200012", "standard": "GB 19645", "shelf_life_days": "7", "kind": "pasteurised-milk"},
			category.Event{Kind: "temperature", Time: now, Fields: category.Record{"celsius": "8.5"}}, "dairy-cold-chain-excursion", category.Record{"celsius": "4"}},
		{Oil(Limits{}), category.Record{"sc_licence": "SC10262010200013", "standard": "GB/T 1536", "shelf_life_days": "540", "process": "pressed", "oil_type": "胡麻油"},
			category.Event{Kind: "test", Time: now, Fields: category.Record{"acid_value": "3.4", "lab": "甘肃省食品检验研究院"}}, "oil-acid-value-exceeded", category.Record{"acid_value": "1.2", "lab": "x"}},
		{Liquor(Limits{}), category.Record{"sc_licence": "SC11562050200031", "standard": "GB/T 10781.1", "shelf_life_days": "3650", "alcohol_pct": "52", "aroma": "strong"},
			category.Event{Kind: "test", Time: now, Fields: category.Record{"alcohol_pct": "50.5", "lab": "x"}}, "liquor-alcohol-off-label", category.Record{"alcohol_pct": "51.2", "lab": "x"}},
	} {
		p := tc.p
		if err := category.Check(p); err != nil {
			t.Fatal(err)
		}
		if err := category.ValidateProduct(p, tc.product); err != nil {
			t.Fatalf("%s: %v", p.Name(), err)
		}
		h := &category.History{Product: tc.product}
		if err := category.ValidateEvent(p, h, &tc.event); err != nil {
			t.Fatalf("%s: %v", p.Name(), err)
		}
		if fs := category.Evaluate(p, h, &tc.event, now); len(fs) != 1 || fs[0].Rule != tc.wantRule {
			t.Errorf("%s: findings %+v, want %s", p.Name(), fs, tc.wantRule)
		}
		tc.event.Fields = tc.ok
		if fs := category.Evaluate(p, h, &tc.event, now); len(fs) != 0 {
			t.Errorf("%s: within limits: %+v", p.Name(), fs)
		}
		if len(p.Facts(h, now)) < 3 {
			t.Errorf("%s: facts %+v", p.Name(), p.Facts(h, now))
		}
	}
	// A dairy product under a liquor licence is refused.
	r := category.Record{"sc_licence": "SC11562050200031", "standard": "GB 19645", "shelf_life_days": "7", "kind": "yoghurt"}
	if err := category.ValidateProduct(Dairy(Limits{}), r); err == nil || !strings.Contains(err.Error(), "food category 115 酒类, not dairy") {
		t.Errorf("liquor licence on dairy: %v", err)
	}
	// Milk powder is not chilled: no cold-chain alert at 20 °C.
	h := &category.History{Product: category.Record{"kind": "milk-powder"}}
	e := category.Event{Kind: "temperature", Time: time.Now(), Fields: category.Record{"celsius": "20"}}
	if fs := category.Evaluate(Dairy(Limits{}), h, &e, e.Time); len(fs) != 0 {
		t.Errorf("milk powder at 20 °C: %+v", fs)
	}
}
