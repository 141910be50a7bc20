package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

func TestAPIAuthentication(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, c := range []struct{ auth, want string }{
		{"", "needs an API key"},
		{"Basic abc", "must be"},
		{"Bearer nope", "malformed"},
		{"Bearer tck_0000000000000001_" + strings.Repeat("A", 43), "unknown API key"},
	} {
		var r resp
		if c.auth == "" {
			r = env.get("/v1/me")
		} else {
			r = env.get("/v1/me", "Authorization", c.auth)
		}
		if r.status != 401 || !strings.Contains(string(r.body), c.want) || !strings.Contains(r.h("WWW-Authenticate"), "Bearer") {
			t.Errorf("auth %q: %d %s", c.auth, r.status, r.body)
		}
	}
	a := env.key("兰州陇原")
	if r := env.api("GET", "/v1/me", a, ""); r.status != 200 || !strings.Contains(string(r.body), "兰州陇原乳业") {
		t.Errorf("/v1/me: %d %s", r.status, r.body)
	}
	// A regulator key has no mint scope.
	reg := env.key("兰州市市场监管")
	if r := env.api("POST", "/v1/blocks", reg, `{"gtin":"06901234000115","count":1}`); r.status != 403 || !strings.Contains(string(r.body), "mint") {
		t.Errorf("regulator mint: %d %s", r.status, r.body)
	}
	// Unknown routes and methods.
	if r := env.api("GET", "/v1/nothing", a, ""); r.status != 404 {
		t.Errorf("unknown route: %d", r.status)
	}
	if r := env.api("PUT", "/v1/blocks", a, `{}`); r.status != 405 || !strings.Contains(r.h("Allow"), "POST") {
		t.Errorf("PUT /v1/blocks: %d %q", r.status, r.h("Allow"))
	}
}

