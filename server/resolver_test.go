package server

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/gs1"
	"tracecode/engine/resolve"
)

func decodeJSON(t *testing.T, r resp) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return m
}

func TestResolveJSONGenuineItem(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("infant formula on a shop shelf")
	r := env.get(u, "Accept", "application/json")
	if r.status != 200 || r.h("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q: %s", r.status, r.h("Content-Type"), r.body)
	}
	m := decodeJSON(t, r)
	if m["status"] != "genuine" {
		t.Errorf("status %v", m["status"])
	}
	code := m["code"].(map[string]any)
	if code["digitalLink"] != testBase+u || !strings.HasPrefix(code["epcURN"].(string), "urn:epc:id:sgtin:6901234.0") ||
		!strings.HasPrefix(code["elementString"].(string), "(01)06901234000115(10)") {
		t.Errorf("code forms %v", code)
	}
	if p := m["product"].(map[string]any); p["category"] != "food" || p["gtin"] != "06901234000115" {
		t.Errorf("product %v", p)
	}
	if m["producer"].(map[string]any)["region"] != "620102001" {
		t.Errorf("producer %v", m["producer"])
	}
	if !strings.Contains(r.h("Link"), `rel="linkset"`) || !strings.Contains(r.h("Vary"), "Accept") {
		t.Errorf("headers Link %q Vary %q", r.h("Link"), r.h("Vary"))
	}
	// The second scan is counted.
	m = decodeJSON(t, env.get(u+"?format=json"))
	if sc := m["scans"].(map[string]any); sc["count"] != 2.0 {
		t.Errorf("scans after two look-ups: %v", sc)
	}
}

func TestResolveMalformedIs400(t *testing.T) {
	env := newTestEnv(t, nil)
	g := "06901234000115"
	for _, c := range []struct{ path, want string }{
		{"/01/06901234000116/21/A1", "check digit"},
		{"/01/0690123400011/21/A1", "14 digits"},
		{"/01/" + g + "/21/A1/10/L1", "out of order"},
		{"/01/" + g + "/10/L1/10/L2", "out of order or repeated"},
		{"/01/" + g + "/99/X", "not a key qualifier"},
		{"/01/" + g + "/21/ABCDEFGHIJKLMNOPQRSTU", "20"},
		{"/01/" + g + "/21/A%7EB", "CSET 82"},
		{"/01/" + g + "/21", "no value"},
		{"/01/" + g + "/21/A1?10=L1", "belongs in the path"},
		{"/00/12345", "18 digits"},
		{"/resolve", "?code="},
		{"/resolve?code=hello", ""},
		{"/01/" + g + "/21/A1?format=xml", "format"},
	} {
		r := env.get(c.path, "Accept", "application/json")
		if r.status != 400 || r.h("Content-Type") != "application/problem+json" || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s %s (want 400 mentioning %q)", c.path, r.status, r.h("Content-Type"), r.body, c.want)
		}
	}
	// A browser gets the page, still with 400.
	r := env.get("/01/06901234000116/21/A1", "Accept", "text/html")
	if r.status != 400 || !strings.Contains(string(r.body), `data-status="bad_code"`) {
		t.Errorf("browser, bad code: %d", r.status)
	}
}

