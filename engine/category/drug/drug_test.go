package drug

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

func TestDrugProfile(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	prod := category.Record{"approval": "国药准字H20003263", "mah": "某药业有限公司", "dosage_form": "胶囊剂", "rx": "true"}
	if err := category.ValidateProduct(p, prod); err != nil {
		t.Fatal(err)
	}
	prod["approval"] = "国药准字X20003263"
	if err := category.ValidateProduct(p, prod); err == nil || !strings.Contains(err.Error(), `class "X" at positions 5-5`) {
		t.Errorf("bad approval number: %v", err)
	}
	prod["approval"] = "国药准字H20003263"
	h := &category.History{Product: prod}
	e := category.Event{Kind: "dispense", Time: time.Now(), Fields: category.Record{"pharmacist": "周药师"}}
	if fs := category.Evaluate(p, h, &e, e.Time); len(fs) != 1 || fs[0].Rule != "drug-rx-without-prescription" {
		t.Fatalf("rx without prescription: %+v", fs)
	}
	e.Fields["prescription_no"] = "CF-20261207-01"
	if fs := category.Evaluate(p, h, &e, e.Time); len(fs) != 0 {
		t.Fatalf("with prescription: %+v", fs)
	}
	if f := p.Facts(h, e.Time); f[2].Value.EN != "prescription only" {
		t.Errorf("facts %+v", f)
	}
}
