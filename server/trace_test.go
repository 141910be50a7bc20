package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/scanlog"
)

func TestPublicChainOfDemoItems(t *testing.T) {
	env := newTestEnv(t, nil)
	m := decodeJSON(t, env.get(env.url("infant formula, shipped and sold"), "Accept", "application/json"))
	if m["status"] != "sold" {
		t.Errorf("sold tin: status %v", m["status"])
	}
	// A sold tin has left its case and pallet, though no unpacking was
	// reported.
	if cont, _ := m["containment"].([]any); len(cont) != 0 {
		t.Errorf("sold tin still shows its containment %v", m["containment"])
	}
	evs, _ := m["events"].([]any)
	steps := ""
	for _, e := range evs {
		steps += e.(map[string]any)["step"].(string) + " "
	}
	for _, want := range []string{"commissioning", "packing", "shipping", "receiving", "retail_selling"} {
		if !strings.Contains(steps, want) {
			t.Errorf("timeline lacks %s: %s", want, steps)
		}
	}
	// The public answer carries no business documents.
	if strings.Contains(fmt.Sprint(m), "INV-88120") {
		t.Error("public chain shows a business document")
	}
	r := env.get(env.url("infant formula from the recalled lot"), "Accept", "application/json")
	if m := decodeJSON(t, r); m["status"] != "recalled" || m["recall"] == nil {
		t.Errorf("recalled tin: %s", r.body)
	}
	page := env.get(env.url("infant formula from the recalled lot"), "Accept", "text/html", "Accept-Language", "zh")
	if !strings.Contains(string(page.body), `data-status="recalled"`) || !strings.Contains(string(page.body), "已召回") {
		t.Error("recalled page lacks its banner")
	}
	// The recalled lot's own page (the gs1:recallStatus link) says so.
	rl := env.url("infant formula from the recalled lot")
	r = env.get(rl+"?linkType=gs1:recallStatus", "Accept", "application/json")
	if r.status != 307 {
		t.Fatalf("recallStatus link: %d", r.status)
	}
	lotURL := strings.TrimPrefix(r.h("Location"), testBase)
	if m := decodeJSON(t, env.get(lotURL)); m["status"] != "recalled" || m["recall"] == nil || m["level"] != "lot" {
		t.Errorf("recalled lot: %v", m)
	}
	// Pork shows the pig lot it was cut from.
	pork := decodeJSON(t, env.get(env.url("chilled pork"), "Accept", "application/json"))
	if src, _ := pork["sources"].([]any); len(src) != 1 || !strings.HasPrefix(src[0].(map[string]any)["lot"].(string), "PIG") {
		t.Errorf("pork sources: %v", pork["sources"])
	}
	if page := env.get(env.url("chilled pork"), "Accept", "text/html", "Accept-Language", "zh"); !strings.Contains(string(page.body), "原料来源") {
		t.Error("pork page lacks its sources")
	}
	cyl := decodeJSON(t, env.get(env.url("gas cylinder"), "Accept", "application/json"))
	if !strings.Contains(fmt.Sprint(cyl["events"]), "inspecting") || !strings.Contains(fmt.Sprint(cyl["events"]), "filling") {
		t.Errorf("cylinder events: %v", cyl["events"])
	}
}

// The private trace is the producer's, a regulator's of its region, or —
// with only its own documents — an organisation's that held the code;
// nobody else's (an organisation that only tried to write about it gets
// 404).
func TestPrivateTraceIsolation(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b, reg, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("兰州市市场监管"), env.key("operator")
	path := "/v1/trace" + env.url("infant formula, shipped and sold")
	for _, k := range []struct {
		name, key string
	}{{"producer", a}, {"Lanzhou regulator", reg}, {"operator", op}} {
		r := env.api("GET", path, k.key, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", k.name, r.status, r.body)
		}
		m := decodeJSON(t, r)
		if m["access"] != "full" || !strings.Contains(string(r.body), "INV-88120") || m["item"].(map[string]any)["counter"] == nil {
			t.Errorf("%s sees %v", k.name, string(r.body))
		}
	}
	if r := env.api("GET", path, b, ""); r.status != 404 {
		t.Errorf("another organisation reads the trace: %d %s", r.status, r.body)
	}
	// The element string form works too.
	if r := env.api("GET", "/v1/trace/"+"%2801%2906901234000115%2821%29FAKE1", a, ""); r.status != 404 {
		t.Errorf("never-issued code trace: %d %s", r.status, r.body)
	}
	// A Tianshui product is not the Lanzhou regulator's business.
	if r := env.api("GET", "/v1/trace"+env.url("pesticide"), reg, ""); r.status != 404 {
		t.Errorf("Lanzhou regulator reads a Tianshui trace: %d", r.status)
	}
	// Writing about A's item is not handling it: B's receiving of a case
	// nobody shipped to B is refused, and B's trace stays 404.
	urn := decodeJSON(t, env.get(env.url("fireworks"), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-20T10:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["` + urn + `"],"action":"OBSERVE","bizStep":"receiving","disposition":"in_progress",
"bizTransactionList":[{"type":"inv","bizTransaction":"urn:epcglobal:cbv:bt:6909876000003:B-INV-1"}]}]}}`
	if r := env.api("POST", "/v1/events", b, doc); r.status != 422 || !strings.Contains(string(r.body), "no standing") {
		t.Fatalf("B captures receiving of what nobody shipped to it: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/trace"+env.url("fireworks"), b, ""); r.status != 404 {
		t.Fatalf("an attempted injection opened the trace: %d %s", r.status, r.body)
	}
	// Once A ships the case to B and B receives it, B held it: B sees
	// the chain, but only its own documents.
	ship := strings.NewReplacer(`"receiving","disposition":"in_progress"`, `"shipping","disposition":"in_transit",
