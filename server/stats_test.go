package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
)

// statsOrgs returns two demo organisations registered in different cities
// and the demo's first organisation's key's organisation.
func statsOrgs(t *testing.T, e *testEnv) (a, other model.Org) {
	t.Helper()
	orgs := e.eng.Issuance().Orgs()
	slices.SortFunc(orgs, func(x, y model.Org) int { return int(x.ID) - int(y.ID) })
	a = orgs[0]
	ra, _ := cn.NewRegion(int(a.Region))
	for _, o := range orgs[1:] {
		if r, err := cn.NewRegion(int(o.Region)); err == nil && r.City() != ra.City() {
			return a, o
		}
	}
	t.Fatal("the demo has no two organisations in different cities")
	return
}

// TestStatsRoute: GET /v1/stats answers the demo's counts for the region
// and span asked; a regulator sees its city and below but not another
// city, a region outside it or an organisation registered elsewhere; an
// organisation's key sees its own counts only; malformed parameters are a
// 400 naming the parameter.
func TestStatsRoute(t *testing.T) {
	e := newTestEnv(t, nil)
	a, other := statsOrgs(t, e)
	ra, _ := cn.NewRegion(int(a.Region))
	city := ra.City()
	reg, _, err := e.srv.Keys().Create(apikey.Options{Scopes: apikey.ScopeRegulator, Region: city.Uint32(), Name: "city regulator"})
	if err != nil {
		t.Fatal(err)
	}
	orgKey, _, err := e.srv.Keys().Create(apikey.Options{Org: a.ID, Scopes: apikey.ScopeReport, Name: "org a"})
	if err != nil {
		t.Fatal(err)
	}
	op := e.key("operator")

	var country, cityAns, own statsJSON
	for _, c := range []struct {
		uri, key string
		out      *statsJSON
	}{
		{"/v1/stats?region=" + ra.Province().String() + "&from=2024-01-01&to=2026-12-31&by=month", op, nil},
		{"/v1/stats?from=2024-01-01&to=2026-12-31&by=month", op, &country},
		{"/v1/stats?region=" + city.String() + "&from=2024-01-01&to=2026-12-31&by=month", reg, &cityAns},
		{"/v1/stats?from=2024-01-01&to=2026-12-31&by=month", orgKey, &own},
	} {
		r := e.api("GET", c.uri, c.key, "")
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", c.uri, r.status, r.body)
		}
		if c.out != nil {
			if err := jsonUnmarshal(r.body, c.out); err != nil {
				t.Fatal(err)
			}
		}
	}
	if country.Totals["orgsRegistered"] != uint64(len(e.eng.Issuance().Orgs())) {
		t.Errorf("country: orgsRegistered %d, want the demo's %d organisations", country.Totals["orgsRegistered"], len(e.eng.Issuance().Orgs()))
	}
	if country.Totals["codesMinted"] == 0 || country.Totals["commissioned"] == 0 || country.Totals["events"] == 0 {
		t.Errorf("country totals %v: want minted, commissioned and events counted", country.Totals)
	}
	if cityAns.Level != "city" || cityAns.Region != city.String() || cityAns.Totals["events"] == 0 || cityAns.Totals["events"] >= country.Totals["events"] {
		t.Errorf("city %s: level %q events %d (country %d): want a city with some of the events", city, cityAns.Level, cityAns.Totals["events"], country.Totals["events"])
	}
	if own.Org != a.ID || own.Totals["orgsRegistered"] != 1 || own.Totals["events"] == 0 || own.Totals["events"] > cityAns.Totals["events"] {
		t.Errorf("organisation %d's own: org %d orgsRegistered %d events %d", a.ID, own.Org, own.Totals["orgsRegistered"], own.Totals["events"])
	}
	// The regulator defaults to its own region.
	r := e.api("GET", "/v1/stats?by=month", reg, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"region":"`+city.String()+`"`) {
		t.Errorf("regulator without region: %d %s", r.status, r.body)
	}

	for _, c := range []struct {
		uri, key string
		status   int
		want     string
	}{
		{"/v1/stats?region=110000", reg, 403, "outside the regulator's region"},
		{"/v1/stats?region=" + ra.Province().String(), reg, 403, "outside"},
		{fmt.Sprintf("/v1/stats?org=%d", other.ID), reg, 403, "not registered in the regulator's region"},
		{fmt.Sprintf("/v1/stats?org=%d", a.ID), reg, 200, ""},
		{"/v1/stats?region=" + city.String(), orgKey, 403, "its own statistics only"},
		{fmt.Sprintf("/v1/stats?org=%d", other.ID), orgKey, 403, "its own statistics only"},
		{"/v1/stats?region=12345", op, 400, "region"},
		{"/v1/stats?from=2026-02-30", op, 400, "from"},
		{"/v1/stats?from=2026-03-01&to=2026-02-01", op, 400, "before"},
		{"/v1/stats?by=week", op, 400, "by="},
		{"/v1/stats?category=toys", op, 400, "category"},
		{"/v1/stats?org=x", op, 400, "org"},
		{"/v1/stats?from=2000-01-01&to=2026-01-01", op, 400, "spans"},
		{"/v1/stats", "", 401, ""},
	} {
		r := e.api("GET", c.uri, c.key, "")
		if r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("GET %s: %d %s, want %d naming %q", c.uri, r.status, r.body, c.status, c.want)
		}
	}
}
