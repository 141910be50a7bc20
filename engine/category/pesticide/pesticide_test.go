package pesticide

import (
	"testing"
	"time"

	"tracecode/engine/category"
)

func TestRestrictedSaleRule(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	h := &category.History{Product: category.Record{"reg_number": "PD20080123", "restricted": "true"}}
	sale := category.Event{Kind: "sale", Time: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Fields: category.Record{"quantity": "2", "buyer_name": "王某"}}
	if err := category.ValidateEvent(p, h, &sale); err != nil {
		t.Fatal(err)
	}
	if fs := category.Evaluate(p, h, &sale, sale.Time); len(fs) != 1 || fs[0].Rule != "pesticide-restricted-sale-unnamed" {
		t.Fatalf("unnamed restricted sale: %+v", fs)
	}
	sale.Fields["buyer_id"] = "620502199001011234"
	if fs := category.Evaluate(p, h, &sale, sale.Time); len(fs) != 0 {
		t.Fatalf("named sale: %+v", fs)
	}
	delete(sale.Fields, "buyer_id")
	h.Product["restricted"] = "false"
	if fs := category.Evaluate(p, h, &sale, sale.Time); len(fs) != 0 {
		t.Fatalf("unrestricted sale: %+v", fs)
	}
	var buyerID category.FieldSpec
	for _, f := range p.Events()[0].Fields {
		if f.Name == "buyer_id" {
			buyerID = f
		}
	}
	if !buyerID.Private {
		t.Error("buyer_id is not private")
	}
}
