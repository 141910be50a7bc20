package server

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// scopeEnv is a demo server with a mixed case: formula tin 1000 and a
// fresh pork item packed in formula case 50, all commissioned by the Lanzhou
// producer, who still holds them.
type scopeEnv struct {
	*testEnv
	a                     string
	pork, tin, other, pes string // scan URLs: pork 0 and tin 1000 in the case, tin 1001 loose, a pesticide
	caseURN               string
}

func newScopeEnv(t *testing.T, cfg func(*Config)) *scopeEnv {
	env := newTestEnv(t, cfg)
	e := &scopeEnv{testEnv: env, a: env.key("兰州陇原"), pes: env.url("pesticide")}
	items, cases := env.info.Blocks[0], env.info.Blocks[1]
	// Fresh pork items (the demo's are packed already).
	pm := decodeJSON(t, env.get(env.url("chilled pork"), "Accept", "application/json"))
	r := env.api("POST", "/v1/blocks", e.a, fmt.Sprintf(`{"gtin":%q,"lot":%q,"count":2}`,
		pm["product"].(map[string]any)["gtin"], pm["lot"].(map[string]any)["number"]))
	if r.status != 201 {
		t.Fatalf("mint pork: %d %s", r.status, r.body)
	}
	pork := uint64(decodeJSON(t, r)["id"].(float64))
	line := fmt.Sprintf(`{"action":"commission","time":"2026-11-20T08:00:00+08:00","readPoint":"line-1",
		"items":{"ranges":[{"block":%d,"first":1000,"last":1003},{"block":%d,"first":50,"last":50},{"block":%d,"first":0,"last":1}]}}`,
		items, cases, pork)
	if r := env.api("POST", "/v1/reports/line", e.a, line); r.status != 201 {
		t.Fatalf("commission: %d %s", r.status, r.body)
	}
	pack := fmt.Sprintf(`{"time":"2026-11-20T09:00:00+08:00","packs":[{"parent":{"block":%d,"offset":50},
		"children":{"ranges":[{"block":%d,"first":1000,"last":1000},{"block":%d,"first":0,"last":0}]}}]}`, cases, items, pork)
	if r := env.api("POST", "/v1/aggregations", e.a, pack); r.status != 201 {
		t.Fatalf("pack: %d %s", r.status, r.body)
	}
	e.pork, e.tin, e.other = e.codeURL(pork, 0), e.codeURL(items, 1000), e.codeURL(items, 1001)
	e.caseURN = testBase + e.codeURL(cases, 50) // EPCIS 2.0 takes Digital Link URIs
	return e
}

// codeURL returns the scan URL of offset off of block.
func (e *scopeEnv) codeURL(block uint64, off int) string {
	r := e.api("GET", fmt.Sprintf("/v1/blocks/%d/codes?format=dl&offset=%d&limit=1", block, off), e.a, "")
	if r.status != 200 {
		e.t.Fatalf("codes: %d %s", r.status, r.body)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(r.body)), testBase)
}

func (e *scopeEnv) scan(u string) resp { return e.get(u, "Accept", "application/json") }

// event captures one EPCIS event of the Lanzhou producer.
func (e *scopeEnv) event(ev string) {
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[` + ev + `]}}`
	if r := e.api("POST", "/v1/events", e.a, doc); r.status != 201 {
		e.t.Fatalf("capture: %d %s", r.status, r.body)
	}
}

// hit scans u and reports whether the response cache answered.
func (e *scopeEnv) hit(u string) bool {
	h := e.srv.cache.hits.Load()
	e.scan(u)
	return e.srv.cache.hits.Load() == h+1
}

// A write drops the cached answers of the products it changed — the
// items it names and everything inside the containers it names, of any
// product — and keeps the others'.
func TestCacheScopes(t *testing.T) {
	e := newScopeEnv(t, nil)
	for _, u := range []string{e.pork, e.tin, e.other, e.pes} {
		e.scan(u)
		if !e.hit(u) {
			t.Fatalf("%s: second scan missed the cache", u)
		}
	}
	// A line report on formula tins drops the formula answers only.
	line := fmt.Sprintf(`{"action":"commission","time":"2026-11-20T10:00:00+08:00","items":{"ranges":[{"block":%d,"first":1010,"last":1011}]}}`, e.info.Blocks[0])
	if r := e.api("POST", "/v1/reports/line", e.a, line); r.status != 201 {
		t.Fatalf("commission: %d %s", r.status, r.body)
	}
	if e.hit(e.other) {
		t.Error("a line report on formula left a formula answer cached")
	}
	if !e.hit(e.pes) || !e.hit(e.pork) {
		t.Error("a line report on formula dropped the pesticide's or the pork's answer")
	}
	// Shipping the formula case changes the pork inside it.
	e.scan(e.pork)
	e.event(`{"type":"ObjectEvent","eventTime":"2026-11-20T11:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + e.caseURN + `"],
