package server

import (
	"strings"
	"testing"

	"tracecode/engine/code/digitallink"
)

// compress returns the path of the compressed form of the resolver path u.
func compress(t *testing.T, u string, opt digitallink.CompressOptions) string {
	t.Helper()
	c, err := digitallink.Compress(testBase+u, opt)
	if err != nil {
		t.Fatalf("Compress(%s): %v", u, err)
	}
	return strings.TrimPrefix(c, testBase)
}

// TestResolveCompressed: a compressed Digital Link resolves exactly as its
// long form and names it in Link: <…>; rel="owl:sameAs".
func TestResolveCompressed(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, what := range []string{"infant formula on a shop shelf", "a pallet of the drug"} {
		u := env.url(what)
		for _, opt := range []digitallink.CompressOptions{{}, {Unoptimised: true}} {
			c := compress(t, u, opt)
			if strings.Count(c, "/") != 1 {
				t.Fatalf("compressed path %q is not one segment", c)
			}
			for _, q := range []string{"", "?format=json", "?linkType=linkset", "?linkType=gs1:pip"} {
				long := env.get(u+q, "Accept", "application/json")
				got := env.get(c+q, "Accept", "application/json")
				if got.status != long.status || got.h("Location") != long.h("Location") || got.h("Content-Type") != long.h("Content-Type") {
					t.Errorf("%s%s: %d %q %q; long form %s%s: %d %q %q", c, q, got.status, got.h("Location"), got.h("Content-Type"),
						u, q, long.status, long.h("Location"), long.h("Content-Type"))
				}
				wantLink := "<" + testBase + u + q + `>; rel="owl:sameAs"`
				if !strings.Contains(got.h("Link"), wantLink) {
					t.Errorf("%s%s: Link %q lacks %s", c, q, got.h("Link"), wantLink)
				}
				if long.h("Link") != "" && !strings.Contains(got.h("Link"), long.h("Link")) {
					t.Errorf("%s%s: Link %q lacks the long form's %q", c, q, got.h("Link"), long.h("Link"))
				}
			}
			if got := decodeJSON(t, env.get(c, "Accept", "application/json")); got["status"] != "genuine" {
				t.Errorf("%s (%s): status %v", c, what, got["status"])
			}
		}
	}
	// The scans of the compressed form count for the item.
	u := env.url("infant formula on a shop shelf")
	before := decodeJSON(t, env.get(u+"?format=json"))["scans"].(map[string]any)["count"].(float64)
	env.get(compress(t, u, digitallink.CompressOptions{}) + "?format=json")
	after := decodeJSON(t, env.get(u+"?format=json"))["scans"].(map[string]any)["count"].(float64)
	if after != before+2 {
		t.Errorf("scans %v then %v, want one more for the compressed scan", before, after)
	}

	for _, c := range []struct {
		path   string
		status int
		detail string
	}{
		{"/CxFRJydaKI1X", 400, "ends inside the value of AI (10)"},
		{"/ARFTJydaKCCNV4JGQgowOQ", 400, "expected 7"},
		{"/QUiok5OtFA", 404, "decompresses to /414/9520123456788"},
		{"/robots", 404, "no route"},
		{"/favicon.ico", 404, "no route"},
	} {
		r := env.get(c.path, "Accept", "application/json")
		if r.status != c.status || !strings.Contains(string(r.body), c.detail) {
			t.Errorf("%s: %d %s; want %d with %q", c.path, r.status, r.body, c.status, c.detail)
		}
	}
}
