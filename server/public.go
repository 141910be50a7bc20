package server

import (
	"errors"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/scanlog"
)

// shortStep strips the CBV prefix of a business step
// ("urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"),
// and reduces a deployment's own step URI to its last path segment
// ("https://tracecode.example/epcis/bizstep/filling" → "filling").
func shortStep(s string) string {
	switch {
	case strings.HasPrefix(s, "urn:epcglobal:cbv:") || strings.HasPrefix(s, "https://ref.gs1.org/cbv/"):
		if i := strings.LastIndexAny(s, ":-"); i >= 0 {
			return s[i+1:]
		}
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "urn:"):
		if i := strings.LastIndexAny(s, "/:"); i >= 0 && i+1 < len(s) {
			return s[i+1:]
		}
	}
	return s
}

// Statuses the server itself acts on (the others it only renders): the
// engine's public statuses, whose mapping lives in the engine.
const (
	statusBadCode    = resolve.PublicBadCode
	statusNotGenuine = resolve.PublicNotGenuine
	statusVoided     = resolve.PublicVoided
	statusReleased   = resolve.PublicReleased
	statusRecalled   = resolve.PublicRecalled
	statusSuspicious = resolve.PublicSuspicious
)

// chainView is what a public answer shows about one code, filled from the
// engine; the JSON, linkset and HTML writers only lay it out.
type chainView struct {
	level   level
	found   bool // the code (or product, or lot) exists
	status  resolve.PublicStatus
	reason  string // why the code is not valid, precise, for a person
	res     model.LookupResult
	hasLot  bool
	stats   scanlog.Stats
	scanned bool // stats are set
	chain   chainExtra
	today   uint32        // yyyymmdd in the engine's business-day clock
	ch      resolve.Chain // the engine's answer, reused across requests
	unit    bool          // the code is an SSCC logistic unit
	// engineStatus is the engine's own status name (active, issued, …).
	engineStatus string
	gen          uint64               // response-cache generation read before resolving
	ref          scanlog.Ref          // what the scan was counted under
	baseStatus   resolve.PublicStatus // status before the scan counts
	// failed is an error of the server's (the store's I/O, a closed
	// engine), not of the code: answered 500/503, never shown as a
	// "bad code" with its internal text.
	failed error
}

// public serves a resolver request of kind k.
func (s *Server) public(ctx *fasthttp.RequestCtx, k kind) {
	h := &ctx.Response.Header
	h.SetCanonical(hdrACAO, valStar)
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	case "OPTIONS":
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		h.Set("Allow", "GET, HEAD, OPTIONS")
		s.setLinksetHeader(ctx)
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	default:
		h.Set("Allow", "GET, HEAD, OPTIONS")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "the resolver answers GET, HEAD and OPTIONS only")
		return
	}
	now := s.eng.Now()
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
	err := r.parseQuery(ctx)
	explicit := err == nil && ctx.QueryArgs().Has("format")
	r.negotiate(ctx, explicit)
	if r.lang == "" && r.want == wantHTML {
		r.lang = pickLang("", b2s(ctx.Request.Header.Peek("Accept-Language")))
	}
	if err == nil {
		err = s.parsePublicPath(ctx, r)
	}
	h.SetCanonical(hdrVary, valVary)
	if err != nil {
		s.m.scanStatus(statusBadCode).Inc()
		s.badCode(ctx, r, err.Error())
		return
	}
	if s.cfg.RegionHeader != "" {
		if reg := ctx.Request.Header.Peek(s.cfg.RegionHeader); len(reg) == 6 {
			r.region = parseRegionHeader(reg)
		}
	}
	r.classify(ctx)
	r.client = scanlog.ClientOf(s.clientAddr(ctx), r.class)

	// One clock read a scan: the engine's (Options.Now) stamps the scan
	// and gives the business day the cache and the verdicts use.
	today := s.eng.DayOf(now.UnixMilli())
	if s.cache != nil && r.want == wantJSON && len(r.linkType) == 0 && r.level == levelItem {
		if e := s.cache.get(r.input, today); e != nil {
			st, err := s.recordScan(scanlog.Scan{Ref: e.ref, Time: now.UnixMilli(), Region: r.region, Class: r.class, Client: r.client})
			s.writeCachedJSON(ctx, e, st, err == nil)
			return
		}
	}
	v := chainViewPool.Get()
	defer chainViewPool.Put(v)
	*v = chainView{chain: v.chain, ch: v.ch, today: today}
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

