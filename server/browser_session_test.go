package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserSession is a headless chromium driving env's server on a
// loopback port, with the steps the browser tests share: fail on an
// error, evaluate, open a page, wait for a condition, screenshot, log in
// and out of the console.
type browserSession struct {
	t     *testing.T
	ctx   context.Context                // chromium's tab
	base  string                         // the server's address, http://127.0.0.1:port
	dir   string                         // where screenshots go (TRACECODE_CONSOLE_SHOTS, else the test's artifacts)
	ready chromedp.Action[chromedp.Void] // what open waits for on each page
}

// newBrowserSession serves env on a loopback port and starts chromium
// with a w×h window (and extra flags, e.g. a fake camera); open waits
// for ready (a chromedp.WaitReady) on each page.
func newBrowserSession(t *testing.T, env *testEnv, w, h int, ready chromedp.Action[chromedp.Void], extra ...chromedp.ExecAllocatorOption) *browserSession {
	t.Helper()
	exe := chromiumPath(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go env.srv.srv.Serve(ln) //nolint:errcheck // stopped by env's Shutdown
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, append(chromiumOptions(t, exe, w, h), extra...)...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	dir := os.Getenv("TRACECODE_CONSOLE_SHOTS")
	if dir == "" {
		dir = artifactDir(t)
	}
	return &browserSession{t: t, ctx: bctx, base: "http://" + ln.Addr().String(), dir: dir, ready: ready}
}

func (b *browserSession) must(what string, err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// str evaluates js in the page.
func (b *browserSession) str(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	b.must(js, err)
	return v
}

// open navigates to path and waits for the session's ready condition.
func (b *browserSession) open(path string) {
	b.t.Helper()
	b.must(path, chromedp.Do(b.ctx, chromedp.Navigate(b.base+path), b.ready))
}

// waitFor polls js until it is true in the page (across a navigation,
// when the old page's context goes away).
func (b *browserSession) waitFor(what, js string) {
	b.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		b.must("wait", chromedp.Do(b.ctx, chromedp.Sleep(100*time.Millisecond)))
	}
	b.t.Fatalf("%s: %s never held", what, js)
}

// shot writes a screenshot of the page as name.png.
func (b *browserSession) shot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	b.must("screenshot", err)
	b.must("write", os.WriteFile(filepath.Join(b.dir, name+".png"), buf, 0o644))
}

// login signs user in to the console (every test account's password is
// "a long password"); logout signs out.
func (b *browserSession) login(user string) {
	b.t.Helper()
	b.open("/console/login")
	b.must("login "+user, chromedp.Do(b.ctx,
		chromedp.SendKeys(chromedp.ID("login"), user),
		chromedp.SendKeys(chromedp.ID("password"), "a long password"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitReady(chromedp.ID("logout"))))
}

func (b *browserSession) logout() {
	b.t.Helper()
	b.must("logout", chromedp.Do(b.ctx, chromedp.Click(chromedp.ID("logout")), chromedp.WaitReady(chromedp.ID("submit"))))
}

// acceptLanguage makes the tab send Accept-Language l.
func acceptLanguage(l string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": l}})
		return chromedp.Void{}, err
	}
}

// tourPage is a page of a screenshot tour: opened as user ("" signed
// out), screenshot as name.
type tourPage struct{ user, name, path string }

// tour opens every page desktop-sized and phone-sized, in Chinese and
// English (Accept-Language and the page's path from pathFor), signed in as
// its user; checks that it is in the language and no wider than the
// window; and screenshots it as name-lang-size. openPage opens a path (nil:
// b.open).
func (b *browserSession) tour(pages []tourPage, pathFor func(p tourPage, lang string) string, openPage func(p tourPage, path string)) {
	b.t.Helper()
	if openPage == nil {
		openPage = func(_ tourPage, path string) { b.open(path) }
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
		b.must("viewport", chromedp.Do(b.ctx, vp))
		for _, lang := range []string{"zh", "en"} {
			b.must("language", chromedp.Do(b.ctx, acceptLanguage(map[string]string{"zh": "zh-CN,zh;q=0.9", "en": "en-GB,en;q=0.9"}[lang])))
			b.open("/console/login?lang=" + lang)
			user := ""
			for _, p := range pages {
				if p.user != user {
					if user != "" {
						b.logout()
					}
					if p.user != "" {
						b.login(p.user)
					}
					user = p.user
				}
				openPage(p, pathFor(p, lang))
				if got := b.str(`document.documentElement.lang`); (lang == "en") != (got == "en") {
					b.t.Errorf("%s in %s: lang %q", p.name, lang, got)
				}
				if over := b.str(`String(document.documentElement.scrollWidth > window.innerWidth + 1)`); over == "true" {
					b.t.Errorf("%s in %s on %s: the page is wider than the window", p.name, lang, size.name)
				}
				b.shot(fmt.Sprintf("%s-%s-%s", p.name, lang, size.name))
			}
			if user != "" {
				b.logout()
			}
		}
	}
	b.t.Logf("screenshots in %s", b.dir)
}
