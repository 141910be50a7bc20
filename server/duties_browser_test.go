package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tracecode/engine/account"
	"tracecode/engine/demo"
	"tracecode/engine/resolve"
)

// TestDutiesInBrowser drives headless chromium through the public duties:
// a consumer reports a problem from a scan page, gets a tracking number
// and looks it up with the phone; the regulator of the county the engine
// routed it to accepts it in the console inbox, and the consumer's lookup
// then shows it accepted. The demo's Zhangye lamb processor, on the
// serious violation list, makes its lamb's scan page warn in Chinese and
// English. The public pages (/report, /report/status, /blacklist,
// /spotchecks, the warning scan page) and the console's complaint and
// credit pages are screenshot phone-sized and desktop-sized in both
// languages (TRACECODE_CONSOLE_SHOTS names a directory to keep them in:
// the committed docs/public/ was made so).
func TestDutiesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)

	// Where the engine routes a complaint about the formula: its county
	// of sale (else the producer's). That county's regulator handles it.
	formula := env.url("infant formula, shipped and sold")
	about, err := env.eng.Complaints().About(testBase + formula)
	if err != nil || about.Subject.Region == 0 {
		t.Fatalf("complaint routing of %s: %+v %v", formula, about.Subject, err)
	}
	// The lamb's producer, on the demo's serious violation list.
	lamb := env.url("Zhangye lamb, shipped and received")
	var ch resolve.Chain
	if err := env.eng.ResolveInto(&ch, testBase+lamb); err != nil || ch.Org == nil {
		t.Fatalf("resolve %s: %v", lamb, err)
	}
	violator := *ch.Org
	// The demo's accounts bring the Lanzhou plan, its draw and the first
	// published spot-check results.
	if _, err := demo.SeedAccounts(env.eng, env.dir); err != nil {
		t.Fatal(err)
	}
	for _, o := range []account.NewOptions{
		{Login: "test.county", Name: "区县监管员", Role: account.RoleRegulator, Region: about.Subject.Region},
		{Login: "test.lamb.admin", Name: "企业管理员", Role: account.RoleEnterpriseAdmin, Org: violator.ID},
	} {
		env.addAccount(o)
	}

	br := newBrowserSession(t, env, 390, 844, chromedp.WaitReady("main"))
	bctx, base := br.ctx, br.base
	must, str, open, waitFor, login, logout := br.must, br.str, br.open, br.waitFor, br.login, br.logout
	must("start chromium", chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	// The consumer, in Chinese on a phone: scan page, 举报, the form.
	must("zh", chromedp.Do(bctx, acceptLanguage("zh-CN,zh;q=0.9")))
	must("scan page", chromedp.Do(bctx, chromedp.Navigate(base+formula), chromedp.WaitVisible(chromedp.ID("report"))))
	if got := str(`(document.getElementById("credit-warning")||{}).textContent||""`); got != "" {
		t.Errorf("the formula's scan page warns: %q", got)
	}
	must("report link", chromedp.Do(bctx, chromedp.Click(chromedp.ID("report"))))
	waitFor("report form", `location.pathname === "/report" && !!document.getElementById("report-form")`)
	if got := str(`document.getElementById("about-product").textContent`); got == "" {
		t.Error("the report form names no product")
	}
	phone := "13800001111"
	must("fill the form", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("name"), "李娜"),
		chromedp.SendKeys(chromedp.ID("phone"), phone),
		chromedp.SendKeys(chromedp.ID("text"), "奶粉罐封口破损,冲调后有异味。"),
		chromedp.Click(chromedp.ID("submit"))))
	waitFor("filed", `!!document.getElementById("tracking")`)
	tracking := strings.TrimSpace(str(`document.getElementById("tracking").textContent`))
	if len(tracking) < 8 {
		t.Fatalf("tracking number %q", tracking)
	}
	// The lookup form, by hand: the tracking number and the phone.
	open("/report/status?lang=zh")
	must("look up", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("lookup-tracking"), tracking),
		chromedp.SendKeys(chromedp.ID("lookup-phone"), phone),
		chromedp.Click(chromedp.ID("lookup-submit"))))
	waitFor("status", `!!document.getElementById("complaint-state")`)
	if got := str(`document.getElementById("complaint-state").dataset.state`); got != "received" {
		t.Errorf("state after filing: %q, want received", got)
	}
	// A wrong phone finds nothing.
	open("/report/status?lang=zh&tracking=" + tracking + "&phone=13900000000")
	if got := str(`(document.getElementById("complaint-state")||{}).textContent||""`); got != "" {
		t.Errorf("a wrong phone reads the state %q", got)
	}

	// The county regulator accepts it in the console inbox (desktop).
	must("desktop", chromedp.Do(bctx, chromedp.EmulateViewport(1280, 860)))
	open("/console/login?lang=zh")
	login("test.county")
	open("/console/complaints")
	row := "#complaint-" + tracking
	if got := str(`(document.querySelector("` + row + `")||{dataset:{}}).dataset.state||""`); got != "received" {
		t.Fatalf("the county's inbox shows %s as %q", tracking, got)
	}
	if got := str(`document.querySelector("` + row + `").textContent`); !strings.Contains(got, phone) {
		t.Errorf("the regulator's row lacks the complainant's phone: %q", got)
	}
	must("accept", chromedp.Do(bctx, chromedp.Click(row+` button.accept`)))
	waitFor("accepted", `document.readyState === "complete" && (document.querySelector("`+row+`")||{dataset:{}}).dataset.state === "accepted"`)
	logout()
	// The producer's admin (another organisation: the lamb's) does not
	// see it.
	login("test.lamb.admin")
	open("/console/complaints")
	if got := str(`String(!!document.querySelector("` + row + `"))`); got != "false" {
		t.Error("another organisation sees the complaint")
	}
	logout()

	// The consumer's lookup shows it accepted.
	open("/report/status?lang=zh&tracking=" + tracking + "&phone=" + phone)
	if got := str(`document.getElementById("complaint-state").dataset.state`); got != "accepted" {
		t.Errorf("state after acceptance: %q, want accepted", got)
	}
	if got := str(`document.getElementById("complaint-state").textContent`); !strings.Contains(got, "已受理") {
		t.Errorf("accepted state reads %q", got)
	}

	// The spot-check results the demo published.
	open("/spotchecks?lang=zh")
	if n := str(`String(document.querySelectorAll("section.spot").length)`); n == "0" {
		t.Error("/spotchecks lists no result")
	}

	// The serious violation: the lamb's scan page warns, in both
	// languages, with the entry's summary and a link to the public list.
	for _, c := range []struct{ accept, summary string }{
		{"zh-CN,zh;q=0.9", "瘦肉精"},
		{"en-GB,en;q=0.9", "clenbuterol"},
	} {
		must("lamb "+c.accept, chromedp.Do(bctx, acceptLanguage(c.accept), chromedp.Navigate(base+lamb), chromedp.WaitVisible(chromedp.ID("status"))))
		got := str(`(document.getElementById("credit-warning")||{}).textContent||""`)
		if !strings.Contains(got, c.summary) {
			t.Errorf("lamb scan page (%s) warning %q lacks %q", c.accept, got, c.summary)
		}
		if href := str(`(document.querySelector("#credit-warning a")||{}).href||""`); !strings.Contains(href, "/blacklist") {
			t.Errorf("warning links to %q", href)
		}
	}
	must("zh", chromedp.Do(bctx, acceptLanguage("zh-CN,zh;q=0.9")))

	// Screenshots: phone and desktop, Chinese and English.
	pages := []tourPage{
		{"", "scan-credit-warning", lamb},
		{"", "report", "/report?code=" + urlQueryEscape(testBase+formula)},
		{"", "report-status", "/report/status?tracking=" + tracking + "&phone=" + phone},
		{"", "blacklist", "/blacklist"},
		{"", "spotchecks", "/spotchecks"},
		{"test.county", "console-complaints", "/console/complaints"},
		{"test.county", "console-credit", "/console/credit"},
		{"test.lamb.admin", "console-credit-enterprise", "/console/credit"},
	}
	br.tour(pages, func(p tourPage, lang string) string {
		path := p.path
		if p.user == "" && strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "/01/") && path != lamb {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			path += sep + "lang=" + lang
		}
		return path
	}, func(p tourPage, path string) {
		if path == lamb {
			must(p.name, chromedp.Do(bctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("status"))))
		} else {
			open(path)
		}
	})
}
