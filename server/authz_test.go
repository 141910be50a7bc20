package server

import (
	"fmt"
	"strings"
	"testing"
)

// A TransformationEvent by organisation B consuming organisation A's
// commissioned case is refused naming the code; the case resolves exactly
// as before (it used to answer decommissioned).
func TestTransformationOfAnotherOrgsCode(t *testing.T) {
	env := newTestEnv(t, nil)
	b := env.key("福州")
	before := env.get(env.url("fireworks"), "Accept", "application/json")
	urn := decodeJSON(t, before)["code"].(map[string]any)["epcURN"].(string)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"TransformationEvent","eventTime":"2026-11-20T10:00:00+08:00",
"eventTimeZoneOffset":"+08:00","inputEPCList":["` + urn + `"],"transformationID":"urn:epc:id:gdti:6909876.00001.T1"}]}}`
	r := env.api("POST", "/v1/events", b, doc)
	if r.status != 422 || !strings.Contains(string(r.body), urn) || !strings.Contains(string(r.body), "inputEPCList[0]") {
		t.Fatalf("B consumes A's case: %d %s", r.status, r.body)
	}
	after := env.get(env.url("fireworks"), "Accept", "application/json")
	if decodeJSON(t, after)["status"] != decodeJSON(t, before)["status"] || len(after.body) != len(before.body) {
		t.Errorf("the refused transformation changed the case:\n%s\n%s", before.body, after.body)
	}
}

// Regulator keys name a region of the GB/T 2260 table: "33" and "999999"
// are refused with a problem naming the region.
func TestRegulatorKeyRegionValidated(t *testing.T) {
	env := newTestEnv(t, nil)
	op := env.key("operator")
	for _, region := range []string{"33", "999999"} {
		r := env.api("POST", "/v1/keys", op, `{"scopes":["regulator"],"region":"`+region+`","name":"r"}`)
		if r.status != 400 || !strings.Contains(string(r.body), "region") {
			t.Errorf("region %s: %d %s", region, r.status, r.body)
		}
	}
	if r := env.api("POST", "/v1/keys", op, `{"scopes":["regulator"],"region":"330100","name":"r"}`); r.status != 201 {
		t.Errorf("region 330100: %d %s", r.status, r.body)
	}
}

// POST /v1/products with a GS1 company prefix nobody granted to the
// caller's organisation is refused naming the prefix, and the prefix is
// not claimed; once the operator grants it, the product is created. Only
// the operator grants.
func TestProductPrefixMustBeGranted(t *testing.T) {
	env := newTestEnv(t, nil)
	a, op := env.key("杭州"), env.key("operator")
	me := decodeJSON(t, env.api("GET", "/v1/me", a, ""))["org"].(map[string]any)
	orgA := fmt.Sprint(me["id"])
	body := `{"gtin":"6923450000014","gcpLength":7,"nameZH":"新品","category":"food"}`
	r := env.api("POST", "/v1/products", a, body)
	if r.status != 403 || !strings.Contains(string(r.body), "6923450") {
		t.Fatalf("an ungranted prefix: %d %s", r.status, r.body)
	}
	if o := env.api("GET", "/v1/orgs/"+orgA, a, ""); strings.Contains(string(o.body), "6923450") {
		t.Fatalf("the refused product claimed the prefix: %s", o.body)
	}
	if r := env.api("POST", "/v1/orgs/"+orgA+"/prefixes", a, `{"gcp":"6923450"}`); r.status != 403 {
		t.Errorf("an organisation grants itself a prefix: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/orgs/"+orgA+"/prefixes", op, `{"gcp":"6909876"}`); r.status != 409 {
		t.Errorf("granting another organisation's prefix: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/orgs/"+orgA+"/prefixes", op, `{"gcp":"6923450"}`); r.status != 200 || !strings.Contains(string(r.body), "6923450") {
		t.Fatalf("the operator grants: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/products", a, body); r.status != 201 {
		t.Fatalf("product under a granted prefix: %d %s", r.status, r.body)
	}
}
