package server

import (
	"net/url"
	"strings"
	"testing"

	"tracecode/engine/credit"
	"tracecode/engine/demo"
)

// TestSearchAPI: GET /v1/search by name, GTIN and USCC; a wrong check
// digit and a bad limit are 400 naming what is wrong; a product found
// shows its producer and recalls in force; an enterprise on the serious
// violation list says so.
func TestSearchAPI(t *testing.T) {
	env := newTestEnv(t, nil)
	get := func(q string, extra ...string) (int, searchAnswer, string) {
		t.Helper()
		u := "/v1/search?q=" + url.QueryEscape(q)
		for _, x := range extra {
			u += "&" + x
		}
		r := env.get(u)
		var a searchAnswer
		if r.status == 200 {
			if err := jsonUnmarshal(r.body, &a); err != nil {
				t.Fatalf("%s: %v %s", u, err, r.body)
			}
		}
		return r.status, a, string(r.body)
	}
	st, a, body := get("张掖")
	if st != 200 || a.Query.Kind != "text" || a.Total < 2 {
		t.Fatalf("张掖: %d %s", st, body)
	}
	var lamb, processor *searchHit
	for i := range a.Hits {
		h := &a.Hits[i]
		switch {
		case h.Kind == "product" && strings.Contains(h.Name, "羊肉"):
			lamb = h
		case h.Kind == "enterprise" && strings.Contains(h.Name, "牛羊肉"):
			processor = h
		}
	}
	if lamb == nil || processor == nil {
		t.Fatalf("张掖 finds neither the lamb nor its processor: %s", body)
	}
	if lamb.Producer != processor.Name || lamb.ProducerURL != "/enterprise/"+processor.USCC+"?lang=zh" || lamb.GTIN == "" || lamb.Category == "" {
		t.Errorf("lamb hit %+v", lamb)
	}
	if processor.Listed != "严重违法失信名单" || processor.Region == "" {
		t.Errorf("processor hit %+v", processor)
	}
	// By GTIN (13 or 14 digits) and by USCC: one hit each.
	for _, q := range []string{lamb.GTIN, lamb.GTIN[1:], processor.USCC, strings.ToLower(processor.USCC)} {
		if st, a, body := get(q); st != 200 || len(a.Hits) != 1 || a.Query.Kind == "text" {
			t.Errorf("%s: %d %s", q, st, body)
		}
	}
	// English names in English.
	if st, a, body := get("lamb", "lang=en"); st != 200 || len(a.Hits) == 0 || !strings.Contains(a.Hits[0].Name, "lamb") {
		t.Errorf("lamb in English: %d %s", st, body)
	}
	// A recall ordered of a formula lot shows on the formula's hit.
	orderDemoRecall(t, env)
	st, a, body = get("婴幼儿配方奶粉")
	recalled := false
	for _, h := range a.Hits {
		recalled = recalled || len(h.Recalls) > 0
	}
	if st != 200 || !recalled {
		t.Errorf("the formula shows no recall in force: %s", body)
	}
	for _, c := range []struct{ q, extra, want string }{
		{"6956003000156", "", "check digit is 6, expected 5"},
		{"91620702MA74GJ088X", "", "position 18 is X, expected W"},
		{"", "", "empty"},
		{"羊肉", "limit=0", "limit"},
		{"羊肉", "limit=x", "limit"},
	} {
		st, _, body := get(c.q, c.extra)
		if st != 400 || !strings.Contains(body, c.want) || !strings.Contains(body, "bad-query") {
			t.Errorf("%q %s: %d %s, want 400 with %q", c.q, c.extra, st, body, c.want)
		}
	}
	if r := env.do("POST", "/v1/search?q=x", nil); r.status != 405 {
		t.Errorf("POST: %d", r.status)
	}
}

// TestSearchPage: the form works without JavaScript — /search answers a
// page with the hits, or the error in place.
func TestSearchPage(t *testing.T) {
	env := newTestEnv(t, nil)
	r := env.get("/search?lang=en&q=" + url.QueryEscape("Zhangye"))
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `data-kind="enterprise"`) || !strings.Contains(body, `data-kind="product"`) ||
		!strings.Contains(body, "Zhangye Ganzhou Beef") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("search page: %d %s", r.status, body)
	}
	r = env.get("/search?lang=zh&q=6956003000156")
	if body := string(r.body); r.status != 400 || !strings.Contains(body, `id="search-error"`) || !strings.Contains(body, "expected 5") {
		t.Errorf("bad GTIN page: %d %s", r.status, body)
	}
	if r := env.get("/search?q=x&format=json"); r.status != 200 || r.h("Content-Type") != "application/json" {
		t.Errorf("?format=json: %d %s", r.status, r.h("Content-Type"))
	}
}

