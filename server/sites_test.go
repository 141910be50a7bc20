package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine"
	"tracecode/engine/site"
)

// TestSiteRoutes: an organisation's admin adds and changes its sites; a
// bad field is a 400 naming it, a GLN held by another site a 409; another
// organisation can neither add to nor read its sites; a regulator sees
// every site of an organisation registered in its region, and of the
// others only the sites in its region; GET /v1/sites lists a region's
// sites for its regulators only.
func TestSiteRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	lz, ts, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("operator")
	chengguan, city, station := env.key("城关区"), env.key("兰州市"), env.key("酒泉路")
	orgA, _ := producerLot(t, env, "兰州陇原")
	var orgC uint32
	for _, o := range env.eng.Issuance().Orgs() {
		if strings.Contains(o.Name, "七里河冷链") {
			orgC = o.ID
		}
	}
	sitesA := fmt.Sprintf("/v1/orgs/%d/sites", orgA.ID)
	warehouse := `{"kind":"warehouse","name":"七里河成品库","region":"620103001","gln":"6901234000016","address":"兰州市七里河区"}`
	res := env.api("POST", sitesA, lz, warehouse)
	if res.status != 201 || res.h("Location") != sitesA+"/1" {
		t.Fatalf("add: %d %s %s", res.status, res.h("Location"), res.body)
	}
	if res := env.api("POST", sitesA, lz, `{"kind":"factory","name":"乳品厂","region":"620102001","gln":"6901234000016"}`); res.status != 409 {
		t.Errorf("a second site with the same GLN: %d %s", res.status, res.body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"kind":"factory","name":"乳品厂","region":"620102001","gln":"6901234000017"}`, "gln"},
		{`{"kind":"factory","name":"乳品厂","region":"620100"}`, "region"},
		{`{"kind":"castle","name":"乳品厂","region":"620102001"}`, "kind"},
		{`{"kind":"factory","name":"","region":"620102001"}`, "name"},
	} {
		if res := env.api("POST", sitesA, lz, c.body); res.status != 400 || !strings.Contains(string(res.body), "site: "+c.field) {
			t.Errorf("%s: %d %s", c.body, res.status, res.body)
		}
	}
	if res := env.api("POST", sitesA, ts, `{"kind":"shop","name":"冒名门店","region":"620102001"}`); res.status != 403 {
		t.Errorf("another organisation adds a site: %d %s", res.status, res.body)
	}
	if res := env.api("PUT", sitesA+"/1", ts, warehouse); res.status != 403 {
		t.Errorf("another organisation changes a site: %d %s", res.status, res.body)
	}
	if res := env.api("GET", sitesA, ts, ""); res.status != 403 {
		t.Errorf("another organisation reads the sites: %d %s", res.status, res.body)
	}
	if res := env.api("PUT", sitesA+"/2", lz, warehouse); res.status != 404 {
		t.Errorf("a missing site: %d %s", res.status, res.body)
	}
	res = env.api("PUT", sitesA+"/1", lz, `{"kind":"warehouse","name":"七里河成品冷库","region":"620103001","gln":"6901234000023","disabled":false}`)
	if res.status != 200 || !strings.Contains(string(res.body), "七里河成品冷库") {
		t.Fatalf("update: %d %s", res.status, res.body)
	}
	// Organisation C (registered in Qilihe) has a shop in Chengguan.
	if res := env.api("POST", fmt.Sprintf("/v1/orgs/%d/sites", orgC), op, `{"kind":"shop","name":"城关门店","region":"620102002"}`); res.status != 201 {
		t.Fatalf("operator adds a site: %d %s", res.status, res.body)
	}
	if res := env.api("POST", fmt.Sprintf("/v1/orgs/%d/sites", orgC), op, `{"kind":"warehouse","name":"西园仓","region":"620103001"}`); res.status != 201 {
		t.Fatalf("operator adds a site: %d %s", res.status, res.body)
	}
	count := func(key, uri string) int {
		t.Helper()
		res := env.api("GET", uri, key, "")
		if res.status != 200 {
			t.Fatalf("GET %s: %d %s", uri, res.status, res.body)
		}
		var v struct {
			Sites []struct {
				Name string `json:"name"`
			} `json:"sites"`
		}
		if err := json.Unmarshal(res.body, &v); err != nil {
			t.Fatal(err)
		}
		return len(v.Sites)
	}
	sitesC := fmt.Sprintf("/v1/orgs/%d/sites", orgC)
	for _, c := range []struct {
		who, key, uri string
		want          int
	}{
		{"the organisation", lz, sitesA, 1},
		{"Chengguan (covers A's address)", chengguan, sitesA, 1},
		{"the Jiuquanlu station (A's township)", station, sitesA, 1},
		{"Chengguan, of C (registered in Qilihe): its Chengguan shop only", chengguan, sitesC, 1},
		{"the Jiuquanlu station, of C: none in its township", station, sitesC, 0},
		{"Lanzhou city, of C: all", city, sitesC, 2},
		{"Lanzhou city, region Qilihe: A's warehouse and C's", city, "/v1/sites?region=620103", 2},
		{"Chengguan, its own region: C's shop", chengguan, "/v1/sites", 1},
	} {
		if got := count(c.key, c.uri); got != c.want {
			t.Errorf("%s: %d sites, want %d", c.who, got, c.want)
		}
	}
	if res := env.api("GET", "/v1/sites?region=620103", chengguan, ""); res.status != 403 {
		t.Errorf("Chengguan lists Qilihe's sites: %d", res.status)
	}
	if res := env.api("GET", "/v1/sites", lz, ""); res.status != 403 {
		t.Errorf("an enterprise lists a region's sites: %d", res.status)
	}
	if s, ok := sitesOf(t, env.eng).Book.ByGLN("6901234000023"); !ok || s.Org != orgA.ID {
		t.Errorf("by GLN: %+v %v", s, ok)
	}
	if _, ok := sitesOf(t, env.eng).Book.ByGLN("6901234000016"); ok {
		t.Error("the replaced GLN still names a site")
	}
}

// sitesOf returns e's site office.
func sitesOf(t testing.TB, e *engine.Engine) *site.Office {
	t.Helper()
	so, err := e.Sites()
	if err != nil {
		t.Fatal(err)
	}
	return so
}
