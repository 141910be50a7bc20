package server

import (
	"strings"
	"testing"
)

// TestEPCISSubscriptions: a subscription to a named query is created,
// read, listed and deleted by its owner; another organisation's key
// neither reads nor deletes it; a bad one is refused naming the field.
func TestEPCISSubscriptions(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	if r := env.api("POST", "/v1/epcis/queries", a, `{"name":"ships","query":{"EQ_bizStep":"shipping"}}`); r.status != 201 {
		t.Fatalf("create query: %d %s", r.status, r.body)
	}
	r := env.api("POST", "/v1/epcis/queries/ships/subscriptions", a,
		`{"dest":"https://receiver.example.cn/epcis","signatureToken":"0123456789abcdef0123","stream":true}`)
	if r.status != 201 {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	loc := r.h("Location")
	m := decodeJSON(t, r)
	if m["subscriptionID"] == "" || m["dest"] != "https://receiver.example.cn/epcis" || strings.Contains(string(r.body), "0123456789abcdef0123") {
		t.Fatalf("subscription %s", r.body)
	}
	if !strings.HasPrefix(loc, "/v1/epcis/queries/ships/subscriptions/") {
		t.Fatalf("Location %q", loc)
	}
	if r := env.api("GET", loc, a, ""); r.status != 200 {
		t.Errorf("GET own: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/epcis/queries/ships/subscriptions", a, ""); r.status != 200 || !strings.Contains(string(r.body), `"stream":true`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := env.api(m, loc, b, ""); r.status != 404 {
			t.Errorf("%s by another organisation: %d %s", m, r.status, r.body)
		}
	}
	for body, want := range map[string]string{
		`{"dest":"https://x.example.cn/","stream":true,"schedule":{"minute":"5"}}`: "stream and schedule",
		`{"dest":"ftp://x.example.cn/","stream":true}`:                             "dest",
		`{"dest":"https://x.example.cn/","schedule":{"hour":"25"}}`:                "schedule.hour",
		`{"dest":"https://x.example.cn/","stream":true,"initialRecordTime":"x"}`:   "initialRecordTime",
	} {
		if r := env.api("POST", "/v1/epcis/queries/ships/subscriptions", a, body); r.status != 400 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, r.status, r.body, want)
		}
	}
	if r := env.api("POST", "/v1/epcis/queries/nope/subscriptions", a, `{"dest":"https://x.example.cn/","stream":true}`); r.status != 404 {
		t.Errorf("subscribe to no query: %d %s", r.status, r.body)
	}
	if r := env.api("DELETE", loc, a, ""); r.status != 204 {
		t.Errorf("DELETE own: %d %s", r.status, r.body)
	}
	if r := env.api("GET", loc, a, ""); r.status != 404 {
		t.Errorf("GET deleted: %d %s", r.status, r.body)
	}
}
