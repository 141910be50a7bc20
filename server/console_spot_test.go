package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tracecode/engine/account"
)

// TestConsoleSpotChecks: the city regulator creates a plan, draws it
// with a published seed and records a result in the console; the result
// is public and the inspected enterprise sees it. Another region's
// regulator neither sees nor draws the plan, and an enterprise cannot
// draw.
func TestConsoleSpotChecks(t *testing.T) {
	e := newTestEnv(t, nil)
	for _, o := range []account.NewOptions{
		{Login: "lz.city", Role: account.RoleRegulator, Region: 620100},
		{Login: "insp.a", Role: account.RoleInspector, Region: 620100},
		{Login: "insp.b", Role: account.RoleInspector, Region: 620100},
		{Login: "insp.c", Role: account.RoleInspector, Region: 620102},
		{Login: "ts.maiji", Role: account.RoleRegulator, Region: 620503},
		{Login: "dairy.admin", Role: account.RoleEnterpriseAdmin, Org: 1},
	} {
		e.addAccount(o)
	}
	reg := e.consoleClient()
	if r := reg.login("lz.city", "a long password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	tok := reg.csrf("/console/spotchecks")
	f := url.Values{"csrf": {tok}, "name": {"兰州市食品经营者抽查"}, "items": {"营业执照\n进货查验记录\n"},
		"ratio-high": {"100"}, "ratio-medium-high": {"100"}, "ratio-medium": {"100"}, "ratio-low": {"100"},
		"inspectors": {"2"}, "publish_days": {"20"}, "conflicts": {"insp.c 91620102MA71WJ04X0"}}
	r := reg.do("POST", "/console/spotchecks/plans", f.Encode())
	if r.status != 303 {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	planURL := r.h("Location")
	page := string(reg.do("GET", planURL, "").body)
	if !strings.Contains(page, "进货查验记录") || !strings.Contains(page, `id="draw-form"`) {
		t.Fatalf("plan page: %s", page)
	}
	planID := planURL[strings.LastIndexByte(planURL, '/')+1:]
	tok = reg.csrf(planURL)
	r = reg.do("POST", planURL+"/draws", url.Values{"csrf": {tok}, "seed": {"公开种子 2026-12"}}.Encode())
	if r.status != 303 {
		t.Fatalf("draw: %d %s", r.status, r.body)
	}
	drawURL := r.h("Location")
	page = string(reg.do("GET", drawURL, "").body)
	if !strings.Contains(page, "公开种子 2026-12") || !strings.Contains(page, `id="inspection-1"`) || !strings.Contains(page, "tracecode spotcheck draw") {
		t.Fatalf("draw page: %s", page)
	}
	m := regexp.MustCompile(`id="inspection-1" data-subject="([^"]*)" data-inspectors="([^"]*)"`).FindStringSubmatch(page)
	if m == nil || strings.Count(m[2], ",") != 1 {
		t.Fatalf("inspection 1: %v", m)
	}
	if m[1] == "91620102MA71WJ04X0" && strings.Contains(m[2], "insp.c") {
		t.Error("a recused inspector was drawn")
	}
	for _, dl := range []string{"/population.json", "/draw.json"} {
		if r := reg.do("GET", drawURL+dl, ""); r.status != 200 || !strings.Contains(r.h("Content-Disposition"), "spotcheck-draws-") {
			t.Errorf("%s: %d %s", dl, r.status, r.h("Content-Disposition"))
		}
	}
	// Record the longyuan dairy's result if it was drawn, else inspection 1's.
	n, want := "1", m[1]
	for _, x := range regexp.MustCompile(`id="inspection-(\d+)" data-subject="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if x[2] == usccLongyuan {
			n, want = x[1], x[2]
		}
	}
	tok = reg.csrf(drawURL)
	r = reg.do("POST", drawURL+"/inspections/"+n+"/result", url.Values{"csrf": {tok}, "code": {"no-problem"}, "note": {"证照齐全"}}.Encode())
	if r.status != 303 {
		t.Fatalf("result: %d %s", r.status, r.body)
	}
	if page := string(reg.do("GET", drawURL, "").body); !strings.Contains(page, `data-result="no-problem"`) {
		t.Error("the draw page lacks the result")
	}
	if pub := string(e.get("/spotchecks?format=json").body); !strings.Contains(pub, "证照齐全") {
		t.Errorf("the result is not public: %s", pub)
	}

	// Another region's regulator: not found, and cannot draw.
	other := e.consoleClient()
	if r := other.login("ts.maiji", "a long password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	if r := other.do("GET", planURL, ""); r.status != 404 {
		t.Errorf("another region reads the plan: %d", r.status)
	}
	tok = other.csrf("/console/spotchecks")
	if r := other.do("POST", planURL+"/draws", url.Values{"csrf": {tok}, "seed": {"x"}}.Encode()); r.status != 404 {
		t.Errorf("another region draws: %d", r.status)
	}
	if r := other.do("GET", drawURL, ""); r.status != 404 {
		t.Errorf("another region reads the draw: %d", r.status)
	}
	if r := other.do("POST", drawURL+"/inspections/1/result", url.Values{"csrf": {tok}, "code": {"nonconforming"}}.Encode()); r.status != 404 {
		t.Errorf("another region records a result: %d", r.status)
	}
	if strings.Contains(string(other.do("GET", "/console/spotchecks", "").body), "兰州市食品经营者抽查") {
		t.Error("another region lists the plan")
	}

	// An enterprise cannot draw, and sees its own published result.
	ent := e.consoleClient()
	if r := ent.login("dairy.admin", "a long password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	tok = ent.csrf("/console/spotchecks")
	if r := ent.do("POST", "/console/spotchecks/plans/"+planID+"/draws", url.Values{"csrf": {tok}, "seed": {"y"}}.Encode()); r.status != 403 {
		t.Errorf("an enterprise draws: %d %s", r.status, r.body)
	}
	if r := ent.do("POST", "/console/spotchecks/plans", url.Values{"csrf": {tok}, "name": {"x"}, "items": {"y"}}.Encode()); r.status != 403 {
		t.Errorf("an enterprise creates a plan: %d", r.status)
	}
	own := string(ent.do("GET", "/console/spotchecks", "").body)
	if want == usccLongyuan && !strings.Contains(own, "证照齐全") {
		t.Errorf("the enterprise does not see its result: %s", own)
	}
	if strings.Contains(own, `id="plan-form"`) || strings.Contains(own, "公开种子 2026-12") {
		t.Error("the enterprise sees the plan form or the draws")
	}
}