"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit","bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"}}`)
	if m := decodeJSON(t, e.scan(e.pork)); !strings.Contains(fmt.Sprint(m["events"]), "shipping") {
		t.Errorf("pork in a shipped formula case: events %v", m["events"])
	}
	if !e.hit(e.pes) {
		t.Error("shipping a formula case dropped the pesticide's answer")
	}
	// An SSCC pallet around the case: a write to the pallet reaches the
	// pork two levels down.
	sscc := "urn:epc:id:sscc:6901234.0000000001"
	e.event(`{"type":"AggregationEvent","eventTime":"2026-11-20T12:00:00+08:00","eventTimeZoneOffset":"+08:00","parentID":"` + sscc + `",
"childEPCs":["` + e.caseURN + `"],"action":"ADD","bizStep":"packing","disposition":"in_progress"}`)
	e.scan(e.pork)
	if !e.hit(e.pork) {
		t.Fatal("pork answer not cached after the palletising")
	}
	e.event(`{"type":"ObjectEvent","eventTime":"2026-11-20T13:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + sscc + `"],
"action":"OBSERVE","bizStep":"inspecting","bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.7"}}`)
	if m := decodeJSON(t, e.scan(e.pork)); !strings.Contains(fmt.Sprint(m["events"]), "inspecting") {
		t.Errorf("pork in an inspected SSCC pallet: events %v", m["events"])
	}
	// Recalling the pork lot changes the pork's status, not the pesticide's.
	e.scan(e.pork)
	lot := decodeJSON(t, e.scan(e.pork))["lot"].(map[string]any)["number"].(string)
	if r := e.api("POST", "/v1/recalls", e.a, fmt.Sprintf(`{"lots":[{"product":3,"number":%q}]}`, lot)); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	if m := decodeJSON(t, e.scan(e.pork)); m["status"] != "recalled" {
		t.Errorf("pork after its lot's recall: %v", m["status"])
	}
	if !e.hit(e.pes) {
		t.Error("recalling the pork lot dropped the pesticide's answer")
	}
}

// Under Config.CacheGlobal every write drops every answer.
func TestCacheGlobal(t *testing.T) {
	e := newScopeEnv(t, func(c *Config) { c.CacheGlobal = true })
	e.scan(e.pes)
	line := fmt.Sprintf(`{"action":"commission","time":"2026-11-20T10:00:00+08:00","items":{"ranges":[{"block":%d,"first":1010,"last":1011}]}}`, e.info.Blocks[0])
	if r := e.api("POST", "/v1/reports/line", e.a, line); r.status != 201 {
		t.Fatalf("commission: %d %s", r.status, r.body)
	}
	if e.hit(e.pes) {
		t.Error("CacheGlobal: a line report on formula left the pesticide's answer cached")
	}
}

// An answer resolved while a write commits is never served after the
// write returned: scanners fill the cache while events on the case
// holding the pork are captured, and after each capture the pork's
// answer names the event's location.
func TestCacheScopesRace(t *testing.T) {
	e := newScopeEnv(t, func(c *Config) { c.RateLimit = -1 })
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				if r := e.scan(e.pork); r.status != 200 {
					t.Errorf("scan: %d", r.status)
					return
				}
			}
		})
	}
	for i := range 20 {
		loc := fmt.Sprintf("urn:epc:id:sgln:6901234.00002.%d", i)
		e.event(fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-11-20T11:%02d:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["%s"],
"action":"OBSERVE","bizStep":"inspecting","bizLocation":{"id":"%s"}}`, i, e.caseURN, loc))
		if r := e.scan(e.pork); !strings.Contains(string(r.body), loc) {
			t.Errorf("after event %d the pork's answer lacks its location: %s", i, r.body)
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	if e.srv.cache.hits.Load() == 0 {
		t.Error("the scanners never hit the cache")
	}
}
