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
		if want := "SimpleEventQuery"; !strings.Contains(uri, "/queries/") && qr["queryName"] != want {
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
	// The linkset's gs1:epcis link is that query.
	ls := env.get(env.url("fireworks"), "Accept", "application/linkset+json")
	i := strings.Index(string(ls.body), testBase+"/v1/epcis/events?MATCH_anyEPC=")
	if ls.status != 200 || i < 0 {
		t.Fatalf("linkset: %d %s", ls.status, ls.body)
	}
	link := string(ls.body[i+len(testBase):])
	link = link[:strings.IndexByte(link, '"')]
	if got := queryAll(t, env, a, link); len(got) == 0 {
		t.Errorf("the gs1:epcis link %s answers no event to the producer", link)
	}
	if got := queryAll(t, env, b, link); len(got) != 0 {
		t.Errorf("the gs1:epcis link answers another organisation: %v", got)
	}
	if got := queryAll(t, env, b, "/v1/epcis/epcs/"+url.PathEscape(urn)+"/events"); len(got) != 0 {
		t.Errorf("another organisation sees the producer's fireworks: %v", got)
	}
	// A regulator sees its region's events, not another region's: the
	// Lanzhou regulator sees no event of a Tianshui pesticide it may not
	// trace (GET /v1/trace answers it 404 too).
	reg := env.key("兰州市市场监管")
	if got := queryAll(t, env, reg, "/v1/epcis/events?perPage=100"); len(got) == 0 || len(got) >= len(all) {
		t.Errorf("the Lanzhou regulator sees %d of %d events", len(got), len(all))
	}
	pest := decodeJSON(t, env.get(env.url("pesticide"), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	if got := queryAll(t, env, op, "/v1/epcis/events?MATCH_anyEPC="+url.QueryEscape(pest)); len(got) == 0 {
		t.Error("the pesticide has no event")
	}
	if got := queryAll(t, env, reg, "/v1/epcis/events?MATCH_anyEPC="+url.QueryEscape(pest)); len(got) != 0 {
		t.Errorf("the Lanzhou regulator sees the Tianshui pesticide's events: %v", got)
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

func TestEPCISNamedQueries(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	body := `{"name":"shipped","query":{"EQ_bizStep":["shipping","receiving"],"perPage":2}}`
	r := env.api("POST", "/v1/epcis/queries", a, body)
	if r.status != 201 || r.h("Location") != "/v1/epcis/queries/shipped" {
		t.Fatalf("create: %d %s %s", r.status, r.h("Location"), r.body)
	}
	if r := env.api("POST", "/v1/epcis/queries", a, body); r.status != 409 {
		t.Errorf("create twice: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/epcis/queries", a, `{"name":"x","query":{"EQ_colour":"red"}}`); r.status != 400 || !strings.Contains(string(r.body), "EQ_colour") {
		t.Errorf("bad parameter: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/epcis/queries", a, `{"name":"a/b","query":{}}`); r.status != 400 {
		t.Errorf("bad name: %d %s", r.status, r.body)
	}
	got := queryAll(t, env, a, "/v1/epcis/queries/shipped/events")
	if r := env.api("GET", "/v1/epcis/queries/shipped/events", a, ""); !strings.Contains(string(r.body), `"queryName":"shipped"`) {
		t.Errorf("queryName: %s", r.body)
	}
	direct := queryAll(t, env, a, "/v1/epcis/events?EQ_bizStep=shipping|receiving")
	if len(got) == 0 || len(got) != len(direct) {
		t.Errorf("the named query gives %d events, the same parameters %d", len(got), len(direct))
	}
	if r := env.api("GET", "/v1/epcis/queries", a, ""); r.status != 200 || !strings.Contains(string(r.body), `"shipped"`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	// Another organisation neither sees, runs nor deletes it.
	for _, req := range []struct{ method, uri string }{
		{"GET", "/v1/epcis/queries/shipped"}, {"GET", "/v1/epcis/queries/shipped/events"}, {"DELETE", "/v1/epcis/queries/shipped"},
	} {
		if r := env.api(req.method, req.uri, b, ""); r.status != 404 {
			t.Errorf("B %s %s: %d %s", req.method, req.uri, r.status, r.body)
		}
	}
	if r := env.api("GET", "/v1/epcis/queries", b, ""); r.status != 200 || strings.Contains(string(r.body), "shipped") {
		t.Errorf("B's list: %d %s", r.status, r.body)
	}
	if r := env.api("DELETE", "/v1/epcis/queries/shipped", a, ""); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/epcis/queries/shipped", a, ""); r.status != 404 {
		t.Errorf("after delete: %d %s", r.status, r.body)
	}
}
