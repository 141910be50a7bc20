package server

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/config"
)

// TestBusinessDayExpiry: at 00:30 China time on the day after a lot's
// expiry (16:30 UTC on the expiry day) an item of the lot and the lot
// itself both answer expired, and an answer cached the evening before is
// not served after midnight.
func TestBusinessDayExpiry(t *testing.T) {
	var clock atomic.Int64 // unix ms; 0 = the real clock
	env := newTestEnvWith(t, func(o *engine.Options) {
		o.Now = func() time.Time {
			if ms := clock.Load(); ms != 0 {
				return time.UnixMilli(ms)
			}
			return time.Now()
		}
	}, nil)
	u := env.url("infant formula on a shop shelf")
	m := decodeJSON(t, env.get(u, "Accept", "application/json"))
	lot, _ := m["lot"].(map[string]any)
	exp, err := time.ParseInLocation("2006-01-02", lot["expiry"].(string), config.DefaultLocation)
	if err != nil {
		t.Fatalf("lot %v: %v", lot, err)
	}
	lotURL := "/01/" + m["product"].(map[string]any)["gtin"].(string) + "/10/" + lot["number"].(string)
	for _, c := range []struct {
		at         time.Time
		item, lotS string
	}{
		{exp.Add(23*time.Hour + 50*time.Minute), "genuine", "registered"},
		{exp.Add(24*time.Hour + 30*time.Minute), "expired", "expired"},
	} {
		clock.Store(c.at.UnixMilli())
		for i := 0; i < 2; i++ { // the second answer may come from the response cache
			if m := decodeJSON(t, env.get(u, "Accept", "application/json")); m["status"] != c.item {
				t.Errorf("%s (%s UTC): item %v, want %s", c.at, c.at.UTC().Format(time.DateTime), m["status"], c.item)
			}
		}
		if m := decodeJSON(t, env.get(lotURL, "Accept", "application/json")); m["status"] != c.lotS {
			t.Errorf("%s: lot %v, want %s", c.at, m["status"], c.lotS)
		}
		page := string(env.get(u, "Accept", "text/html", "Accept-Language", "zh").body)
		if want := `data-status="` + c.item + `"`; !strings.Contains(page, want) {
			t.Errorf("%s: page lacks %s", c.at, want)
		}
	}
}

// TestConsumerVerdicts: each status a consumer sees is true for the level
// scanned and in the page's language.
func TestConsumerVerdicts(t *testing.T) {
	env := newTestEnv(t, nil)
	page := func(u, lang string) string {
		t.Helper()
		return string(env.get(u, "Accept", "text/html", "Accept-Language", lang).body)
	}
	status := func(u string) any {
		t.Helper()
		return decodeJSON(t, env.get(u, "Accept", "application/json"))["status"]
	}
	// A bare GTIN names a product, not an item.
	gtin := env.url("infant formula product page")
	if st := status(gtin); st != "registered" {
		t.Errorf("bare GTIN: status %v, want registered", st)
	}
	if p := page(gtin, "zh"); strings.Contains(p, "记录完整") || strings.Contains(p, ">正品<") || !strings.Contains(p, "产品码") {
		t.Errorf("bare GTIN page claims a genuine item:\n%s", p)
	}
	if p := page(gtin, "en"); strings.Contains(p, "records are complete") || !strings.Contains(p, "product code") {
		t.Errorf("bare GTIN page (en) claims a genuine item")
	}
	// A short code issued but never printed.
	short := env.url("pesticide with a short-code label")
	if st := status(short); st != "not_printed" {
		t.Errorf("never-printed short code: status %v, want not_printed", st)
	}
	if p := page(short, "zh"); strings.Contains(p, "正品") || strings.Contains(p, "记录完整") || !strings.Contains(p, "无打印记录") {
		t.Errorf("never-printed short code page says genuine")
	}
	// A dispensed drug does not tell the patient the label was reused.
	drug := env.url("drug with an NMPA trace code")
	if st := status(drug); st != "dispensed" {
		t.Errorf("dispensed drug: status %v", st)
	}
	if p := page(drug, "zh"); strings.Contains(p, "重复使用") || !strings.Contains(p, "调配给患者") {
		t.Errorf("dispensed drug page (zh) warns of a reused label")
	}
	if p := page(drug, "en"); strings.Contains(p, "reused") || !strings.Contains(p, "dispensed to a patient") {
		t.Errorf("dispensed drug page (en) warns of a reused label")
	}
	// The recall notice is in the page's language, with the date in China
	// time and the reason.
	rec := env.url("infant formula from the recalled lot")
	zh := page(rec, "zh")
	if !strings.Contains(zh, "召回原因：阪崎肠杆菌检测不合格") || !strings.Contains(zh, "召回日期：") || strings.Contains(zh, "was recalled on") {
		t.Errorf("recall notice on the zh page is not Chinese or lacks the reason:\n%s", zh)
	}
	m := decodeJSON(t, env.get(rec, "Accept", "application/json"))
	r, _ := m["recall"].(map[string]any)
	since, _ := time.Parse(time.RFC3339, r["since"].(string))
	if day := since.In(config.DefaultLocation).Format("2006-01-02"); !strings.Contains(zh, "召回日期："+day) {
		t.Errorf("recall date on the page is not the China date %s", day)
	}
	if !strings.HasPrefix(r["reason"].(string), "阪崎肠杆菌") {
		t.Errorf("recall reason in JSON: %v", r["reason"])
	}
	// A sold tin has left its case and pallet; the tin on the shelf has
	// not.
	if m := decodeJSON(t, env.get(env.url("infant formula, shipped and sold"), "Accept", "application/json")); m["containment"] != nil {
		t.Errorf("sold tin shows containment %v", m["containment"])
	}
	if m := decodeJSON(t, env.get(env.url("infant formula on a shop shelf"), "Accept", "application/json")); m["containment"] == nil {
		t.Errorf("tin on the shelf lost its containment")
	}
}

// TestTimelineTruncatedShown: when a lot's records exceed the engine's
// MaxTimeline the JSON and the page say the timeline shows only the newest.
func TestTimelineTruncatedShown(t *testing.T) {
	env := newTestEnvWith(t, func(o *engine.Options) { o.MaxTimeline = 1 }, nil)
	u := env.url("infant formula from the recalled lot")
	m := decodeJSON(t, env.get(u, "Accept", "application/json"))
	class := "https://id.gs1.org/01/" + m["product"].(map[string]any)["gtin"].(string) + "/10/" + m["lot"].(map[string]any)["number"].(string)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-21T10:00:00+08:00",
"eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"` + class + `"}],"action":"OBSERVE","bizStep":"inspecting"}]}}`
	if r := env.api("POST", "/v1/events", env.key("兰州陇原"), doc); r.status != 201 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	m = decodeJSON(t, env.get(u, "Accept", "application/json"))
	if m["timelineTruncated"] != true {
		t.Fatalf("timelineTruncated %v in %v", m["timelineTruncated"], m)
	}
	if p := string(env.get(u, "Accept", "text/html", "Accept-Language", "zh").body); !strings.Contains(p, `id="truncated"`) {
		t.Error("the page does not say the timeline is truncated")
	}
	full := newTestEnv(t, nil)
	if m := decodeJSON(t, full.get(u, "Accept", "application/json")); m["timelineTruncated"] != nil {
		t.Errorf("default MaxTimeline truncates the demo: %v", m["timelineTruncated"])
	}
}
