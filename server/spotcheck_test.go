package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/demo"
	"tracecode/engine/spotcheck"
)

// TestSpotCheckRoutes: the Lanzhou regulator plans, draws and records a
// result; the draw re-runs offline from its stored plan, population and
// seed; Tianshui's regulator and an organisation's key can neither read
// nor write it; bad input is a 400 naming the field; the result is on the
// public page.
func TestSpotCheckRoutes(t *testing.T) {
	e := newTestEnv(t, nil)
	if _, err := demo.SeedAccounts(e.eng, e.dir); err != nil { // the inspectors, the demo's plan and draw
		t.Fatal(err)
	}
	lz := e.key("兰州市市场监管局")
	ts, _, err := e.srv.Keys().Create(apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620500, Name: "tianshui"})
	if err != nil {
		t.Fatal(err)
	}
	org := e.key("兰州陇原乳业")

	// The demo's draw is there, with its results.
	r := e.api("GET", "/v1/spotchecks/draws", lz, "")
	var list struct{ Draws []spotDrawJSON }
	if r.status != 200 || json.Unmarshal(r.body, &list) != nil || len(list.Draws) != 1 || list.Draws[0].Inspections[0].Result == nil {
		t.Fatalf("demo draws: %d %s", r.status, r.body)
	}
	if r := e.api("GET", "/v1/spotchecks/draws", ts, ""); r.status != 200 || !bytes.Contains(r.body, []byte(`"draws":[]`)) {
		t.Fatalf("Tianshui sees Lanzhou's draws: %s", r.body)
	}

	plan := `{"name":"乳制品专项抽查","items":["标签标识","追溯记录"],"ratios":{"high":100,"medium-high":100,"medium":100,"low":100},"inspectors":2}`
	for _, c := range []struct {
		key, body string
		status    int
		want      string
	}{
		{org, plan, 403, "scope"},
		{lz, `{"name":"x","items":[],"ratios":{"medium":100}}`, 400, "items"},
		{lz, `{"name":"x","items":["a"],"ratios":{"medium":"lots"}}`, 400, "lots"},
		{lz, `{"name":"x","items":["a"],"ratios":{"medium":"200"}}`, 400, "ratios.medium"},
		{lz, `{"name":"x","items":["a"],"region":"620500"}`, 403, "620500"},
		{lz, `{"name":"x","items":["a"],"inspectors":1}`, 400, "inspectors"},
	} {
		if r := e.api("POST", "/v1/spotchecks/plans", c.key, c.body); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("POST plan %s: %d %s, want %d naming %s", c.body, r.status, r.body, c.status, c.want)
		}
	}
	r = e.api("POST", "/v1/spotchecks/plans", lz, plan)
	var pf spotcheck.PlanFile
	if r.status != 201 || json.Unmarshal(r.body, &pf) != nil || pf.Region != "620100" || pf.ID != 2 {
		t.Fatalf("POST plan: %d %s", r.status, r.body)
	}
	planURI := fmt.Sprint("/v1/spotchecks/plans/", pf.ID)
	for _, u := range []string{planURI, planURI + "/population"} {
		if r := e.api("GET", u, ts, ""); r.status != 404 {
			t.Errorf("Tianshui GET %s: %d %s", u, r.status, r.body)
		}
	}
	if r := e.api("POST", planURI+"/draws", ts, `{"seed":"x"}`); r.status != 404 {
		t.Errorf("Tianshui draws Lanzhou's plan: %d %s", r.status, r.body)
	}
	if r := e.api("POST", planURI+"/draws", lz, "{\"seed\":\"a\\u0001b\"}"); r.status != 400 || !strings.Contains(string(r.body), "seed") {
		t.Errorf("control character in the seed: %d %s", r.status, r.body)
	}
	r = e.api("POST", planURI+"/draws", lz, `{"seed":"2026-12-07 公开种子"}`)
	var d spotDrawJSON
	if r.status != 201 || json.Unmarshal(r.body, &d) != nil || d.Algorithm != spotcheck.Algorithm || d.SeedSource != "given" {
		t.Fatalf("draw: %d %s", r.status, r.body)
	}
	var now spotcheck.Population
	if err := json.Unmarshal(e.api("GET", planURI+"/population", lz, "").body, &now); err != nil || len(now.Subjects) < 3 {
		t.Fatalf("population: %v, %d subjects", err, len(now.Subjects))
	}
	if len(d.Inspections) != len(now.Subjects) { // every Lanzhou organisation at 100 %
		t.Fatalf("draw of 100 %%: %d inspections of %d organisations", len(d.Inspections), len(now.Subjects))
	}
	if r := e.api("POST", planURI+"/draws", lz, `{"seed":"2026-12-07 公开种子"}`); r.status != 200 || !bytes.Contains(r.body, []byte(fmt.Sprintf(`"id":%d`, d.ID))) {
		t.Fatalf("the same seed again: %d %s", r.status, r.body)
	}
	for _, in := range d.Inspections {
		if len(in.Inspectors) < 2 {
			t.Fatalf("inspection %d: %v", in.N, in.Inspectors)
		}
	}

	// Offline re-run from what is stored.
	drawURI := fmt.Sprint("/v1/spotchecks/draws/", d.ID)
	popR := e.api("GET", drawURI+"/population", lz, "")
	planR := e.api("GET", planURI, lz, "")
	pop, err := spotcheck.ParsePopulation(bytes.NewReader(popR.body))
	if err != nil {
		t.Fatal(err)
	}
	p, err := spotcheck.ParsePlan(bytes.NewReader(planR.body))
	if err != nil {
		t.Fatal(err)
	}
	again, err := spotcheck.Run(&p, &pop, d.Seed)
	if err != nil || again.Population != d.PopSHA256 {
		t.Fatalf("re-run: %v, hash %s vs %s", err, again.Population, d.PopSHA256)
	}
	for i, in := range again.Inspections {
		if in.Subject != d.Inspections[i].Subject || !reflect.DeepEqual(in.Inspectors, d.Inspections[i].Inspectors) {
			t.Fatalf("re-run inspection %d: %+v vs %+v", i+1, in, d.Inspections[i])
		}
	}

	res := drawURI + "/inspections/1/result"
	for _, c := range []struct {
		key, uri, body string
		status         int
		want           string
	}{
		{lz, res, `{"code":"fine"}`, 400, "code"},
		{lz, res, `{"code":"no-problem","lots":[""]}`, 400, "lots[0]"},
		{lz, drawURI + "/inspections/9/result", `{"code":"no-problem"}`, 404, "inspection 9"},
		{ts, res, `{"code":"no-problem"}`, 404, "draw"},
		{org, res, `{"code":"no-problem"}`, 403, "scope"},
	} {
		if r := e.api("POST", c.uri, c.key, c.body); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("POST %s %s: %d %s, want %d naming %s", c.uri, c.body, r.status, r.body, c.status, c.want)
		}
	}
	body := `{"code":"不合格","note":"标签未标注生产许可证编号"}`
	if r := e.api("POST", res, lz, body); r.status != 200 || !bytes.Contains(r.body, []byte(`"code":"nonconforming"`)) {
		t.Fatalf("result: %d %s", r.status, r.body)
	}
	if r := e.api("POST", res, lz, body); r.status != 200 {
		t.Fatalf("the same result again: %d %s", r.status, r.body)
	}
	// The failed check is in the organisation's credit record, once.
	cr := e.api("GET", "/v1/credit/"+d.Inspections[0].Subject, lz, "")
	if cr.status != 200 || bytes.Count(cr.body, []byte(fmt.Sprintf(`"by":"spotcheck:%d-1"`, d.ID))) != 1 {
		t.Fatalf("credit record of %s: %d %s", d.Inspections[0].Subject, cr.status, cr.body)
	}
	if r := e.api("POST", res, lz, `{"code":"no-problem"}`); r.status != 409 {
		t.Fatalf("another result: %d %s", r.status, r.body)
	}
	pub := e.get("/spotchecks?format=json")
	if pub.status != 200 || !bytes.Contains(pub.body, []byte("标签未标注生产许可证编号")) {
		t.Fatalf("public results: %d %s", pub.status, pub.body)
	}
	page := e.get("/spotchecks?lang=en")
	if page.status != 200 || !bytes.Contains(page.body, []byte("Nonconforming")) {
		t.Fatalf("public page: %d", page.status)
	}
}