func TestAPIKeyRevocation(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	r := env.api("POST", "/v1/keys", a, `{"scopes":["report"],"name":"line 2"}`)
	if r.status != 201 {
		t.Fatalf("create key: %d %s", r.status, r.body)
	}
	m := decodeJSON(t, r)
	tok, id := m["token"].(string), m["id"].(string)
	if r := env.api("GET", "/v1/me", tok, ""); r.status != 200 {
		t.Fatalf("new key: %d", r.status)
	}
	// Another organisation cannot revoke it; its own admin can.
	if r := env.api("DELETE", "/v1/keys/"+id, env.key("天水麦积"), ""); r.status != 404 {
		t.Errorf("foreign revoke: %d", r.status)
	}
	if r := env.api("DELETE", "/v1/keys/"+id, a, ""); r.status != 200 {
		t.Errorf("revoke: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/me", tok, ""); r.status != 401 || !strings.Contains(string(r.body), "revoked") {
		t.Errorf("revoked key: %d %s", r.status, r.body)
	}
	// An organisation may not mint regulator keys.
	if r := env.api("POST", "/v1/keys", a, `{"scopes":["regulator"],"region":"330000"}`); r.status != 403 {
		t.Errorf("org creates regulator key: %d", r.status)
	}
}

// Organisations must not see or touch each other's data; a regulator sees
// its region only.
func TestAPIOrganisationIsolation(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b, reg, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("兰州市市场监管"), env.key("operator")
	blocksOf := func(key string) []string {
		r := env.api("GET", "/v1/blocks", key, "")
		if r.status != 200 {
			t.Fatalf("list blocks: %d %s", r.status, r.body)
		}
		var ids []string
		for _, blk := range decodeJSON(t, r)["blocks"].([]any) {
			ids = append(ids, fmt.Sprint(blk.(map[string]any)["id"]))
		}
		return ids
	}
	aBlocks, bBlocks := blocksOf(a), blocksOf(b)
	// The operator sees every organisation's blocks, A's and B's among them.
	if len(aBlocks) == 0 || len(bBlocks) == 0 || len(blocksOf(op)) < len(aBlocks)+len(bBlocks) {
		t.Fatalf("blocks: A %v B %v", aBlocks, bBlocks)
	}
	if len(blocksOf(reg)) != 0 {
		t.Error("a regulator lists blocks (unprinted codes are secrets)")
	}
	for _, id := range aBlocks {
		for _, p := range []string{"/v1/blocks/" + id, "/v1/blocks/" + id + "/codes?limit=1"} {
			if r := env.api("GET", p, b, ""); r.status != 404 {
				t.Errorf("B reads A's %s: %d %s", p, r.status, r.body)
			}
		}
		if r := env.api("POST", "/v1/blocks/"+id+"/void", b, `{"note":"x"}`); r.status != 404 {
			t.Errorf("B voids A's block %s: %d", id, r.status)
		}
	}
	// Products: A sees only its own; the Lanzhou regulator sees A's
	// (Lanzhou) and the Lanzhou elevator, but not B's (Tianshui).
	count := func(key string) int {
		r := env.api("GET", "/v1/products", key, "")
		return len(decodeJSON(t, r)["products"].([]any))
	}
	// A and B also make the sector chains' products (B the orchard's
	// fungicide and the steer's veterinary drug); the operator sees the
	// beef chain's, the Baiyin rare-earth producers', the Zhangye seed
	// companies' and the dangerous goods' too.
	if count(a) != 5 || count(b) != 7 || count(reg) != 6 || count(op) != 25 {
		t.Errorf("products seen: A %d B %d regulator %d operator %d", count(a), count(b), count(reg), count(op))
	}
	if r := env.api("GET", "/v1/orgs/2", a, ""); r.status != 404 {
		t.Errorf("A reads org B: %d", r.status)
	}
	if r := env.api("GET", "/v1/orgs/1", reg, ""); r.status != 200 {
		t.Errorf("Lanzhou regulator reads Lanzhou org: %d", r.status)
	}
	if r := env.api("GET", "/v1/orgs/2", reg, ""); r.status != 404 {
		t.Errorf("Lanzhou regulator reads Tianshui org: %d", r.status)
	}
	// B cannot mint A's product.
	if r := env.api("POST", "/v1/blocks", b, `{"gtin":"06901234000115","count":5}`); r.status != 404 {
		t.Errorf("B mints A's product: %d %s", r.status, r.body)
	}
	// B cannot add a lot to A's product.
	if r := env.api("POST", "/v1/products/1/lots", b, `{"number":"X1"}`); r.status != 404 {
		t.Errorf("B adds a lot to A's product: %d %s", r.status, r.body)
	}
}

func TestAPIMintIdempotent(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	body := `{"gtin":"06901234000115","lot":"L-NEW-1","createLot":true,"count":1000}`
	r1 := env.api("POST", "/v1/blocks", a, body, "Idempotency-Key", "req-42")
	if r1.status != 201 || !strings.HasPrefix(r1.h("Location"), "/v1/blocks/") {
		t.Fatalf("mint: %d %s", r1.status, r1.body)
	}
	r2 := env.api("POST", "/v1/blocks", a, body, "Idempotency-Key", "req-42")
	m1, m2 := decodeJSON(t, r1), decodeJSON(t, r2)
	if r2.status != 200 || m2["id"] != m1["id"] || m2["replayed"] != true {
		t.Errorf("retry: %d %s", r2.status, r2.body)
	}
	r3 := env.api("POST", "/v1/blocks", a, strings.Replace(body, "1000", "999", 1), "Idempotency-Key", "req-42")
	if r3.status != 409 || !strings.Contains(string(r3.body), "count") {
		t.Errorf("conflicting retry: %d %s", r3.status, r3.body)
	}
	for _, c := range []struct{ body, want string }{
		{`{"gtin":"06901234000115","count":0}`, "count"},
		{`{"gtin":"06901234000115","count":1,"lot":"bad lot"}`, "lot"},
		{`{"gtin":"06901234000115","count":"ten"}`, "count"},
		{`{"gtin":"06901234000115","count":1,"colour":"red"}`, "colour"},
		{`{"count":1}`, "product"},
		{`{"gtin":"06901234000115","count":1`, "JSON"},
	} {
		if r := env.api("POST", "/v1/blocks", a, c.body); r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s (want 400 naming %q)", c.body, r.status, r.body, c.want)
		}
	}
}