func TestResolveNeverIssued(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("a code never issued")
	r := env.get(u, "Accept", "text/html", "Accept-Language", "en")
	if r.status != 404 || !strings.Contains(string(r.body), `data-status="not_genuine"`) ||
		!strings.Contains(string(r.body), "may not be genuine") {
		t.Errorf("never issued, html: %d\n%s", r.status, r.body)
	}
	r = env.get(u, "Accept", "application/json")
	if m := decodeJSON(t, r); r.status != 404 || m["status"] != "not_genuine" || !strings.Contains(m["reason"].(string), "never issued") ||
		strings.Contains(m["reason"].(string), "generation") {
		t.Errorf("never issued, json: %d %s", r.status, r.body)
	}
	// A product nobody registered is 404 for every representation.
	cd, _ := gs1.CheckDigit("0690123499999")
	unknown := "0690123499999" + string(cd)
	for _, accept := range []string{"application/json", "application/linkset+json", "text/html"} {
		if r := env.get("/01/"+unknown+"/21/A1", "Accept", accept); r.status != 404 {
			t.Errorf("unknown GTIN as %s: %d", accept, r.status)
		}
	}
	// GS1 walk-up: a linkType of the product still redirects, flagged.
	r = env.get(u + "?linkType=gs1:pip")
	if r.status != 307 || r.h("Location") != "https://www.example.com/longyuan/formula-1" || r.h("X-Tracecode-Status") != "not_genuine" {
		t.Errorf("walk-up to pip: %d %q %q", r.status, r.h("Location"), r.h("X-Tracecode-Status"))
	}
	// No scan is counted for it.
	if got := env.srv.scans.Recorded(); got != 0 {
		t.Errorf("never-issued look-ups recorded %d scans", got)
	}
}

func TestLinkTypeRedirectsAndLinkset(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("infant formula on a shop shelf")
	r := env.get(u+"?linkType=gs1:pip&foo=bar", "Accept", "text/html")
	if r.status != 307 || r.h("Location") != "https://www.example.com/longyuan/formula-1?foo=bar" {
		t.Errorf("pip: %d %q", r.status, r.h("Location"))
	}
	if !strings.Contains(r.h("Link"), "linkType=linkset") {
		t.Errorf("redirect without Link to the linkset: %q", r.h("Link"))
	}
	r = env.get(u + "?linkType=https://gs1.org/voc/traceability")
	if r.status != 307 || r.h("Location") != testBase+u+"?format=json" {
		t.Errorf("traceability: %d %q", r.status, r.h("Location"))
	}
	lot := u[:strings.Index(u, "/21/")]
	r = env.get(u + "?linkType=recallStatus")
	if r.status != 307 || r.h("Location") != testBase+lot+"?format=json" {
		t.Errorf("recallStatus walks up to the lot: %d %q", r.status, r.h("Location"))
	}
	r = env.get(u + "?linkType=gs1:certificationInfo")
	if r.status != 404 || !strings.Contains(string(r.body), "gs1:pip") {
		t.Errorf("missing link type: %d %s", r.status, r.body)
	}
	for _, q := range []string{"?linkType=linkset", ""} {
		r = env.get(u+q, "Accept", "application/linkset+json")
		if r.status != 200 || r.h("Content-Type") != "application/linkset+json" {
			t.Fatalf("linkset %q: %d %s", q, r.status, r.body)
		}
		var ls struct {
			Linkset []map[string]json.RawMessage `json:"linkset"`
		}
		if err := json.Unmarshal(r.body, &ls); err != nil || len(ls.Linkset) != 3 {
			t.Fatalf("linkset: %v %s", err, r.body)
		}
		for i, want := range []string{testBase + u, testBase + lot, testBase + "/01/06901234000115"} {
			var anchor string
			json.Unmarshal(ls.Linkset[i]["anchor"], &anchor)
			if anchor != want {
				t.Errorf("linkset[%d] anchor %q, want %q", i, anchor, want)
			}
		}
		if _, ok := ls.Linkset[2]["https://gs1.org/voc/pip"]; !ok {
			t.Errorf("product level lacks gs1:pip: %s", r.body)
		}
	}
}

func TestResolverMethodsAndCORS(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("pesticide")
	r := env.do("OPTIONS", u, nil, "Origin", "https://x.example", "Access-Control-Request-Method", "GET")
	if r.status != 204 || r.h("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.h("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	if r := env.do("HEAD", u, nil, "Accept", "application/json"); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d, %d body bytes", r.status, len(r.body))
	}
	if r := env.do("POST", u, []byte("x")); r.status != 405 || !strings.Contains(r.h("Allow"), "GET") {
		t.Errorf("POST: %d %q", r.status, r.h("Allow"))
	}
	// A trailing slash is tolerated.
	if r := env.get(u+"/", "Accept", "application/json"); r.status != 200 {
		t.Errorf("trailing slash: %d %s", r.status, r.body)
	}
}

