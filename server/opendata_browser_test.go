package server

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tracecode/engine/account"
	"tracecode/engine/demo"
	"tracecode/engine/spotcheck"
)

// TestOpenDataAndSpotChecksInBrowser drives headless chromium through
// the open data and the spot-check console:
//
//   - the /open/ page's statistics CSV link gives the demo's Ganzhou ×
//     seed cell of last month with its three companies' printing shown
//     and its two companies' shipments suppressed;
//   - the city regulator creates a check plan in the console, draws it
//     with a published seed and records a result; the draw is then re-run
//     offline, with the engine's draw function `tracecode spotcheck draw`
//     calls, from the plan and population files the draw page links to
//     and the seed it shows, and gives the same organisations and
//     inspectors.
//
// /open/ and the console's spot-check pages are screenshot phone-sized
// and desktop-sized in both languages (TRACECODE_CONSOLE_SHOTS names a
// directory to keep them in; the committed docs/public/open-*.png and
// docs/console/console-spot*.png were made so).
func TestOpenDataAndSpotChecksInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	if _, err := demo.SeedAccounts(env.eng, env.dir); err != nil {
		t.Fatal(err)
	}
	sc, err := env.eng.SpotChecks()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := sc.PublicResults(0)
	if err != nil || len(rs) == 0 {
		t.Fatalf("the demo's spot-check results: %v %v", rs, err)
	}
	for _, o := range []account.NewOptions{
		{Login: "test.city", Name: "兰州市市场监管局", Role: account.RoleRegulator, Region: 620100},
		{Login: "test.inspected.admin", Name: "企业管理员", Role: account.RoleEnterpriseAdmin, Org: rs[0].Org},
	} {
		env.addAccount(o)
	}
	br := newBrowserSession(t, env, 1280, 860, chromedp.WaitReady("main"))
	bctx := br.ctx
	must, str, open, waitFor, login, logout := br.must, br.str, br.open, br.waitFor, br.login, br.logout
	// fetch reads a same-origin URL the console page links to, as the
	// browser downloads it (with the session's cookie).
	fetch := func(sel string) string {
		t.Helper()
		return str(`(() => { const x = new XMLHttpRequest(); x.open("GET", document.querySelector(` + "`" + sel + "`" + `).href, false); x.send(); return x.status === 200 ? x.responseText : "HTTP " + x.status })()`)
	}

	// (a) The statistics download from the page's link.
	// (The public pages' CSP allows no script requests: the test
	// downloads the link's target itself, as a person would save it.)
	open("/open/?lang=zh")
	href := str(`document.getElementById("statistics-csv").href`)
	res, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("%s: %d %v %s", href, res.StatusCode, err, res.Header.Get("Content-Disposition"))
	}
	_, rows := openStatRows(t, body)
	if r := rows["620702 seed shipped"]; r == nil || r[8] != "" || r[9] != "few-enterprises" {
		t.Errorf("the cell of two enterprises (Ganzhou, seed, shipped) is not suppressed: %v", r)
	}
	if r := rows["620702 seed commissioned"]; r == nil || r[8] != "75" || r[9] != "" {
		t.Errorf("the cell of three enterprises (Ganzhou, seed, commissioned) is not shown: %v", r)
	}
	if got := str(`document.getElementById("licence").textContent`); got != "CC-BY-4.0" {
		t.Errorf("licence %q", got)
	}

	// (b) A plan, a draw and a result in the console.
	login("test.city")
	open("/console/spotchecks")
	must("plan form", chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("plan-name"), "2026年12月兰州市食品经营者双随机抽查"),
		chromedp.SendKeys(chromedp.ID("plan-items"), "营业执照和食品经营许可\n进货查验和追溯记录"),
		chromedp.Click(chromedp.ID("plan-submit"))))
	waitFor("plan page", `!!document.getElementById("draw-form")`)
	seed := "兰州市市场监管局 2026年12月抽查 公开种子 4417"
	must("draw", chromedp.Do(bctx, chromedp.SendKeys(chromedp.ID("draw-seed"), seed), chromedp.Click(chromedp.ID("draw-submit"))))
	waitFor("draw page", `!!document.getElementById("draw-facts")`)
	if got := str(`document.getElementById("draw-seed-value").textContent`); got != seed {
		t.Fatalf("the draw page shows the seed %q", got)
	}
	type drawn struct{ subject, inspectors string }
	var shown []drawn
	for _, m := range regexp.MustCompile(`(\S+)\|(\S*)`).FindAllStringSubmatch(str(
		`Array.from(document.querySelectorAll("#inspections tr[data-subject]")).map(r => r.dataset.subject + "|" + r.dataset.inspectors).join(" ")`), -1) {
		shown = append(shown, drawn{m[1], m[2]})
	}
	if len(shown) == 0 {
		t.Fatal("the draw drew nothing")
	}
	// Re-run offline from the files the page links to and the seed it
	// shows.
	plan, err := spotcheck.ParsePlan(strings.NewReader(fetch("#dl-plan")))
	if err != nil {
		t.Fatalf("the plan file: %v", err)
	}
	pop, err := spotcheck.ParsePopulation(strings.NewReader(fetch("#dl-population")))
	if err != nil {
		t.Fatalf("the population file: %v", err)
	}
	out, err := spotcheck.Run(&plan, &pop, str(`document.getElementById("draw-seed-value").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if out.Population != str(`document.getElementById("draw-pop-hash").textContent`) {
		t.Errorf("population hash %s, the page shows another", out.Population)
	}
	if len(out.Inspections) != len(shown) {
		t.Fatalf("the re-run draws %d, the console %d", len(out.Inspections), len(shown))
	}
	for i, in := range out.Inspections {
		if in.Subject != shown[i].subject || strings.Join(in.Inspectors, ",") != shown[i].inspectors {
			t.Errorf("inspection %d: re-run %s by %v, console %s by %s", i+1, in.Subject, in.Inspectors, shown[i].subject, shown[i].inspectors)
		}
	}
	// Record the first inspection's result: it is published.
	must("result", chromedp.Do(bctx, chromedp.SendKeys(`#inspection-1 input[name=note]`, "证照齐全,追溯记录完整。"),
		chromedp.Click(`#inspection-1 button.record`)))
	waitFor("recorded", `document.readyState === "complete" && (document.getElementById("inspection-1")||{dataset:{}}).dataset.result === "no-problem"`)
	open("/spotchecks?lang=zh")
	if got := str(`document.body.textContent`); !strings.Contains(got, "证照齐全,追溯记录完整。") {
		t.Error("the recorded result is not on the public page")
	}
	open("/console/spotchecks")
	planPath := str(`(document.querySelector("#spot-plans a.plan-link")||{pathname:""}).pathname`)
	drawPath := str(`(document.querySelector("#spot-draws a.draw-link")||{pathname:""}).pathname`)
	if planPath == "" || drawPath == "" {
		t.Fatalf("the spot-check page links no plan (%q) or draw (%q)", planPath, drawPath)
	}
	logout()

	// Screenshots: phone and desktop, Chinese and English.
	pages := []tourPage{
		{"", "open", "/open/"},
		{"test.city", "console-spotchecks", "/console/spotchecks"},
		{"test.city", "console-spotplan", planPath},
		{"test.city", "console-spotdraw", drawPath},
		{"test.inspected.admin", "console-spotchecks-enterprise", "/console/spotchecks"},
	}
	br.tour(pages, func(p tourPage, lang string) string {
		if p.user == "" {
			return p.path + "?lang=" + lang
		}
		return p.path
	}, nil)
}
