package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tracecode/engine/account"
)

// TestConsoleEditLot: the enterprise user of the producer opens a sold
// lot from the products page, changes its expiry date — refused without
// a reason, the form keeping what was typed — then with one; the lot page
// shows the trail, the scan page the new date, the audit log the change.
// A regulator of the county reads the lot page and its trail without a
// form, and posting to it is refused; another organisation's user gets
// "not found" for the page and 403 for a post, and nothing changes.
func TestConsoleEditLot(t *testing.T) {
	e := newTestEnv(t, nil)
	const what = "infant formula, shipped and sold"
	lot, before := scannedLot(t, e, what)
	p, _ := e.eng.Issuance().Product(lot.Product)
	orgB, _, _, _ := twoCountyOrgs(t, e)
	if orgB.ID == p.Org {
		_, orgB, _, _ = twoCountyOrgs(t, e)
	}
	e.addAccount(account.NewOptions{Login: "clerk.lz", Role: account.RoleEnterpriseUser, Org: p.Org})
	e.addAccount(account.NewOptions{Login: "clerk.other", Role: account.RoleEnterpriseUser, Org: orgB.ID})
	e.addAccount(account.NewOptions{Login: "reg.chengguan", Role: account.RoleRegulator, Region: 620102})
	page := fmt.Sprintf("/console/lots/%d", lot.ID)

	c := e.consoleClient()
	c.login("clerk.lz", "a long password")
	if r := c.do("GET", "/console/products", ""); !strings.Contains(string(r.body), `href="`+page+`"`) {
		t.Fatalf("the products page does not link the lot %s", page)
	}
	tok := c.csrf(page)
	form := url.Values{"csrf": {tok}, "produced": {fmt.Sprint(before["produced"])}, "expiry": {"2030-01-31"}, "origin": {"甘肃省兰州市"}}
	r := c.do("POST", page, form.Encode())
	if r.status != 400 || !strings.Contains(string(r.body), "reason") || !strings.Contains(string(r.body), `value="2030-01-31"`) {
		t.Fatalf("a date change without a reason: %d %s", r.status, r.body)
	}
	if l, _ := e.eng.Issuance().Lot(lot.ID); l.Expiry != lot.Expiry {
		t.Fatalf("a refused change wrote the expiry")
	}
	form.Set("reason", "稳定性试验延长保质期")
	if r := c.do("POST", page, form.Encode()); r.status != 303 || r.h("Location") != page+"?saved=1" {
		t.Fatalf("edit: %d %s %s", r.status, r.h("Location"), r.body)
	}
	r = c.do("GET", page+"?saved=1", "")
	body := string(r.body)
	for _, want := range []string{`id="saved"`, "稳定性试验延长保质期", "<del>" + fmt.Sprint(before["expiry"]) + "</del> → <ins>2030-01-31</ins>", "account:clerk.lz", `id="lot-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("lot page after the edit lacks %q", want)
		}
	}
	if m := decodeJSON(t, e.get(e.url(what), "Accept", "application/json")); m["lot"].(map[string]any)["expiry"] != "2030-01-31" {
		t.Errorf("scan after the console edit: %v", m["lot"])
	}
	es, _, _ := e.srv.accounts.Audit(account.Viewer{Org: p.Org}, 0, 10, nil)
	var acts []string
	for _, en := range es {
		acts = append(acts, en.Action.String()+"/"+en.Outcome.String())
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "lot-edit/ok") || !strings.Contains(got, "lot-edit/failed") {
		t.Errorf("audit: %s", got)
	}

	reg := e.consoleClient()
	reg.login("reg.chengguan", "a long password")
	r = reg.do("GET", page, "")
	if r.status != 200 || strings.Contains(string(r.body), `id="lot-form"`) || !strings.Contains(string(r.body), "稳定性试验延长保质期") {
		t.Fatalf("the regulator's lot page: %d form %v", r.status, strings.Contains(string(r.body), `id="lot-form"`))
	}
	form.Set("csrf", csrfField.FindStringSubmatch(string(r.body))[1])
	form.Set("expiry", "2031-01-31")
	if r := reg.do("POST", page, form.Encode()); r.status != 403 {
		t.Errorf("the regulator posts a change: %d", r.status)
	}

	// A regulator of the county limited to drugs does not see the formula.
	drugs, _ := account.ParseCategories("drug")
	e.addAccount(account.NewOptions{Login: "reg.drugs", Role: account.RoleRegulator, Region: 620102, Categories: drugs})
	narrow := e.consoleClient()
	narrow.login("reg.drugs", "a long password")
	if r := narrow.do("GET", page, ""); r.status != 404 {
		t.Errorf("a drugs regulator opens a food lot: %d", r.status)
	}

	other := e.consoleClient()
	other.login("clerk.other", "a long password")
	if r := other.do("GET", page, ""); r.status != 404 {
		t.Errorf("another organisation's user opens the lot: %d", r.status)
	}
	form.Set("csrf", other.csrf("/console/products"))
	if r := other.do("POST", page, form.Encode()); r.status != 403 {
		t.Errorf("another organisation's user posts a change: %d %s", r.status, r.body)
	}
	if l, _ := e.eng.Issuance().Lot(lot.ID); l.Expiry != 20300131 {
		t.Errorf("expiry after refused changes: %d", l.Expiry)
	}
}

// TestConsoleEditProduct: the enterprise user renames a product from its
// page, and the trail shows the old and new names.
func TestConsoleEditProduct(t *testing.T) {
	e := newTestEnv(t, nil)
	lot, _ := scannedLot(t, e, "infant formula, shipped and sold")
	p, _ := e.eng.Issuance().Product(lot.Product)
	e.addAccount(account.NewOptions{Login: "clerk.lz", Role: account.RoleEnterpriseUser, Org: p.Org})
	c := e.consoleClient()
	c.login("clerk.lz", "a long password")
	page := fmt.Sprintf("/console/products/%d", p.ID)
	form := url.Values{"csrf": {c.csrf(page)}, "nameZH": {p.NameZH + " 新配方"}, "nameEN": {p.NameEN}, "description": {"0–6月龄"},
		"images": {"https://img.example.cn/f1.jpg"}, "links": {"gs1:pip https://www.example.com/longyuan/formula-1"}}
	if r := c.do("POST", page, form.Encode()); r.status != 303 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	r := c.do("GET", page, "")
	if !strings.Contains(string(r.body), "<ins>"+p.NameZH+" 新配方</ins>") || !strings.Contains(string(r.body), "0–6月龄") {
		t.Errorf("product page after the edit: %s", r.body)
	}
	if got, _ := e.eng.Issuance().Product(p.ID); got.NameZH != p.NameZH+" 新配方" || len(got.Links) != 1 {
		t.Errorf("product after the edit: %+v", got)
	}
}
