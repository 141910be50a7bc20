package server

import (
	"fmt"
	"strings"
	"testing"
)

// The private trace names who holds the item now: the demo's sold tin went
// from the producer through a distributor to a supermarket chain, whose
// receiving made it the holder; the handlers name each hand.
func TestPrivateTraceShowsHolder(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	r := env.api("GET", "/v1/trace"+env.url("infant formula, shipped and sold"), a, "")
	if r.status != 200 {
		t.Fatalf("trace: %d %s", r.status, r.body)
	}
	m := decodeJSON(t, r)
	orgA := decodeJSON(t, env.api("GET", "/v1/me", a, ""))["org"].(map[string]any)["id"]
	var names []string
	var lastReceiver any
	for _, h := range m["handlers"].([]any) {
		h := h.(map[string]any)
		names = append(names, fmt.Sprint(h["orgName"], "→", h["partyName"]))
		if h["step"] == "receiving" {
			lastReceiver = h["org"]
		}
	}
	item, _ := m["item"].(map[string]any)
	if item == nil || item["holder"] == orgA || item["holder"] != lastReceiver {
		t.Errorf("holder %v, want the last receiver %v (not the producer %v): %s", item["holder"], lastReceiver, orgA, r.body)
	}
	if got := strings.Join(names, "; "); !strings.Contains(got, "兰州陇原乳业食品有限公司→兰州七里河冷链物流有限公司") ||
		!strings.Contains(got, "兰州七里河冷链物流有限公司→兰州城关万家超市有限公司") {
		t.Errorf("handlers do not name the hands: %s", got)
	}
}

// A case holding a recalled tin answers recalled, with the count of its
// recalled contents.
func TestContainerWithRecalledItem(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
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
