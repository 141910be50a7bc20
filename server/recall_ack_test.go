package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRecallAckLink: a recall's webhook notification carries the
// recipient's acknowledgement link; the link's page shows that recipient
// its notice and quantities without an API key, a tampered link or
// another recipient's organisation is refused (403) and shows nothing,
// the form acknowledges once (303 to the page, which then says so), a
// second post is a conflict, and the producer's API sees the
// acknowledgement by link.
func TestRecallAckLink(t *testing.T) {
	env := newTestEnv(t, nil)
	var mu sync.Mutex
	var got [][]byte
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
	}))
	defer recv.Close()
	hz, op := env.key("兰州陇原"), env.key("operator")
	for _, o := range env.eng.Issuance().Orgs() {
		if res := env.api("PUT", fmt.Sprintf("/v1/orgs/%d/webhook", o.ID), op, fmt.Sprintf(`{"url":%q,"secret":"recipient-secret-0123"}`, recv.URL)); res.status != 200 {
			t.Fatalf("webhook: %d %s", res.status, res.body)
		}
	}
	id, _ := recallShippedLot(t, env, "兰州陇原", hz, `{"level":"II","lots":[{"lot":%d}],"reason_zh":"标签错误","reason_en":"wrong label"}`)
	if _, err := env.eng.Notices().Outbox.NewSender(recv.Client(), nil, env.eng.Now).Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	bodies := got
	mu.Unlock()
	var link string
	var recipient uint32
	var name string
	for _, b := range bodies {
		var n struct {
			Type      string `json:"type"`
			AckLink   string `json:"ack_link"`
			Recipient struct {
				Org  uint32 `json:"org"`
				Name string `json:"name"`
			} `json:"recipient"`
		}
		if json.Unmarshal(b, &n) == nil && n.Type == "recall" && n.AckLink != "" {
			link, recipient, name = n.AckLink, n.Recipient.Org, n.Recipient.Name
			break
		}
	}
	if link == "" {
		t.Fatalf("no recall notification with an ack_link among %d bodies", len(bodies))
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != fmt.Sprintf("/recalls/%d/ack", id) {
		t.Fatalf("ack_link %q: %v", link, err)
	}
	page := u.RequestURI()
	res := env.get(page + "&lang=en")
	if res.status != 200 || !strings.Contains(string(res.body), name) || !strings.Contains(string(res.body), "wrong label") || !strings.Contains(string(res.body), `id="ack"`) {
		t.Fatalf("link page: %d %s", res.status, res.body)
	}
	tok := u.Query().Get("t")
	bad := []byte(tok)
	bad[0] ^= 1
	for _, c := range []struct{ name, uri string }{
		{"tampered token", fmt.Sprintf("/recalls/%d/ack?org=%d&t=%s", id, recipient, bad)},
		{"another organisation", fmt.Sprintf("/recalls/%d/ack?org=%d&t=%s", id, recipient+1, tok)},
		{"another recall", fmt.Sprintf("/recalls/%d/ack?org=%d&t=%s", id+1, recipient, tok)},
		{"no token", fmt.Sprintf("/recalls/%d/ack?org=%d", id, recipient)},
		{"not a number", fmt.Sprintf("/recalls/x/ack?org=%d&t=%s", recipient, tok)},
	} {
		res := env.get(c.uri)
		if res.status != 403 || strings.Contains(string(res.body), name) || strings.Contains(string(res.body), "标签错误") {
			t.Errorf("%s: %d, page shows the notice: %v", c.name, res.status, strings.Contains(string(res.body), "标签错误"))
		}
	}
	form := func(t string) []byte {
		return []byte(url.Values{"org": {fmt.Sprint(recipient)}, "t": {t}, "note": {"已下架封存"}}.Encode())
	}
	ct := []string{"Content-Type", "application/x-www-form-urlencoded"}
	if res := env.do("POST", fmt.Sprintf("/recalls/%d/ack", id), form(string(bad)), ct...); res.status != 403 {
		t.Errorf("post with a tampered token: %d", res.status)
	}
	res = env.do("POST", fmt.Sprintf("/recalls/%d/ack", id), form(tok), ct...)
	if res.status != 303 || !strings.Contains(res.h("Location"), "t="+tok) {
		t.Fatalf("acknowledge: %d %v %s", res.status, res.header, res.body)
	}
	if res := env.get(page); res.status != 200 || !strings.Contains(string(res.body), `id="acked"`) || !strings.Contains(string(res.body), "已下架封存") {
		t.Errorf("page after acknowledging: %d %s", res.status, res.body)
	}
	if res := env.do("POST", fmt.Sprintf("/recalls/%d/ack", id), form(tok), ct...); res.status != 409 {
		t.Errorf("second acknowledgement: %d", res.status)
	}
	res = env.api("GET", fmt.Sprintf("/v1/recalls/%d", id), hz, "")
	if res.status != 200 || !strings.Contains(string(res.body), `"acked_by":"link"`) {
		t.Errorf("the producer's view of the recall: %d %s", res.status, res.body)
	}
	if res := env.do("DELETE", page, nil); res.status != 405 {
		t.Errorf("DELETE: %d", res.status)
	}
}

