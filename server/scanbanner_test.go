package server

import (
	"bytes"
	"html/template"
	"testing"
)

// TestBannerCacheMatchesTemplate: the cached banner, joined with the CSS
// and the scan line per request, is byte for byte what executing "top"
// renders, for scan lines with characters the escaper changes, pages
// without a scan line, and text that contains a mark.
func TestBannerCacheMatchesTemplate(t *testing.T) {
	views := []pageView{
		{Lang: "zh", OtherLang: "en", T: messages["zh"], SwitchURL: "/01/09520123456788/21/AB?lang=en", Code: "https://r.example/01/09520123456788/21/AB",
			Status: "genuine", StatusTitle: "正品", StatusDetail: "d", ScanLine: "第 3 次扫描 <首次> & 'x' \"y\" a+b\x00"},
		{Lang: "en", OtherLang: "zh", T: messages["en"], SwitchURL: "/c/X?lang=zh", Code: "X", Status: "not_genuine",
			StatusTitle: "Not genuine", StatusDetail: "never issued", Reason: "serial <script>"},
		{Lang: "en", OtherLang: "zh", T: messages["en"], SwitchURL: "/c/Y?lang=zh", Code: "Y", Status: "recalled",
			StatusTitle: "Recalled", RecallURL: "/recalls?lang=en#recall-3", Reason: "a " + bannerCSSMark + " " + bannerScanMark, ScanLine: bannerScanMark},
	}
	c := newBannerCache(2)
	for i := range views {
		want := views[i]
		want.CSS = template.CSS(scanCSS)
		var exp bytes.Buffer
		if err := scanTemplate.ExecuteTemplate(&exp, "top", &want); err != nil {
			t.Fatal(err)
		}
		for pass := range 3 { // a miss, then hits (the cache holds 2: the third view evicts)
			pv := views[i]
			got, err := c.appendBanner([]byte("x"), &pv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[1:], exp.Bytes()) || got[0] != 'x' {
				t.Fatalf("view %d pass %d: cached banner differs from the template's\n got %q\nwant %q", i, pass, got[1:], exp.Bytes())
			}
		}
		var nilCache *bannerCache
		pv := views[i]
		if got, err := nilCache.appendBanner(nil, &pv); err != nil || !bytes.Equal(got, exp.Bytes()) {
			t.Fatalf("view %d without a cache: %v, differs: %q", i, err, got)
		}
	}
	// A new scan line on a cached banner.
	pv := views[0]
	pv.ScanLine = "第 4 次扫描"
	got, _ := c.appendBanner(nil, &pv)
	if !bytes.Contains(got, []byte(`<div class="status-scans" id="scans">第 4 次扫描</div>`)) {
		t.Fatalf("the scan line of this request is not in the banner: %q", got)
	}
}

// TestScanPageAllocs keeps a cached scan page near the JSON answer's cost:
// the banner comes from the banner cache, the rest from the page cache, no
// template runs.
func TestScanPageAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	env := newTestEnv(t, func(cfg *Config) { cfg.CacheEntries = 1 << 12 })
	codes := demoItemCodes(t, env, 20)
	h := env.srv.handle
	ctx := newCtx(codes[3], "text/html")
	for range 20 {
		ctx.Response.Reset()
		h(ctx)
	}
	if ctx.Response.StatusCode() != 200 || !bytes.Contains(ctx.Response.Body(), []byte(`id="scans"`)) {
		t.Fatalf("scan page: %d %.300s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	n := testing.AllocsPerRun(100, func() {
		ctx.Response.Reset()
		h(ctx)
	})
	t.Logf("allocations per cached scan page: %v", n)
	if n > 20 {
		t.Errorf("a cached scan page allocates %v times; keep it at most 20 (it was 106 when the banner template ran each time)", n)
	}
}
