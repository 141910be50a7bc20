package server

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/site"
)

// TestConsoleInBrowser drives headless chromium through the console: a
// county regulator logs in, sees its county's enterprises and not
// another's, drills down to a township, opens a code's private chain and
// is refused another county's enterprise; an enterprise user requests a
// block and downloads it (the page counts the streamed lines). Every page
// is screenshot phone-sized and desktop-sized, in Chinese and English
// (TRACECODE_CONSOLE_SHOTS names a directory to keep them in: the
// committed docs/console/ was made so).
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)

	// The regulator's region: the county of the producer of the demo's
	// first scan URL (its city when the county is no longer in the
	// division tree); another region's enterprise to be refused.
	code := env.info.URLs[0].URL
	var ch resolve.Chain
	if err := env.eng.ResolveInto(&ch, code); err != nil || ch.Org == nil {
		t.Fatalf("resolve %s: %v", code, err)
	}
	producer := *ch.Org
	reg, err := cn.NewRegion(int(producer.Region))
	if err != nil {
		t.Fatal(err)
	}
	region := reg.County()
	if !region.Known() {
		region = reg.City()
	}
	var outside model.Org
	for _, o := range env.eng.Issuance().Orgs() {
		if !apikey.RegionCovers(region.Uint32(), o.Region) {
			outside = o
			break
		}
	}
	if outside.ID == 0 {
		t.Fatal("every demo organisation is in the regulator's region")
	}
	for _, o := range []account.NewOptions{
		{Login: "regulator", Name: "监管员", Role: account.RoleRegulator, Region: region.Uint32()},
		{Login: "clerk", Name: "企业用户", Role: account.RoleEnterpriseUser, Org: producer.ID},
		{Login: "operator", Name: "运维", Role: account.RoleOperator},
	} {
		env.addAccount(o)
	}

	// The producer's sites: its plant in its own township, a warehouse
	// in another county (both show on its products page and, for the
	// regulator, on its organisation page).
	admin := apikey.Key{Org: producer.ID, Scopes: apikey.ScopeAdmin}
	for _, in := range []site.Input{
		{Kind: "factory", Name: "乳品加工厂", Region: fmt.Sprint(producer.Region), Code: "SC10562010200011", Address: "城关区酒泉路 88 号"},
		{Kind: "warehouse", Name: "七里河成品冷库", Region: "620103001", GLN: "6901234000016", Address: "七里河区西园街道"},
	} {
		if _, err := sitesOf(t, env.eng).Add(admin, producer.ID, &in); err != nil {
			t.Fatalf("site %s: %v", in.Name, err)
		}
	}
	br := newBrowserSession(t, env, 1280, 860, chromedp.WaitReady(chromedp.ID("main")))
	bctx, dir := br.ctx, br.dir
	must, str, open, waitFor, shot, login, logout := br.must, br.str, br.open, br.waitFor, br.shot, br.login, br.logout
	must("start chromium", chromedp.Do(bctx, chromedp.EmulateViewport(1280, 860)))
	// The county regulator, in Chinese on a desktop.
	open("/console/login?lang=zh")
	login("regulator")
	if got := str(`document.getElementById("region-name").textContent`); !strings.Contains(got, region.String()) {
		t.Errorf("regulator's first page names %q, want region %s", got, region)
	}
	// Its statistics are its county's: the enterprises tile counts the
	// organisations registered in the county, not the province's.
	inRegion := 0
	for _, o := range env.eng.Issuance().Orgs() {
		if apikey.RegionCovers(region.Uint32(), o.Region) {
			inRegion++
		}
	}
	if got := str(`document.getElementById("tile-orgs").textContent`); got != strconv.Itoa(inRegion) || inRegion == len(env.eng.Issuance().Orgs()) {
		t.Errorf("the overview counts %s enterprises; %d of the %d are registered in %s", got, inRegion, len(env.eng.Issuance().Orgs()), region)
	}
	open("/console/orgs")
	orgs := str(`Array.from(document.querySelectorAll("a.org")).map(a => a.textContent).join("|")`)
	if !strings.Contains(orgs, producer.Name) || strings.Contains(orgs, outside.Name) {
		t.Errorf("enterprises listed: %q (want %s, not %s)", orgs, producer.Name, outside.Name)
	}
	// Drill down: the overview's child-region table leads one level down,
	// to a township for a county.
	open("/console/region")
	must("drill down", chromedp.Do(bctx, chromedp.Click(`#children tbody tr a`)))
	// The old page has a region name too: wait for the new address.
	waitFor("drill-down page", `location.search.indexOf("?code=") === 0 && document.readyState === "complete"`)
	child := str(`document.querySelector("#region-name small").textContent`)
	cr, err := cn.ParseRegion(child)
	if err != nil || cr.Parent() != region {
		t.Errorf("drill-down reached %q (%v), want a child of %s", child, err, region)
	}
	if region.Level() == cn.LevelCounty && cr.Level() != cn.LevelTownship {
		t.Errorf("a county's child %s is not a township", cr)
	}
	// The code's private chain, as a regulator of the producer's region.
	open("/console/code?c=" + urlQueryEscape(code))
	if got := str(`(document.getElementById("trace-access")||{}).textContent||""`); got != "full" {
		t.Errorf("code look-up access %q, want full", got)
	}
	if n := str(`String(document.querySelectorAll("#events tbody tr").length)`); n == "0" {
		t.Error("the private chain shows no event")
	}
	// Another county's enterprise is refused.
	open(fmt.Sprintf("/console/orgs/%d", outside.ID))
	if got := str(`(document.getElementById("error")||{}).textContent||""`); !strings.Contains(got, "不在本账户的辖区内") {
		t.Errorf("another region's enterprise: %q", got)
	}
	logout()

	// The enterprise user requests a block and downloads it.
	login("clerk")
	open("/console/blocks")
	must("request block", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("block-lot"), "BROWSER1"),
		chromedp.SendKeys(chromedp.ID("block-count"), "12"),
		chromedp.Click(chromedp.ID("block-request"))))
	waitFor("block page", `document.readyState === "complete" && location.search.indexOf("?new=") === 0`)
	loc := str(`location.search`)
	id := strings.TrimPrefix(loc, "?new=")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		t.Fatalf("after the request the page is %q", loc)
	}
	must("download", chromedp.Do(bctx, chromedp.Click(`#block-`+id+` a.download`)))
	done, err := chromedp.Run(bctx, chromedp.Poll[string](`document.querySelector("#block-`+id+` a.download").dataset.done`,
		chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil || done != "12" {
		t.Errorf("download counted %q lines (%v), want 12", done, err)
	}
	logout()

	// Screenshots of every page: phone and desktop, Chinese and English.
	pages := []struct{ user, name, path string }{
		{"", "login", "/console/login"},
		{"regulator", "region", "/console/region"},
		{"regulator", "orgs", "/console/orgs"},
		{"regulator", "org", fmt.Sprintf("/console/orgs/%d", producer.ID)},
		{"regulator", "code", "/console/code?c=" + urlQueryEscape(code)},
		{"regulator", "notices", "/console/notices"},
		{"regulator", "audit", "/console/audit"},
		{"clerk", "products", "/console/products"},
		{"clerk", "blocks", "/console/blocks"},
		{"clerk", "upload", "/console/upload"},
		{"clerk", "custody", "/console/custody"},
		{"operator", "ops", "/console/ops"},
	}
	for _, size := range []struct {
		name string
		w, h int64
		mob  bool
	}{{"desktop", 1280, 860, false}, {"phone", 390, 844, true}} {
		vp := chromedp.EmulateViewport(size.w, size.h)
		if size.mob {
			vp = chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile)
		}
		must("viewport", chromedp.Do(bctx, vp))
		for _, lang := range []string{"zh", "en"} {
			open("/console/login?lang=" + lang)
			user := ""
			for _, p := range pages {
				if p.user != user {
					if user != "" {
						logout()
					}
					if p.user != "" {
						login(p.user)
					}
					user = p.user
				}
				open(p.path)
				if got := str(`document.documentElement.lang`); (lang == "en") != (got == "en") {
					t.Errorf("%s in %s: lang %q", p.name, lang, got)
				}
				shot(fmt.Sprintf("console-%s-%s-%s", p.name, lang, size.name))
			}
			logout()
		}
	}
	t.Logf("screenshots in %s", dir)
}

func urlQueryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", "?", "%3F", " ", "%20")
	return r.Replace(s)
}
