package farm_test

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/category/farm"
	"tracecode/engine/category/pesticide"
	"tracecode/engine/category/vetdrug"
)

var cst = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// mancozeb is a pesticide registered for apples with a 21-day interval.
var mancozeb = category.Record{"reg_number": "PD20080123", "holder": "某农药有限公司", "active_ingredients": "代森锰锌 80%",
	"code_prefix": "10801231001", "targets": "apple,pear", "safety_intervals": "apple=21,pear=14"}

// orchard is a lot of apples from a Tianshui (秦州区) orchard.
func orchard() *category.History {
	return &category.History{
		Product: category.Record{"class": "fruit"},
		Item:    category.Record{"origin": "620502001", "committer": "天水某果园", "contact": "0938-0000000"},
		Inputs:  map[string]category.Record{"PD20080123": mancozeb},
	}
}

func TestDeclarations(t *testing.T) {
	for _, p := range []category.Profile{farm.New(), pesticide.New(), vetdrug.New()} {
		if err := category.Check(p); err != nil {
			t.Error(err)
		}
	}
	if err := category.ValidateProduct(pesticide.New(), mancozeb); err != nil {
		t.Fatal(err)
	}
	bad := category.Record{}
	for k, v := range mancozeb {
		bad[k] = v
	}
	bad["code_prefix"] = "10801241001"
	if err := category.ValidateProduct(pesticide.New(), bad); err == nil || !strings.Contains(err.Error(), "names registration PD…080124, not PD20080123") {
		t.Errorf("mismatched prefix: %v", err)
	}
	bad["code_prefix"], bad["safety_intervals"] = "10801231001", "apple=21"
	if err := category.ValidateProduct(pesticide.New(), bad); err == nil || !strings.Contains(err.Error(), "no interval for registered crop pear") {
		t.Errorf("missing interval: %v", err)
	}
	v := category.Record{"approval_number": "兽药字(2020)150011234", "holder": "某兽药厂", "enterprise_code": "15001",
		"species": "pig,cattle", "withdrawal_periods": "pig=28", "prescription": "true"}
	if err := category.ValidateProduct(vetdrug.New(), v); err == nil || !strings.Contains(err.Error(), "no period for species cattle") {
		t.Errorf("vet drug without a cattle period: %v", err)
	}
}

// TestSafetyInterval: apples harvested 9 days after a spray registered with
// a 21-day interval raise a critical alert, the certificate is refused
// until the interval has passed and issued after it.
func TestSafetyInterval(t *testing.T) {
	p := farm.New()
	h := orchard()
	if err := category.ValidateItem(p, h.Product, h.Item); err != nil {
		t.Fatal(err)
	}
	use := category.Event{Kind: "pesticide-use", Time: at("2026-08-01 07:00"), Fields: category.Record{
		"input": "PD20080123", "crop": "apple", "dose": "1.5 kg/亩", "operator": "王某", "township": "620502001"}}
	if err := category.ValidateEvent(p, h, &use); err != nil {
		t.Fatal(err)
	}
	h.Events = append(h.Events, use)
	harvest := category.Event{Kind: "harvest", Time: at("2026-08-10 09:00"), Fields: category.Record{"quantity": "5000"}}
	fs := category.Evaluate(p, h, &harvest, harvest.Time)
	if len(fs) != 1 || fs[0].Rule != "harvest-inside-interval" || fs[0].Severity.String() != "critical" ||
		!strings.Contains(fs[0].Message.EN, "PD20080123 used on apple, 21 days, not before 2026-08-22 07:00") {
		t.Fatalf("harvest on day 9: %+v", fs)
	}
	h.Events = append(h.Events, harvest)
	cert := category.Event{Kind: "certificate", Time: at("2026-08-10 10:00"), Fields: category.Record{"quantity": "5000", "unit": "kg"}}
	err := category.ValidateEvent(p, h, &cert)
	if err == nil || !strings.Contains(err.Error(), "not before 2026-08-22 07:00") || !strings.Contains(err.Error(), "安全间隔期或休药期未满") {
		t.Fatalf("certificate inside the interval: %v", err)
	}
	facts := map[string]category.Fact{}
	for _, f := range p.Facts(h, cert.Time) {
		facts[f.Key] = f
	}
	if facts["certificate"].Status != "warn" || facts["safe_after"].Status != "warn" {
		t.Errorf("facts before issue: %+v", facts)
	}
	cert.Time = at("2026-08-22 07:00")
	if err := category.ValidateEvent(p, h, &cert); err != nil {
		t.Fatalf("certificate after the interval: %v", err)
	}
	h.Events = append(h.Events, cert)
	facts = map[string]category.Fact{}
	for _, f := range p.Facts(h, cert.Time) {
		facts[f.Key] = f
	}
	if f := facts["certificate"]; f.Value.ZH != "已开具" || !f.Public {
		t.Errorf("certificate fact %+v", f)
	}
	if f := facts["quantity"]; f.Value.EN != "5000 kg" {
		t.Errorf("quantity fact %+v", f)
	}
	// One certificate per batch; a split names its inputs.
	again := category.Event{Kind: "certificate", Time: at("2026-08-23 07:00"), Fields: category.Record{"quantity": "2000", "unit": "kg"}}
	if err := category.ValidateEvent(p, h, &again); err == nil || !strings.Contains(err.Error(), "mix or split") {
		t.Errorf("second certificate: %v", err)
	}
	again.Fields["inputs"] = "HGZ-2026-0001"
	if err := category.ValidateEvent(p, h, &again); err != nil {
		t.Errorf("split certificate: %v", err)
	}
}

