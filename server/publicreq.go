package server

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/code"
	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/gs1"
)

// kind is the shape of a public request.
type kind uint8

const (
	kindGTIN  kind = iota // /01/…
	kindSSCC              // /00/…
	kindShort             // /c/…
	kindQuery             // /resolve?code=…
)

// level is how much of a GTIN path names: the product, a lot, or an item.
type level uint8

const (
	levelProduct level = iota
	levelLot
	levelItem
)

// want is the representation a client asked for.
type want uint8

const (
	wantHTML want = iota
	wantJSON
	wantLinkset
)

// publicReq is a parsed public request. Its byte fields alias the request
// (valid until the handler returns); it is pooled.
type publicReq struct {
	kind   kind
	level  level
	gtin   gs1.GTIN
	cpv    []byte // AI 22, decoded
	lot    []byte // AI 10, decoded
	serial []byte // AI 21, decoded
	key    []byte // the SSCC digits, the short code, or the ?code= value
	// input is what engine.Lookup reads: "https://r" + path for Digital
	// Link paths, the code itself otherwise.
	input    []byte
	linkType []byte // ?linkType=, as given
	want     want
	lang     string // "zh" or "en"
	region   uint32 // coarse GB/T 2260 location from Config.RegionHeader; 0 = unknown
	client   uint32 // engine.ScanClient of the client's address and class
	class    engine.ClientClass
	rest     []byte         // the query string without linkType, for redirects
	dec      []byte         // storage for percent-decoded values
	els      [3]gs1.Element // storage for parsedCode's elements
}

// parsedCode returns the item code of a /01/…/21/… path as code.Parse
// would: the path was already parsed and validated by parse (a fuzz test
// holds it to the Digital Link parser), so the engine need not parse it
// again. ok is false for other requests. The elements alias r.
func (r *publicReq) parsedCode() (c code.Code, ok bool) {
	if r.kind != kindGTIN || r.level != levelItem || r.serial == nil {
		return c, false
	}
	els := append(r.els[:0], gs1.Element{AI: "01", Value: b2s(r.gtin[:])})
	if r.cpv != nil {
		return c, false // AI 22 is rare: let the engine parse it
	}
	if r.lot != nil {
		els = append(els, gs1.Element{AI: "10", Value: b2s(r.lot)})
	}
	els = append(els, gs1.Element{AI: "21", Value: b2s(r.serial)})
	return code.Code{Format: code.FormatDigitalLink, Elements: els, Host: "r"}, true
}

var publicReqPool = fastPool[publicReq]{}

func (r *publicReq) reset() {
	*r = publicReq{input: r.input[:0], dec: r.dec[:0], rest: r.rest[:0]}
}

// errPath is a malformed resolver path.
type errPath struct{ msg string }

func (e *errPath) Error() string { return e.msg }

// parseGTINPath parses /01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}] with
// the Digital Link rules: a valid GTIN-14, qualifiers at most once each and
// in this order, values of 1–20 characters of GS1 CSET 82 (AI 22: 1–20,
// AI 10: 1–20, AI 21: 1–20), percent-encoding allowed. One trailing slash
// is tolerated, as the resolver standard asks. Anything else is an
// *errPath naming the segment at fault.
func (r *publicReq) parseGTINPath(path []byte) error {
	p := path[len("/01/"):]
	if n := len(p); n > 0 && p[n-1] == '/' {
		p = p[:n-1]
	}
	seg, p := nextSeg(p)
	if len(seg) != 14 {
		return &errPath{fmt.Sprintf("GTIN %q must have 14 digits (AI 01 in a Digital Link path)", seg)}
	}
	for _, c := range seg {
		if c < '0' || c > '9' {
			return &errPath{fmt.Sprintf("GTIN %q must be digits only", seg)}
		}
	}
	if want := checkDigit(seg[:13]); seg[13] != want {
		return &errPath{fmt.Sprintf("GTIN %s has check digit %c, expected %c", seg, seg[13], want)}
	}
	copy(r.gtin[:], seg)
	r.level = levelProduct
	last := 0 // order of the previous qualifier: 22 → 1, 10 → 2, 21 → 3
	for len(p) > 0 {
		var ai, val []byte
		ai, p = nextSeg(p)
		if len(p) == 0 {
			return &errPath{fmt.Sprintf("key qualifier %q has no value", ai)}
		}
		val, p = nextSeg(p)
		var order int
		switch string(ai) {
		case "22":
			order = 1
		case "10":
			order = 2
		case "21":
			order = 3
		default:
			return &errPath{fmt.Sprintf("%q is not a key qualifier of a GTIN (want 22, 10 or 21, in that order)", ai)}
		}
		if order <= last {
			return &errPath{fmt.Sprintf("key qualifier %s is out of order or repeated (the order is 22, 10, 21)", ai)}
		}
		last = order
		v, err := r.decode(val)
		if err != nil {
			return &errPath{fmt.Sprintf("AI (%s) value %q: %v", ai, val, err)}
		}
		if err := checkCSet82(v); err != nil {
			return &errPath{fmt.Sprintf("AI (%s) value %q: %v", ai, v, err)}
		}
		switch order {
		case 1:
			r.cpv = v
		case 2:
			r.lot, r.level = v, levelLot
		case 3:
			r.serial, r.level = v, levelItem
		}
	}
	if r.level == levelItem {
		r.input = append(append(r.input[:0], "https://r"...), path...)
		if n := len(r.input); r.input[n-1] == '/' {
			r.input = r.input[:n-1]
		}
	}
	return nil
}