func TestAPICodesStream(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	id := fmt.Sprint(env.info.Blocks[0])
	plain := env.api("GET", "/v1/blocks/"+id+"/codes?format=dl&offset=10&limit=500", a, "")
	if plain.status != 200 || !strings.HasPrefix(plain.h("Content-Type"), "text/plain") {
		t.Fatalf("codes: %d %s", plain.status, plain.body)
	}
	lines := strings.Split(strings.TrimSpace(string(plain.body)), "\n")
	if len(lines) != 500 || !strings.HasPrefix(lines[0], testBase+"/01/06901234000115/10/") {
		t.Fatalf("%d lines, first %q", len(lines), lines[0])
	}
	// Every code resolves.
	if r := env.get(strings.TrimPrefix(lines[499], testBase), "Accept", "application/json"); r.status != 200 {
		t.Errorf("streamed code does not resolve: %d", r.status)
	}
	for _, enc := range []string{"gzip", "zstd", "gzip;q=0.5, zstd;q=0.9"} {
		r := env.api("GET", "/v1/blocks/"+id+"/codes?format=dl&offset=10&limit=500", a, "", "Accept-Encoding", enc)
		want := "gzip"
		if strings.Contains(enc, "zstd") {
			want = "zstd"
		}
		if r.status != 200 || r.h("Content-Encoding") != want {
			t.Fatalf("%s: %d %q", enc, r.status, r.h("Content-Encoding"))
		}
		var rd io.Reader
		if want == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		} else {
			zr, err := zstd.NewReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			rd = zr
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, plain.body) {
			t.Errorf("%s: decompressed %d bytes (%v), want the %d plain bytes", enc, len(got), err, len(plain.body))
		}
	}
	// The whole 20,000-code block streams (chunked) beyond the buffered
	// page size when asked without a limit.
	r := env.api("GET", "/v1/blocks/"+id+"/codes?format=serial", a, "")
	n := 0
	for sc := bufio.NewScanner(bytes.NewReader(r.body)); sc.Scan(); n++ {
	}
	if r.status != 200 || n != 20000 {
		t.Errorf("whole block: %d, %d lines", r.status, n)
	}
	if r := env.api("GET", "/v1/blocks/"+id+"/codes?format=nmpa", a, ""); r.status != 409 {
		t.Errorf("nmpa form of a gs1 block: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/blocks/"+id+"/codes?offset=999999", a, ""); r.status != 400 {
		t.Errorf("offset beyond the block: %d %s", r.status, r.body)
	}
}

func TestAPIBodyLimit(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.MaxBodyBytes = 2048 })
	a := env.key("兰州陇原")
	big := `{"gtin":"06901234000115","count":1,"lot":"` + strings.Repeat("x", 4096) + `"}`
	r := env.api("POST", "/v1/blocks", a, big)
	if r.status != 413 || r.h("Content-Type") != "application/problem+json" {
		t.Errorf("oversized body: %d %s", r.status, r.body)
	}
}