// TestOffLabelUse: a pesticide not registered for the crop takes the
// default interval and says so.
func TestOffLabelUse(t *testing.T) {
	h := orchard()
	h.Events = append(h.Events, category.Event{Kind: "pesticide-use", Time: at("2026-08-01 07:00"), Fields: category.Record{
		"input": "PD20080123", "crop": "cabbage", "dose": "1", "operator": "王某"}})
	s := farm.SafeAfter(h, at("2026-08-20 07:00"))
	if !s.OffList || s.Days != farm.DefaultDays || !s.Inside(at("2026-08-20 07:00")) {
		t.Fatalf("off-label: %+v", s)
	}
	// A use recorded after the harvest does not count against it.
	if s := farm.SafeAfter(h, at("2026-07-31 07:00")); !s.Time.IsZero() {
		t.Errorf("a later use counted: %+v", s)
	}
}

// TestUseByTraceCode: a use record naming the input by the trace code on
// its package — a 32-digit pesticide code, bare or behind its trace URL,
// or a 24-digit vet-drug code — takes the interval of the product the
// code's prefix (or enterprise code) is registered to.
func TestUseByTraceCode(t *testing.T) {
	ivermectin := category.Record{"approval_number": "兽药字(2020)150011234", "enterprise_code": "15001", "species": "cattle", "withdrawal_periods": "cattle=35"}
	for _, tc := range []struct {
		kind, input, target string
		days                int
	}{
		{"pesticide-use", "10801231001004567890123456789012", "apple", 21},
		{"pesticide-use", "https://www.icama.cn/t/10801231001004567890123456789012", "apple", 21},
		{"vet-use", "202611201500100000000042", "cattle", 35},
		{"pesticide-use", "10801241001004567890123456789012", "apple", farm.DefaultDays}, // another registration: unknown
	} {
		h := orchard()
		h.Inputs["10801231001"], h.Inputs["15001"] = mancozeb, ivermectin
		f := category.Record{"input": tc.input, "dose": "1", "operator": "王某"}
		if tc.kind == "vet-use" {
			f["species"] = tc.target
		} else {
			f["crop"] = tc.target
		}
		h.Events = append(h.Events, category.Event{Kind: tc.kind, Time: at("2026-08-01 07:00"), Fields: f})
		s := farm.SafeAfter(h, at("2026-08-02 07:00"))
		if s.Days != tc.days || s.OffList != (tc.days == farm.DefaultDays) {
			t.Errorf("%s %s: %+v, want %d days", tc.kind, tc.input, s, tc.days)
		}
	}
}
