package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestProductLevelGTINsRoute: a product is created with its case GTIN and
// another declares its case GTIN later by PATCH; another organisation may
// not declare one (403) and an unknown level is 400; a case block minted
// through the API prints the case GTIN, and a product without one is
// refused a case block with a message naming how to declare it.
func TestProductLevelGTINsRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	lz, ts := env.key("兰州陇原"), env.key("天水麦积")
	r := env.api("POST", "/v1/products", lz, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"测试奶粉","category":"food",`+
		`"levels":["item","case"],"levelGTINs":{"case":"16901234000525"}}`)
	if r.status != 201 || !strings.Contains(string(r.body), `"levelGTINs":{"case":"16901234000525"}`) {
		t.Fatalf("create with a case GTIN: %d %s", r.status, r.body)
	}
	r = env.api("POST", "/v1/products", lz, `{"gtin":"06901234000535","gcpLength":7,"nameZH":"测试奶粉 2","category":"food","levels":["item","case"]}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	uri := fmt.Sprintf("/v1/products/%v", decodeJSON(t, r)["id"])
	if r := env.api("POST", "/v1/blocks", lz, `{"gtin":"06901234000535","level":"case","count":1}`); r.status != 400 ||
		!strings.Contains(string(r.body), "tracecode product levels") {
		t.Errorf("a case block without a case GTIN: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		key    string
		body   string
		status int
		want   string
	}{
		{ts, `{"levelGTINs":{"case":"16901234000532"}}`, 403, "wrong-org"},
		{lz, `{"levelGTINs":{"crate":"16901234000532"}}`, 400, "crate"},
		{lz, `{"levelGTINs":{"case":"16901234000525"}}`, 409, "16901234000525"},
		{lz, `{"levelGTINs":{"case":"16901234000533"}}`, 400, "check digit"},
	} {
		if r := env.api("PATCH", uri, c.key, c.body); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("PATCH %s: %d %s, want %d naming %q", c.body, r.status, r.body, c.status, c.want)
		}
	}
	if r := env.api("PATCH", uri, lz, `{"levelGTINs":{"case":"16901234000532"}}`); r.status != 200 ||
		!strings.Contains(string(r.body), `"levelGTINs":{"case":"16901234000532"}`) {
		t.Fatalf("declare the case GTIN: %d %s", r.status, r.body)
	}
	r = env.api("POST", "/v1/blocks", lz, `{"gtin":"06901234000535","level":"case","count":2}`)
	if r.status != 201 {
		t.Fatalf("case block: %d %s", r.status, r.body)
	}
	codes := env.api("GET", fmt.Sprintf("/v1/blocks/%v/codes?format=dl", decodeJSON(t, r)["id"]), lz, "")
	if codes.status != 200 || strings.Count(string(codes.body), "/01/16901234000532/") != 2 {
		t.Errorf("case codes: %d %s, want two of the case GTIN", codes.status, codes.body)
	}
	// Named by its case GTIN, the product mints cases; items under the
	// case GTIN are refused.
	if r := env.api("POST", "/v1/blocks", lz, `{"gtin":"16901234000532","count":1}`); r.status != 201 || !strings.Contains(string(r.body), `"level":"case"`) {
		t.Errorf("a block named by the case GTIN: %d %s, want a case block", r.status, r.body)
	}
	if r := env.api("POST", "/v1/blocks", lz, `{"gtin":"16901234000532","level":"item","count":1}`); r.status != 400 || !strings.Contains(string(r.body), "case GTIN") {
		t.Errorf("items under the case GTIN: %d %s, want 400", r.status, r.body)
	}
}
