package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"tracecode/engine/model"
	"tracecode/engine/outbox"
)

// producerLot returns an organisation's lot that is not recalled, which
// the demo shipped if any was.
func producerLot(t *testing.T, env *testEnv, orgName string) (model.Org, model.Lot) {
	t.Helper()
	for _, o := range env.eng.Issuance().Orgs() {
		if !strings.Contains(o.Name, orgName) {
			continue
		}
		for _, p := range env.eng.Issuance().Products(o.ID) {
			for _, l := range env.eng.Issuance().Lots(p.ID) {
				if st, err := env.eng.Reports().Resolver().LotStatus(&l); err == nil && st.Recall.Seq == 0 {
					return o, l
				}
			}
		}
	}
	t.Fatalf("no lot of %s", orgName)
	return model.Org{}, model.Lot{}
}

// TestRecallRoutes: a regulator of the producer's province orders a
// level-I recall; the operator reads it; another organisation can neither
// order one for the producer's lot, read it, acknowledge it nor read its
// notifications; bad input is a 400 naming the field.
func TestRecallRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	hz, fz, reg, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("兰州市市场监管"), env.key("operator")
	_, lot := producerLot(t, env, "兰州陇原")
	body := fmt.Sprintf(`{"level":"I","lots":[{"lot":%d}],"reason_zh":"检出沙门氏菌","reason_en":"Salmonella found","action_en":"stop selling, return to the producer"}`, lot.ID)
	if res := env.api("POST", "/v1/recalls", fz, body); res.status != 403 {
		t.Fatalf("another organisation ordered the recall: %d %s", res.status, res.body)
	}
	if res := env.api("POST", "/v1/recalls", reg, strings.Replace(body, `"I"`, `"IV"`, 1)); res.status != 400 || !strings.Contains(string(res.body), "level") {
		t.Fatalf("level IV: %d %s", res.status, res.body)
	}
	res := env.api("POST", "/v1/recalls", reg, body)
	if res.status != 201 {
		t.Fatalf("regulator's order: %d %s", res.status, res.body)
	}
	var v struct {
		ID       uint64 `json:"id"`
		Level    string `json:"level"`
		Ordered  bool   `json:"ordered"`
		ReasonEN string `json:"reason_en"`
		AckBy    int64  `json:"ack_by"`
		Created  int64  `json:"created"`
	}
	if err := json.Unmarshal(res.body, &v); err != nil || v.ID == 0 || v.Level != "I" || !v.Ordered || v.AckBy-v.Created != 24*3600*1000 {
		t.Fatalf("recall %s (%v)", res.body, err)
	}
	path := fmt.Sprintf("/v1/recalls/%d", v.ID)
	if res := env.api("GET", path, op, ""); res.status != 200 || !strings.Contains(string(res.body), "Salmonella") {
		t.Errorf("operator reads: %d %s", res.status, res.body)
	}
	if res := env.api("GET", "/v1/recalls", reg, ""); res.status != 200 || !strings.Contains(string(res.body), fmt.Sprintf(`"id":%d`, v.ID)) {
		t.Errorf("regulator's list: %d %s", res.status, res.body)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", path, ""},
		{"POST", path + "/ack", `{"note":"x"}`},
		{"GET", path + "/notifications", ""},
	} {
		if res := env.api(c.method, c.path, fz, c.body); res.status != 404 {
			t.Errorf("another organisation: %s %s: %d %s", c.method, c.path, res.status, res.body)
		}
	}
	if res := env.api("POST", path+"/close", fz, `{"note":"x"}`); res.status != 403 {
		t.Errorf("another organisation closes: %d %s", res.status, res.body)
	}
	if res := env.api("POST", path+"/close", hz, `{"note":"all recovered"}`); res.status != 200 || !strings.Contains(string(res.body), `"closing"`) {
		t.Errorf("producer asks to close an ordered recall: %d %s", res.status, res.body)
	}
	if res := env.api("POST", path+"/close", reg, `{"note":"confirmed"}`); res.status != 200 || !strings.Contains(string(res.body), `"closed"`) {
		t.Errorf("regulator closes: %d %s", res.status, res.body)
	}
	if res := env.api("GET", "/v1/recalls/x", op, ""); res.status != 400 {
		t.Errorf("bad id: %d", res.status)
	}
}

// TestWebhookRoute: an organisation's admin sets its webhook (https, a
// secret); another organisation's key may not, nor set its contact; a
// plain-http URL is refused naming the URL; the secret is never shown.
func TestWebhookRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	hz, fz := env.key("兰州陇原"), env.key("天水麦积")
	org, _ := producerLot(t, env, "兰州陇原")
	path := fmt.Sprintf("/v1/orgs/%d/webhook", org.ID)
	good := `{"url":"https://erp.example.cn/recalls","secret":"0123456789abcdef-hz"}`
	if res := env.api("PUT", path, fz, good); res.status != 403 {
		t.Errorf("another organisation sets the webhook: %d %s", res.status, res.body)
	}
	if res := env.api("PUT", path, hz, `{"url":"http://erp.example.cn/recalls","secret":"0123456789abcdef-hz"}`); res.status != 400 || !strings.Contains(string(res.body), "url") {
		t.Errorf("http webhook: %d %s", res.status, res.body)
	}
	if res := env.api("PUT", path, hz, good); res.status != 200 || strings.Contains(string(res.body), "0123456789abcdef") {
		t.Errorf("own webhook: %d %s", res.status, res.body)
	}
	cpath := fmt.Sprintf("/v1/orgs/%d/contact", org.ID)
	if res := env.api("PUT", cpath, fz, `{"name":"x"}`); res.status != 403 {
		t.Errorf("another organisation sets the contact: %d %s", res.status, res.body)
	}
	if res := env.api("PUT", cpath, hz, `{"name":"质量部","phone":"0571-1234567","email":"qa@example.cn"}`); res.status != 200 {
		t.Errorf("own contact: %d %s", res.status, res.body)
	}
	if res := env.api("GET", cpath, hz, ""); res.status != 200 || !strings.Contains(string(res.body), "erp.example.cn") || strings.Contains(string(res.body), "abcdef") {
		t.Errorf("contact: %d %s", res.status, res.body)
	}
	if res := env.api("GET", cpath, fz, ""); res.status != 403 {
		t.Errorf("another organisation reads the contact: %d", res.status)
	}
}