func TestResolveOtherForms(t *testing.T) {
	env := newTestEnv(t, nil)
	r := env.get(env.url("drug with an NMPA"), "Accept", "application/json")
	if m := decodeJSON(t, r); r.status != 200 || m["code"].(map[string]any)["format"] != "nmpa" || m["status"] != "dispensed" {
		t.Errorf("NMPA via /resolve: %d %s", r.status, r.body)
	}
	// The element string of the genuine item resolves to the same item.
	m := decodeJSON(t, env.get(env.url("infant formula on a shop shelf"), "Accept", "application/json"))
	es := m["code"].(map[string]any)["elementString"].(string)
	r = env.get("/resolve?code="+strings.NewReplacer("(", "%28", ")", "%29").Replace(es), "Accept", "application/json")
	if m2 := decodeJSON(t, r); r.status != 200 || m2["code"].(map[string]any)["serial"] != m["code"].(map[string]any)["serial"] {
		t.Errorf("element string: %d %s", r.status, r.body)
	}
	// A short-code label.
	r = env.get(env.url("pesticide with a short-code label"), "Accept", "application/json")
	if m := decodeJSON(t, r); r.status != 200 || m["code"].(map[string]any)["short"] == nil || m["product"].(map[string]any)["category"] != "pesticide" {
		t.Errorf("short code: %d %s", r.status, r.body)
	}
	if r := env.get("/c/ZZZZ-ZZZZ-ZZZZ", "Accept", "application/json"); r.status != 400 && r.status != 404 {
		t.Errorf("bad short code: %d %s", r.status, r.body)
	}
	// Product and lot level pages.
	r = env.get("/01/06901234000115", "Accept", "application/json")
	if m := decodeJSON(t, r); r.status != 200 || m["level"] != "product" || m["item"] != nil {
		t.Errorf("product level: %d %s", r.status, r.body)
	}
	u := env.url("infant formula on a shop shelf")
	r = env.get(u[:strings.Index(u, "/21/")], "Accept", "application/json")
	if m := decodeJSON(t, r); r.status != 200 || m["level"] != "lot" || m["lot"] == nil {
		t.Errorf("lot level: %d %s", r.status, r.body)
	}
	if r := env.get("/01/06901234000115/10/NOSUCHLOT", "Accept", "application/json"); r.status != 404 {
		t.Errorf("unknown lot: %d", r.status)
	}
}

