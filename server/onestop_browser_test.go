package server

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	qrcode "github.com/skip2/go-qrcode"

	"tracecode/engine/demo"
)

// writeY4M writes a video of n frames of w×h showing img centred on
// white, as Chromium's fake camera reads it (--use-file-for-fake-video-
// capture): the YUV4MPEG2 header, then per frame "FRAME\n" and the Y, U
// and V planes (4:2:0, grey: U and V are 128). img may be nil: a box
// without a code on a grey table in front of the camera.
func writeY4M(t *testing.T, path string, img image.Image, w, h, n int) {
	t.Helper()
	y := make([]byte, w*h)
	for i := range y {
		y[i] = 235
		if img == nil {
			y[i] = 90
			if x, yy := i%w, i/w; x > w/4 && x < 3*w/4 && yy > h/5 && yy < 4*h/5 {
				y[i] = 200
			}
		}
	}
	if img != nil {
		b := img.Bounds()
		ox, oy := (w-b.Dx())/2, (h-b.Dy())/2
		for py := b.Min.Y; py < b.Max.Y; py++ {
			for px := b.Min.X; px < b.Max.X; px++ {
				x, yy := ox+px-b.Min.X, oy+py-b.Min.Y
				if x < 0 || yy < 0 || x >= w || yy >= h {
					continue
				}
				g := color.GrayModel.Convert(img.At(px, py)).(color.Gray)
				y[yy*w+x] = 16 + byte(int(g.Y)*219/255)
			}
		}
	}
	chroma := make([]byte, (w/2)*(h/2))
	for i := range chroma {
		chroma[i] = 128
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n", w, h)
	for range n {
		bw.WriteString("FRAME\n")
		bw.Write(y)
		bw.Write(chroma)
		bw.Write(chroma)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fakeCamera are chromium's flags for a camera showing video, with the
// permission prompt answered yes.
func fakeCamera(video string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	}
}

// TestCameraScanInBrowser: the home page's scan button opens the camera
// — a fake one showing the printed QR code of a demo item (rendered by
// the project's QR library into a YUV4MPEG2 video) — decodes it and opens
// the item's scan page. Headless chromium on Linux has no
// BarcodeDetector, so the vendored zxing-wasm decoder does the work.
func TestCameraScanInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	item := testBase + env.url("infant formula on a shop shelf")
	q, err := qrcode.New(item, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(t.TempDir(), "qr.y4m")
	writeY4M(t, video, q.Image(360), 640, 480, 3)
	br := newBrowserSession(t, env, 390, 844, chromedp.WaitReady("main"), fakeCamera(video)...)
	br.must("phone", chromedp.Do(br.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	br.open("/?lang=zh")
	br.waitFor("scan button shown by its script", `!document.getElementById("scan-button").hidden`)
	detector := br.str(`String("BarcodeDetector" in window)`)
	t.Logf("BarcodeDetector in window: %s", detector)
	br.must("scan", chromedp.Do(br.ctx, chromedp.Click(chromedp.ID("scan-button"))))
	br.waitFor("the item's page", `location.pathname === "/resolve" && !!document.getElementById("status")`)
	if got := br.str(`document.getElementById("status").dataset.status`); got != "genuine" {
		t.Errorf("scanned item's status %q", got)
	}
	if got := br.str(`(document.getElementById("product-name")||{}).textContent||""`); !strings.Contains(got, "婴幼儿配方奶粉") {
		t.Errorf("scanned item's page names %q", got)
	}
	if got := br.str(`new URLSearchParams(location.search).get("code")`); got != item {
		t.Errorf("the page resolved %q, want %q", got, item)
	}
}

// TestOneStopInBrowser: a consumer searches an enterprise by name and by
// USCC from the home page, opens its page and reads its credit and its
// spot checks; the camera, pointed at a page without a code, keeps
// looking. The home page, the search results, the enterprise page and
// the scanning state are screenshot phone- and desktop-sized in both
// languages (TRACECODE_CONSOLE_SHOTS=$PWD/docs/public keeps them).
func TestOneStopInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	if _, err := demo.SeedAccounts(env.eng, env.dir); err != nil { // the published spot checks
		t.Fatal(err)
	}
	orderDemoRecall(t, env)
	sc, err := env.eng.SpotChecks()
	if err != nil {
		t.Fatal(err)
	}
	spots, err := sc.PublicResults(0)
	if err != nil || len(spots) == 0 {
		t.Fatalf("no published spot check: %v", err)
	}
	checked, err := env.eng.Issuance().Org(spots[0].Org)
	if err != nil {
		t.Fatal(err)
	}
	var violator string
	for _, o := range env.eng.Issuance().Orgs() {
		if strings.Contains(o.Name, "牛羊肉") {
			violator = o.USCC
		}
	}
	video := filepath.Join(t.TempDir(), "blank.y4m")
	writeY4M(t, video, nil, 640, 480, 2)
	br := newBrowserSession(t, env, 390, 844, chromedp.WaitReady("main"), fakeCamera(video)...)
	must, str, open, waitFor := br.must, br.str, br.open, br.waitFor
	must("phone", chromedp.Do(br.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))

	// By name, from the home page's form.
	open("/?lang=zh")
	must("search by name", chromedp.Do(br.ctx, chromedp.SendKeys(chromedp.ID("q"), checked.Name),
		chromedp.Click(chromedp.ID("search-submit"))))
	waitFor("results", `location.pathname === "/search" && !!document.getElementById("search-count")`)
	hit := fmt.Sprintf("#hit-enterprise-%d h2 a", checked.ID)
	if n := str(`String(document.querySelectorAll("` + hit + `").length)`); n != "1" {
		t.Fatalf("searching %s: %s hits of it; page %s", checked.Name, n, str(`document.querySelector("main").innerText`))
	}
	must("open the enterprise", chromedp.Do(br.ctx, chromedp.Click(hit)))
	waitFor("enterprise page", `location.pathname.startsWith("/enterprise/") && !!document.getElementById("credit-status")`)
	if got := str(`document.getElementById("enterprise-name").textContent`); got != checked.Name {
		t.Errorf("enterprise page of %q", got)
	}
	if n := str(`String(document.querySelectorAll("#spotchecks li").length)`); n == "0" {
		t.Error("the enterprise page shows no spot check")
	}
	if got := str(`document.getElementById("credit").textContent`); !strings.Contains(got, "信用状况") {
		t.Errorf("credit section %q", got)
	}

	// By USCC, in lower case with spaces: the serious violation.
	open("/?lang=en")
	must("search by USCC", chromedp.Do(br.ctx, chromedp.SendKeys(chromedp.ID("q"), strings.ToLower(violator[:8])+" "+strings.ToLower(violator[8:])),
		chromedp.Click(chromedp.ID("search-submit"))))
	waitFor("results", `location.pathname === "/search" && !!document.getElementById("search-count")`)
	if got := str(`document.getElementById("search-count").dataset.total`); got != "1" {
		t.Fatalf("USCC search: %s hits", got)
	}
	must("open the enterprise", chromedp.Do(br.ctx, chromedp.Click(`section.hit h2 a`)))
	waitFor("enterprise page", `location.pathname.startsWith("/enterprise/") && !!document.getElementById("credit-status")`)
	if got := str(`document.getElementById("credit").dataset.listed`); got != "serious-violation" {
		t.Errorf("the violator's page: listed %q", got)
	}
	if got := str(`document.getElementById("credit").textContent`); !strings.Contains(got, "clenbuterol") || !strings.Contains(got, "Serious violation list") {
		t.Errorf("the violator's credit reads %q", got)
	}

	// The camera sees no code: it keeps looking, and says so.
	open("/?lang=zh")
	waitFor("scan button", `!document.getElementById("scan-button").hidden`)
	must("scan", chromedp.Do(br.ctx, chromedp.Click(chromedp.ID("scan-button"))))
	waitFor("looking", `document.getElementById("scanner").dataset.state === "looking"`)
	t.Logf("decoder: %s", str(`document.getElementById("scanner").dataset.decoder`))

	// Screenshots.
	shots := []struct{ name, path string }{
		{"home", "/"},
		{"search", "/search?q=" + urlQueryEscape("张掖")},
		{"enterprise", "/enterprise/" + violator},
		{"enterprise-spotchecks", "/enterprise/" + checked.USCC},
		{"scanning", "/"},
	}
	for _, size := range []struct {
		name string
		w, h int64
		mob  bool
	}{{"desktop", 1280, 860, false}, {"phone", 390, 844, true}} {
		vp := chromedp.EmulateViewport(size.w, size.h)
		if size.mob {
			vp = chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile)
		}
		must("viewport", chromedp.Do(br.ctx, vp))
		for _, lang := range []string{"zh", "en"} {
			for _, s := range shots {
				sep := "?"
				if strings.Contains(s.path, "?") {
					sep = "&"
				}
				open(s.path + sep + "lang=" + lang)
				if s.name == "scanning" {
					waitFor("scan button", `!document.getElementById("scan-button").hidden`)
					must("scan", chromedp.Do(br.ctx, chromedp.Click(chromedp.ID("scan-button"))))
					waitFor("looking", `document.getElementById("scanner").dataset.state === "looking" && document.getElementById("scan-video").videoWidth > 0`)
					must("scroll", chromedp.Do(br.ctx, chromedp.ScrollIntoView(chromedp.ID("scanner"))))
				}
				if over := str(`String(document.documentElement.scrollWidth > window.innerWidth + 1)`); over == "true" {
					t.Errorf("%s in %s on %s: the page is wider than the window", s.name, lang, size.name)
				}
				br.shot(fmt.Sprintf("onestop-%s-%s-%s", s.name, lang, size.name))
			}
		}
	}
	t.Logf("screenshots in %s", br.dir)
}
