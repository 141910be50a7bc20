package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tracecode/engine/account"
	"tracecode/engine/code/cn"
)

// TestConsoleEditInBrowser drives headless chromium: the producer's
// enterprise user opens a sold lot from the products page, changes its
// expiry date — refused without a reason, then saved with one — and sees
// the change in the lot's history; the public scan page of an item of
// the lot shows the new date. The product and lot pages are screenshot
// phone-sized and desktop-sized, in Chinese and English, and the lot page
// as the county regulator reads it (TRACECODE_CONSOLE_SHOTS=$PWD/docs/console
// keeps them).
func TestConsoleEditInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	const what = "infant formula, shipped and sold"
	lot, before := scannedLot(t, env, what)
	p, err := env.eng.Issuance().Product(lot.Product)
	if err != nil {
		t.Fatal(err)
	}
	producer, err := env.eng.Issuance().Org(p.Org)
	if err != nil {
		t.Fatal(err)
	}
	env.addAccount(account.NewOptions{Login: "clerk", Name: "企业用户", Role: account.RoleEnterpriseUser, Org: producer.ID})
	reg, err := cn.NewRegion(int(producer.Region))
	if err != nil {
		t.Fatal(err)
	}
	env.addAccount(account.NewOptions{Login: "regulator", Name: "监管员", Role: account.RoleRegulator, Region: reg.County().Uint32()})
	lotPage, productPage := fmt.Sprintf("/console/lots/%d", lot.ID), fmt.Sprintf("/console/products/%d", p.ID)

	br := newBrowserSession(t, env, 1280, 860, chromedp.WaitReady(chromedp.ID("main")))
	must, str, open, waitFor := br.must, br.str, br.open, br.waitFor
	must("viewport", chromedp.Do(br.ctx, chromedp.EmulateViewport(1280, 860)))
	open("/console/login?lang=zh")
	br.login("clerk")
	open("/console/products")
	must("open the lot", chromedp.Do(br.ctx, chromedp.Click(`a[href="`+lotPage+`"]`)))
	waitFor("lot page", `location.pathname === "`+lotPage+`" && document.readyState === "complete" && !!document.getElementById("lot-form")`)
	if got := str(`document.getElementById("lot-expiry").textContent`); got != fmt.Sprint(before["expiry"]) {
		t.Fatalf("the lot page shows expiry %q, the scan %v", got, before["expiry"])
	}
	// A new expiry date without a reason is refused, the typed date kept.
	str(`document.getElementById("lot-expiry-input").value = "2030-01-31"; "set"`)
	must("save without a reason", chromedp.Do(br.ctx, chromedp.Click(chromedp.ID("lot-save"))))
	waitFor("refusal", `document.readyState === "complete" && !!document.getElementById("edit-error")`)
	if got := str(`document.getElementById("edit-error").textContent`); !strings.Contains(got, "reason") {
		t.Errorf("refusal says %q", got)
	}
	if got := str(`document.getElementById("lot-expiry-input").value`); got != "2030-01-31" {
		t.Errorf("after the refusal the form holds expiry %q", got)
	}
	must("reason", chromedp.Do(br.ctx, chromedp.SendKeys(chromedp.ID("lot-reason"), "稳定性试验延长保质期")))
	must("save", chromedp.Do(br.ctx, chromedp.Click(chromedp.ID("lot-save"))))
	waitFor("saved", `location.search === "?saved=1" && document.readyState === "complete" && !!document.getElementById("saved")`)
	trail := str(`document.getElementById("trail").textContent`)
	for _, want := range []string{"稳定性试验延长保质期", "2030-01-31", fmt.Sprint(before["expiry"]), "account:clerk"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the history lacks %q: %s", want, trail)
		}
	}
	if got := str(`document.getElementById("lot-expiry").textContent`); got != "2030-01-31" {
		t.Errorf("the lot page shows expiry %q after the change", got)
	}
	// The public scan page shows the new date.
	br.ready = chromedp.WaitReady("body")
	open(env.url(what) + "?lang=zh")
	br.ready = chromedp.WaitReady(chromedp.ID("main"))
	if body := str(`document.body.innerText`); !strings.Contains(body, "2030-01-31") || strings.Contains(body, fmt.Sprint(before["expiry"])) {
		t.Errorf("the scan page after the change: %s", body)
	}
	open(lotPage)
	br.logout()

	br.tour([]tourPage{
		{"clerk", "console-product", productPage},
		{"clerk", "console-lot", lotPage},
		{"regulator", "console-lot-regulator", lotPage},
	}, func(p tourPage, _ string) string { return p.path }, nil)
}
