package server

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine"
)

// A TransformationEvent by organisation B consuming organisation A's
// commissioned case is refused naming the code; the case resolves exactly
// as before (it used to answer decommissioned).
func TestTransformationOfAnotherOrgsCode(t *testing.T) {
	env := newTestEnv(t, nil)
	b := env.key("天水麦积")
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
	a, op := env.key("兰州陇原"), env.key("operator")
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

// firstProduct returns the id of the first product key sees of its own
// organisation.
func firstProduct(t *testing.T, env *testEnv, key string) string {
	t.Helper()
	org := decodeJSON(t, env.api("GET", "/v1/me", key, ""))["org"].(map[string]any)["id"]
	for _, p := range decodeJSON(t, env.api("GET", "/v1/products", key, ""))["products"].([]any) {
		if p := p.(map[string]any); p["org"] == org {
			return fmt.Sprint(p["id"])
		}
	}
	t.Fatal("no product")
	return ""
}

// A hostile organisation minting huge short blocks with allowPartial gets
// its quota of the engine-wide short-code space, then 422 problems naming
// the quota; another organisation still mints; /metrics tells the space
// that remains.
func TestShortQuotaOverHTTP(t *testing.T) {
	const quota = 1_000_000
	env := newTestEnvWith(t, func(o *engine.Options) { o.ShortQuotaPerOrg = quota }, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	mint := func(key, product string, count int) resp {
		return env.api("POST", "/v1/blocks", key, fmt.Sprintf(`{"product":%s,"count":%d,"scheme":"short","allowPartial":true}`, product, count))
	}
	pa, pb := firstProduct(t, env, a), firstProduct(t, env, b)
	before := decodeJSON(t, mint(a, pa, 1))["count"].(float64) // the demo's own short blocks count against the quota too
	var took float64
	refused := 0
	for range 100 {
		r := mint(a, pa, 10_000_000_000)
		switch r.status {
		case 201:
			took += decodeJSON(t, r)["count"].(float64)
		case 422:
			refused++
			if !strings.Contains(string(r.body), "quota") {
				t.Fatalf("refusal does not name the quota: %s", r.body)
			}
		default:
			t.Fatalf("hostile mint: %d %s", r.status, r.body)
		}
	}
	if refused != 99 || took == 0 || before != 1 {
		t.Fatalf("hostile organisation: took %v in %d blocks, %d refused", took, 100-refused, refused)
	}
	if r := mint(b, pb, 1000); r.status != 201 || decodeJSON(t, r)["count"] != 1000.0 {
		t.Fatalf("another organisation's mint: %d %s", r.status, r.body)
	}
	m := string(env.get("/metrics").body)
	if !strings.Contains(m, `tracecode_shared_space_remaining{space="short"}`) ||
		!strings.Contains(m, `tracecode_shared_space_max_org_issued{space="short"} 1e+06`) {
		t.Errorf("metrics lack the shared space:\n%s", m)
	}
}

// Writes are rate limited per API key: past the burst a key is answered
// 429 with Retry-After, another key is not, and reads are not limited.
func TestWriteRateLimitPerKey(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.WriteRateLimit, c.WriteRateBurst = 0.0001, 2 })
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	pa := firstProduct(t, env, a)
	body := `{"product":` + pa + `,"count":1}`
	for i := range 2 {
		if r := env.api("POST", "/v1/blocks", a, body); r.status != 201 {
			t.Fatalf("write %d within the burst: %d %s", i, r.status, r.body)
		}
	}
	r := env.api("POST", "/v1/blocks", a, body)
	if r.status != 429 || r.h("Retry-After") == "" || !strings.Contains(string(r.body), "API key") {
		t.Fatalf("a write past the burst: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/blocks", a, ""); r.status != 200 {
		t.Errorf("a read of a limited key: %d", r.status)
	}
	if r := env.api("POST", "/v1/blocks", b, `{"product":`+firstProduct(t, env, b)+`,"count":1}`); r.status != 201 {
		t.Errorf("another key's write: %d %s", r.status, r.body)
	}
	if m := string(env.get("/metrics").body); !strings.Contains(m, "tracecode_write_rate_limited_total 1") {
		t.Errorf("the refusal is not counted")
	}
}

// A regulator agency's key (events and regulator scopes, its region)
// records inspections on codes produced in its region, and nothing else;
// codes of another region are refused.
func TestRegulatorInspectionCapture(t *testing.T) {
	env := newTestEnv(t, nil)
	op := env.key("operator")
	r := env.api("POST", "/v1/orgs", op, `{"name":"兰州市市场监督管理局","region":"620100"}`)
	if r.status != 201 {
		t.Fatalf("agency: %d %s", r.status, r.body)
	}
	agency := fmt.Sprint(decodeJSON(t, r)["id"])
	r = env.api("POST", "/v1/keys", op, `{"org":`+agency+`,"scopes":["events","regulator"],"region":"620100","name":"inspector"}`)
	if r.status != 201 {
		t.Fatalf("key: %d %s", r.status, r.body)
	}
	key := decodeJSON(t, r)["token"].(string)
	urn := func(what string) string {
		return decodeJSON(t, env.get(env.url(what), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	}
	event := func(code, step, at string) string {
		return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-20T` + at + `:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["` + code + `"],"action":"OBSERVE","bizStep":"` + step + `"}]}}`
	}
	hz := urn("fireworks") // produced in Lanzhou (620102001)
	if r := env.api("POST", "/v1/events", key, event(hz, "inspecting", "10:00")); r.status != 201 {
		t.Fatalf("inspection in the region: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/events", key, event(hz, "destroying", "10:01")); r.status != 422 || !strings.Contains(string(r.body), "held by") {
		t.Errorf("a regulator records destroying: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/events", key, event(urn("pesticide"), "inspecting", "10:02")); r.status != 422 {
		t.Errorf("an inspection outside the region: %d %s", r.status, r.body)
	}
}

// An organisation's keys share one write budget as well: an admin cannot
// multiply the per-key limit by creating keys. Another organisation is
// unaffected.
func TestWriteRateLimitPerOrg(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.OrgWriteRateLimit, c.OrgWriteRateBurst = 0.0001, 3 })
	a, b, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("operator")
	orgA := fmt.Sprint(decodeJSON(t, env.api("GET", "/v1/me", a, ""))["org"].(map[string]any)["id"])
	r := env.api("POST", "/v1/keys", op, `{"org":`+orgA+`,"scopes":["mint"],"name":"second"}`)
	if r.status != 201 {
		t.Fatalf("second key: %d %s", r.status, r.body)
	}
	a2 := decodeJSON(t, r)["token"].(string)
	body := `{"product":` + firstProduct(t, env, a) + `,"count":1}`
	for i, k := range []string{a, a, a2} {
		if r := env.api("POST", "/v1/blocks", k, body); r.status != 201 {
			t.Fatalf("write %d within the organisation's burst: %d %s", i, r.status, r.body)
		}
	}
	if r := env.api("POST", "/v1/blocks", a2, body); r.status != 429 || !strings.Contains(string(r.body), "organisation") {
		t.Fatalf("a new key past the organisation's burst: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/blocks", b, `{"product":`+firstProduct(t, env, b)+`,"count":1}`); r.status != 201 {
		t.Errorf("another organisation's write: %d %s", r.status, r.body)
	}
}