// TestAlertRoutes: alerts are listed by region for a regulator; an
// organisation's key cannot close one; a bad state filter is a 400.
func TestAlertRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	reg, hz := env.key("兰州市市场监管"), env.key("兰州陇原")
	if res := env.api("GET", "/v1/alerts?state=open", reg, ""); res.status != 200 || !strings.Contains(string(res.body), `"alerts"`) {
		t.Errorf("list: %d %s", res.status, res.body)
	}
	if res := env.api("GET", "/v1/alerts?state=sleeping", reg, ""); res.status != 400 {
		t.Errorf("bad state: %d %s", res.status, res.body)
	}
	if res := env.api("GET", "/v1/alerts/rules", reg, ""); res.status != 200 || !strings.Contains(string(res.body), "drug-sold-twice") {
		t.Errorf("rules: %d %s", res.status, res.body)
	}
	if res := env.api("POST", "/v1/alerts/1/close", hz, `{"note":"x"}`); res.status != 403 && res.status != 404 {
		t.Errorf("an organisation closes an alert: %d %s", res.status, res.body)
	}
}

// TestRecallWebhookDelivery: the producer's own level-II recall reaches a
// recipient's webhook, signed with its secret, when the outbox sender
// runs.
func TestRecallWebhookDelivery(t *testing.T) {
	env := newTestEnv(t, nil)
	var mu sync.Mutex
	var got [][]byte
	var sigOK []bool
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, b)
		sigOK = append(sigOK, r.Header.Get("X-Tracecode-Signature") == outbox.Signature("recipient-secret-0123", b))
	}))
	defer recv.Close()
	hz, op := env.key("兰州陇原"), env.key("operator")
	n := env.eng.Notices()
	// Every organisation gets the receiver as its webhook.
	for _, o := range env.eng.Issuance().Orgs() {
		if res := env.api("PUT", fmt.Sprintf("/v1/orgs/%d/webhook", o.ID), op, fmt.Sprintf(`{"url":%q,"secret":"recipient-secret-0123"}`, recv.URL)); res.status != 200 {
			t.Fatalf("webhook: %d %s", res.status, res.body)
		}
	}
	// The demo's shipped Lanzhou lots: the first with recipients.
	id, _ := recallShippedLot(t, env, "兰州陇原", hz, `{"level":"II","lots":[{"lot":%d}],"reason_zh":"标签错误"}`)
	s := n.Outbox.NewSender(recv.Client(), nil, env.eng.Now)
	if _, err := s.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no webhook received the recall")
	}
	for i, b := range got {
		if !sigOK[i] || !strings.Contains(string(b), `"type":"recall"`) || !strings.Contains(string(b), "标签错误") {
			t.Errorf("notification %d: signature %v, %s", i, sigOK[i], b)
		}
	}
	res := env.api("GET", fmt.Sprintf("/v1/recalls/%d/notifications", id), hz, "")
	if res.status != 200 || !strings.Contains(string(res.body), `"delivered"`) {
		t.Errorf("notifications: %d %s", res.status, res.body)
	}
}

// TestHoldRoutes: another organisation cannot put a producer's lot on
// hold; the producer's regulator can, and release it; a missing reason is
// a 400.
func TestHoldRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	fz, reg := env.key("天水麦积"), env.key("甘肃省")
	_, lot := producerLot(t, env, "兰州陇原")
	path := fmt.Sprintf("/v1/lots/%d/hold", lot.ID)
	if res := env.api("POST", path, fz, `{"reason":"x"}`); res.status != 403 {
		t.Errorf("another organisation holds the lot: %d %s", res.status, res.body)
	}
	if res := env.api("POST", path, reg, `{"reason":""}`); res.status != 400 || !strings.Contains(string(res.body), "reason") {
		t.Errorf("no reason: %d %s", res.status, res.body)
	}
	if res := env.api("POST", path, reg, `{"reason":"抽检不合格"}`); res.status != 201 {
		t.Fatalf("regulator holds: %d %s", res.status, res.body)
	}
	if res := env.api("GET", "/v1/holds", fz, ""); res.status != 200 || !strings.Contains(string(res.body), "抽检不合格") {
		t.Errorf("holds: %d %s", res.status, res.body)
	}
	if res := env.api("DELETE", path, fz, ""); res.status != 403 {
		t.Errorf("another organisation releases: %d %s", res.status, res.body)
	}
	if res := env.api("DELETE", path, reg, ""); res.status != 200 {
		t.Errorf("release: %d %s", res.status, res.body)
	}
}
