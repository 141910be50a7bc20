package server

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

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
