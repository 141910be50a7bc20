package server

import (
	"net/url"
	"strings"
	"testing"

	"tracecode/engine/account"
)

func TestConsoleComplaintsAndCredit(t *testing.T) {
	e := newTestEnv(t, nil)
	code := testBase + e.url("infant formula, shipped and sold")
	body := `{"code":"` + code + `","name":"王五","phone":"13600002222","text":"奶粉罐内有异物"}`
	if r := e.do("POST", "/v1/complaints", []byte(body), "Content-Type", "application/json"); r.status != 201 {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	e.addAccount(account.NewOptions{Login: "chengguan", Role: account.RoleRegulator, Region: 620102})
	e.addAccount(account.NewOptions{Login: "dairy.admin", Role: account.RoleEnterpriseAdmin, Org: 1})
	reg := e.consoleClient()
	if r := reg.login("chengguan", "a long password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	page := string(reg.do("GET", "/console/complaints", "").body)
	if !strings.Contains(page, "13600002222") || !strings.Contains(page, `data-state="received"`) {
		t.Fatalf("inbox: %s", page)
	}
	i := strings.Index(page, `id="complaint-`)
	tr := page[i+len(`id="complaint-`):]
	tr = tr[:14]
	tok := reg.csrf("/console/complaints")
	if r := reg.do("POST", "/console/complaints/"+tr, url.Values{"csrf": {tok}, "action": {"accept"}}.Encode()); r.status != 303 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if page := string(reg.do("GET", "/console/complaints", "").body); !strings.Contains(page, `data-state="accepted"`) {
		t.Error("not accepted")
	}
	// A credit entry through the console shows on the organisation's page.
	tok = reg.csrf("/console/credit")
	f := url.Values{"csrf": {tok}, "uscc": {usccLongyuan}, "kind": {"penalty"}, "gravity": {"minor"}, "document": {"城市监罚〔2026〕9号"}, "summary_zh": {"标签标注不规范,警告"}}
	if r := reg.do("POST", "/console/credit", f.Encode()); r.status != 200 || !strings.Contains(string(r.body), `id="credit-msg"`) {
		t.Fatalf("credit entry: %d %s", r.status, r.body)
	}
	if page := string(reg.do("GET", "/console/orgs/1", "").body); !strings.Contains(page, "标签标注不规范") {
		t.Error("the organisation page lacks the entry")
	}
	// The enterprise sees its record and the complaint, without the complainant.
	ent := e.consoleClient()
	if r := ent.login("dairy.admin", "a long password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	if page := string(ent.do("GET", "/console/credit", "").body); !strings.Contains(page, "标签标注不规范") {
		t.Error("the enterprise's credit page lacks its entry")
	}
	page = string(ent.do("GET", "/console/complaints", "").body)
	if !strings.Contains(page, tr) || strings.Contains(page, "13600002222") || strings.Contains(page, "王五") {
		t.Errorf("the enterprise's inbox shows the complainant or lacks the complaint: %s", page)
	}
	tok = ent.csrf("/console/complaints")
	if r := ent.do("POST", "/console/complaints/"+tr, url.Values{"csrf": {tok}, "action": {"close"}, "note": {"x"}}.Encode()); r.status == 303 {
		t.Error("the enterprise closed a complaint")
	}
}
