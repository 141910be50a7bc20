package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestFarmInputScanPage: a seed product created through the API, its
// profile set by its owner (a malformed variety approval number refused,
// naming the field; another organisation refused), shows its variety
// approval number on the public scan page of a commissioned code, in zh
// and en.
func TestFarmInputScanPage(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"郑单958玉米种子","category":"seed"}`)
	if r.status != 201 {
		t.Fatalf("create product: %d %s", r.status, r.body)
	}
	profile := fmt.Sprintf("/v1/products/%v/profile", decodeJSON(t, r)["id"])
	good := `{"profile":"seed","fields":{"variety_approval":"国审玉20210001","variety":"郑单958"}}`
	if r = env.api("PUT", profile, b, good); r.status != 404 {
		t.Errorf("another organisation sets the profile: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", profile, a, strings.Replace(good, "国审玉", "国审菜", 1)); r.status != 400 ||
		!strings.Contains(string(r.body), "variety_approval") || !strings.Contains(string(r.body), "crop abbreviation") {
		t.Errorf("a malformed variety approval number: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", profile, a, good); r.status != 200 {
		t.Fatalf("set the profile: %d %s", r.status, r.body)
	}
	r = env.api("POST", "/v1/blocks", a, `{"gtin":"06901234000528","count":2}`)
	if r.status != 201 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	block := decodeJSON(t, r)["id"]
	line := fmt.Sprintf(`{"action":"commission","time":"2026-11-20T08:00:00+08:00","readPoint":"line-1",
		"items":{"ranges":[{"block":%v,"first":0,"last":1}]}}`, block)
	if r = env.api("POST", "/v1/reports/line", a, line); r.status != 201 {
		t.Fatalf("commission: %d %s", r.status, r.body)
	}
	codes := env.api("GET", fmt.Sprintf("/v1/blocks/%v/codes?format=dl&limit=1", block), a, "")
	url := strings.TrimPrefix(strings.TrimSpace(string(codes.body)), testBase)
	for lang, want := range map[string][]string{
		"zh": {"品种审定编号", "国审玉20210001", "品种名称", "郑单958"},
		"en": {"variety approval number", "国审玉20210001", "variety"},
	} {
		r := env.get(url+"?lang="+lang, "Accept", "text/html")
		page := string(r.body)
		if r.status != 200 || !strings.Contains(page, `id="sector-facts"`) {
			t.Fatalf("%s (%s): %d, no facts:\n%.3000s", url, lang, r.status, page)
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s (%s): no %q", url, lang, w)
			}
		}
	}
}