"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6909876.00000"}]`, "10:00:00", "09:00:00",
		"6909876000003:B-INV-1", "6901234000003:A-DN-1").Replace(doc)
	if r := env.api("POST", "/v1/events", a, ship); r.status != 201 {
		t.Fatalf("A ships to B: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/events", b, doc); r.status != 201 {
		t.Fatalf("B captures receiving: %d %s", r.status, r.body)
	}
	r := env.api("GET", "/v1/trace"+env.url("fireworks"), b, "")
	if r.status != 200 || !strings.Contains(string(r.body), "B-INV-1") || strings.Contains(string(r.body), "PO-FW-301") ||
		decodeJSON(t, r)["access"] == "full" {
		t.Errorf("handler's view: %d %s", r.status, r.body)
	}
	// The capture is idempotent per event content.
	if r := env.api("POST", "/v1/events", b, doc); r.status != 201 || decodeJSON(t, r)["duplicates"] != 1.0 {
		t.Errorf("recapture: %d %s", r.status, r.body)
	}
	bad := strings.Replace(doc, `"receiving"`, `42`, 1)
	if r := env.api("POST", "/v1/events", b, bad); r.status != 422 || !strings.Contains(string(r.body), "bizStep") {
		t.Errorf("bad document: %d %s", r.status, r.body)
	}
}

func TestRecallAndForwardTrace(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b, reg := env.key("兰州陇原"), env.key("天水麦积"), env.key("兰州市市场监管")
	u := env.url("chilled pork")
	lot := decodeJSON(t, env.get(u, "Accept", "application/json"))["lot"].(map[string]any)["number"].(string)
	body := fmt.Sprintf(`{"lots":[{"product":3,"number":%q}],"reason":"瘦肉精 (clenbuterol) found"}`, lot)
	if r := env.api("POST", "/v1/recalls", b, body); r.status != 422 && r.status != 403 && r.status != 404 {
		t.Errorf("B recalls A's lot: %d %s", r.status, r.body)
	}
	// A lot named by an id that does not exist: 400 naming lots[i], on
	// both endpoints (one lookup serves both).
	for _, path := range []string{"/v1/recalls", "/v1/recalls/lift"} {
		nolot := fmt.Sprintf(`{"lots":[{"product":3,"number":%q},{"lot":999999}],"reason":"x"}`, lot)
		if r := env.api("POST", path, a, nolot); r.status != 400 || !strings.Contains(string(r.body), "lots[1]: no lot 999999") {
			t.Errorf("%s with an unknown lot id: %d %s", path, r.status, r.body)
		}
	}
	r := env.api("POST", "/v1/recalls", a, body, "Idempotency-Key", "recall-1")
	if r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	notify := decodeJSON(t, r)["notify"].([]any)
	if len(notify) != 1 || len(notify[0].(map[string]any)["recipients"].([]any)) == 0 {
		t.Errorf("notification list: %s", r.body)
	}
	if m := decodeJSON(t, env.get(u, "Accept", "application/json")); m["status"] != "recalled" {
		t.Errorf("pork after recall: %v", m["status"])
	}
	// Lifting: not by B, not by the operator, not
	// without a reason; then by the Lanzhou regulator for A.
	orgA := decodeJSON(t, env.api("GET", "/v1/me", a, ""))["org"].(map[string]any)["id"]
	lift := fmt.Sprintf(`{"org":%v,"lots":[{"product":3,"number":%q}],"reason":"retest passed"}`, orgA, lot)
	if r := env.api("POST", "/v1/recalls/lift", b, fmt.Sprintf(`{"lots":[{"product":3,"number":%q}],"reason":"x"}`, lot)); r.status != 422 {
		t.Errorf("B lifts A's recall: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/recalls/lift", env.key("operator"), lift); r.status != 403 {
		t.Errorf("the operator lifts a recall: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/recalls/lift", reg, strings.Replace(lift, "retest passed", "", 1)); r.status != 422 {
		t.Errorf("a lift without a reason: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/recalls/lift", reg, lift); r.status != 201 {
		t.Fatalf("regulator lifts: %d %s", r.status, r.body)
	}
	if m := decodeJSON(t, env.get(u, "Accept", "application/json")); m["status"] == "recalled" {
		t.Errorf("pork after the lift: %v", m["status"])
	}
	if r := env.api("POST", "/v1/recalls", a, body); r.status != 201 {
		t.Fatalf("recall again: %d %s", r.status, r.body)
	}
	// The pig lot is upstream of the pork: its forward trace reaches the
	// pork lot.
	lots := decodeJSON(t, env.api("GET", "/v1/products/2/lots", a, ""))["lots"].([]any)
	pigLot := fmt.Sprint(lots[0].(map[string]any)["id"])
	r = env.api("GET", "/v1/lots/"+pigLot+"/trace", reg, "")
	if r.status != 200 || !strings.Contains(string(r.body), lot) {
		t.Errorf("forward trace of the pig lot: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/lots/"+pigLot+"/trace", b, ""); r.status != 404 {
		t.Errorf("B reads A's forward trace: %d", r.status)
	}
}

// The response cache answers repeated JSON scans with the same bytes a
// fresh resolution gives (but for the scan counts), and a write through
// the API invalidates it.
func TestResponseCache(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("chilled pork")
	first := env.get(u, "Accept", "application/json")
	second := env.get(u, "Accept", "application/json")
	if env.srv.cache.hits.Load() != 1 {
		t.Fatalf("cache hits %d after two scans", env.srv.cache.hits.Load())
	}
	strip := func(b []byte) string {
		s := string(b)
		return s[:strings.Index(s, `,"scans":`)]
	}
	if strip(first.body) != strip(second.body) || first.h("Link") != second.h("Link") {
		t.Errorf("cached answer differs:\n%s\n%s", first.body, second.body)
	}
	if m := decodeJSON(t, second); m["scans"].(map[string]any)["count"] != 2.0 {
		t.Errorf("cached answer's scans: %v", m["scans"])
	}
	lot := decodeJSON(t, first)["lot"].(map[string]any)["number"].(string)
	if r := env.api("POST", "/v1/recalls", env.key("兰州陇原"), fmt.Sprintf(`{"lots":[{"product":3,"number":%q}]}`, lot)); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	if m := decodeJSON(t, env.get(u, "Accept", "application/json")); m["status"] != "recalled" {
		t.Errorf("after a recall the cache still says %v", m["status"])
	}
}

// Graceful shutdown flushes the scan log: the counts survive a restart.
func TestShutdownFlushesScans(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.Scans.FlushInterval = time.Hour })
	u := env.url("pesticide")
	for range 3 {
		env.get(u, "Accept", "application/json")
	}
	if r := env.get("/readyz"); r.status != 200 {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	env.close()
	if env.srv.ready.Load() {
		t.Error("still ready after shutdown")
	}
	eng, err := engine.Open(env.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	res, err := eng.Issuance().Lookup(testBase + u)
	if err != nil {
		t.Fatal(err)
	}
	l := eng.NewScanLog(nil)
	defer l.Close()
	st, err := l.Stats(scanlog.Ref{Product: res.Product.ID, Counter: res.Counter})
	if err != nil || st.Count != 3 {
		t.Errorf("after restart: %+v %v", st, err)
	}
}

func TestMetricsExposeRoutesAndStore(t *testing.T) {
	env := newTestEnv(t, nil)
	env.get(env.url("pesticide"), "Accept", "application/json")
	env.get("/01/06901234000116/21/X", "Accept", "application/json")
	r := env.get("/metrics")
	for _, want := range []string{
		`tracecode_http_requests_total{code="2xx",route="resolve_gtin"} 1`,
		`tracecode_http_requests_total{code="4xx",route="resolve_gtin"} 1`,
		`tracecode_scans_total{status="bad_code"} 1`,
		`tracecode_http_request_duration_seconds_bucket{route="resolve_gtin"`,
		"tracecode_pebble_disk_usage_bytes", "tracecode_pebble_level_tables{level=\"0\"}",
		"tracecode_scanlog_recorded_total 1", "go_goroutines",
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// The lower part of scan pages is cached per language; the banner and the
// scan line are fresh on every scan, and a write invalidates the pages.
func TestPageCache(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("chilled pork")
	first := string(env.get(u, "Accept", "text/html", "Accept-Language", "en").body)
	second := string(env.get(u, "Accept", "text/html", "Accept-Language", "en").body)
	zh := string(env.get(u, "Accept", "text/html", "Accept-Language", "zh").body)
	if env.srv.pageCache[1].hits.Load() != 1 || env.srv.pageCache[0].hits.Load() != 0 {
		t.Errorf("page cache hits: zh %d en %d", env.srv.pageCache[0].hits.Load(), env.srv.pageCache[1].hits.Load())
	}
	if !strings.Contains(first, "first look-up") || !strings.Contains(second, "looked up 2 times") || !strings.Contains(zh, "已被查询 3 次") {
		t.Error("scan lines are not fresh")
	}
	rest := func(p string) string { return p[strings.Index(p, `id="product"`):] }
	if rest(first) != rest(second) {
		t.Error("cached page differs below the banner")
	}
	if !strings.Contains(zh, `lang="zh"`) || !strings.Contains(zh, "冷鲜猪里脊") {
		t.Error("the Chinese page is not Chinese")
	}
	lot := decodeJSON(t, env.get(u, "Accept", "application/json"))["lot"].(map[string]any)["number"].(string)
	if r := env.api("POST", "/v1/recalls", env.key("兰州陇原"), fmt.Sprintf(`{"lots":[{"product":3,"number":%q}]}`, lot)); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	after := string(env.get(u, "Accept", "text/html", "Accept-Language", "en").body)
	if !strings.Contains(after, `data-status="recalled"`) || !strings.Contains(after, "Recalled") || !strings.Contains(rest(after), "step-recalling") {
		t.Error("after a recall the page is stale")
	}
}

func TestSuspiciousList(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.Scans.SuspiciousScore, c.RateLimit, c.TrustForwarded = 3, -1, true })
	for i := range 3 {
		xff := fmt.Sprintf("203.0.113.%d", i+1)
		env.get(env.url("chilled pork"), "Accept", "application/json", "X-Forwarded-For", xff)
		env.get(env.url("pesticide"), "Accept", "application/json", "X-Forwarded-For", xff)
	}
	list := func(key string) []any {
		r := env.api("GET", "/v1/scans/suspicious", key, "")
		if r.status != 200 {
			t.Fatalf("suspicious list: %d %s", r.status, r.body)
		}
		return decodeJSON(t, r)["items"].([]any)
	}
	if got := list(env.key("兰州市市场监管")); len(got) != 1 || got[0].(map[string]any)["count"] != 3.0 ||
		!strings.Contains(got[0].(map[string]any)["productName"].(string), "猪") {
		t.Errorf("Lanzhou regulator sees %v", got)
	}
	if got := list(env.key("operator")); len(got) != 2 {
		t.Errorf("operator sees %v", got)
	}
	if got := list(env.key("天水麦积")); len(got) != 1 {
		t.Errorf("Tianshui admin sees %v", got)
	}
}

func TestMintKeepsCache(t *testing.T) {
	env := newTestEnv(t, nil)
	u := env.url("chilled pork")
	env.get(u, "Accept", "application/json")
	if r := env.api("POST", "/v1/blocks", env.key("兰州陇原"), `{"gtin":"06901234000115","count":10}`); r.status != 201 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	env.get(u, "Accept", "application/json")
	if env.srv.cache.hits.Load() != 1 {
		t.Errorf("a mint invalidated the response cache (hits %d)", env.srv.cache.hits.Load())
	}
}

func TestDispensedStatus(t *testing.T) {
	env := newTestEnv(t, nil)
	// A tin on the demo's second pallet, which the producer still holds
	// (the first was shipped on to a supermarket chain).
	r := env.api("GET", fmt.Sprintf("/v1/blocks/%d/codes?format=dl&offset=600&limit=1", env.info.Blocks[0]), env.key("兰州陇原"), "")
	if r.status != 200 {
		t.Fatalf("codes: %d %s", r.status, r.body)
	}
	codes := map[int]string{7: strings.TrimPrefix(strings.TrimSpace(string(r.body)), testBase)}
	m := decodeJSON(t, env.get(codes[7], "Accept", "application/json"))
	urn := m["code"].(map[string]any)["epcURN"].(string)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-21T10:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["` + urn + `"],"action":"DELETE","bizStep":"dispensing","disposition":"dispensed"}]}}`
	if r := env.api("POST", "/v1/events", env.key("兰州陇原"), doc); r.status != 201 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	if m := decodeJSON(t, env.get(codes[7], "Accept", "application/json")); m["status"] != "dispensed" {
		t.Errorf("after dispensing: %v", m["status"])
	}
	page := env.get(codes[7], "Accept", "text/html", "Accept-Language", "zh")
	if !strings.Contains(string(page.body), `data-status="dispensed"`) {
		t.Error("page lacks the dispensed banner")
	}
}
