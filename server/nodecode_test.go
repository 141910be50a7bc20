package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestContainmentCodesPerServer: two servers in one process over two
// engines (their serial keys differ) each print their own parents' codes.
// The parent-code cache once was one per process, keyed by node only, so
// the second server answered with the first one's case and pallet codes.
func TestContainmentCodesPerServer(t *testing.T) {
	a, b := newTestEnv(t, nil), newTestEnv(t, nil)
	containment := func(e *testEnv) []string {
		t.Helper()
		r := e.get(e.url("infant formula on a shop shelf"), "Accept", "application/json")
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var v struct {
			Containment []struct{ Level, Code string }
		}
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Containment) == 0 {
			t.Fatalf("no containment in %s", r.body)
		}
		var codes []string
		for _, c := range v.Containment {
			codes = append(codes, c.Code)
		}
		return codes
	}
	ca, cb := containment(a), containment(b)
	if strings.Join(ca, " ") == strings.Join(cb, " ") {
		t.Fatalf("both servers print the same parents %v: the engines' keys should differ", ca)
	}
	for _, c := range cb {
		path := strings.TrimPrefix(c, testBase)
		if sscc, ok := strings.CutPrefix(c, "SSCC "); ok { // a unit (the demo's pallets are SSCCs)
			path = "/00/" + sscc
		}
		if r := b.get(path, "Accept", "application/json"); r.status != 200 {
			t.Errorf("server B printed parent %s, which B does not know (status %d)", c, r.status)
		}
	}
}
