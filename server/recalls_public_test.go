package server

import (
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// orderDemoRecall has the Zhejiang regulator order a level-I recall of a
// Hangzhou lot and returns its id.
func orderDemoRecall(t *testing.T, env *testEnv) uint64 {
	t.Helper()
	_, lot := producerLot(t, env, "兰州陇原")
	res := env.api("POST", "/v1/recalls", env.key("甘肃省"), fmt.Sprintf(`{"level":"I","lots":[{"lot":%d}],"reason_zh":"检出沙门氏菌","reason_en":"Salmonella found","action_zh":"立即停止销售并退回","action_en":"Stop selling and return to the producer"}`, lot.ID))
	if res.status != 201 {
		t.Fatalf("order: %d %s", res.status, res.body)
	}
	var v struct {
		ID uint64 `json:"id"`
	}
	if err := jsonUnmarshal(res.body, &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// TestPublicRecalls: the notice lists a recall in force in zh and en, as
// JSON and as a valid Atom feed, and not once it is closed.
func TestPublicRecalls(t *testing.T) {
	env := newTestEnv(t, nil)
	id := orderDemoRecall(t, env)
	zh := env.get("/recalls", "Accept-Language", "zh-CN")
	if zh.status != 200 || !strings.Contains(string(zh.body), "检出沙门氏菌") || !strings.Contains(string(zh.body), fmt.Sprintf(`id="recall-%d"`, id)) {
		t.Fatalf("zh page: %d %s", zh.status, zh.body)
	}
	en := env.get("/recalls?lang=en")
	if !strings.Contains(string(en.body), "Salmonella found") || !strings.Contains(string(en.body), "Stop selling") {
		t.Errorf("en page: %s", en.body)
	}
	js := env.get("/recalls?format=json")
	if js.status != 200 || !strings.Contains(js.h("Content-Type"), "json") || !strings.Contains(string(js.body), `"reason_en":"Salmonella found"`) {
		t.Errorf("json: %d %s", js.status, js.body)
	}
	atom := env.get("/recalls.atom")
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(atom.body, &feed); err != nil || len(feed.Entries) != 1 || !strings.HasSuffix(feed.Entries[0].ID, fmt.Sprintf("#recall-%d", id)) {
		t.Errorf("atom: %v %s", err, atom.body)
	}
	if res := env.do("POST", "/recalls", nil); res.status != 405 {
		t.Errorf("POST /recalls: %d", res.status)
	}
	hz, reg := env.key("兰州陇原"), env.key("甘肃省")
	env.api("POST", fmt.Sprintf("/v1/recalls/%d/close", id), hz, `{"note":"done"}`)
	env.api("POST", fmt.Sprintf("/v1/recalls/%d/close", id), reg, `{"note":"confirmed"}`)
	if res := env.get("/recalls?lang=en"); strings.Contains(string(res.body), "Salmonella") || !strings.Contains(string(res.body), `id="none"`) {
		t.Errorf("closed recall still listed: %s", res.body)
	}
}

// TestPublicRecallsInBrowser renders the notice in headless chromium,
// phone-sized and desktop, in zh and en, and saves the screenshots.
func TestPublicRecallsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	exe := chromiumPath(t)
	env := newTestEnv(t, nil)
	orderDemoRecall(t, env)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go env.srv.srv.Serve(ln) //nolint:errcheck // stopped by env's Shutdown
	base := "http://" + ln.Addr().String()
	dir := artifactDir(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(exe), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(int(size.w), int(size.h))}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		for _, lang := range []string{"zh", "en"} {
			err := chromedp.Do(bctx, chromedp.Navigate(base+"/recalls?lang="+lang), chromedp.WaitVisible(chromedp.ID("lang-switch")))
			if err != nil {
				t.Fatalf("%s %s: %v", size.name, lang, err)
			}
			text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"zh": "检出沙门氏菌", "en": "Salmonella found"}[lang]
			if !strings.Contains(text, want) {
				t.Errorf("%s %s: page text %q", size.name, lang, text)
			}
			buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "recalls-"+size.name+"-"+lang+".png")
			if err := os.WriteFile(path, buf, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot %s", path)
		}
		bcancel()
		acancel()
		cancel()
	}
}

// TestScanPageLinksRecall: an item of a recalled lot shows the recall's
// reason in the page's language and links to the notice.
func TestScanPageLinksRecall(t *testing.T) {
	env := newTestEnv(t, nil)
	shelf := env.url("infant formula on a shop shelf")
	var before struct {
		Lot struct {
			Number string `json:"number"`
		} `json:"lot"`
	}
	jsonUnmarshal(env.get(shelf, "Accept", "application/json").body, &before)
	_, lot := producerLot(t, env, "兰州陇原")
	if before.Lot.Number != "" && before.Lot.Number != lot.Number {
		t.Skipf("the shelf item is of lot %s, the recalled lot is %s", before.Lot.Number, lot.Number)
	}
	id := orderDemoRecall(t, env)
	en := env.get(shelf, "Accept-Language", "en", "Accept", "text/html")
	if !strings.Contains(string(en.body), "Salmonella found") || !strings.Contains(string(en.body), fmt.Sprintf("#recall-%d", id)) {
		t.Fatalf("en scan page %s: %d %v %s", shelf, en.status, en.header, en.body)
	}
	zh := env.get(shelf, "Accept-Language", "zh-CN", "Accept", "text/html")
	if !strings.Contains(string(zh.body), "检出沙门氏菌") || !strings.Contains(string(zh.body), `id="recall-notice"`) {
		t.Errorf("zh scan page lacks the recall: %s", zh.body)
	}
}
