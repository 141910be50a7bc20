package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestScanBurstCannotFlag: a load test's burst — hundreds of scans of one
// genuine item from one address, cycling User-Agents, each with a
// different ?region= — does not make it suspicious.
func TestScanBurstCannotFlag(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RateLimit = -1 })
	u := env.url("infant formula on a shop shelf")
	agents := []string{"Mozilla/5.0 (iPhone) MicroMessenger/8.0", "Mozilla/5.0 (Linux; Android 14) AlipayClient/10.5",
		"Mozilla/5.0 (Windows NT 10.0) Chrome/120", "curl/8.5", "Googlebot/2.1", "tracecode-loadtest"}
	regions := []string{"330106", "110101", "440300", "350102", "510104", "210102"}
	var m map[string]any
	for i := range 300 {
		m = decodeJSON(t, env.get(u+"?region="+regions[i%len(regions)], "Accept", "application/json", "User-Agent", agents[i%len(agents)]))
		if m["status"] != "genuine" {
			t.Fatalf("scan %d of the burst: status %v, scans %v", i+1, m["status"], m["scans"])
		}
	}
	if sc := m["scans"].(map[string]any); sc["count"] != 300.0 || sc["suspicious"] != false || sc["regions"] != 0.0 {
		t.Errorf("after the burst: %v", sc)
	}
}

// TestReviewSuspicious: a regulator of the producer's region clears a
// flag (the item answers genuine again) or confirms one; a regulator of
// another region, the producer itself and anonymous callers may not.
func TestReviewSuspicious(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.Scans.SuspiciousScore, c.RateLimit, c.TrustForwarded = 4, -1, true })
	u := env.url("chilled pork") // a Lanzhou (620102001) product
	scan := func(i int) map[string]any {
		return decodeJSON(t, env.get(u, "Accept", "application/json", "User-Agent", "Mozilla/5.0 (iPhone) MicroMessenger/8.0",
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)))
	}
	scan(1)
	if m := scan(2); m["status"] != "suspicious" {
		t.Fatalf("two people with score 4: %v", m["status"])
	}
	code := "https://tc.test" + u
	body := func(verdict string) string {
		return fmt.Sprintf(`{"code":%q,"verdict":%q,"reason":"inspected the shop: genuine stock"}`, code, verdict)
	}
	r := env.api("POST", "/v1/keys", env.key("operator"), `{"scopes":["regulator"],"region":"620500","name":"Tianshui"}`)
	if r.status != 201 {
		t.Fatalf("create Tianshui regulator: %d %s", r.status, r.body)
	}
	tianshui := decodeJSON(t, r)["token"].(string)
	for name, c := range map[string]struct {
		key    string
		status int
	}{
		"another region's regulator": {tianshui, 403},
		"the producer":               {env.key("兰州陇原"), 403},
		"the operator":               {env.key("operator"), 403},
	} {
		if r := env.api("POST", "/v1/scans/review", c.key, body("clear")); r.status != c.status {
			t.Errorf("%s clears: %d %s", name, r.status, r.body)
		}
	}
	if r := env.do("POST", "/v1/scans/review", []byte(body("clear")), "Content-Type", "application/json"); r.status != 401 {
		t.Errorf("anonymous clear: %d", r.status)
	}
	if m := scan(3); m["status"] != "suspicious" {
		t.Fatalf("a refused clear changed the flag: %v", m["status"])
	}
	zj := env.key("兰州市市场监管")
	if r := env.api("POST", "/v1/scans/review", zj, `{"code":"`+code+`","verdict":"clear"}`); r.status != 400 || !strings.Contains(string(r.body), "reason") {
		t.Errorf("clear without a reason: %d %s", r.status, r.body)
	}
	r = env.api("POST", "/v1/scans/review", zj, body("clear"))
	if r.status != 200 || decodeJSON(t, r)["suspicious"] != false {
		t.Fatalf("Lanzhou regulator clears: %d %s", r.status, r.body)
	}
	if m := scan(4); m["status"] != "genuine" {
		t.Errorf("after the clear: %v %v", m["status"], m["scans"])
	}
	r = env.api("POST", "/v1/scans/review", zj, body("confirm"))
	if r.status != 200 || decodeJSON(t, r)["suspicious"] != true {
		t.Fatalf("Lanzhou regulator confirms: %d %s", r.status, r.body)
	}
	if m := scan(4); m["status"] != "suspicious" {
		t.Errorf("after the confirmation: %v", m["status"])
	}
	r = env.api("GET", "/v1/scans/suspicious", zj, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"verdict":"confirmed"`) || !strings.Contains(string(r.body), "genuine stock") {
		t.Errorf("suspicious list: %d %s", r.status, r.body)
	}
}
