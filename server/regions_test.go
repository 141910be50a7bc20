package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRegionRoute: GET /v1/regions/{code} answers a county and a township
// of the embedded tree without an API key, with the parent's name, the path
// and the children; a malformed code is a 400 naming what is wrong, a
// well-formed code outside the tree a 404, other methods a 405.
func TestRegionRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	var out regionJSON
	r := env.get("/v1/regions/620102")
	if r.status != 200 || !strings.HasPrefix(r.h("Content-Type"), "application/json") {
		t.Fatalf("620102: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Code != "620102" || out.Name != "城关区" || out.Level != "county" || out.Parent != "620100" || out.ParentName != "兰州市" ||
		out.FullName != "甘肃省 兰州市 城关区" || len(out.Path) != 3 || out.Path[0].Name != "甘肃省" || out.Path[2].Code != "620102" {
		t.Errorf("620102: %s", r.body)
	}
	if len(out.Children) < 20 || out.Children[0] != (regionRef{Code: "620102001", Name: "酒泉路街道", Level: "township"}) {
		t.Errorf("620102's children: %+v", out.Children)
	}
	r = env.get("/v1/regions/620102001")
	out = regionJSON{}
	if err := json.Unmarshal(r.body, &out); err != nil || r.status != 200 {
		t.Fatalf("620102001: %d %s", r.status, r.body)
	}
	if out.Name != "酒泉路街道" || out.Level != "township" || out.Parent != "620102" || out.ParentName != "城关区" ||
		len(out.Path) != 4 || len(out.Children) != 0 || !strings.Contains(string(r.body), `"children":[]`) {
		t.Errorf("620102001: %s", r.body)
	}
	r, out = env.get("/v1/regions/620000"), regionJSON{}
	if err := json.Unmarshal(r.body, &out); err != nil || r.status != 200 || out.Parent != "" || len(out.Children) != 14 {
		t.Errorf("620000: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		path   string
		status int
		has    string
	}{
		{"/v1/regions/62010", 400, "has 5 characters, want 6"},
		{"/v1/regions/620102000", 400, "000 is not a township"},
		{"/v1/regions/660102", 400, "province"},
		{"/v1/regions/62O102", 400, "position 3"},
		{"/v1/regions/%E7%94%98", 400, "bad-region"},
		{"/v1/regions/620102999", 404, "not a division of the tree"},
		{"/v1/regions/620102/children", 400, "bad-region"},
	} {
		r := env.get(tc.path)
		if r.status != tc.status || !strings.Contains(string(r.body), tc.has) {
			t.Errorf("%s: %d %s, want %d with %q", tc.path, r.status, r.body, tc.status, tc.has)
		}
	}
	if r := env.do("POST", "/v1/regions/620102", []byte("{}")); r.status != 405 || r.h("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %s", r.status, r.body)
	}
}

// TestRegionNames: regions display with every level's name (a county of
// Gansu used to display as 甘肃省, the only name the table had for it).
func TestRegionNames(t *testing.T) {
	for _, tc := range []struct {
		code   uint32
		zh, en string
	}{
		{620102, "甘肃省 兰州市 城关区", "Chengguan District, Lanzhou, Gansu"},
		{620102001, "甘肃省 兰州市 城关区 酒泉路街道", "酒泉路街道, Chengguan District, Lanzhou, Gansu"},
		{620700, "甘肃省 张掖市", "Zhangye, Gansu"},
		{330106, "浙江省 杭州市 西湖区", "Xihu District, Hangzhou, Zhejiang"},
		{0, "", ""}, {999999, "", ""},
	} {
		if zh, en := regionName(tc.code, "zh"), regionName(tc.code, "en"); zh != tc.zh || en != tc.en {
			t.Errorf("%d: %q %q, want %q %q", tc.code, zh, en, tc.zh, tc.en)
		}
	}
	env := newTestEnv(t, nil)
	r := env.api("POST", "/v1/orgs", env.key("operator"), `{"name":"兰州测试乳业","region":"620102001"}`)
	if r.status != 201 || decodeJSON(t, r)["regionName"] != "甘肃省 兰州市 城关区 酒泉路街道" {
		t.Errorf("an organisation in a township of Lanzhou: %d %s", r.status, r.body)
	}
}

// TestScanPageRegionNames: the scan page names the producer's region and
// each event's region with every level, down to the township: the demo's
// formula producer is in 酒泉路街道 of 城关区, Lanzhou (620102001), and its
// drug is dispensed by a pharmacy in 大城街道 of 秦州区, Tianshui
// (620502001).
func TestScanPageRegionNames(t *testing.T) {
	env := newTestEnv(t, nil)
	shelf := env.url("infant formula on a shop shelf")
	if r := env.get(shelf, "Accept", "text/html", "Accept-Language", "zh-CN"); !strings.Contains(string(r.body), "甘肃省 兰州市 城关区 酒泉路街道") {
		t.Errorf("zh page of the formula lacks its producer's full region:\n%s", r.body)
	}
	if r := env.get(shelf, "Accept", "text/html", "Accept-Language", "en"); !strings.Contains(string(r.body), "酒泉路街道, Chengguan District, Lanzhou, Gansu") {
		t.Errorf("en page of the formula lacks its producer's full region:\n%s", r.body)
	}
	drug := env.url("drug with an NMPA trace code")
	if r := env.get(drug, "Accept", "text/html", "Accept-Language", "zh-CN"); !strings.Contains(string(r.body), "甘肃省 天水市 秦州区 大城街道") {
		t.Errorf("zh page of the dispensed drug lacks the pharmacy's region:\n%s", r.body)
	}
}

// TestRegionRouteRateLimited: the public region look-up is limited per
// client like the resolver (an anonymous client could otherwise call it
// without bound).
func TestRegionRouteRateLimited(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RateLimit, c.RateBurst, c.LimitLoopback = 0.0001, 3, true })
	codes := map[int]int{}
	for range 5 {
		codes[env.get("/v1/regions/620102").status]++
	}
	if codes[200] != 3 || codes[429] != 2 {
		t.Errorf("5 look-ups with a burst of 3: %v", codes)
	}
}
