package server

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
)

// GET /v1/contents/{code}: the demo case holds the shop-shelf tin now and
// did not before it was packed; the tin taken out of the case is gone
// from it after the unpacking but still there at an instant before; an
// organisation that never handled the case gets 404; a malformed or
// half-given window is 400 naming the parameter.
func TestContentsRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	shelf := env.url("infant formula on a shop shelf")
	tin, err := env.eng.Resolve(testBase + shelf)
	if err != nil || len(tin.Parents) == 0 {
		t.Fatalf("the demo tin is in no case: %+v %v", tin, err)
	}
	tinCode := string(env.eng.AppendNodeCode(nil, tin.Node))
	caseCode := string(env.eng.AppendNodeCode(nil, tin.Parents[0].Parent))
	path := "/v1/contents" + strings.TrimPrefix(caseCode, testBase)
	packed := time.UnixMilli(tin.Parents[0].Since)
	codesAt := func(query string) []string {
		t.Helper()
		r := env.api("GET", path+query, a, "")
		if r.status != 200 {
			t.Fatalf("contents%s: %d %s", query, r.status, r.body)
		}
		m := decodeJSON(t, r)
		if m["container"] != caseCode {
			t.Errorf("container %v, want %s", m["container"], caseCode)
		}
		var codes []string
		for _, run := range m["runs"].([]any) {
			for _, c := range run.(map[string]any)["codes"].([]any) {
				codes = append(codes, c.(string))
			}
		}
		if n := m["count"].(float64); int(n) != len(codes) {
			t.Errorf("count %v, %d codes listed", n, len(codes))
		}
		return codes
	}
	q := func(k string, tm time.Time) string { return k + "=" + url.QueryEscape(tm.Format(time.RFC3339)) }
	if codes := codesAt(""); !slices.Contains(codes, tinCode) {
		t.Fatalf("the case now: %v, want the tin %s among them", codes, tinCode)
	}
	if codes := codesAt("?" + q("at", packed.Add(-time.Second))); len(codes) != 0 {
		t.Errorf("before packing the case held %v", codes)
	}
	unpackAt := packed.Add(time.Hour)
	// The shop holding the case (no demo key) takes the tin out.
	cs, err := env.eng.Resolve(caseCode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.eng.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: chain.ReportMeta{Org: cs.Holder.Org, Credential: "test", Time: unpackAt},
		Unpacks: []chain.Unpack{{Parent: chain.Ref{Code: caseCode}, Children: chain.Items{Codes: []string{tinCode}}}}}); err != nil {
		t.Fatalf("unpack: %v", err)
	}
	if codes := codesAt(""); slices.Contains(codes, tinCode) {
		t.Errorf("the tin is still listed after it was taken out: %v", codes)
	}
	if codes := codesAt("?" + q("at", unpackAt.Add(-time.Minute))); !slices.Contains(codes, tinCode) {
		t.Errorf("before the unpacking the case held %v, without the tin", codes)
	}
	if codes := codesAt("?" + q("from", unpackAt.Add(-2*time.Hour)) + "&" + q("to", unpackAt.Add(2*time.Hour))); !slices.Contains(codes, tinCode) {
		t.Errorf("over a window round the unpacking: %v, without the tin", codes)
	}
	if r := env.api("GET", path, env.key("兰州市市场监管"), ""); r.status != 200 {
		t.Errorf("the regulator of the producer's province: %d %s, want 200", r.status, r.body)
	}
	if r := env.api("GET", path, b, ""); r.status != 404 {
		t.Errorf("another organisation's key: %d %s, want 404", r.status, r.body)
	}
	for query, want := range map[string]string{
		"?at=yesterday":                                      "at",
		"?from=2026-03-01T00:00:00Z":                         "both from and to",
		"?at=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z":   "either at",
		"?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z": "to",
	} {
		r := env.api("GET", path+query, a, "")
		if r.status != 400 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s, want 400 naming %q", query, r.status, r.body, want)
		}
	}
}