// TestEnterprisePage: an enterprise's public page by USCC and by number
// shows its credit (on the serious violation list), its published spot
// checks and its products; no credential or contact is on it.
func TestEnterprisePage(t *testing.T) {
	env := newTestEnv(t, nil)
	if _, err := demo.SeedAccounts(env.eng, env.dir); err != nil { // the published spot checks
		t.Fatal(err)
	}
	var uscc string
	var id uint32
	for _, o := range env.eng.Issuance().Orgs() {
		if strings.Contains(o.Name, "牛羊肉") {
			uscc, id = o.USCC, o.ID
		}
	}
	for _, key := range []string{uscc, strings.ToLower(uscc), itoa(uint64(id))} {
		r := env.get("/enterprise/" + key + "?lang=zh")
		body := string(r.body)
		if r.status != 200 || !strings.Contains(body, "张掖甘州牛羊肉加工有限公司") || !strings.Contains(body, `data-listed="serious-violation"`) ||
			!strings.Contains(body, "瘦肉精") || !strings.Contains(body, "严重违法失信名单") {
			t.Errorf("/enterprise/%s: %d %s", key, r.status, body)
		}
		if strings.Contains(body, "account:") || strings.Contains(body, "key:") {
			t.Errorf("/enterprise/%s shows a credential", key)
		}
	}
	r := env.get("/enterprise/" + uscc + "?format=json")
	if r.status != 200 || !strings.Contains(string(r.body), `"lists":["serious-violation"]`) || strings.Contains(string(r.body), `"by"`) {
		t.Errorf("JSON: %d %s", r.status, r.body)
	}
	// The spot checks the demo published show on their enterprise's page.
	sc, err := env.eng.SpotChecks()
	if err != nil {
		t.Fatal(err)
	}
	spots, err := sc.PublicResults(0)
	if err != nil || len(spots) == 0 {
		t.Fatalf("no published spot check: %v", err)
	}
	key := spots[0].Subject
	if k, ok := strings.CutPrefix(key, "org:"); ok {
		key = k
	}
	r = env.get("/enterprise/" + key + "?lang=en")
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "spot-"+itoa(spots[0].Draw)+"-") {
		t.Errorf("spot checks of %s: %d %s", key, r.status, body)
	}
	for _, key := range []string{"91620702MA74GJ088X", "999", "x", "91620102MA71LY016E/x"} {
		if r := env.get("/enterprise/" + key); r.status != 404 {
			t.Errorf("/enterprise/%s: %d", key, r.status)
		}
	}
}

// TestOneStopHomePage: the home page carries the code form, the search form,
// the scan button (shown by its script), the recalls in force and the
// latest spot checks, under a policy that allows the script and
// WebAssembly from this server only; the assets are served.
func TestOneStopHomePage(t *testing.T) {
	env := newTestEnv(t, nil)
	if _, err := demo.SeedAccounts(env.eng, env.dir); err != nil {
		t.Fatal(err)
	}
	orderDemoRecall(t, env)
	r := env.get("/?lang=zh")
	body := string(r.body)
	for _, want := range []string{`action="/resolve"`, `action="/search"`, `id="scan-button" hidden`, `src="/assets/scan.js"`,
		`id="home-recalls"`, "检出沙门氏菌", `id="home-spotchecks"`, `href="/enterprise/`, `href="/open/?lang=zh"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if strings.Contains(body, "暂无公示的抽查结果") {
		t.Error("home page shows no spot check")
	}
	csp := r.h("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") || strings.Contains(csp, "unsafe-eval'") && !strings.Contains(csp, "wasm-unsafe-eval") {
		t.Errorf("home CSP %q", csp)
	}
	for name, ct := range map[string]string{"scan.js": "text/javascript", "zxing-reader.iife.js": "text/javascript", "zxing_reader.wasm": "application/wasm"} {
		r := env.get("/assets/" + name)
		if r.status != 200 || !strings.HasPrefix(r.h("Content-Type"), ct) || len(r.body) < 1000 {
			t.Errorf("/assets/%s: %d %s %d bytes", name, r.status, r.h("Content-Type"), len(r.body))
		}
	}
	if r := env.get("/assets/../go.mod"); r.status != 400 && r.status != 404 {
		t.Errorf("/assets/../go.mod: %d", r.status)
	}
	if r := env.get("/assets/console.js"); r.status != 404 {
		t.Errorf("/assets/console.js: %d", r.status)
	}
}

// TestOneStopRateLimited: the search and the enterprise page share the
// resolver's per-client limit.
func TestOneStopRateLimited(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RateLimit, c.RateBurst, c.LimitLoopback = 0.0001, 3, true })
	got := map[int]int{}
	for range 3 {
		got[env.get("/v1/search?q=lamb").status]++
	}
	got[env.get("/search?q=lamb").status]++
	got[env.get("/enterprise/1").status]++
	if got[200] != 3 || got[429] != 2 {
		t.Errorf("statuses %v, want 3 × 200 then 429", got)
	}
}

// TestOneStopTextComplete: both languages have every word the pages use,
// and a name for every credit kind.
func TestOneStopTextComplete(t *testing.T) {
	for _, k := range creditKinds {
		for _, lang := range []string{"zh", "en"} {
			if oneStopText[lang]["kind."+k.String()] == "" {
				t.Errorf("%s: no name for credit kind %s", lang, k)
			}
		}
	}
	for k := range oneStopText["zh"] {
		if oneStopText["en"][k] == "" {
			t.Errorf("en lacks %s", k)
		}
	}
	for k := range oneStopText["en"] {
		if oneStopText["zh"][k] == "" {
			t.Errorf("zh lacks %s", k)
		}
	}
}

// creditKinds lists every credit kind the pages name.
var creditKinds = []credit.Kind{credit.Penalty, credit.Abnormal, credit.SeriousViolation, credit.RecallHistory,
	credit.SpotCheckFailed, credit.AlertConfirmed, credit.Positive}
