package issue

import (
	"net/url"
	"strings"
	"testing"
)

// TestCheckURLRefusesMarkup: product link URLs that would break out of an
// HTML attribute or a Link header, or hide their host, are refused, naming
// the byte; ordinary absolute http(s) URLs pass.
func TestCheckURLRefusesMarkup(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{`https://example.cn/p"onmouseover="x`, `character '"' is not allowed in a URL at byte 21`},
		{"https://example.cn/<script>", "character '<' is not allowed"},
		{"https://example.cn/a b", "character ' ' is not allowed"},
		{"https://example.cn/%ZZ", "'%' not followed by two hex digits at byte 20"},
		{"https://example.cn/产品", "non-ASCII byte 0xe4"},
		{"https://gov.cn@evil.example/", "user information"},
		{"ftp://example.cn/x", "https:// or http://"},
		{"/relative/path", "https:// or http://"},
		{"https://example.cn/" + strings.Repeat("a", 2000), "longer than 2000 bytes"},
	} {
		err := checkURL("link url", c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("checkURL(%.60q) = %v, want an error containing %q", c.url, err, c.want)
		}
	}
	for _, ok := range []string{"https://www.example.com/zhijiang/formula-1", "http://example.cn/p?id=1&lang=zh#top",
		"https://example.cn/%E4%BA%A7%E5%93%81", "https://[::1]:8443/x"} {
		if err := checkURL("link url", ok); err != nil {
			t.Errorf("checkURL(%q): %v", ok, err)
		}
	}
}

// FuzzCheckURL: whatever checkURL accepts is an absolute http(s) URL with
// a host, no user information, and no byte that could end an HTML
// attribute or a Link header's <…>.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.cn/p/1", `https://e.cn/"`, "http://a@b/", "https://e.cn/%4", "https://e.cn/a%20b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkURL("link url", s) != nil {
			return
		}
		if strings.ContainsAny(s, "\"<>\\ `{}|^\x00\r\n\t") {
			t.Fatalf("accepted %q with a forbidden character", s)
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("accepted %q: %v %+v", s, err, u)
		}
	})
}
