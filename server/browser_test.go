package server

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Under TRACECODE_CI=1 a missing
// browser fails the test (CI installs it with make deps-browser);
// elsewhere the browser tests are skipped with a note.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("TRACECODE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("TRACECODE_CI") == "1" {
		t.Fatal("TRACECODE_CI=1 but no chromium: run make deps-browser (Debian's chromium package)")
	}
	t.Skip("browser tests skipped: chromium not installed (make deps-browser installs it; TRACECODE_CI=1 makes its absence a failure)")
	return ""
}

// artifactDir is where screenshots go: $TRACECODE_ARTIFACTS, else a
// temporary directory kept for the test's duration.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("TRACECODE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

// TestScanPageInBrowser drives headless chromium, phone-sized, against a
// live server: a genuine item in Chinese and English (and the switch
// between them), a recalled item, and a never-issued code. It asserts on
// the DOM and saves a screenshot of each page.
func TestScanPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	exe := chromiumPath(t)
	env := newTestEnv(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go env.srv.srv.Serve(ln) //nolint:errcheck // stopped by env's Shutdown
	base := "http://" + ln.Addr().String()

	opts := chromiumOptions(t, exe, 390, 844)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("starting chromium %s: %v", exe, err)
	}
	dir := artifactDir(t)

	type page struct {
		lang, status, name string
		events             int
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	visit := func(shot, url, acceptLang string) page {
		t.Helper()
		var p page
		must(url, chromedp.Do(bctx, acceptLanguage(acceptLang), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("status"))))
		var err error
		p.lang, err = chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		must("lang", err)
		st, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.ID("status"), "data-status"))
		must("status", err)
		p.status = st.Value
		p.name, err = chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById("product-name")||{}).textContent||""`))
		must("name", err)
		p.events, err = chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#timeline li").length`))
		must("events", err)
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		must("screenshot", err)
		path := filepath.Join(dir, "scan-"+shot+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s: %s", shot, path)
		return p
	}

	shelf := base + env.url("infant formula on a shop shelf")
	zh := visit("genuine-zh", shelf, "zh-CN,zh;q=0.9")
	if zh.lang != "zh" || zh.status != "genuine" || !strings.Contains(zh.name, "婴幼儿配方奶粉") || zh.events < 3 {
		t.Errorf("genuine, zh: %+v", zh)
	}
	en := visit("genuine-en", shelf, "en-GB,en;q=0.9")
	if en.lang != "en" || en.status != "genuine" || !strings.Contains(en.name, "infant formula") {
		t.Errorf("genuine, en: %+v", en)
	}
	// The language switch leads to the Chinese page.
	must("switch", chromedp.Do(bctx, chromedp.Click(chromedp.ID("lang-switch")), chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(chromedp.ID("status"))))
	lang, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	must("lang after switch", err)
	if lang != "zh" {
		t.Errorf("after the language switch: lang %q", lang)
	}
	rec := visit("recalled-zh", base+env.url("infant formula from the recalled lot"), "zh-CN")
	if rec.status != "recalled" {
		t.Errorf("recalled: %+v", rec)
	}
	fake := visit("never-issued-en", base+env.url("a code never issued"), "en")
	if fake.status != "not_genuine" {
		t.Errorf("never issued: %+v", fake)
	}
	text, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("status")))
	must("status text", err)
	if !strings.Contains(text, "may not be genuine") {
		t.Errorf("never-issued banner says %q", text)
	}
}

// chromiumOptions starts exe headless in a window of w × h CSS pixels with
// a fresh profile, without the background connections this machine's
// closed network refuses.
func chromiumOptions(t testing.TB, exe string, w, h int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
	}
}
