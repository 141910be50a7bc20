package fireworks

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

var t0 = time.Date(2026, 1, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestStockAndSales(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	h := &category.History{Product: category.Record{"class": "C", "maker": "浏阳某花炮厂", "maker_licence": "(湘)FM安许证字〔2024〕000123", "units_per_case": "24"}}
	if err := category.ValidateProduct(p, h.Product); err != nil {
		t.Fatal(err)
	}
	const ls, pf = "（甘）LS〔2025〕000456", "（甘）PF〔2025〕000012"
	add := func(d int, kind string, f category.Record) {
		t.Helper()
		e := category.Event{Kind: kind, Time: t0.AddDate(0, 0, d), Fields: f}
		if err := category.ValidateEvent(p, h, &e); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		h.Events = append(h.Events, e)
	}
	add(0, "stock", category.Record{"quantity": "0", "licence": ls})
	add(1, "store", category.Record{"quantity": "240", "licence": ls})
	add(2, "sell", category.Record{"quantity": "3", "licence": ls, "buyer_name": "张某", "buyer_id": "620102199001011234"})
	add(3, "sell", category.Record{"quantity": "2", "licence": ls, "buyer_name": "李某", "buyer_id": "620102199202021234"})
	check := category.Event{Kind: "stock", Time: t0.AddDate(0, 0, 4), Fields: category.Record{"quantity": "235", "licence": ls}}
	if fs := category.Evaluate(p, h, &check, check.Time); len(fs) != 0 {
		t.Fatalf("matching stock: %+v", fs)
	}
	check.Fields["quantity"] = "260"
	fs := category.Evaluate(p, h, &check, check.Time)
	if len(fs) != 1 || fs[0].Message.EN != "stock check found 260, the registered flow gives 235 (last 0 + in 240 − out 5)" {
		t.Fatalf("extra stock: %+v", fs)
	}
	wholesaleSale := category.Event{Kind: "sell", Time: t0, Fields: category.Record{"quantity": "1", "licence": pf, "buyer_name": "王某", "buyer_id": "x"}}
	if err := category.ValidateEvent(p, h, &wholesaleSale); err == nil || !strings.Contains(err.Error(), "only a retail (LS) licence") {
		t.Errorf("sale under a PF licence: %v", err)
	}
	anon := category.Event{Kind: "sell", Time: t0, Fields: category.Record{"quantity": "1", "licence": ls, "buyer_name": "王某"}}
	if err := category.ValidateEvent(p, h, &anon); err == nil || !strings.Contains(err.Error(), `"buyer_id": is required`) {
		t.Errorf("sale without identity: %v", err)
	}
	bad := category.Event{Kind: "store", Time: t0, Fields: category.Record{"quantity": "1", "licence": "（X）PF〔2025〕1"}}
	if err := category.ValidateEvent(p, h, &bad); err == nil || !strings.Contains(err.Error(), "province abbreviation") {
		t.Errorf("bad licence: %v", err)
	}
}
