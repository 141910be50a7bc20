package server

import (
	"errors"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
)

// Statuses a public answer reports, worst first. The scan page's banner
// and the JSON "status" use these names.
const (
	statusNotGenuine = "not_genuine" // never issued: the item may be fake
	statusVoided     = "voided"      // rejected at printing
	statusReleased   = "released"    // returned unused, never printed
	statusRecalled   = "recalled"
	statusDestroyed  = "destroyed"
	statusExpired    = "expired"
	statusSuspicious = "suspicious" // scanned too often or in too many regions
	statusDispensed  = "dispensed"  // dispensed to a patient
	statusSold       = "sold"       // sold at retail
	statusInTransit  = "in_transit"
	statusGenuine    = "genuine"
	statusBadCode    = "bad_code" // not a valid code at all
)

// chainView is what a public answer shows about one code, filled from the
// engine; the JSON, linkset and HTML writers only lay it out.
type chainView struct {
	level   level
	found   bool   // the code (or product, or lot) exists
	status  string // one of the status… constants
	reason  string // why the code is not valid, precise, for a person
	res     engine.LookupResult
	hasLot  bool
	stats   engine.ScanStats
	scanned bool // stats are set
	chain   chainExtra
	today   uint32 // yyyymmdd in China Standard Time
}

// cst is China Standard Time, in which dates are shown and compared.
var cst = time.FixedZone("CST", 8*3600)

func ymd(t time.Time) uint32 {
	y, m, d := t.In(cst).Date()
	return uint32(y*10000 + int(m)*100 + d)
}

// public serves a resolver request of kind k.
func (s *Server) public(ctx *fasthttp.RequestCtx, k kind) {
	h := &ctx.Response.Header
	h.Set("Access-Control-Allow-Origin", "*")
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	case "OPTIONS":
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		h.Set("Allow", "GET, HEAD, OPTIONS")
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	default:
		h.Set("Allow", "GET, HEAD, OPTIONS")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "the resolver answers GET, HEAD and OPTIONS only")
		return
	}
	now := time.Now()
	if s.limiter != nil && s.limited(ctx) && !s.limiter.allow(s.clientHash(ctx), now) {
		s.m.limited.Inc()
		h.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited",
			"too many look-ups from this address; wait a second and try again")
		return
	}
	r := publicReqPool.Get()
	defer publicReqPool.Put(r)
	r.reset()
	r.kind = k
	r.lang = ""
	err := r.parseQuery(ctx)
	explicit := err == nil && ctx.QueryArgs().Has("format")
	r.negotiate(ctx, explicit)
	if r.lang == "" {
		r.lang = pickLang("", b2s(ctx.Request.Header.Peek("Accept-Language")))
	}
	if err == nil {
		err = s.parsePublicPath(ctx, r)
	}
	h.Set("Vary", "Accept, Accept-Language")
	if err != nil {
		s.m.scanStatus(statusBadCode).Inc()
		s.badCode(ctx, r, err.Error())
		return
	}
	if reg := ctx.Request.Header.Peek("X-Client-Region"); r.region == 0 && len(reg) == 6 {
		r.region = parseRegionHeader(reg)
	}
	r.classify(ctx)

	v := chainViewPool.Get()
	defer chainViewPool.Put(v)
	*v = chainView{chain: v.chain, today: ymd(now)}
	v.chain.reset()
	s.lookup(r, v, now)
	s.respond(ctx, r, v)
}

// limited reports whether the rate limit applies to ctx's client.
func (s *Server) limited(ctx *fasthttp.RequestCtx) bool {
	if s.cfg.LimitLoopback || (s.cfg.TrustForwarded && len(ctx.Request.Header.Peek("X-Forwarded-For")) > 0) {
		return true
	}
	return !ctx.RemoteIP().IsLoopback()
}

var chainViewPool = fastPool[chainView]{}

// parsePublicPath parses the path of r's kind.
func (s *Server) parsePublicPath(ctx *fasthttp.RequestCtx, r *publicReq) error {
	// The original path: Path() is percent-decoded, and a decoded %2F in
	// a lot or serial would look like a segment boundary.
	path := ctx.URI().PathOriginal()
	switch r.kind {
	case kindGTIN:
		return r.parseGTINPath(path)
	case kindSSCC:
		p := path[len("/00/"):]
		if n := len(p); n > 0 && p[n-1] == '/' {
			p = p[:n-1]
		}
		if len(p) != 18 {
			return &errPath{"SSCC " + quote(p) + " must have 18 digits (AI 00)"}
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return &errPath{"SSCC " + quote(p) + " must be digits only"}
			}
		}
		if want := checkDigit(p[1:17]); p[17] != want {
			return &errPath{"SSCC " + string(p) + " has check digit " + string(p[17]) + ", expected " + string(want)}
		}
		r.key = p
		r.level = levelItem
		r.input = append(append(r.input[:0], "https://r/00/"...), p...)
	case kindShort:
		p := path[len("/c/"):]
		if n := len(p); n > 0 && p[n-1] == '/' {
			p = p[:n-1]
		}
		if len(p) == 0 {
			return &errPath{"the short code is missing after /c/"}
		}
		r.key = p
		r.level = levelItem
		r.input = append(r.input[:0], p...)
	case kindQuery:
		if len(r.key) == 0 {
			return &errPath{"give the code to resolve as ?code=… (a Digital Link, element string, EPC, NMPA or short code)"}
		}
		r.level = levelItem
		r.input = append(r.input[:0], r.key...)
	}
	return nil
}