func nextSeg(p []byte) (seg, rest []byte) {
	if i := bytes.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, nil
}

// decode percent-decodes a path value into r.dec (returning val itself
// when it has no escapes). A '%' not followed by two hex digits is
// malformed (RFC 3986 §2.1): the value cannot be known, so it is an
// error, not a literal '%'.
func (r *publicReq) decode(val []byte) ([]byte, error) {
	i := bytes.IndexByte(val, '%')
	if i < 0 {
		return val, nil
	}
	for ; i < len(val); i++ {
		if val[i] == '%' && (i+2 >= len(val) || !isHexPair(val[i+1], val[i+2])) {
			return nil, fmt.Errorf("'%%' at position %d is not followed by two hex digits (malformed percent-encoding)", i+1)
		}
	}
	s, err := digitallink.Unescape(string(val), false)
	if err != nil {
		return nil, err
	}
	start := len(r.dec)
	r.dec = append(r.dec, s...)
	return r.dec[start:len(r.dec):len(r.dec)], nil
}

// checkCSet82 checks a Digital Link AI value: 1–20 characters of GS1's
// CSET 82.
func checkCSet82(v []byte) error {
	if len(v) == 0 || len(v) > 20 {
		return fmt.Errorf("has %d characters, want 1 to 20", len(v))
	}
	for i, c := range v {
		if !inCSet82(c) {
			return fmt.Errorf("character %q at position %d is not in GS1 CSET 82", c, i+1)
		}
	}
	return nil
}

// inCSet82 reports whether c is in GS1 CSET 82: the printable ASCII
// characters except space, '"' , '#', '$', '@', '[', '\', ']', '^', '`',
// '{', '|', '}', '~'.
func inCSet82(c byte) bool {
	if c <= ' ' || c > '~' {
		return false
	}
	switch c {
	case '"', '#', '$', '@', '[', '\\', ']', '^', '`', '{', '|', '}', '~':
		return false
	}
	return true
}

// checkDigit returns the GS1 mod-10 check digit of 13 digits.
func checkDigit(body []byte) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// parseQuery reads the query parameters the resolver honours. Numeric
// keys (Digital Link data attributes such as ?17=) are checked by the
// Digital Link parser with the path; everything else is ignored.
func (r *publicReq) parseQuery(ctx *fasthttp.RequestCtx) error {
	args := ctx.QueryArgs()
	var bad error
	hasAI := false
	for k, v := range args.All() {
		switch string(k) {
		case "linkType":
			r.linkType = v
		case "format":
			switch string(v) {
			case "json":
				r.want = wantJSON
			case "html":
				r.want = wantHTML
			case "linkset":
				r.want = wantLinkset
			default:
				bad = &errPath{fmt.Sprintf("format %q is not json, html or linkset", v)}
			}
		case "lang":
			r.lang = pickLang(b2s(v), "")
		case "region":
			// Ignored: anyone may send any region, and regions are clone
			// evidence (four values flagged a genuine item). Only a
			// trusted edge's header sets it (Config.RegionHeader).
		case "code":
			r.key = v
		default:
			if len(k) > 0 && k[0] >= '0' && k[0] <= '9' {
				hasAI = true
			}
		}
	}
	if bad != nil {
		return bad
	}
	if hasAI && r.kind == kindGTIN {
		// Data attributes: let the Digital Link parser apply every rule
		// (qualifier in the query, duplicates, value syntax).
		uri := "https://r" + string(ctx.Path()) + "?" + string(ctx.QueryArgs().QueryString())
		if _, err := digitallink.Parse(uri); err != nil {
			var de *digitallink.Error
			if errors.As(err, &de) {
				return &errPath{"invalid Digital Link: " + de.Reason + " (" + de.Segment + ")"}
			}
			return &errPath{"invalid Digital Link: " + err.Error()}
		}
	}
	return nil
}

