package server

import (
	"strings"
	"testing"
)

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

// A case holding a recalled tin answers recalled, with the count of its
// recalled contents.
func TestContainerWithRecalledItem(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("杭州")
	shelf := env.url("infant formula on a shop shelf")
	tin, err := env.eng.Resolve(testBase + shelf)
	if err != nil || len(tin.Parents) == 0 {
		t.Fatalf("the demo tin is in no case: %+v %v", tin, err)
	}
	// The case's code from the engine (the server's parent-code cache is
	// process-wide and may hold another test's demo codes).
	caseCode := string(env.eng.AppendNodeCode(nil, tin.Parents[0].Parent))
	if r := env.api("POST", "/v1/recalls", a, `{"items":{"codes":["`+testBase+shelf+`"]},"reason":"dented tin"}`); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	r := env.api("GET", "/v1/trace"+strings.TrimPrefix(caseCode, testBase), a, "")
	cm := decodeJSON(t, r)
	if cm["status"] != "recalled" || cm["recalledInside"] != 1.0 {
		t.Errorf("case %s: %s", caseCode, r.body)
	}
}
