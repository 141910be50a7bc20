package server

import (
	"bytes"
	"html/template"
	"sync"
)

// bannerCache keeps rendered banners of the scan page (the "top" template
// of scan.html: head, header, status) so that a cached page runs no
// template at all. A banner depends on the page's language, status, code
// and switch URL, which repeat, and on the scan line, which changes with
// every scan: the banner is rendered once with marks where the inline CSS
// and the scan line go, cut at the marks, and joined with them per
// request (profile: executing "top" was 100 of a cached page's 106
// allocations and most of its 23 µs).
type bannerCache struct {
	mu  sync.Mutex
	m   map[string]*banner // GUARDED_BY(mu)
	max int
}

// banner is one rendered banner cut at its marks: head + CSS + mid +
// escaped scan line + tail (mid and the scan line are absent when the page
// shows no scan line). Read-only once published.
type banner struct {
	head, mid, tail []byte
	scans           bool // rendered with a scan line
}

// The marks: plain ASCII that the template's CSS and HTML-text escapers
// leave as is and that no page text contains.
const (
	bannerCSSMark  = "\x60tracecode-banner-css\x60"
	bannerScanMark = "tracecode-banner-scan-line-mark"
)

func newBannerCache(max int) *bannerCache {
	return &bannerCache{m: make(map[string]*banner), max: max}
}

// bannerKey appends the fields of pv that the banner shows, except the
// CSS and the scan line's text.
func bannerKey(dst []byte, pv *pageView) []byte {
	for _, f := range [...]string{pv.Lang, pv.OtherLang, pv.SwitchURL, pv.Code, pv.Status, pv.StatusTitle, pv.StatusDetail, pv.Reason, pv.RecallURL, pv.CreditWarning, pv.CreditURL, pv.ReportURL} {
		dst = append(dst, f...)
		dst = append(dst, 0)
	}
	if pv.ScanLine != "" {
		dst = append(dst, 1)
	}
	return dst
}

// appendBanner appends pv's banner to dst: from the cache when it holds
// one for pv, else rendered (and cached when c is not nil).
func (c *bannerCache) appendBanner(dst []byte, pv *pageView) ([]byte, error) {
	var b *banner
	var key []byte
	if c != nil {
		kp := bufPool.Get()
		key = bannerKey((*kp)[:0], pv)
		c.mu.Lock()
		b = c.m[string(key)]
		c.mu.Unlock()
		if b == nil {
			var err error
			if b, err = renderBanner(pv); err != nil {
				*kp = key
				bufPool.Put(kp)
				return appendBannerSlow(dst, pv)
			}
			c.mu.Lock()
			if len(c.m) >= c.max {
				clear(c.m)
			}
			c.m[string(key)] = b
			c.mu.Unlock()
		}
		*kp = key
		bufPool.Put(kp)
	} else {
		var err error
		if b, err = renderBanner(pv); err != nil {
			return appendBannerSlow(dst, pv)
		}
	}
	dst = append(dst, b.head...)
	dst = append(dst, scanCSS...)
	if b.scans {
		dst = append(dst, b.mid...)
		dst = appendHTMLText(dst, pv.ScanLine)
	}
	return append(dst, b.tail...), nil
}

// appendBannerSlow renders pv's banner without marks.
func appendBannerSlow(dst []byte, pv *pageView) ([]byte, error) {
	pv.CSS = template.CSS(scanCSS)
	out := bytes.NewBuffer(dst)
	err := scanTemplate.ExecuteTemplate(out, "top", pv)
	return out.Bytes(), err
}

// renderBanner executes "top" for pv with the marks and cuts the result.
func renderBanner(pv *pageView) (*banner, error) {
	marked := *pv
	marked.CSS = template.CSS(bannerCSSMark)
	if pv.ScanLine != "" {
		marked.ScanLine = bannerScanMark
	}
	var out bytes.Buffer
	if err := scanTemplate.ExecuteTemplate(&out, "top", &marked); err != nil {
		return nil, err
	}
	html := out.Bytes()
	head, rest, ok := bytes.Cut(html, []byte(bannerCSSMark))
	if !ok || bytes.Contains(rest, []byte(bannerCSSMark)) {
		return nil, errBannerMarks
	}
	b := &banner{head: head}
	if pv.ScanLine == "" {
		b.tail = rest
		return b, nil
	}
	mid, tail, ok := bytes.Cut(rest, []byte(bannerScanMark))
	if !ok || bytes.Contains(tail, []byte(bannerScanMark)) {
		return nil, errBannerMarks
	}
	b.mid, b.tail, b.scans = mid, tail, true
	return b, nil
}

type bannerError string

func (e bannerError) Error() string { return string(e) }

// errBannerMarks means a page's own text contained a mark (or the
// template lost one): the banner is rendered the slow way.
const errBannerMarks = bannerError("scan page banner: marks not found exactly once")

// appendHTMLText appends s escaped as html/template escapes text in HTML
// element content.
func appendHTMLText(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, rep...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}
