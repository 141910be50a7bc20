package server

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/digitallink"
)

// FuzzParseGTINPath checks the hand parser of /01/… paths: it never
// panics, and whatever it accepts the reference Digital Link parser
// accepts too, with the same GTIN, lot and serial.
func FuzzParseGTINPath(f *testing.F) {
	for _, s := range []string{
		"/01/09520123456788/10/ABC1/21/12345",
		"/01/12312312312333/22/TEST/10/ABC/21/XYZ",
		"/01/09520123456788",
		"/01/09520123456788/10/AB%2FC",
		"/01/09520123456788/21/12345/10/ABC123",
		"/01/09520123456789",
		"/01/06901234000115/10/F20261019/21/AGH8L5826AKZK/",
		"/01/09520123456788/21/%00",
		"/01/09520123456788/21/A%2",
		"/01/09520123456788/10/A%22B/21/1",
		"/01/09520123456788/10/A%23B",
		"/01/09520123456788/10/\"0",
		"/01/09520123456788//",
		"/01/09520123456788/10/A//",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		// '?' and '#' end a path (fasthttp never puts them in one): the
		// reference parser would read what follows as a query or fragment.
		if !strings.HasPrefix(path, "/01/") || strings.ContainsAny(path, "?#") {
			return
		}
		var r publicReq
		if err := r.parseGTINPath([]byte(path)); err != nil {
			return
		}
		p := strings.TrimSuffix(path, "/")
		dl, err := digitallink.Parse("https://r" + p)
		if err != nil {
			t.Fatalf("hand parser accepts %q, Digital Link parser does not: %v", path, err)
		}
		if dl.Key.Value != r.gtin.String() {
			t.Fatalf("%q: GTIN %s vs %s", path, r.gtin, dl.Key.Value)
		}
		for _, q := range dl.Qualifiers {
			var got []byte
			switch q.AI {
			case "10":
				got = r.lot
			case "21":
				got = r.serial
			case "22":
				got = r.cpv
			}
			if string(got) != q.Value {
				t.Fatalf("%q: AI %s %q vs %q", path, q.AI, got, q.Value)
			}
		}
	})
}

// FuzzPublicHandler sends arbitrary resolver requests through the whole
// handler: it never panics and never answers 5xx.
func FuzzPublicHandler(f *testing.F) {
	env := newTestEnv(f, func(c *Config) { c.RateLimit = -1 })
	for _, s := range []string{
		env.url("infant formula on a shop shelf"), env.url("pesticide with a short-code label"),
		env.url("a pallet of the drug"), env.url("drug with an NMPA"), "/01/06901234000115?linkType=gs1:pip&17=261231",
		"/resolve?code=%2801%2906901234000115%2821%29X", "/c/", "/00/1", "/01/x", "/v1/trace/01/06901234000115/21/A",
	} {
		f.Add(s, "application/json")
		f.Add(s, "text/html")
	}
	h := env.srv.handle
	f.Fuzz(func(t *testing.T, uri, accept string) {
		if len(uri) == 0 || uri[0] != '/' || strings.HasPrefix(uri, "/v1/") || strings.ContainsAny(uri, " \r\n\x00") {
			return
		}
		ctx := newCtx(uri, accept)
		h(ctx)
		if code := ctx.Response.StatusCode(); code >= 500 {
			t.Fatalf("%s (Accept %q): %d %s", uri, accept, code, ctx.Response.Body())
		}
	})
}

// FuzzDotSegment checks dotSegment against fasthttp's own path
// normalisation: a path it lets through loses no segment when fasthttp
// normalises it (so the raw path the body limit is chosen from and the
// routed path name the same route).
func FuzzDotSegment(f *testing.F) {
	for _, s := range []string{"/v1/events/../blocks", "/v1/events/%2e%2e/blocks", "/a/./b", "/a/..%2fb", "/a/.../b", "/01/x/21/A.B", "/a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if len(p) == 0 || p[0] != '/' || strings.ContainsAny(p, "?#") || dotSegment([]byte(p)) {
			return
		}
		var u fasthttp.URI
		u.SetPath(p)
		decoded := string(u.Path())
		if want := countSegs(percentDecode(p)); countSegs(decoded) != want {
			t.Fatalf("%q normalises to %q: %d segments, want %d", p, decoded, countSegs(decoded), want)
		}
	})
}

// countSegs counts the non-empty '/'-separated segments of p.
func countSegs(p string) int {
	n := 0
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			n++
		}
	}
	return n
}

// percentDecode decodes %XX as fasthttp does, leaving a malformed '%'.
func percentDecode(p string) string {
	var b []byte
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHexPair(p[i+1], p[i+2]) {
			c, _ := unhex2(p[i+1], p[i+2])
			b = append(b, c)
			i += 2
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}
