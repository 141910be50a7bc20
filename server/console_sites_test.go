package server

import (
	"net/url"
	"strings"
	"testing"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
)

// TestConsoleSites: an enterprise admin adds a site from the products
// page and sees it listed with its kind and region named; a bad GLN is
// shown as the API's message and writes nothing; an enterprise user (no
// admin) sees the sites but adding one is refused; the addition is
// audited.
func TestConsoleSites(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, _, _, _ := twoCountyOrgs(t, e)
	e.addAccount(account.NewOptions{Login: "admin.a", Role: account.RoleEnterpriseAdmin, Org: orgA.ID})
	e.addAccount(account.NewOptions{Login: "clerk.a", Role: account.RoleEnterpriseUser, Org: orgA.ID})
	c := e.consoleClient()
	c.login("admin.a", "a long password")
	tok := c.csrf("/console/products")
	form := url.Values{"csrf": {tok}, "kind": {"warehouse"}, "name": {"西固成品库"}, "region": {"620104"}, "gln": {"6901234000016"}}
	if r := c.do("POST", "/console/sites", form.Encode()); r.status != 303 {
		t.Fatalf("add a site: %d %s", r.status, r.body)
	}
	r := c.do("GET", "/console/products", "")
	if r.status != 200 || !strings.Contains(string(r.body), "西固成品库") || !strings.Contains(string(r.body), "仓库") || !strings.Contains(string(r.body), "西固区") {
		t.Fatalf("products page lists the site: %d", r.status)
	}
	form.Set("gln", "6901234000017")
	form.Set("name", "错码库")
	if r := c.do("POST", "/console/sites", form.Encode()); r.status != 400 || !strings.Contains(string(r.body), "check digit") {
		t.Errorf("a bad GLN: %d", r.status)
	}
	if ss, _ := sitesOf(t, e.eng).Of(apikey.Key{Org: orgA.ID}, orgA.ID); len(ss) != 1 {
		t.Errorf("%d sites after a refused add", len(ss))
	}
	clerk := e.consoleClient()
	clerk.login("clerk.a", "a long password")
	r = clerk.do("GET", "/console/products", "")
	if !strings.Contains(string(r.body), "西固成品库") || strings.Contains(string(r.body), `id="site-add"`) {
		t.Errorf("the clerk's products page: lists the site %v, offers to add %v", strings.Contains(string(r.body), "西固成品库"), strings.Contains(string(r.body), `id="site-add"`))
	}
	form.Set("csrf", clerk.csrf("/console/products"))
	form.Set("gln", "6901234000023")
	if r := clerk.do("POST", "/console/sites", form.Encode()); r.status != 403 {
		t.Errorf("the clerk adds a site: %d", r.status)
	}
	es, _, _ := e.srv.accounts.Audit(account.Viewer{Org: orgA.ID}, 0, 10, nil)
	var acts []string
	for _, en := range es {
		acts = append(acts, en.Action.String()+"/"+en.Outcome.String())
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "site-add/ok") {
		t.Errorf("audit of A: %s", got)
	}
}
