package server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDrugTraceExportRoute: the Tianshui maker's drug movements as the
// platform's XML file, for its own key and for a regulator of its
// region; a Lanzhou regulator and another organisation (the hostile
// tenant) get 403 and no file; a missing or bad period is a 400 naming
// the parameter. (The file's fields are checked against the demo in
// engine/demo's TestDrugTraceExportDemo.)
func TestDrugTraceExportRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	ts, lz := env.key("天水麦积"), env.key("兰州陇原")
	gansu, city := env.key("甘肃省"), env.key("兰州市")
	var maker uint32
	for _, o := range env.eng.Issuance().Orgs() {
		if o.USCC == "91620503MA72MJ02XD" {
			maker = o.ID
		}
	}
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	period := fmt.Sprintf("from=%s&to=%s", now.AddDate(0, 0, -90).Format(time.DateOnly), now.Format(time.DateOnly))
	uri := fmt.Sprintf("/v1/orgs/%d/exports/drug-trace?", maker)
	for _, k := range []struct{ who, key string }{{"the maker", ts}, {"the province's regulator", gansu}} {
		res := env.api("GET", uri+period, k.key, "")
		body := string(res.body)
		if res.status != 200 || !strings.HasPrefix(res.h("Content-Type"), "application/xml") ||
			!strings.Contains(res.h("Content-Disposition"), "drug-trace-") ||
			strings.Count(body, "<Bill>") != 3 || !strings.Contains(body, "<bill_type>201</bill_type>") ||
			!strings.Contains(body, "<from_bill_code>DRUG-DN-9</from_bill_code>") {
			t.Errorf("%s: %d %s %s", k.who, res.status, res.header, body)
		}
	}
	for _, k := range []struct{ who, key string }{{"another organisation", lz}, {"Lanzhou's regulator", city}} {
		if res := env.api("GET", uri+period, k.key, ""); res.status != 403 || strings.Contains(string(res.body), "<Bill>") {
			t.Errorf("%s: %d %s", k.who, res.status, res.body)
		}
	}
	for _, c := range []struct{ query, names string }{
		{"to=2026-01-01", "from is required"},
		{"from=2026-13-01&to=2026-12-01", `from \"2026-13-01\" is neither`},
		{"from=2026-02-01&to=yesterday", `to \"yesterday\" is neither`},
		{"from=2026-03-01&to=2026-02-01", "is not before"},
		{"from=2024-01-01&to=2026-01-01", "longer than 366 days"},
	} {
		if res := env.api("GET", uri+c.query, ts, ""); res.status != 400 || !strings.Contains(string(res.body), c.names) {
			t.Errorf("%s: %d %s", c.query, res.status, res.body)
		}
	}
	if res := env.api("GET", "/v1/orgs/9999/exports/drug-trace?"+period, gansu, ""); res.status != 404 {
		t.Errorf("unknown organisation: %d %s", res.status, res.body)
	}
}