// Header names and values set on every public answer, pre-built so that
// setting them skips fasthttp's key normalisation.
var (
	hdrACAO = []byte("Access-Control-Allow-Origin")
	valStar = []byte("*")
	hdrVary = []byte("Vary")
	valVary = []byte("Accept, Accept-Language")
)

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
		if err := aiSSCC.Validate(b2s(p)); err != nil {
			return &errPath{"SSCC " + string(p) + ": " + aiReason(err)}
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
	c := &v.ch
	if s.cache != nil {
		v.gen = s.cache.gens.start()
	}
	var err error
	if pc, ok := r.parsedCode(); ok {
		err = s.eng.ResolveCodeInto(c, b2s(r.input), &pc)
	} else {
		err = s.eng.ResolveInto(c, b2s(r.input))
	}
	if err != nil {
		v.status = statusBadCode
		v.reason = err.Error()
		var le *model.LookupError
		if !errors.As(err, &le) && !errors.Is(err, model.ErrInvalid) {
			v.failed = err
			return
		}
		if le != nil {
			if le.Err != nil {
				v.reason = le.Err.Error()
			}
			if errors.Is(err, model.ErrUnsupportedCode) || errors.Is(err, model.ErrNoSerial) {
				v.status = statusNotGenuine
			}
		}
		s.m.scanStatus(v.status).Inc()
		return
	}
	v.fromChain(c)
	switch r.kind {
	case kindGTIN, kindSSCC:
		v.res.Format = code.FormatDigitalLink
	case kindShort:
		v.res.Format = code.FormatShort
	default:
		v.res.Format = code.Detect(c.Input)
	}
	if !v.found {
		s.m.scanStatus(v.status).Inc()
		return
	}
	s.fillChain(v, false)
	v.ref = scanlog.Ref{Product: c.Node.Product, Counter: c.Node.Counter}
	v.baseStatus = v.status
	st, serr := s.recordScan(scanlog.Scan{
		Ref:    v.ref,
		Time:   now.UnixMilli(),
		Region: r.region,
		Class:  r.class,
		Client: r.client,
	})
	if serr == nil {
		v.stats, v.scanned = st, true
		v.status = v.status.WithScans(&st)
	}
	s.m.scanStatus(v.status).Inc()
}

// fromChain fills v's identity, master data and status from a resolved
// chain. Strings alias c's buffers: valid until the next ResolveInto on c.
func (v *chainView) fromChain(c *resolve.Chain) {
	v.reason = c.Reason
	if c.Status == resolve.StatusNeverIssued {
		// The engine's reason names key generations and counters: useful
		// to an operator (tracecode resolve), a hint to a forger. The
		// public is told only what matters to them.
		v.reason = "code never issued by a registered producer"
	}
	v.unit = c.IsUnit
	if c.Product != nil {
		v.res.Product = *c.Product
	}
	if c.Org != nil {
		v.res.Org = *c.Org
	}
	if c.Lot != nil {
		v.res.Lot, v.hasLot = *c.Lot, true
	}
	if c.Block != nil {
		v.res.Block = *c.Block
		v.res.Scheme = c.Block.Scheme
	}
	if c.IsUnit {
		v.res.Block.Level = c.Level
	}
	v.res.Serial = b2s(c.Serial)
	v.res.Counter, v.res.Offset = c.Node.Counter, c.Offset
	v.status = c.Public()
	v.found = v.status != statusNotGenuine
	v.engineStatus = c.Status.String()
}

// lookupMaster fills v for a product- or lot-level path.
func (s *Server) lookupMaster(r *publicReq, v *chainView) {
	p, err := s.eng.Issuance().ProductByGTIN(r.gtin)
	if err != nil {
		v.status = statusNotGenuine
		v.reason = "no registered product has GTIN " + r.gtin.String()
		return
	}
	v.res.Product = p
	if o, err := s.eng.Issuance().Org(p.Org); err == nil {
		v.res.Org = o
	}
	v.found = true
	var cs resolve.ClassStatus
	if r.level == levelLot {
		l, lerr := s.eng.Issuance().LotByNumber(p.ID, string(r.lot))
		if lerr != nil {
			if r.defaultReq || r.want == wantLinkset || len(r.linkType) > 0 {
				// GS1 resolvers walk up: a lot this store does not know
				// still has its product's links. The chain and the
				// page (JSON, HTML) keep saying the lot is unknown.
				v.level = levelProduct
				cs, err = s.eng.Reports().Resolver().ClassStatus(0, p.ID)
				if err != nil {
					s.log.Error("reading a product's status", "product", p.ID, "err", err)
				}
				v.status = cs.Status
				return
			}
			v.found = false
			v.status = statusNotGenuine
			v.reason = "product " + r.gtin.String() + " has no lot " + quote(r.lot)
			return
		}
		v.res.Lot, v.hasLot = l, true
		cs, err = s.eng.Reports().Resolver().LotStatus(&l)
	} else {
		cs, err = s.eng.Reports().Resolver().ClassStatus(0, p.ID)
	}
	if err != nil {
		s.log.Error("reading a lot's or product's status", "product", p.ID, "err", err)
	}
	v.status = cs.Status
	if cs.Status == statusRecalled {
		x := &v.chain
		x.recalled, x.recallSince, x.recallReason = true, cs.Recall.Time, cs.RecallReason
	}
}

// respond writes v in the representation r asked for.
func (s *Server) respond(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	if v.failed != nil {
		s.serverFailure(ctx, "resolve", v.failed)
		return
	}
	if v.status == statusBadCode {
		s.badCode(ctx, r, v.reason)
		return
	}
	if len(r.linkType) > 0 {
		s.redirectLinkType(ctx, r, v)
		return
	}
	if r.defaultReq {
		// The resolver standard's default request (no Accept preference,
		// or one naming neither HTML nor JSON): redirect to the most
		// specific default link. A browser asking for text/html gets that
		// page in place, saving the scan a round trip.
		r.linkType = append(r.linkType[:0], "gs1:defaultLink"...)
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
func (v *chainView) httpStatus() int { return httpStatus(v.status) }

// httpStatus is the HTTP status of a public answer of status. A status
// that gives way to "suspicious" (suspectable) has the same HTTP status
// as "suspicious", so a cached answer's comes from its base status.
func httpStatus(status resolve.PublicStatus) int {
	switch status {
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
