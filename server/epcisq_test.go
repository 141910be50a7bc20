package server

import (
	"net/url"
	"strings"
	"testing"
)

// queryAll follows a query's pages (Link rel="next") and returns the
// events of every page.
func queryAll(t *testing.T, env *testEnv, key, uri string) []any {
	t.Helper()
	var out []any
	for pages := 0; uri != ""; pages++ {
		r := env.api("GET", uri, key, "")
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", uri, r.status, r.body)
		}
		if ct := r.h("Content-Type"); ct != "application/ld+json" {
			t.Fatalf("GET %s: Content-Type %q", uri, ct)
		}
		m := decodeJSON(t, r)
		if m["type"] != "EPCISQueryDocument" {
			t.Fatalf("GET %s: %s", uri, r.body)
		}
		qr := m["epcisBody"].(map[string]any)["queryResults"].(map[string]any)
		if qr["queryName"] != "SimpleEventQuery" {
			t.Errorf("queryName %v", qr["queryName"])
		}
		if l, ok := qr["resultsBody"].(map[string]any)["eventList"].([]any); ok {
			out = append(out, l...)
		}
		uri = ""
		if link := r.h("Link"); link != "" {
			next, ok := strings.CutSuffix(strings.TrimPrefix(link, "<"+testBase), `>; rel="next"`)
			if !ok {
				t.Fatalf("Link %q", link)
			}
			uri = next
		}
		if pages > 200 {
			t.Fatal("the pages do not end")
		}
	}
	return out
}

func TestEPCISQuery(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("operator")
	all := queryAll(t, env, op, "/v1/epcis/events?perPage=7")
	if len(all) < 10 {
		t.Fatalf("the operator sees %d events of the demo", len(all))
	}
	paged := queryAll(t, env, op, "/v1/epcis/events?perPage=1000")
	if len(paged) != len(all) {
		t.Errorf("perPage 7 gives %d events, one page %d", len(all), len(paged))
	}
	ships := queryAll(t, env, op, "/v1/epcis/bizSteps/shipping/events")
	if len(ships) == 0 {
		t.Error("no shipping event in the demo")
	}
	for _, e := range ships {
		if e.(map[string]any)["bizStep"] != "shipping" {
			t.Fatalf("bizSteps/shipping answers %v", e)
		}
	}
	if got := queryAll(t, env, op, "/v1/epcis/events?EQ_bizStep=shipping"); len(got) != len(ships) {
		t.Errorf("EQ_bizStep=shipping %d, the resource path %d", len(got), len(ships))
	}
	// The producer sees fewer events than the operator, another
	// organisation none of the producer's fireworks it never held.
	mine := queryAll(t, env, a, "/v1/epcis/events?perPage=50")
	if len(mine) == 0 || len(mine) >= len(all) {
		t.Errorf("the producer sees %d of %d events", len(mine), len(all))
	}
	urn := decodeJSON(t, env.get(env.url("fireworks"), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	if got := queryAll(t, env, a, "/v1/epcis/events?MATCH_anyEPC="+url.QueryEscape(urn)); len(got) == 0 {
		t.Error("the producer sees no event of its fireworks")
	}
	if got := queryAll(t, env, b, "/v1/epcis/epcs/"+url.PathEscape(urn)+"/events"); len(got) != 0 {
		t.Errorf("another organisation sees the producer's fireworks: %v", got)
	}
	// XML when asked.
	r := env.api("GET", "/v1/epcis/events?perPage=2", op, "", "Accept", "application/xml")
	if r.status != 200 || !strings.Contains(string(r.body), "EPCISQueryDocument") || r.h("Content-Type") != "application/xml" {
		t.Errorf("XML: %d %s %s", r.status, r.h("Content-Type"), r.body)
	}
	// Errors name the parameter, as the standard's exceptions.
	r = env.api("GET", "/v1/epcis/events?GE_eventTime=yesterday", op, "")
	if r.status != 400 || !strings.Contains(string(r.body), "QueryParameterException") || !strings.Contains(string(r.body), "GE_eventTime") {
		t.Errorf("bad time: %d %s", r.status, r.body)
	}
	r = env.api("GET", "/v1/epcis/events?maxEventCount=1", op, "")
	if r.status != 413 || !strings.Contains(string(r.body), "QueryTooLargeException") {
		t.Errorf("maxEventCount: %d %s", r.status, r.body)
	}
	if r := env.get("/v1/epcis/events"); r.status != 401 {
		t.Errorf("without a key: %d", r.status)
	}
	if r := env.api("GET", "/v1/epcis/eventTypes", op, ""); r.status != 200 || !strings.Contains(string(r.body), "AssociationEvent") {
		t.Errorf("eventTypes: %d %s", r.status, r.body)
	}
}
