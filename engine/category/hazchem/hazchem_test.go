package hazchem

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

const (
	seller = "91350100M000100Y43"
	buyer  = "91620102MA71Q8RT3"
)

func TestCASCheck(t *testing.T) {
	for _, ok := range []string{"7732-18-5", "64-17-5", "7664-93-9", "7697-37-2", "50-00-0"} {
		if err := CASCheck(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"7732-18-4", "7732185", "1-18-5", "7732-1-5", "77a2-18-5"} {
		if err := CASCheck(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// nitric is 硝酸 (an explosive precursor), with its SDS and label.
func nitric(t *testing.T) *category.History {
	prod := category.Record{"cas": "7697-37-2", "un_number": "UN2031", "sds_version": "2025-03 v4", "sds_sections": "16",
		"signal_word": "危险", "pictograms": "GHS03,GHS05", "hazard_statements": "H272,H314", "emergency_phone": "0931-0000000",
		"controlled": "explosive-precursor"}
	if err := category.ValidateProduct(New(), prod); err != nil {
		t.Fatal(err)
	}
	return &category.History{Product: prod}
}

func TestProductLabel(t *testing.T) {
	p := New()
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	h := nitric(t)
	for field, v := range map[string]string{"cas": "7697-37-3", "un_number": "203", "pictograms": "GHS10", "sds_sections": "15"} {
		r := category.Record{}
		for k, x := range h.Product {
			r[k] = x
		}
		r[field] = v
		if err := category.ValidateProduct(p, r); err == nil || !strings.Contains(err.Error(), `"`+field+`"`) {
			t.Errorf("%s=%s: %v", field, v, err)
		}
	}
	facts := map[string]category.Fact{}
	for _, f := range p.Facts(h, time.Now()) {
		facts[f.Key] = f
	}
	if f := facts["signal_word"]; f.Value.EN != "Danger" || !f.Public {
		t.Errorf("signal word %+v", f)
	}
}

// TestPermitCheckedTransfer: transfers draw down the buyer's permit and are
// refused beyond it, for another buyer, after expiry or without the agent;
// an unfiled transfer raises after 5 days.
func TestPermitCheckedTransfer(t *testing.T) {
	p := New()
	h := nitric(t)
	buyerUSCC := validBuyer(t)
	h.Events = append(h.Events, category.Event{Kind: "permit", Time: at("2026-10-01 09:00"), Fields: category.Record{
		"permit_no": "甘公易制爆购2026-0001", "buyer_uscc": buyerUSCC, "quantity_kg": "500", "valid_until": "2026-12-31"}})
	transfer := func(day string, kg string) category.Event {
		return category.Event{Kind: "transfer", Time: at(day), Fields: category.Record{"ref": "XS-" + day[:10], "seller_uscc": seller,
			"buyer_uscc": buyerUSCC, "permit_no": "甘公易制爆购2026-0001", "quantity_kg": kg, "agent_name": "赵某",
			"agent_id": "620102198001011234", "purpose": "金属表面处理"}}
	}
	first := transfer("2026-10-10 10:00", "300")
	if err := category.ValidateEvent(p, h, &first); err != nil {
		t.Fatal(err)
	}
	h.Events = append(h.Events, first)
	over := transfer("2026-10-20 10:00", "250")
	if err := category.ValidateEvent(p, h, &over); err == nil || !strings.Contains(err.Error(), "still allows (200.000 kg)") {
		t.Errorf("beyond the permit: %v", err)
	}
	other := transfer("2026-10-20 10:00", "100")
	other.Fields["buyer_uscc"] = seller
	if err := category.ValidateEvent(p, h, &other); err == nil || !strings.Contains(err.Error(), "cannot be transferred") {
		t.Errorf("another buyer: %v", err)
	}
	late := transfer("2027-01-02 10:00", "100")
	if err := category.ValidateEvent(p, h, &late); err == nil || !strings.Contains(err.Error(), "expired on 2026-12-31") {
		t.Errorf("expired permit: %v", err)
	}
	anon := transfer("2026-10-20 10:00", "100")
	delete(anon.Fields, "agent_id")
	if err := category.ValidateEvent(p, h, &anon); err == nil || !strings.Contains(err.Error(), "agent's name and identity number") {
		t.Errorf("no agent id: %v", err)
	}
	if fs := category.Evaluate(p, h, nil, at("2026-10-15 09:00")); len(fs) != 0 {
		t.Errorf("within 5 days: %+v", fs)
	}
	fs := category.Evaluate(p, h, nil, at("2026-10-15 10:00"))
	if len(fs) != 1 || fs[0].Rule != "hazchem-police-filing-overdue" || !strings.Contains(fs[0].Message.EN, "XS-2026-10-10") {
		t.Fatalf("after 5 days: %+v", fs)
	}
	h.Events = append(h.Events, category.Event{Kind: "police-filing", Time: at("2026-10-16 10:00"), Fields: category.Record{"filing_no": "BA-1", "refs": "XS-2026-10-10"}})
	if fs := category.Evaluate(p, h, nil, at("2026-10-20 10:00")); len(fs) != 0 {
		t.Errorf("filed: %+v", fs)
	}
}

func validBuyer(t *testing.T) string {
	t.Helper()
	// 91620102MA71Q8RT3 + its GB 32100 check character.
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		s := buyer[:17] + string(c)
		if err := category.ValidateProduct(&uscc{}, category.Record{"u": s}); err == nil {
			return s
		}
	}
	t.Fatal("no check character makes a valid USCC")
	return ""
}

// uscc is a one-field profile used to find a valid USCC in the test.
type uscc struct{ category.Base }

func (*uscc) ProductFields() []category.FieldSpec {
	return []category.FieldSpec{category.F("u", "信用代码", "USCC", category.KindUSCC, true)}
}
func (*uscc) Facts(*category.History, time.Time) []category.Fact { return nil }
func (*uscc) Rules() []category.Rule                             { return nil }
