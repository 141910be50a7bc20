package server

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code"
	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/gs1"
	"tracecode/engine/scanlog"
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
	// defaultReq is set when the client named no representation (no
	// ?format=, no linkType, an Accept naming neither text/html nor JSON,
	// such as */* or none): the resolver standard's default request,
	// answered with a redirect to the default link.
	defaultReq bool
	lang       string // "zh" or "en"
	region     uint32 // coarse GB/T 2260 location from Config.RegionHeader; 0 = unknown
	client     uint32 // scanlog.ClientOf of the client's address and class
	class      scanlog.ClientClass
	rest       []byte         // the query string without linkType, for redirects
	dec        []byte         // storage for percent-decoded values
	els        [3]gs1.Element // storage for parsedCode's elements
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

// The AIs of a resolver path, from the GS1 AI table: their Validate is
// the rule the Digital Link parser applies to each value (length,
// character set, check digit), allocation-free when the value is valid.
var (
	aiGTIN   = mustAI("01")
	aiSSCC   = mustAI("00")
	aiCPV    = mustAI("22")
	aiLot    = mustAI("10")
	aiSerial = mustAI("21")
)

func mustAI(code string) *gs1.AI {
	a, ok := gs1.LookupAI(code)
	if !ok {
		panic("gs1 AI table has no AI (" + code + ")")
	}
	return a
}

// aiReason is what is wrong with a value gs1.AI.Validate rejected, in
// words with the position and, for a check digit, the expected digit.
func aiReason(err error) string {
	var ae *gs1.AIError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return err.Error()
}

// parseGTINPath parses /01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}] with
// the Digital Link rules: URI characters only, a valid GTIN-14, qualifiers at most once each and
// in this order, each value valid for its AI in the GS1 AI table (AI 22,
// 10 and 21: 1–20 characters of CSET 82), percent-encoding allowed. One
// trailing slash is tolerated, as the resolver standard asks. Anything
// else is an *errPath naming the segment at fault.
func (r *publicReq) parseGTINPath(path []byte) error {
	if i := digitallink.BadURIChar(b2s(path)); i >= 0 {
		return &errPath{fmt.Sprintf("character %q at position %d may not appear in a URI; percent-encode it", path[i], i+1)}
	}
	p := path[len("/01/"):]
	if n := len(p); n > 0 && p[n-1] == '/' {
		p = p[:n-1]
		if n > 1 && p[n-2] == '/' {
			return &errPath{fmt.Sprintf("the path ends in an empty segment at position %d (one trailing '/' at most)", len(path)-1)}
		}
	}
	seg, p, _ := bytes.Cut(p, slash)
	if len(seg) != 14 {
		return &errPath{fmt.Sprintf("GTIN %q must have 14 digits (AI 01 in a Digital Link path)", seg)}
	}
	if err := aiGTIN.Validate(b2s(seg)); err != nil {
		return &errPath{fmt.Sprintf("GTIN %s: %s", seg, aiReason(err))}
	}
	copy(r.gtin[:], seg)
	r.level = levelProduct
	last := 0 // order of the previous qualifier: 22 → 1, 10 → 2, 21 → 3
	for len(p) > 0 {
		var ai, val []byte
		var more bool
		ai, p, more = bytes.Cut(p, slash)
		if !more {
			return &errPath{fmt.Sprintf("key qualifier %q has no value", ai)}
		}
		val, p, _ = bytes.Cut(p, slash)
		var order int
		var spec *gs1.AI
		switch string(ai) {
		case "22":
			order, spec = 1, aiCPV
		case "10":
			order, spec = 2, aiLot
		case "21":
			order, spec = 3, aiSerial
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
		if err := spec.Validate(b2s(v)); err != nil {
			return &errPath{fmt.Sprintf("AI (%s) value %q: %s", ai, v, aiReason(err))}
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

var slash = []byte{'/'}

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
	start := len(r.dec)
	out, bad := digitallink.AppendUnescape(r.dec, b2s(val), false)
	if bad >= 0 {
		_, err := digitallink.Unescape(b2s(val), false) // the parser's error for a %00
		return nil, err
	}
	r.dec = out
	return r.dec[start:len(r.dec):len(r.dec)], nil
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
		r.defaultReq = true
	}
}

// classify guesses the client class from the User-Agent and what it
// asked for.
func (r *publicReq) classify(ctx *fasthttp.RequestCtx) {
	ua := ctx.Request.Header.UserAgent()
	switch {
	case bytes.Contains(ua, []byte("MicroMessenger")):
		r.class = scanlog.ClientWeChat
	case bytes.Contains(ua, []byte("AlipayClient")) || bytes.Contains(ua, []byte("Taobao")):
		r.class = scanlog.ClientAlipay
	case containsFold(ua, "bot") || containsFold(ua, "spider") || containsFold(ua, "crawl") || containsFold(ua, "preview"):
		r.class = scanlog.ClientBot
	case len(r.linkType) > 0 || r.want == wantLinkset:
		r.class = scanlog.ClientScanner
	case r.want == wantJSON:
		r.class = scanlog.ClientApp
	case len(ua) > 0:
		r.class = scanlog.ClientBrowser
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
