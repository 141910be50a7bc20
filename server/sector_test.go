package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/alert"
)

// TestSectorRoutes: the fill interlock on the demo's Tianshui filling
// station (its key, a regulator's; not another organisation's), and the
// category master-data writes refused to another organisation's key and
// to bad fields, each named.
func TestSectorRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	station := env.key("天水秦州气体充装")
	other := env.key("兰州陇原")
	regulator := env.key("甘肃省市场监管局")

	check := func(key, body string) (int, map[string]any) {
		t.Helper()
		r := env.api("POST", "/v1/cylinders/check-fill", key, body)
		var out map[string]any
		_ = json.Unmarshal(r.body, &out)
		return r.status, out
	}
	st, out := check(station, `{"code":"1 62 502 000101","station":"91620502MA71TX017D","operator":"王建国"}`)
	if st != 200 || out["allow"] != true || out["regCode"] != "1 62 502 000101" {
		t.Fatalf("in-date cylinder: %d %v", st, out)
	}
	st, out = check(regulator, `{"code":"162502000102","station":"91620502MA71TX017D"}`)
	if st != 200 || out["allow"] != false || fmt.Sprint(out["reasons"]) != "[inspection-overdue]" ||
		!strings.Contains(fmt.Sprint(out["text"]), "定期检验已过期") {
		t.Fatalf("overdue cylinder: %d %v", st, out)
	}
	if st, out = check(other, `{"code":"162502000101","station":"91620502MA71TX017D"}`); st != 403 {
		t.Fatalf("another organisation asks for the station: %d %v", st, out)
	}
	if st, out = check(station, `{"code":"162502000101","station":"91620102MA71LN016L"}`); st != 403 {
		t.Fatalf("the station asks for another station: %d %v", st, out)
	}
	if st, out = check(station, `{"code":"1625","station":"91620502MA71TX017D"}`); st != 400 {
		t.Fatalf("a bad code: %d %v", st, out)
	}

	// The oxygen cylinder product and its profile.
	r := env.api("GET", "/v1/products", station, "")
	var list struct {
		Products []struct {
			ID       uint32 `json:"id"`
			Org      uint32 `json:"org"`
			Category string `json:"category"`
		} `json:"products"`
	}
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Products) != 1 || list.Products[0].Category != "gas-cylinder" {
		t.Fatalf("station's products: %s", r.body)
	}
	pid, org := list.Products[0].ID, list.Products[0].Org
	r = env.api("GET", fmt.Sprintf("/v1/products/%d/profile", pid), station, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"profile":"gas-cylinder"`) {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
	profile := fmt.Sprintf("/v1/products/%d/profile", pid)
	if r = env.api("PUT", profile, other, `{"profile":"gas-cylinder","fields":{"variety":"seamless","maker":"x"}}`); r.status != 404 {
		t.Errorf("another organisation sets the profile: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", profile, station, `{"profile":"gas-cylinder","fields":{"variety":"plastic"}}`); r.status != 400 ||
		!strings.Contains(string(r.body), "variety") || !strings.Contains(string(r.body), "maker") {
		t.Errorf("bad profile fields: %d %s", r.status, r.body)
	}
	r = env.api("GET", fmt.Sprintf("/v1/products/%d/items", pid), station, "")
	if r.status != 200 || strings.Count(string(r.body), `"reg_code"`) != 2 {
		t.Fatalf("items: %d %s", r.status, r.body)
	}
	var items struct {
		Items []struct {
			Counter uint64 `json:"counter"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.body, &items); err != nil || len(items.Items) != 2 {
		t.Fatalf("items: %s", r.body)
	}
	// Another organisation may not register the station's cylinder, nor
	// set its media.
	code := env.url("oxygen cylinder at a Tianshui")
	item := `{"code":"` + testBase + code + `","fields":{"reg_code":"162502000199","medium":"O2","volume_l":"40","serial":"X1",
"made":"2020-01-01","working_pressure_mpa":"15","supervision_cert":"TS-1","filler":"91620502MA71TX017D","last_inspection":"2025-06-01"}}`
	if r = env.api("PUT", "/v1/items", other, item); r.status != 403 {
		t.Errorf("another organisation registers the cylinder: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", "/v1/items", station, strings.Replace(item, `"medium":"O2"`, `"medium":"LPG"`, 1)); r.status != 400 ||
		!strings.Contains(string(r.body), "medium") {
		t.Errorf("LPG in a seamless cylinder: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", fmt.Sprintf("/v1/orgs/%d/station", org), other, `{"media":["O2"]}`); r.status != 403 {
		t.Errorf("another organisation sets the station's media: %d %s", r.status, r.body)
	}
	if r = env.api("PUT", fmt.Sprintf("/v1/orgs/%d/station", org), station, `{"media":["O2","argon"]}`); r.status != 400 ||
		!strings.Contains(string(r.body), "media[1]") {
		t.Errorf("bad media: %d %s", r.status, r.body)
	}
	// The station's own key re-registers the cylinder (a new code).
	if r = env.api("PUT", "/v1/items", station, item); r.status != 200 {
		t.Errorf("the station registers its cylinder: %d %s", r.status, r.body)
	}
	if st, out = check(station, `{"code":"162502000199","station":"91620502MA71TX017D"}`); st != 200 || out["allow"] != true {
		t.Errorf("the re-registered cylinder: %d %v", st, out)
	}
	if st, out = check(station, `{"code":"162502000101","station":"91620502MA71TX017D"}`); st != 200 || out["allow"] != false ||
		fmt.Sprint(out["reasons"]) != "[not-registered]" {
		t.Errorf("the cylinder's old registration code: %d %v", st, out)
	}
}

// TestSectorScanFacts: the scan page of the demo's overdue oxygen
// cylinder shows its facts in the page's language, the overdue
// inspection flagged; the elevator's shows its maintenance.
func TestSectorScanFacts(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, c := range []struct{ url, lang, want, flag string }{
		{env.url("oxygen cylinder whose inspection"), "zh", "下次检验日期", "fact-bad"},
		{env.url("oxygen cylinder whose inspection"), "en", "next inspection", "fact-bad"},
		{env.url("oxygen cylinder at a Tianshui"), "en", "last fill", "fact-ok"},
		{env.url("elevator in a Lanzhou"), "zh", "维保", ""},
	} {
		r := env.get(c.url+"?lang="+c.lang, "Accept", "text/html")
		page := string(r.body)
		if r.status != 200 || !strings.Contains(page, `id="sector-facts"`) || !strings.Contains(page, c.want) || !strings.Contains(page, c.flag) {
			t.Errorf("%s (%s): %d, want %q and %q in the facts:\n%.3000s", c.url, c.lang, r.status, c.want, c.flag, page)
		}
	}
	// A product without a profile shows no facts.
	if r := env.get(env.url("infant formula on a shop shelf"), "Accept", "text/html"); strings.Contains(string(r.body), `id="sector-facts"`) {
		t.Error("facts on a product without a profile")
	}
	// The JSON chain carries the same facts, in both languages, and so
	// does the chain `tracecode resolve --json` prints.
	type fact struct {
		Key    string            `json:"key"`
		Label  map[string]string `json:"label"`
		Value  map[string]string `json:"value"`
		Status string            `json:"status"`
		Public *bool             `json:"public"`
	}
	var out struct {
		Facts []fact `json:"facts"`
	}
	u := env.url("oxygen cylinder whose inspection")
	r := env.get(u, "Accept", "application/json")
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	var due *fact
	for i := range out.Facts {
		if out.Facts[i].Key == "next_inspection" {
			due = &out.Facts[i]
		}
		if out.Facts[i].Public != nil {
			t.Errorf("a public answer flags its facts: %+v", out.Facts[i])
		}
	}
	if due == nil || due.Status != "bad" || due.Label["zh"] != "下次检验日期" || due.Label["en"] != "next inspection" || due.Value["en"] == "" {
		t.Fatalf("JSON facts %+v", out.Facts)
	}
	b, _, err := AppendPublicChain(nil, env.eng, testBase, testBase+u)
	if err != nil || !strings.Contains(string(b), `"key":"next_inspection"`) {
		t.Fatalf("public chain: %v %s", err, b)
	}
	if r := env.get(env.url("infant formula on a shop shelf"), "Accept", "application/json"); strings.Contains(string(r.body), `"facts"`) {
		t.Error("JSON facts on a product without a profile")
	}
	// The demo's dangerous goods: the chlorine drum shows its SDS; no
	// answer holds an identity number (the chlorine agent's, the
	// fireworks buyer's) in the clear.
	for _, c := range []struct{ what, want string }{
		{"liquid chlorine drum", "SDS-LC-2025-03"},
		{"fireworks unit sold", "甘肃皋兰烟花爆竹有限公司"},
	} {
		for _, accept := range []string{"application/json", "text/html"} {
			r := env.get(env.url(c.what), "Accept", accept)
			body := string(r.body)
			if r.status != 200 || !strings.Contains(body, c.want) {
				t.Errorf("%s (%s): %d, want %q:\n%.2000s", c.what, accept, r.status, c.want, body)
			}
			if strings.Contains(body, "620102199203150036") || strings.Contains(body, "620503198507120019") {
				t.Errorf("%s (%s) shows an identity number", c.what, accept)
			}
		}
	}
}

// TestSectorDemoAlerts: the demo's overdue elevator maintenance and
// overdue cylinder inspection were scheduled as the demo registered and
// recorded them; the alert scheduler raises each once, routed to the
// elevator's subdistrict and the cylinder producer's division.
func TestSectorDemoAlerts(t *testing.T) {
	env := newTestEnv(t, nil)
	x := env.eng.Notices().Alerts
	sch := x.NewScheduler(env.eng.Now, nil)
	for range 2 {
		if _, err := sch.FireDue(); err != nil {
			t.Fatal(err)
		}
	}
	for rule, region := range map[string]uint32{"elevator-maintenance-overdue": 620102001, "cylinder-inspection-overdue": 620502001} {
		as, err := x.List(alert.Actor{Operator: true}, alert.Filter{Rule: rule})
		if err != nil || len(as) != 1 || as[0].Region != region {
			t.Errorf("%s: %+v %v", rule, as, err)
		}
	}
}
