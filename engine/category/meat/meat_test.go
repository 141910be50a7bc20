package meat

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

var cst = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTagToCut follows a pig from its ear tag to cut lots: a slaughter
// inside the withdrawal period raises, a slaughter without quarantine
// raises, cutting needs a passed inspection, and the cut's facts name the
// farm, slaughterhouse, both certificates and the date.
func TestTagToCut(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	h := &category.History{
		Product: category.Record{"species": "pig"},
		Item:    category.Record{"ear_tag": "162050200000001", "farm": "天水某养殖场", "farm_township": "620502001"},
		Inputs:  map[string]category.Record{"兽药字(2020)150011234": {"species": "pig", "withdrawal_periods": "pig=28"}},
	}
	if err := category.ValidateItem(p, h.Product, h.Item); err != nil {
		t.Fatal(err)
	}
	cattle := category.Record{"ear_tag": "262050200000001", "farm": "f", "farm_township": "620502001"}
	if err := category.ValidateItem(p, h.Product, cattle); err == nil || !strings.Contains(err.Error(), "is a cattle (牛) tag") {
		t.Errorf("cattle tag on a pig: %v", err)
	}
	add := func(e category.Event) {
		t.Helper()
		if err := category.ValidateEvent(p, h, &e); err != nil {
			t.Fatalf("%s: %v", e.Kind, err)
		}
		h.Events = append(h.Events, e)
	}
	add(category.Event{Kind: "vet-use", Time: at("2026-10-01 08:00"), Fields: category.Record{
		"input": "兽药字(2020)150011234", "species": "pig", "dose": "5 ml", "operator": "张某"}})
	slaughter := category.Event{Kind: "slaughter", Time: at("2026-10-20 05:00"), Fields: category.Record{
		"slaughterhouse": "天水某肉联厂", "carcass": "C-0001", "tag_removed": "true"}}
	fs := category.Evaluate(p, h, &slaughter, slaughter.Time)
	if len(fs) != 2 || fs[0].Rule != "slaughter-inside-interval" || fs[1].Rule != "slaughter-without-quarantine" {
		t.Fatalf("early slaughter without quarantine: %+v", fs)
	}
	add(category.Event{Kind: "quarantine", Time: at("2026-11-01 08:00"), Fields: category.Record{"cert_no": "A62-0001234", "vet": "官方兽医赵某"}})
	bad := category.Event{Kind: "intake", Time: at("2026-11-02 04:00"), Fields: category.Record{"slaughterhouse": "天水某肉联厂", "cert_no": "A62-9999999"}}
	if err := category.ValidateEvent(p, h, &bad); err == nil || !strings.Contains(err.Error(), "is not the quarantine certificate A62-0001234") {
		t.Errorf("intake with another certificate: %v", err)
	}
	add(category.Event{Kind: "intake", Time: at("2026-11-02 04:00"), Fields: category.Record{"slaughterhouse": "天水某肉联厂", "cert_no": "A62-0001234"}})
	slaughter.Time = at("2026-11-02 05:00")
	if fs := category.Evaluate(p, h, &slaughter, slaughter.Time); len(fs) != 0 {
		t.Fatalf("slaughter after the withdrawal period with quarantine: %+v", fs)
	}
	add(slaughter)
	cut := category.Event{Kind: "cut", Time: at("2026-11-02 09:00"), Fields: category.Record{"lots": "L-RIB-1102,L-LOIN-1102"}}
	if err := category.ValidateEvent(p, h, &cut); err == nil || !strings.Contains(err.Error(), "no passed meat quality inspection") {
		t.Errorf("cut before inspection: %v", err)
	}
	add(category.Event{Kind: "meat-inspection", Time: at("2026-11-02 07:00"), Fields: category.Record{"cert_no": "RP-0005678", "result": "pass"}})
	add(cut)
	late := category.Event{Kind: "quarantine", Time: at("2026-11-03 08:00"), Fields: category.Record{"cert_no": "X", "vet": "v"}}
	if err := category.ValidateEvent(p, h, &late); err == nil || !strings.Contains(err.Error(), "slaughtered on 2026-11-02") {
		t.Errorf("quarantine after slaughter: %v", err)
	}
	facts := map[string]string{}
	for _, f := range p.Facts(h, cut.Time) {
		facts[f.Key] = f.Value.EN
	}
	for k, v := range map[string]string{"farm": "天水某养殖场", "slaughterhouse": "天水某肉联厂", "quarantine_cert": "A62-0001234",
		"inspection_cert": "RP-0005678", "slaughtered": "2026-11-02", "farm_township": "大城街道, Qinzhou District, Tianshui, Gansu (620502001)"} {
		if facts[k] != v {
			t.Errorf("fact %s = %q, want %q", k, facts[k], v)
		}
	}
}
