package drugexport

import (
	"errors"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// TestBillType: which record is which bill, and what is none.
func TestBillType(t *testing.T) {
	for _, c := range []struct {
		s    ledger.Summary
		want BillType
		ok   bool
	}{
		{ledger.Summary{Kind: ledger.KindCommission}, ProductionIn, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepCommissioning}, ProductionIn, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepReceiving}, PurchaseIn, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepReceiving, Disposition: epcis.DispReturned}, ReturnIn, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepShipping}, SaleOut, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepShipping, Disposition: epcis.DispReturned}, ReturnOut, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepDestroying}, DestroyOut, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepDispensing}, RetailOut, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepRetailSelling}, RetailOut, true},
		{ledger.Summary{Kind: ledger.KindEPCIS, BizStep: epcis.BizStepInspecting}, 0, false},
		{ledger.Summary{Kind: ledger.KindPack}, 0, false},
		{ledger.Summary{Kind: ledger.KindRecall}, 0, false},
	} {
		got, ok := billType(&c.s)
		if got != c.want || ok != c.ok {
			t.Errorf("%v %s %s: %d %v, want %d %v", c.s.Kind, c.s.BizStep, c.s.Disposition, got, ok, c.want, c.ok)
		}
	}
}

// TestAllowed: the organisation's own keys, the operator, and regulators
// whose region covers its registered address.
func TestAllowed(t *testing.T) {
	const org, region = 7, 620503
	for _, c := range []struct {
		who string
		k   apikey.Key
		ok  bool
	}{
		{"own report key", apikey.Key{Org: org, Scopes: apikey.ScopeReport}, true},
		{"operator", apikey.Key{Scopes: apikey.ScopeAdmin}, true},
		{"province", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620000}, true},
		{"district", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620503}, true},
		{"another city", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620100}, false},
		{"another organisation's admin", apikey.Key{Org: 8, Scopes: apikey.ScopeAdmin}, false},
		{"a key without scope or region", apikey.Key{}, false},
	} {
		if got := Allowed(c.k, org, region); got != c.ok {
			t.Errorf("%s: %v", c.who, got)
		}
	}
	if Allowed(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620000}, org, 0) {
		t.Error("a regulator may export an organisation with no registered region")
	}
}

func TestDocNumber(t *testing.T) {
	for in, want := range map[string]string{
		"urn:epcglobal:cbv:bt:6909876000003:DRUG-DN-9": "DRUG-DN-9",
		"urn:epcglobal:cbv:bt:DN-1":                    "DN-1",
		"https://example.cn/doc/7":                     "https://example.cn/doc/7",
	} {
		if got := docNumber(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// TestParseBound: a date starts the period at its midnight (CST) and, as
// its end, includes the whole day; RFC 3339 is taken as given; anything
// else is refused naming the bound.
func TestParseBound(t *testing.T) {
	from, err := ParseBound("from", "2026-03-01", false)
	if err != nil || !from.Equal(time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("from: %v %v", from, err)
	}
	to, err := ParseBound("to", "2026-03-01", true)
	if err != nil || !to.Equal(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("to: %v %v", to, err)
	}
	at, err := ParseBound("to", "2026-03-01T09:30:00+08:00", true)
	if err != nil || !at.Equal(time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339: %v %v", at, err)
	}
	for _, bad := range []string{"", "2026-3-1", "yesterday", "2026-03-01T09:30:00"} {
		if _, err := ParseBound("from", bad, false); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParseBound: no input panics; a bound read is a time that formats
// back to a bound read as the same instant.
func FuzzParseBound(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026-03-01T09:30:00+08:00", "2026-02-30", "", "9999-12-31", "2026-03-01T09:30:00Z"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, end bool) {
		tm, err := ParseBound("from", s, end)
		if err != nil {
			return
		}
		again, err := ParseBound("from", tm.Format(time.RFC3339Nano), end)
		if err != nil || !again.Equal(tm) {
			t.Fatalf("%q → %v → %v %v", s, tm, again, err)
		}
	})
}
