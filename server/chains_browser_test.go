package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChainScanPagesInBrowser opens the demo's orchard apples and beef
// sirloin on a phone-sized chromium in Chinese and English, checks the
// category facts are laid out (the certificate, the animal's
// certificates) and saves full-page screenshots: scan-orchard-apples-*
// and scan-beef-cut-* (TRACECODE_CONSOLE_SHOTS=docs/public writes them
// there).
func TestChainScanPagesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := newTestEnv(t, nil)
	br := newBrowserSession(t, env, 390, 844, chromedp.WaitReady("main"))
	br.must("phone", chromedp.Do(br.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)))
	for _, p := range []struct {
		name, url string
		want      map[string]string // language → text the facts must hold
	}{
		{"scan-orchard-apples", env.url("Tianshui orchard apples"), map[string]string{"zh": "承诺达标合格证", "en": "commitment certificate"}},
		{"scan-beef-cut", env.url("Zhangye beef sirloin"), map[string]string{"zh": "肉品品质检验合格证", "en": "meat inspection certificate"}},
	} {
		for _, lang := range []string{"zh", "en"} {
			br.open(p.url + "?lang=" + lang)
			facts := br.str(`(document.getElementById("sector-facts")||{}).textContent||""`)
			if !strings.Contains(facts, p.want[lang]) {
				t.Errorf("%s (%s): facts %q lack %q", p.name, lang, facts, p.want[lang])
			}
			// No horizontal scrolling on a phone.
			if w := br.str(`String(document.documentElement.scrollWidth)`); w != "390" {
				t.Errorf("%s (%s): page is %s px wide on a 390 px phone", p.name, lang, w)
			}
			buf, err := chromedp.Run(br.ctx, chromedp.FullScreenshot(100))
			br.must("screenshot", err)
			br.must("write", os.WriteFile(filepath.Join(br.dir, p.name+"-"+lang+"-phone.png"), buf, 0o644))
		}
	}
}