// TestRecallAckLinkInBrowser: a recipient opens its acknowledgement link
// on a phone, writes a note and acknowledges; the page then says so. The
// link's page is screenshot phone-sized and desktop-sized in both
// languages, before and after (TRACECODE_CONSOLE_SHOTS keeps them: the
// committed docs/public/recall-ack-* were made so).
func TestRecallAckLinkInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	hz := env.key("兰州陇原")
	id, recipients := recallShippedLot(t, env, "兰州陇原", hz, `{"level":"II","lots":[{"lot":%d}],"reason_zh":"标签上的保质期印错","reason_en":"the best-before date on the label is misprinted","action_zh":"停止销售并封存,等待退货","action_en":"stop selling, quarantine and await the return"}`)
	if len(recipients) == 0 {
		t.Fatal("the recall has no recipient")
	}
	recipient := recipients[0]
	u, err := url.Parse(env.eng.Notices().Recalls.Links().URL(id, recipient))
	if err != nil {
		t.Fatal(err)
	}
	page := u.RequestURI()
	br := newBrowserSession(t, env, 390, 844, chromedp.WaitReady("main"))
	sizes := []struct {
		name string
		vp   chromedp.Action[chromedp.Void]
	}{{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)}, {"desktop", chromedp.EmulateViewport(1280, 860)}}
	shots := func(state string) {
		for _, lang := range []string{"zh", "en"} {
			for _, sz := range sizes {
				br.must(sz.name, chromedp.Do(br.ctx, sz.vp))
				br.open(page + "&lang=" + lang)
				br.shot("recall-ack-" + state + "-" + lang + "-" + sz.name)
			}
		}
	}
	shots("form")
	br.must("phone", chromedp.Do(br.ctx, sizes[0].vp))
	br.open(page + "&lang=zh")
	br.must("acknowledge", chromedp.Do(br.ctx,
		chromedp.SendKeys(chromedp.ID("note"), "已全部下架封存"),
		chromedp.Click(chromedp.ID("ack"))))
	br.waitFor("acknowledged", `!!document.getElementById("acked")`)
	if got := br.str(`document.getElementById("acked").textContent`); !strings.Contains(got, "已全部下架封存") {
		t.Errorf("acknowledged page: %q", got)
	}
	shots("done")
}

// recallShippedLot orders, with key, a recall of the first unrecalled lot
// of organisation orgName that was shipped to someone; body is the order
// with %d for the lot. It answers the recall's id and recipients.
func recallShippedLot(t *testing.T, env *testEnv, orgName, key, body string) (uint64, []uint32) {
	t.Helper()
	org, _ := producerLot(t, env, orgName)
	for _, p := range env.eng.Issuance().Products(org.ID) {
		for _, l := range env.eng.Issuance().Lots(p.ID) {
			if st, _ := env.eng.Reports().Resolver().LotStatus(&l); st.Recall.Seq != 0 {
				continue
			}
			if moves, err := env.eng.Reports().RecallMoves(l.ID, nil); err != nil || len(moves) == 0 {
				continue
			}
			res := env.api("POST", "/v1/recalls", key, fmt.Sprintf(body, l.ID))
			if res.status != 201 {
				t.Fatalf("recall: %d %s", res.status, res.body)
			}
			var v struct {
				ID         uint64 `json:"id"`
				Recipients []struct {
					Org uint32 `json:"org"`
				} `json:"recipients"`
			}
			if err := json.Unmarshal(res.body, &v); err != nil {
				t.Fatal(err)
			}
			var orgs []uint32
			for _, r := range v.Recipients {
				orgs = append(orgs, r.Org)
			}
			return v.ID, orgs
		}
	}
	t.Fatalf("%s has no shipped lot to recall", orgName)
	return 0, nil
}

// TestRecallOrderScopes: a recall order names single items (items.codes)
// or a product's time window (window); ranges are refused, a window with
// no lot in it is a 400 naming it, another organisation's codes a 403.
func TestRecallOrderScopes(t *testing.T) {
	env := newTestEnv(t, nil)
	hz, ts := env.key("兰州陇原"), env.key("天水麦积")
	// A sold item cannot be recalled by its code (its sale
	// decommissioned it): 422 naming it. An item still in the chain can.
	sold := testBase + env.url("infant formula, shipped and sold")
	res := env.api("POST", "/v1/recalls", hz, fmt.Sprintf(`{"level":"III","items":{"codes":[%q]},"reason_zh":"单件召回"}`, sold))
	if res.status != 422 || !strings.Contains(string(res.body), "decommissioned") {
		t.Errorf("a sold item's code: %d %s", res.status, res.body)
	}
	formula := testBase + env.url("infant formula on a shop shelf (genuine)")
	body := fmt.Sprintf(`{"level":"III","items":{"codes":[%q]},"reason_zh":"单件召回"}`, formula)
	if res := env.api("POST", "/v1/recalls", ts, body); res.status != 403 {
		t.Errorf("another organisation recalls the code: %d %s", res.status, res.body)
	}
	res = env.api("POST", "/v1/recalls", hz, body)
	if res.status != 201 || !strings.Contains(string(res.body), `"codes":[`) {
		t.Fatalf("code recall: %d %s", res.status, res.body)
	}
	if res := env.api("POST", "/v1/recalls", hz, `{"level":"III","items":{"ranges":[{"block":1,"first":0,"last":9}]},"reason_zh":"x"}`); res.status != 400 {
		t.Errorf("ranges: %d %s", res.status, res.body)
	}
	_, lot := producerLot(t, env, "兰州陇原")
	res = env.api("POST", "/v1/recalls", hz, fmt.Sprintf(`{"level":"III","window":{"product":%d,"from":"1999-01-01","to":"1999-12-31"},"reason_zh":"x"}`, lot.Product))
	if res.status != 400 || !strings.Contains(string(res.body), "window") {
		t.Errorf("an empty window: %d %s", res.status, res.body)
	}
}
