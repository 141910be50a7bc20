package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/site"
)

// paramsFixture adds to queryFixture: a township site of a Chengguan
// (620102001) warehouse receiving a pallet quantity, a transformation with
// a transformation ID and lot quantities, and an inspection declared
// erroneous.
func paramsFixture(t *testing.T) *fixture {
	f := queryFixture(t)
	c, err := f.e.Issuance().AddOrg(context.Background(), issue.OrgSpec{Name: "城关仓储", Region: "620102001", GCPs: []string{"6905678"}})
	if err != nil {
		t.Fatal(err)
	}
	// Its second warehouse is a registered site in Qilihe (620103).
	if _, err := mustSites(t, f.e).Add(apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}, c.ID, &site.Input{Kind: "warehouse", Name: "七里河仓",
		Region: "620103", GLN: "6905678000021"}); err != nil {
		t.Fatal(err)
	}
	lgtin := "urn:epc:class:lgtin:9520123.045678.L1"
	store := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[],"quantityList":[{"epcClass":%q,"quantity":12.5,"uom":"KGM"}],"action":"OBSERVE","bizStep":"storing",
"readPoint":{"id":"urn:epc:id:sgln:6905678.00001.0"},"bizLocation":{"id":"urn:epc:id:sgln:6905678.00001.0"}}`, lgtin)
	transform := fmt.Sprintf(`{"type":"TransformationEvent","eventTime":"2026-03-01T14:10:00+08:00","eventTimeZoneOffset":"+08:00",
"inputQuantityList":[{"epcClass":%q,"quantity":3}],"outputEPCList":[%q],
"transformationID":"urn:epc:id:gdti:9520123.00001.T7","bizStep":"commissioning"}`, lgtin, f.code(f.items, 7))
	inspect := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:20:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting","disposition":"damaged"}`, f.code(f.items, 6))
	moved := `{"type":"ObjectEvent","eventTime":"2026-03-01T14:30:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[],"quantityList":[{"epcClass":"urn:epc:class:lgtin:9520123.045678.L1","quantity":1,"uom":"KGM"}],"action":"OBSERVE","bizStep":"arriving",
"bizLocation":{"id":"urn:epc:id:sgln:6905678.00002.0"}}`
	mustCapture(t, f, f.orgA, doc(store, transform, inspect, moved))
	mustCapture(t, f, f.orgA, doc(declare(inspect)))
	return f
}

// TestQueryEventParameters: WD_ over the division tree, EPC classes and
// class patterns, quantities, the transformation ID and the error
// declaration's fields, each alone and with others.
func TestQueryEventParameters(t *testing.T) {
	f := paramsFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		params []string
		want   []string
	}{
		{[]string{"WD_bizLocation", "620102"}, []string{"storing"}},
		{[]string{"WD_bizLocation", "620000"}, []string{"storing", "arriving"}},
		{[]string{"WD_bizLocation", "620102001"}, []string{"storing"}},
		{[]string{"WD_bizLocation", "620103"}, []string{"arriving"}},
		{[]string{"WD_bizLocation", "620104"}, nil},
		{[]string{"WD_readPoint", "urn:epc:id:sgln:6905678.00001.0|620103"}, []string{"storing"}},
		{[]string{"WD_readPoint", "330000"}, nil},
		{[]string{"MATCH_epcClass", "urn:epc:class:lgtin:9520123.045678.L1"}, []string{"storing", "arriving"}},
		{[]string{"MATCH_epcClass", "urn:epc:idpat:sgtin:9520123.045678.*", "EQ_bizStep", "storing"}, []string{"storing"}},
		{[]string{"MATCH_epcClass", "https://id.gs1.org/01/09520123456788/10/L2"}, nil},
		{[]string{"MATCH_anyEPCClass", "urn:epc:idpat:sgtin:9520123.045678.*"}, []string{"storing", "commissioning", "arriving"}},
		{[]string{"MATCH_inputEPCClass", "https://id.gs1.org/01/09520123456788/10/L1"}, []string{"commissioning"}},
		{[]string{"MATCH_anyEPCClass", "urn:epc:idpat:sgtin:6901234.056789.*"}, nil},
		{[]string{"EQ_quantity", "12.5"}, []string{"storing"}},
		{[]string{"GT_quantity", "3"}, []string{"storing"}},
		{[]string{"GE_quantity", "3", "LT_quantity", "12.5"}, []string{"commissioning"}},
		{[]string{"LE_quantity", "12.5", "MATCH_anyEPCClass", "urn:epc:class:lgtin:9520123.045678.L1"}, []string{"storing", "commissioning", "arriving"}},
		{[]string{"EQ_transformationID", "urn:epc:id:gdti:9520123.00001.T7"}, []string{"commissioning"}},
		{[]string{"EQ_errorReason", "incorrect_data"}, []string{"inspecting"}},
		{[]string{"EQ_errorReason", "https://ref.gs1.org/cbv/ER-did_not_occur"}, nil},
		{[]string{"EQ_correctiveEventID", "urn:uuid:c0ffee00-0000-4000-8000-000000000001"}, []string{"inspecting"}},
		{[]string{"GE_errorDeclarationTime", "2026-03-01T07:00:00Z", "LT_errorDeclarationTime", "2026-03-01T08:00:00Z"}, []string{"inspecting"}},
		{[]string{"LT_errorDeclarationTime", "2026-03-01T07:59:00Z"}, nil},
	} {
		if got := steps(t, f.e, op, c.params...); !slices.Equal(got, c.want) {
			t.Errorf("%v: got %v, want %v", c.params, got, c.want)
		}
	}
	// Another organisation sees none of them through the new parameters.
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	for _, p := range [][]string{{"WD_bizLocation", "620000"}, {"MATCH_anyEPCClass", "urn:epc:idpat:sgtin:9520123.045678.*"}, {"GE_quantity", "0"}} {
		if got := steps(t, f.e, b, p...); len(got) != 0 {
			t.Errorf("B with %v sees %v", p, got)
		}
	}
}

// TestQueryEventParametersRefused: malformed values name the parameter.
func TestQueryEventParametersRefused(t *testing.T) {
	f := queryFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, p := range [][2]string{
		{"MATCH_epcClass", "urn:epc:idpat:sgtin:9520123.*.*"},
		{"MATCH_anyEPCClass", "not a class"},
		{"EQ_quantity", "-1"},
		{"GT_quantity", "NaN"},
		{"EQ_errorReason", "bogus"},
		{"GE_errorDeclarationTime", "2026-03-01"},
		{"WD_bizLocation", ""},
	} {
		_, err := f.e.Queries().Events(op, []epcisq.Param{{Name: p[0], Value: p[1]}})
		if err == nil || !strings.Contains(err.Error(), p[0]) {
			t.Errorf("%s=%q: %v", p[0], p[1], err)
		}
	}
}

// mustSites returns e's site office.
func mustSites(t testing.TB, e *Engine) *site.Office {
	t.Helper()
	so, err := e.Sites()
	if err != nil {
		t.Fatal(err)
	}
	return so
}
