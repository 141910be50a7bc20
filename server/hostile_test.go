package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestDotSegmentsRefused: a path whose dot-segments fasthttp would remove
// before routing is refused, so /v1/events/../blocks reaches neither the
// minting route nor capture's 32 MiB body limit (TestBodyNotReadBeforeAuth
// shows its body is not read).
func TestDotSegmentsRefused(t *testing.T) {
	env := newTestEnv(t, nil)
	key := env.key("兰州陇原")
	for _, p := range []string{"/v1/events/../blocks", "/v1/events/%2e%2e/blocks", "/v1/events/..%2fblocks", "/v1/events/.%2E/blocks"} {
		r := env.api("POST", p, key, `{"gtin":"06901234000115","count":1}`)
		if r.status != 400 || !strings.Contains(string(r.body), "bad-path") {
			t.Errorf("POST %s: %d %.300s", p, r.status, r.body)
		}
	}
	for _, p := range []string{"/v1/me/.", "/01/09520123456788/21/..", "/./healthz"} {
		if r := env.api("GET", p, key, ""); r.status != 400 {
			t.Errorf("GET %s: %d %.300s", p, r.status, r.body)
		}
	}
	// Dots inside a segment are not dot-segments.
	if r := env.api("GET", "/v1/me", key, ""); r.status != 200 {
		t.Errorf("/v1/me: %d", r.status)
	}
}

func TestDotSegment(t *testing.T) {
	for p, want := range map[string]bool{
		"/v1/events/../blocks": true, "/v1/events/%2e%2e/blocks": true, "/v1/events/..%2Fblocks": true,
		"/a/.": true, "/a/..": true, "/.": true, "/a\\..\\b": true, "/a/%2E/b": true,
		"/v1/events": false, "/a/.../b": false, "/a/..b/c": false, "/file.txt": false, "/a/b?x=/../": false,
		"/a/%2e%2e%2e": false, "/a/%ZZ/..x": false, "/01/06901234000115/21/A.B": false, "": false, "/": false,
	} {
		if got := dotSegment([]byte(p)); got != want {
			t.Errorf("dotSegment(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestErrorDetailsTruncated: a rejected 6 MB value is not sent back
// whole, neither in a problem's detail nor in its per-item reasons.
func TestErrorDetailsTruncated(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.MaxBodyBytes = 8 << 20; c.MaxCaptureBytes = 8 << 20 })
	a := env.key("兰州陇原")
	huge := strings.Repeat("名", 2<<20) // 6 MiB
	r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"`+huge+`","category":"food"}`)
	if r.status != 400 || len(r.body) > 4<<10 || !strings.Contains(string(r.body), "6291456 bytes") {
		t.Errorf("6 MiB product name: %d, %d-byte answer %.300s", r.status, len(r.body), r.body)
	}
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-20T10:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000011.1"],"action":"OBSERVE","bizStep":"` + huge + `"}]}}`
	r = env.api("POST", "/v1/events", a, doc)
	if r.status < 400 || r.status >= 500 || len(r.body) > 8<<10 {
		t.Errorf("6 MiB bizStep: %d, %d-byte answer %.300s", r.status, len(r.body), r.body)
	}
}

// TestDuplicateJSONKeysRefused: a body that names a member twice is
// refused (encoding/json would take the last: a key request that shows
// "report" to one reader and grants "admin").
func TestDuplicateJSONKeysRefused(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	r := env.api("POST", "/v1/keys", a, `{"scopes":["report"],"name":"line 2","scopes":["admin"]}`)
	if r.status != 400 || !strings.Contains(string(r.body), `duplicate member \"/scopes\" at line 1`) {
		t.Fatalf("duplicate scopes: %d %s", r.status, r.body)
	}
	r = env.api("POST", "/v1/keys", a, `{"scopes":["report"],"name":"line 2"}`)
	if r.status != 201 {
		t.Fatalf("same request without the duplicate: %d %s", r.status, r.body)
	}
}

// TestContentTypeStrict: only JSON media types are taken, on every JSON
// route including capture.
func TestContentTypeStrict(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	body := `{"scopes":["report"],"name":"line 3"}`
	for _, ct := range []string{"application/jsonfoo", "text/json", "application/json-patch", "application/x-www-form-urlencoded", "application/json; charset"} {
		if r := env.do("POST", "/v1/keys", []byte(body), "Authorization", "Bearer "+a, "Content-Type", ct); r.status != 415 {
			t.Errorf("keys with Content-Type %q: %d %s", ct, r.status, r.body)
		}
		if r := env.do("POST", "/v1/events", []byte(`{}`), "Authorization", "Bearer "+a, "Content-Type", ct); r.status != 415 {
			t.Errorf("capture with Content-Type %q: %d %s", ct, r.status, r.body)
		}
	}
	for i, ct := range []string{"application/json", "Application/JSON; charset=utf-8", "application/ld+json"} {
		b := fmt.Sprintf(`{"scopes":["report"],"name":"line %d"}`, 10+i)
		if r := env.do("POST", "/v1/keys", []byte(b), "Authorization", "Bearer "+a, "Content-Type", ct); r.status != 201 {
			t.Errorf("keys with Content-Type %q: %d %s", ct, r.status, r.body)
		}
	}
}

// TestMalformedPercentEncoding: a '%' not followed by two hex digits in
// a resolver path is a malformed request (400), not an unknown code.
func TestMalformedPercentEncoding(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.RateLimit = -1 })
	for _, p := range []string{"/01/06901234000115/21/%ZZ", "/01/06901234000115/10/%ZZ/21/1", "/01/06901234000115/21/A%4", "/01/06901234000115/21/A%"} {
		r := env.get(p, "Accept", "application/json")
		if r.status != 400 || !strings.Contains(string(r.body), "malformed percent-encoding") {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if r := env.get("/01/06901234000115/21/A%25B", "Accept", "application/json"); r.status != 404 {
		t.Errorf("a well-encoded never-issued serial: %d %s", r.status, r.body)
	}
}

// TestProductLinkURLValidated: a product link that would break out of
// the scan page's markup or a Link header is refused, naming the byte.
func TestProductLinkURLValidated(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	for _, u := range []string{`https://example.cn/p\"x`, "https://example.cn/<b>", "javascript:alert(1)", "https://a@example.cn/"} {
		r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"测试","category":"food","links":[{"type":"gs1:pip","url":"`+u+`"}]}`)
		if r.status != 400 || !strings.Contains(string(r.body), "link url") {
			t.Errorf("link %s: %d %s", u, r.status, r.body)
		}
	}
}
