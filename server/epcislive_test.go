package server

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tracecode/engine/epcis"
)

// dialLive opens a WebSocket subscription to path with key over the test
// server's in-memory listener; the response is returned on a failed
// handshake.
func dialLive(env *testEnv, path, key string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{NetDial: func(string, string) (net.Conn, error) { return env.ln.Dial() }, HandshakeTimeout: 20 * time.Second}
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return d.Dial("ws://tc.test"+path, h)
}

// readLive reads the next document of a stream (a safety deadline only:
// the test waits for a message that must come).
func readLive(t *testing.T, c *websocket.Conn) *epcis.Document {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	typ, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("message type %d", typ)
	}
	d, err := epcis.ParseDocument(bytes.NewReader(msg), epcis.ParseOptions{})
	if err != nil {
		t.Fatalf("not an EPCIS document: %v\n%s", err, msg)
	}
	if d.Header.Type != epcis.TypeEPCISQueryDocument || d.Header.QueryName != "inspections" || !strings.HasPrefix(d.Header.SubscriptionID, "ws-") {
		t.Fatalf("header %+v", d.Header)
	}
	return d
}

// TestEPCISWebSocketSubscription: GET /queries/{name}/events with
// Upgrade: websocket streams the named query's new events to its owner,
// only those the key sees; another owner's query, no key, and other
// parameters are refused before the upgrade.
func TestEPCISWebSocketSubscription(t *testing.T) {
	env := newTestEnv(t, nil)
	op := env.key("operator")
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	for _, k := range []string{a, b} {
		if r := env.api("POST", "/v1/epcis/queries", k, `{"name":"inspections","query":{"EQ_bizStep":"inspecting"}}`); r.status != 201 {
			t.Fatalf("create query: %d %s", r.status, r.body)
		}
	}
	if r := env.api("POST", "/v1/epcis/queries", a, `{"name":"mine","query":{"EQ_bizStep":"shipping"}}`); r.status != 201 {
		t.Fatalf("create query: %d %s", r.status, r.body)
	}
	// Refused before the upgrade, as HTTP problems.
	for _, c := range []struct {
		path, key string
		status    int
	}{
		{"/v1/epcis/queries/mine/events", b, 404}, // another owner's query
		{"/v1/epcis/queries/nope/events", a, 404},
		{"/v1/epcis/queries/mine/events", "", 401},
		{"/v1/epcis/queries/mine/events?perPage=3", a, 400},
		{"/v1/epcis/queries/mine/events?initialRecordTime=yesterday", a, 400},
	} {
		conn, res, err := dialLive(env, c.path, c.key)
		if conn != nil {
			conn.Close()
		}
		if !errors.Is(err, websocket.ErrBadHandshake) || res == nil || res.StatusCode != c.status {
			status := 0
			if res != nil {
				status = res.StatusCode
			}
			t.Errorf("%s with key %v: %v %d, want %d", c.path, c.key != "", err, status, c.status)
		}
	}
	wsA, _, err := dialLive(env, "/v1/epcis/queries/inspections/events", a)
	if err != nil {
		t.Fatalf("A's stream: %v", err)
	}
	defer wsA.Close()
	wsB, _, err := dialLive(env, "/v1/epcis/queries/inspections/events", b)
	if err != nil {
		t.Fatalf("B's stream: %v", err)
	}
	defer wsB.Close()

	// Inspections by regulator agencies: one of A's infant formula in
	// Lanzhou, then one of B's pesticide in Tianshui.
	inspector := func(name, region string) string {
		r := env.api("POST", "/v1/orgs", op, `{"name":"`+name+`","region":"`+region+`"}`)
		if r.status != 201 {
			t.Fatalf("agency: %d %s", r.status, r.body)
		}
		r = env.api("POST", "/v1/keys", op, fmt.Sprintf(`{"org":%v,"scopes":["events","regulator"],"region":%q,"name":"inspector"}`, decodeJSON(t, r)["id"], region))
		if r.status != 201 {
			t.Fatalf("key: %d %s", r.status, r.body)
		}
		return decodeJSON(t, r)["token"].(string)
	}
	urn := func(what string) string {
		return decodeJSON(t, env.get(env.url(what), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	}
	inspect := func(key, code, at string) {
		d := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-20T` + at + `:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["` + code + `"],"action":"OBSERVE","bizStep":"inspecting"}]}}`
		if r := env.api("POST", "/v1/events", key, d); r.status != 201 {
			t.Fatalf("inspection of %s: %d %s", code, r.status, r.body)
		}
	}
	formula, pesticide := urn("infant formula on a shop shelf"), urn("pesticide")
	inspect(inspector("兰州市市场监督管理局", "620100"), formula, "10:00")
	inspect(inspector("天水市市场监督管理局", "620500"), pesticide, "10:05")

	// A gets the inspection of its formula first.
	d := readLive(t, wsA)
	if len(d.Events) == 0 || d.Events[0].EPCList[0].Raw != formula || d.Events[0].BizStep != "inspecting" {
		t.Fatalf("A's first document: %+v", d.Events)
	}
	for _, ev := range d.Events {
		if ev.EPCList[0].Raw == pesticide {
			t.Errorf("A sees the inspection of B's pesticide")
		}
	}
	// B's first document, in record order, starts after the formula's
	// inspection it does not see.
	d = readLive(t, wsB)
	for _, ev := range d.Events {
		if ev.EPCList[0].Raw == formula {
			t.Errorf("B sees the inspection of A's formula")
		}
	}
	if len(d.Events) != 1 || d.Events[0].EPCList[0].Raw != pesticide {
		t.Fatalf("B's first document: %+v", d.Events)
	}
}