func TestScanPageLanguages(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("infant formula on a shop shelf")
	zh := env.get(u, "Accept", "text/html", "Accept-Language", "zh-CN,zh;q=0.9")
	en := env.get(u, "Accept", "text/html", "Accept-Language", "en-US,en;q=0.9")
	if zh.status != 200 || !strings.Contains(string(zh.body), `lang="zh"`) || !strings.Contains(string(zh.body), "陇原婴幼儿配方奶粉") ||
		!strings.Contains(string(zh.body), "正品") {
		t.Errorf("zh page: %d", zh.status)
	}
	if en.status != 200 || !strings.Contains(string(en.body), `lang="en"`) || !strings.Contains(string(en.body), "Longyuan infant formula") ||
		!strings.Contains(string(en.body), "Genuine") || !strings.Contains(string(en.body), "lang=zh") {
		t.Errorf("en page: %d", en.status)
	}
	if en.h("Content-Language") != "en" {
		t.Errorf("Content-Language %q", en.h("Content-Language"))
	}
	if !strings.Contains(en.h("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("page CSP %q", en.h("Content-Security-Policy"))
	}
	// ?lang= overrides the header.
	if r := env.get(u+"?lang=en", "Accept", "text/html", "Accept-Language", "zh-CN"); !strings.Contains(string(r.body), `lang="en"`) {
		t.Error("?lang=en ignored")
	}
}

// TestSuspiciousAfterManyScans: distinct people scanning an item flag
// it; regions count only from the trusted edge header, never ?region=.
func TestSuspiciousAfterManyScans(t *testing.T) {
	env := newTestEnv(t, func(c *Config) {
		c.Scans.SuspiciousScore, c.RateLimit, c.TrustForwarded, c.RegionHeader = 6, -1, true, "X-Edge-Region"
	})
	u := env.url("pesticide")
	var m map[string]any
	for i := range 3 {
		m = decodeJSON(t, env.get(u, "Accept", "application/json", "User-Agent", "Mozilla/5.0 (iPhone) MicroMessenger/8.0",
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)))
		if i < 2 && m["status"] == "suspicious" {
			t.Fatalf("scan %d: %v", i+1, m["status"])
		}
	}
	if m["status"] != "suspicious" || m["scans"].(map[string]any)["suspicious"] != true {
		t.Errorf("after three people: %v", m)
	}
	// Three regions from the edge flag another item; ?region= does not.
	u2 := env.url("rare-earth")
	for _, reg := range []string{"330106", "110101", "440300"} {
		m = decodeJSON(t, env.get(u2+"?region="+reg, "Accept", "application/json", "X-Forwarded-For", "198.51.100.1"))
	}
	if m["status"] == "suspicious" {
		t.Errorf("three ?region= values flagged the item: %v", m["scans"])
	}
	for _, reg := range []string{"330106", "110101", "440300"} {
		m = decodeJSON(t, env.get(u2, "Accept", "application/json", "X-Forwarded-For", "198.51.100.1", "X-Edge-Region", reg))
	}
	if m["status"] != "suspicious" || m["scans"].(map[string]any)["regions"] != 3.0 {
		t.Errorf("three edge regions: %v", m["scans"])
	}
}

func TestRateLimit(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RateLimit, c.RateBurst, c.LimitLoopback = 1, 3, true })
	u := env.url("pesticide")
	codes := map[int]int{}
	for range 6 {
		codes[env.get(u, "Accept", "application/json").status]++
	}
	if codes[200] != 3 || codes[429] != 3 {
		t.Errorf("statuses with burst 3: %v", codes)
	}
	// The API is not rate-limited by the resolver's limiter.
	if r := env.get("/healthz"); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
}

func TestResolveSSCC(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("a pallet of the drug")
	r := env.get(u, "Accept", "application/json")
	m := decodeJSON(t, r)
	if r.status != 200 || m["item"].(map[string]any)["packaging"] != "pallet" {
		t.Fatalf("SSCC: %d %s", r.status, r.body)
	}
	if c, _ := m["contents"].([]any); len(c) != 1 || c[0].(map[string]any)["count"] != 10.0 {
		t.Errorf("pallet contents: %v", m["contents"])
	}
	page := env.get(u, "Accept", "text/html", "Accept-Language", "en")
	if page.status != 200 || !strings.Contains(string(page.body), "Logistic unit SSCC") {
		t.Errorf("SSCC page: %d", page.status)
	}
	if r := env.get("/00/069098760000000029", "Accept", "application/json"); r.status != 404 {
		t.Errorf("unregistered SSCC: %d %s", r.status, r.body)
	}
}

func TestHomePage(t *testing.T) {
	env := newTestEnv(t, nil)
	r := env.get("/", "Accept-Language", "en")
	if r.status != 200 || !strings.Contains(string(r.body), `action="/resolve"`) || !strings.Contains(string(r.body), "Look up") {
		t.Errorf("home: %d %s", r.status, r.body)
	}
	if r := env.get("/?lang=zh"); !strings.Contains(string(r.body), "查询") {
		t.Error("home in Chinese lacks its button")
	}
}

