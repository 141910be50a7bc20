package vetdrug

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

func TestPrescriptionRule(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	prod := category.Record{"approval_number": "兽药字(2020)150011234", "holder": "某兽药厂", "enterprise_code": "15001",
		"species": "pig,cattle", "withdrawal_periods": "pig=28,cattle=28", "prescription": "true"}
	if err := category.ValidateProduct(p, prod); err != nil {
		t.Fatal(err)
	}
	bad := category.Record{}
	for k, v := range prod {
		bad[k] = v
	}
	bad["enterprise_code"] = "15O01"
	if err := category.ValidateProduct(p, bad); err == nil || !strings.Contains(err.Error(), "position 3") {
		t.Errorf("letter O in the enterprise code: %v", err)
	}
	h := &category.History{Product: prod}
	sale := category.Event{Kind: "sale", Time: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Fields: category.Record{"quantity": "1", "buyer": "某养殖场"}}
	if fs := category.Evaluate(p, h, &sale, sale.Time); len(fs) != 1 || !strings.Contains(fs[0].Message.EN, "without a prescription") {
		t.Fatalf("no prescription: %+v", fs)
	}
	sale.Fields["prescription_no"], sale.Fields["vet"] = "RX-1", "李兽医"
	if fs := category.Evaluate(p, h, &sale, sale.Time); len(fs) != 0 {
		t.Fatalf("with prescription: %+v", fs)
	}
}
