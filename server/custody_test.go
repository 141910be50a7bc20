package server

import "testing"

// The private trace names who holds the item now (its producer: the demo
// ships only within one organisation).
func TestPrivateTraceShowsHolder(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("杭州")
	r := env.api("GET", "/v1/trace"+env.url("infant formula, shipped and sold"), a, "")
	if r.status != 200 {
		t.Fatalf("trace: %d %s", r.status, r.body)
	}
	orgA := decodeJSON(t, env.api("GET", "/v1/me", a, ""))["org"].(map[string]any)["id"]
	if item, _ := decodeJSON(t, r)["item"].(map[string]any); item == nil || item["holder"] != orgA {
		t.Errorf("holder %v, want the producer %v: %s", item["holder"], orgA, r.body)
	}
}