func TestRateLimitExemptsLoopback(t *testing.T) {
	env := newTestEnv(t, nil)
	ctx := func(ip string) *fasthttp.RequestCtx {
		var req fasthttp.Request
		req.SetRequestURI("/01/06901234000115")
		c := &fasthttp.RequestCtx{}
		c.Init(&req, &net.TCPAddr{IP: net.ParseIP(ip), Port: 1}, nil)
		return c
	}
	if env.srv.limited(ctx("127.0.0.1")) || env.srv.limited(ctx("::1")) {
		t.Error("loopback clients are rate-limited by default")
	}
	if !env.srv.limited(ctx("203.0.113.7")) {
		t.Error("a remote client is not rate-limited")
	}
	env.srv.cfg.LimitLoopback = true
	if !env.srv.limited(ctx("127.0.0.1")) {
		t.Error("LimitLoopback does not limit loopback")
	}
}

func TestShortStep(t *testing.T) {
	for in, want := range map[string]string{
		"shipping": "shipping", "urn:epcglobal:cbv:bizstep:receiving": "receiving",
		"https://ref.gs1.org/cbv/BizStep-retail_selling":  "retail_selling",
		"https://tracecode.example/epcis/bizstep/filling": "filling", "urn:example:step:weighing": "weighing",
	} {
		if got := shortStep(in); got != want {
			t.Errorf("shortStep(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTTPStatusSuspicious holds what lets a cached answer derive its HTTP
// status from its base status: every status that gives way to
// "suspicious" answers as "suspicious" does.
func TestHTTPStatusSuspicious(t *testing.T) {
	for _, st := range resolve.PublicStatuses() {
		if st.Suspectable() && httpStatus(st) != httpStatus(statusSuspicious) {
			t.Errorf("%s answers %d, suspicious %d", st, httpStatus(st), httpStatus(statusSuspicious))
		}
	}
}

// TestResolveSSCCCheckDigitIncludesExtension: the SSCC check digit covers
// all 17 digits before it, the extension digit included (GS1 General
// Specifications 7.9); a path SSCC is judged by the GS1 AI table's rule.
func TestResolveSSCCCheckDigitIncludesExtension(t *testing.T) {
	env := newTestEnv(t, nil)
	body := "10690987600000001" // extension digit 1
	cd, err := gs1.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	// Valid but never issued: past the parser, so 404, not 400.
	if r := env.get("/00/"+body+string(cd), "Accept", "application/json"); r.status != 404 {
		t.Errorf("valid SSCC with extension digit 1: %d %s", r.status, r.body)
	}
	// The digit a sum without the extension digit gives is wrong.
	short, _ := gs1.CheckDigit(body[1:])
	r := env.get("/00/"+body+string(short), "Accept", "application/json")
	if want := "expected " + string(cd); r.status != 400 || !strings.Contains(string(r.body), want) {
		t.Errorf("SSCC with the check digit of 16 digits: %d %s, want 400 naming %q", r.status, r.body, want)
	}
}

// TestResolveQualifierValueIsCSet82: a lot or serial may hold any CSET 82
// character, '"' (percent-encoded in a URI) included, as the Digital Link
// parser accepts; characters outside CSET 82 are named with their position.
func TestResolveQualifierValueIsCSet82(t *testing.T) {
	env := newTestEnv(t, nil)
	g := "06901234000115"
	if r := env.get("/01/"+g+"/10/A%22B", "Accept", "application/json"); r.status == 400 {
		t.Errorf(`lot A"B: %d %s`, r.status, r.body)
	}
	r := env.get("/01/"+g+"/10/A%23B", "Accept", "application/json")
	if r.status != 400 || !strings.Contains(string(r.body), "position 2 is not in GS1 CSET 82") {
		t.Errorf("lot A#B: %d %s", r.status, r.body)
	}
}