func TestAPIMasterData(t *testing.T) {
	env := newTestEnv(t, nil)
	a, op := env.key("兰州陇原"), env.key("operator")
	r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"测试奶粉","category":"food","levels":["item","case"]}`)
	if r.status != 201 {
		t.Fatalf("create product: %d %s", r.status, r.body)
	}
	p := decodeJSON(t, r)
	if p["org"] != 1.0 {
		t.Errorf("product org %v", p["org"])
	}
	r = env.api("POST", fmt.Sprintf("/v1/products/%v/lots", p["id"]), a, `{"number":"T1","produced":"2026-01-02","expiry":"2027-01-02"}`)
	if r.status != 201 || decodeJSON(t, r)["expiry"] != "2027-01-02" {
		t.Fatalf("create lot: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000528","gcpLength":7,"nameZH":"重复","category":"food"}`); r.status != 409 {
		t.Errorf("duplicate GTIN: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/products", a, `{"gtin":"06901234000529","gcpLength":7,"nameZH":"x","category":"food"}`); r.status != 400 {
		t.Errorf("bad check digit: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/orgs", a, `{"name":"x"}`); r.status != 403 {
		t.Errorf("org key creates org: %d", r.status)
	}
	r = env.api("POST", "/v1/orgs", op, `{"name":"深圳测试公司","region":"440300","gcps":["6905555"]}`)
	if r.status != 201 || decodeJSON(t, r)["regionName"] == "" {
		t.Errorf("operator creates org: %d %s", r.status, r.body)
	}
}

func TestAPILineReportAndPacking(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	// The demo commissioned formula tins 0–999 and cases 0–49.
	items, cases := env.info.Blocks[0], env.info.Blocks[1]
	line := fmt.Sprintf(`{"action":"commission","time":"2026-11-20T08:00:00+08:00","readPoint":"line-1",
		"items":{"ranges":[{"block":%d,"first":1000,"last":1019},{"block":%d,"first":50,"last":51}]}}`, items, cases)
	// Another organisation cannot commission A's codes.
	if r := env.api("POST", "/v1/reports/line", b, line); r.status != 422 || !strings.Contains(string(r.body), `"errors"`) {
		t.Errorf("B commissions A's codes: %d %s", r.status, r.body)
	}
	r := env.api("POST", "/v1/reports/line", a, line, "Idempotency-Key", "line-1-batch-1")
	if r.status != 201 {
		t.Fatalf("commission: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/reports/line", a, line, "Idempotency-Key", "line-1-batch-1"); r.status != 200 || decodeJSON(t, r)["replayed"] != true {
		t.Errorf("replayed report: %d %s", r.status, r.body)
	}
	pack := fmt.Sprintf(`{"time":"2026-11-20T09:00:00+08:00","packs":[{"parent":{"block":%d,"offset":50},
		"children":{"ranges":[{"block":%d,"first":1000,"last":1009}]}}]}`, cases, items)
	if r := env.api("POST", "/v1/aggregations", a, pack); r.status != 201 {
		t.Fatalf("pack: %d %s", r.status, r.body)
	}
	// Packing a packed child again, and an uncommissioned one, is refused
	// whole, with an error per offending code.
	bad := fmt.Sprintf(`{"packs":[{"parent":{"block":%d,"offset":51},
		"children":{"ranges":[{"block":%d,"first":1005,"last":1005},{"block":%d,"first":1030,"last":1030}]}}]}`, cases, items, items)
	r = env.api("POST", "/v1/aggregations", a, bad)
	if r.status != 422 {
		t.Fatalf("bad pack: %d %s", r.status, r.body)
	}
	var p Problem
	if err := jsonUnmarshal(r.body, &p); err != nil || len(p.Errors) != 2 {
		t.Errorf("bad pack errors: %v %s", err, r.body)
	}
	if r := env.api("POST", "/v1/aggregations/unpack", a, fmt.Sprintf(`{"unpacks":[{"parent":{"block":%d,"offset":50},"all":true}]}`, cases)); r.status != 201 {
		t.Errorf("unpack: %d %s", r.status, r.body)
	}
	if r := env.api("POST", "/v1/reports/line", a, `{"action":"paint","items":{}}`); r.status != 400 {
		t.Errorf("unknown action: %d", r.status)
	}
	if r := env.api("POST", "/v1/reports/line", a, `{"action":"void","time":"yesterday","items":{}}`); r.status != 400 || !strings.Contains(string(r.body), "RFC 3339") {
		t.Errorf("bad time: %d %s", r.status, r.body)
	}
}

// A client that sends half a request is cut off after ReadTimeout.
func TestSlowClientTimesOut(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.ReadTimeout = 200 * time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go env.srv.srv.Serve(ln) //nolint:errcheck // stopped by env's Shutdown
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept a half-sent request open for 10 s (read %q)", b)
	}
	if strings.Contains(string(b), "200 OK") {
		t.Errorf("a half-sent request was answered: %q", b)
	}
}

// Releasing or voiding a block that holds printed, shipped and sold items
// is refused naming the codes; the items keep resolving as they did and
// Verify stays clean.
func TestReleaseVoidPrintedBlock(t *testing.T) {
	env := newTestEnv(t, nil)
	a, op := env.key("兰州陇原"), env.key("operator")
	u := env.url("infant formula, shipped and sold")
	id := fmt.Sprint(env.info.Blocks[0])
	for _, c := range []struct{ key, path, body string }{
		{a, "/release", `{"from":0,"note":"line stopped"}`},
		{op, "/release", `{"from":0}`},
		{a, "/void", `{"note":"roll lost"}`},
		{op, "/void", `{}`},
	} {
		r := env.api("POST", "/v1/blocks/"+id+c.path, c.key, c.body)
		if r.status != 422 || !strings.Contains(string(r.body), "commissioned") {
			t.Errorf("%s of a block with printed items: %d %s", c.path, r.status, r.body)
		}
	}
	if m := decodeJSON(t, env.get(u, "Accept", "application/json")); m["status"] != "sold" {
		t.Errorf("sold tin after refused release and void: %v", m["status"])
	}
	rep, err := env.eng.Verify()
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}