// lookup fills v for r: product and lot level from master data, item level
// from engine.Lookup (and the full chain where the engine offers it), and
// records the scan of a valid item.
func (s *Server) lookup(r *publicReq, v *chainView, now time.Time) {
	v.level = r.level
	if r.level != levelItem {
		s.lookupMaster(r, v)
		return
	}
	res, err := s.eng.Lookup(b2s(r.input))
	v.res = res
	v.hasLot = res.Lot.ID != 0
	if err != nil {
		v.reason = err.Error()
		switch {
		case errors.Is(err, engine.ErrBadCode):
			v.status = statusBadCode
			var le *engine.LookupError
			if errors.As(err, &le) && le.Err != nil {
				v.reason = le.Err.Error()
			}
		case errors.Is(err, engine.ErrVoided):
			v.status, v.found = statusVoided, true
		case errors.Is(err, engine.ErrReleased):
			v.status, v.found = statusReleased, true
		default: // never issued, unknown product, lot mismatch, unsupported
			v.status = statusNotGenuine
		}
		s.m.scanStatus(v.status).Inc()
		return
	}
	v.found = true
	v.status = statusGenuine
	if v.hasLot && res.Lot.Expiry != 0 && res.Lot.Expiry < v.today {
		v.status = statusExpired
	}
	s.fillChain(r, v)
	st, serr := s.scans.Record(engine.Scan{
		Ref:    engine.ScanRef{Product: res.Product.ID, Counter: res.Counter},
		Time:   now.UnixMilli(),
		Region: r.region,
		Class:  r.class,
	})
	if serr == nil {
		v.stats, v.scanned = st, true
		if st.Suspicious && v.status == statusGenuine || st.Suspicious && v.status == statusSold || st.Suspicious && v.status == statusDispensed {
			v.status = statusSuspicious
		}
	}
	s.m.scanStatus(v.status).Inc()
}

// lookupMaster fills v for a product- or lot-level path.
func (s *Server) lookupMaster(r *publicReq, v *chainView) {
	p, err := s.eng.ProductByGTIN(r.gtin)
	if err != nil {
		v.status = statusNotGenuine
		v.reason = "no registered product has GTIN " + r.gtin.String()
		return
	}
	v.res.Product = p
	if o, err := s.eng.Org(p.Org); err == nil {
		v.res.Org = o
	}
	v.found, v.status = true, statusGenuine
	if r.level == levelLot {
		l, err := s.eng.LotByNumber(p.ID, string(r.lot))
		if err != nil {
			v.found = false
			v.status = statusNotGenuine
			v.reason = "product " + r.gtin.String() + " has no lot " + quote(r.lot)
			return
		}
		v.res.Lot, v.hasLot = l, true
		if l.Expiry != 0 && l.Expiry < v.today {
			v.status = statusExpired
		}
		s.fillLotChain(v)
	}
}

// respond writes v in the representation r asked for.
func (s *Server) respond(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	if v.status == statusBadCode {
		s.badCode(ctx, r, v.reason)
		return
	}
	if len(r.linkType) > 0 {
		s.redirectLinkType(ctx, r, v)
		return
	}
	switch r.want {
	case wantLinkset:
		s.writeLinkset(ctx, r, v)
	case wantJSON:
		s.writeChainJSON(ctx, r, v)
	default:
		s.writePage(ctx, r, v)
	}
}

// httpStatus is the HTTP status of a public answer with v.
func (v *chainView) httpStatus() int {
	switch v.status {
	case statusBadCode:
		return fasthttp.StatusBadRequest
	case statusNotGenuine:
		return fasthttp.StatusNotFound
	case statusVoided, statusReleased:
		return fasthttp.StatusGone
	}
	return fasthttp.StatusOK
}

// badCode answers a malformed request: 400, as a page or a problem.
func (s *Server) badCode(ctx *fasthttp.RequestCtx, r *publicReq, detail string) {
	if r.want == wantHTML && len(r.linkType) == 0 {
		v := &chainView{status: statusBadCode, reason: detail, level: levelItem}
		s.writePage(ctx, r, v)
		return
	}
	problem(ctx, fasthttp.StatusBadRequest, "bad-code", detail)
}

func quote(b []byte) string { return `"` + string(b) + `"` }

func parseRegionHeader(b []byte) uint32 {
	var n uint32
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + uint32(c-'0')
	}
	if n < 110000 || n > 829999 {
		return 0
	}
	return n
}