// negotiate picks the representation from ?format=, ?linkType=linkset
// and the Accept header: browsers (text/html) get the scan page,
// application/linkset+json a linkset, other JSON the chain; no preference
// gets the page, which is this resolver's default link.
func (r *publicReq) negotiate(ctx *fasthttp.RequestCtx, explicit bool) {
	if string(r.linkType) == "linkset" || string(r.linkType) == "all" {
		r.want = wantLinkset
		r.linkType = nil
		return
	}
	if explicit {
		return
	}
	accept := ctx.Request.Header.Peek("Accept")
	switch {
	case bytes.Contains(accept, []byte("linkset+json")):
		r.want = wantLinkset
	case bytes.Contains(accept, []byte("text/html")):
		r.want = wantHTML
	case bytes.Contains(accept, []byte("json")):
		r.want = wantJSON
	default:
		r.want = wantHTML
	}
}

// classify guesses the client class from the User-Agent and what it
// asked for.
func (r *publicReq) classify(ctx *fasthttp.RequestCtx) {
	ua := ctx.Request.Header.UserAgent()
	switch {
	case bytes.Contains(ua, []byte("MicroMessenger")):
		r.class = engine.ClientWeChat
	case bytes.Contains(ua, []byte("AlipayClient")) || bytes.Contains(ua, []byte("Taobao")):
		r.class = engine.ClientAlipay
	case containsFold(ua, "bot") || containsFold(ua, "spider") || containsFold(ua, "crawl") || containsFold(ua, "preview"):
		r.class = engine.ClientBot
	case len(r.linkType) > 0 || r.want == wantLinkset:
		r.class = engine.ClientScanner
	case r.want == wantJSON:
		r.class = engine.ClientApp
	case len(ua) > 0:
		r.class = engine.ClientBrowser
	}
}

func containsFold(b []byte, lower string) bool {
	for i := 0; i+len(lower) <= len(b); i++ {
		if equalFoldASCII(b[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// queryRest is the query string without linkType, passed through on
// redirects as the resolver standard asks.
func (r *publicReq) queryRest(ctx *fasthttp.RequestCtx) []byte {
	r.rest = r.rest[:0]
	for k, v := range ctx.QueryArgs().All() {
		if string(k) == "linkType" {
			continue
		}
		if len(r.rest) > 0 {
			r.rest = append(r.rest, '&')
		}
		r.rest = fasthttp.AppendQuotedArg(r.rest, k)
		r.rest = append(r.rest, '=')
		r.rest = fasthttp.AppendQuotedArg(r.rest, v)
	}
	return r.rest
}

var clientSeed = maphash.MakeSeed()

// clientHash identifies the client for the rate limiter (see clientAddr).
func (s *Server) clientHash(ctx *fasthttp.RequestCtx) uint64 {
	return maphash.Bytes(clientSeed, s.clientAddr(ctx))
}

// clientAddr is the client's address as the server trusts it: the TCP
// peer, or with TrustForwarded the last X-Forwarded-For entry (the one our
// proxy added). The bytes are valid until the handler returns.
func (s *Server) clientAddr(ctx *fasthttp.RequestCtx) []byte {
	if s.cfg.TrustForwarded {
		if xff := ctx.Request.Header.Peek("X-Forwarded-For"); len(xff) > 0 {
			if i := bytes.LastIndexByte(xff, ','); i >= 0 {
				xff = xff[i+1:]
			}
			return bytes.TrimSpace(xff)
		}
	}
	return ctx.RemoteIP()
}

// lowerLinkType normalises "gs1:pip", "pip" and "https://gs1.org/voc/pip"
// to "gs1:pip" for comparison.
func lowerLinkType(lt []byte) string {
	s := string(lt)
	switch {
	case strings.HasPrefix(s, gs1VocBase):
		return "gs1:" + s[len(gs1VocBase):]
	case strings.HasPrefix(s, "gs1:"):
		return s
	case !strings.Contains(s, ":"):
		return "gs1:" + s
	}
	return s
}
