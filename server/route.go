package server

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
)

// route is one served (method, path pattern). Public routes are dispatched
// by hand in handle; /v1 routes by match. The table is also what the
// OpenAPI test compares docs/openapi.yaml with.
type route struct {
	method  string
	pattern string // "/v1/blocks/{block}/codes"; {name} matches one segment
	metric  string // Prometheus route label; several patterns may share one
	public  bool   // no API key needed
	// scopes: the key needs at least one of them; 0 = any valid key.
	scopes apikey.Scope
	// keepsCache marks a write that changes no existing code's chain
	// (minting, master data, keys): it does not invalidate cached answers.
	keepsCache bool
	// announced marks a write made through the engine's report chain,
	// which announces what it changed (Engine.OnChanged, Server.changed):
	// it does not invalidate every cached answer itself.
	announced bool
	h         func(s *Server, c *call)

	segs []string    // pattern split on '/', without the leading ""
	m    *routeStats // this route's metric series
}

// call is an authenticated /v1 request being served.
type call struct {
	s   *Server
	ctx *fasthttp.RequestCtx
	r   *route
	// wctx is the context of the engine write a non-GET route makes: it
	// ends Config.RequestTimeout after the route starts (nil for GET).
	wctx context.Context
	key  apikey.Key
	// acct is the console account acting through key (nil: an API key).
	acct *account.Account
	np   int
	pv   [4][]byte // path parameter values in pattern order; valid until the handler returns
}

// routeTable lists every route the server serves.
func (s *Server) routeTable() []*route {
	rs := []*route{
		// Public resolver. The GTIN paths are one hand-parsed route; each
		// shape is listed for the documentation.
		{method: "GET", pattern: "/01/{gtin}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/01/{gtin}/10/{lot}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/01/{gtin}/21/{serial}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/01/{gtin}/10/{lot}/21/{serial}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/01/{gtin}/22/{cpv}/10/{lot}/21/{serial}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/01/{gtin}/22/{cpv}/21/{serial}", metric: "resolve_gtin", public: true},
		{method: "GET", pattern: "/00/{sscc}", metric: "resolve_sscc", public: true},
		{method: "GET", pattern: "/c/{short}", metric: "resolve_short", public: true},
		{method: "GET", pattern: "/resolve", metric: "resolve_query", public: true},
		{method: "GET", pattern: "/", metric: "home", public: true},
		{method: "GET", pattern: "/.well-known/gs1resolver", metric: "gs1resolver", public: true},
		{method: "GET", pattern: "/linkset-context.jsonld", metric: "linkset_context", public: true},
		{method: "GET", pattern: "/healthz", metric: "healthz", public: true},
		{method: "GET", pattern: "/readyz", metric: "readyz", public: true},
		{method: "GET", pattern: "/metrics", metric: "metrics", public: true},
		{method: "GET", pattern: "/v1/regions/{code}", metric: "regions", public: true},
		{method: "GET", pattern: "/recalls", metric: "recalls", public: true},
		{method: "GET", pattern: "/recalls.atom", metric: "recalls", public: true},
		{method: "GET", pattern: "/recalls/{recall}/ack", metric: "recall_ack", public: true},
		{method: "POST", pattern: "/recalls/{recall}/ack", metric: "recall_ack", public: true},

		// Authenticated API.
		{method: "GET", pattern: "/v1/me", h: (*Server).apiMe},
		{method: "GET", pattern: "/v1/orgs", h: (*Server).apiListOrgs},
		{method: "POST", pattern: "/v1/orgs", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiCreateOrg},
		{method: "GET", pattern: "/v1/orgs/{org}", h: (*Server).apiGetOrg},
		{method: "POST", pattern: "/v1/orgs/{org}/prefixes", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiGrantPrefix},
		{method: "GET", pattern: "/v1/products", h: (*Server).apiListProducts},
		{method: "POST", pattern: "/v1/products", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiCreateProduct},
		{method: "GET", pattern: "/v1/products/{product}", h: (*Server).apiGetProduct},
		{method: "GET", pattern: "/v1/products/{product}/lots", h: (*Server).apiListLots},
		{method: "POST", pattern: "/v1/products/{product}/lots", scopes: apikey.ScopeAdmin | apikey.ScopeMint, keepsCache: true, h: (*Server).apiCreateLot},
		{method: "GET", pattern: "/v1/lots/{lot}", h: (*Server).apiGetLot},
		{method: "GET", pattern: "/v1/blocks", h: (*Server).apiListBlocks},
		{method: "POST", pattern: "/v1/blocks", scopes: apikey.ScopeMint, keepsCache: true, h: (*Server).apiMint},
		{method: "GET", pattern: "/v1/blocks/{block}", h: (*Server).apiGetBlock},
		{method: "GET", pattern: "/v1/blocks/{block}/codes", scopes: apikey.ScopeMint | apikey.ScopeAdmin, h: (*Server).apiBlockCodes},
		{method: "GET", pattern: "/v1/blocks/{block}/labels", scopes: apikey.ScopeMint | apikey.ScopeAdmin, h: (*Server).apiBlockLabels},
		{method: "POST", pattern: "/v1/blocks/{block}/release", announced: true, scopes: apikey.ScopeMint | apikey.ScopeReport, h: (*Server).apiRelease},
		{method: "POST", pattern: "/v1/blocks/{block}/void", announced: true, scopes: apikey.ScopeMint | apikey.ScopeReport, h: (*Server).apiVoidBlock},
		{method: "GET", pattern: "/v1/stats", h: (*Server).apiStats},
		{method: "GET", pattern: "/v1/keys", scopes: apikey.ScopeAdmin, h: (*Server).apiListKeys},
		{method: "POST", pattern: "/v1/keys", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiCreateKey},
		{method: "DELETE", pattern: "/v1/keys/{key}", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiRevokeKey},
	}
	rs = append(rs, s.traceRoutes()...)
	rs = append(rs, s.scanRoutes()...)
	rs = append(rs, s.userRoutes()...)
	rs = append(rs, s.noticeRoutes()...)
	rs = append(rs, s.creditRoutes()...)
	rs = append(rs, s.epcisQueryRoutes()...)
	rs = append(rs, s.epcisSubscriptionRoutes()...)
	rs = append(rs, s.exportRoutes()...)
	rs = append(rs, s.captureJobRoutes()...)
	rs = append(rs, s.sectorRoutes()...)
	rs = append(rs, s.spotRoutes()...)
	rs = append(rs, s.openRoutes()...)
	rs = append(rs, s.complaintRoutes()...)
	rs = append(rs, s.siteRoutes()...)
	rs = append(rs, amendRoutes()...)
	rs = append(rs, s.drugExportRoutes()...)
	rs = append(rs, oneStopRoutes()...)
	for _, r := range rs {
		r.segs = strings.Split(strings.TrimPrefix(r.pattern, "/"), "/")
		if r.metric == "" {
			r.metric = strings.ToLower(r.method) + " " + r.pattern
		}
	}
	return rs
}

// routeNames returns the distinct metric labels, plus "not_found" and
// "panic" (a request that ended in a recovered panic).
func (s *Server) routeNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, r := range append(s.routes, &route{metric: "console"}, &route{metric: "replica_redirect"}, &route{metric: "not_found"}, &route{metric: "panic"}) {
		if !seen[r.metric] {
			seen[r.metric] = true
			names = append(names, r.metric)
		}
	}
	return names
}

// match finds the /v1 route for method and path and fills c's path
// parameters. When the path matches only under other methods it returns
// nil and those methods (for 405 and Allow).
func (s *Server) match(method, path []byte, c *call) (*route, string) {
	var allow []string
	for _, r := range s.routes {
		if r.public {
			continue
		}
		np, ok := matchSegs(r.segs, path, &c.pv)
		if !ok {
			continue
		}
		if string(method) == r.method || (r.method == "GET" && string(method) == "HEAD") {
			c.np = np
			return r, ""
		}
		allow = append(allow, r.method)
	}
	return nil, strings.Join(allow, ", ")
}

// matchSegs matches path against a pattern's segments, storing parameter
// values (slices of path) in pv.
func matchSegs(segs []string, path []byte, pv *[4][]byte) (int, bool) {
	if len(path) == 0 || path[0] != '/' {
		return 0, false
	}
	rest := path[1:]
	np := 0
	for i, seg := range segs {
		if seg == "{code}" && i == len(segs)-1 {
			// A code may hold slashes (a Digital Link path): it takes
			// the rest of the path.
			if len(rest) == 0 || np == len(pv) {
				return 0, false
			}
			pv[np] = rest
			return np + 1, true
		}
		j := bytes.IndexByte(rest, '/')
		var cur []byte
		if j < 0 {
			cur, rest = rest, nil
			if i != len(segs)-1 {
				return 0, false
			}
		} else {
			cur, rest = rest[:j], rest[j+1:]
			if i == len(segs)-1 {
				return 0, false
			}
		}
		if len(seg) > 2 && seg[0] == '{' {
			if len(cur) == 0 || np == len(pv) {
				return 0, false
			}
			pv[np] = cur
			np++
		} else if string(cur) != seg {
			return 0, false
		}
	}
	return np, true
}

// handle is the server's one request handler.
func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	if !s.inflight.enter() {
		ctx.SetConnectionClose()
		problem(ctx, fasthttp.StatusServiceUnavailable, "shutting-down", "the server is shutting down; retry on another instance")
		return
	}
	defer s.inflight.leave()
	start := time.Now()
	defer func() {
		if v := recover(); v != nil {
			s.recoverPanic(ctx, v)
			s.m.route("panic").observe(ctx.Response.StatusCode(), start)
		}
	}()
	st := s.dispatch(ctx)
	st.observe(ctx.Response.StatusCode(), start)
}

// dispatch serves ctx and returns the metric series to count it under.
func (s *Server) dispatch(ctx *fasthttp.RequestCtx) *routeStats {
	if dotSegment(ctx.URI().PathOriginal()) {
		problem(ctx, fasthttp.StatusBadRequest, "bad-path",
			"the path "+quote(truncateBytes(ctx.URI().PathOriginal(), maxEcho))+" has a \".\" or \"..\" segment (literal or percent-encoded); send the path without it")
		return s.m.route("not_found")
	}
	if s.cfg.Replica != nil && !readMethod(ctx.Method()) {
		s.redirectToWriter(ctx)
		return s.m.route("replica_redirect")
	}
	path := ctx.Path()
	if len(path) >= 4 && path[0] == '/' {
		switch {
		case path[1] == '0' && path[2] == '1' && path[3] == '/':
			s.public(ctx, kindGTIN)
			return s.m.route("resolve_gtin")
		case path[1] == '0' && path[2] == '0' && path[3] == '/':
			s.public(ctx, kindSSCC)
			return s.m.route("resolve_sscc")
		case path[1] == 'c' && path[2] == '/':
			s.public(ctx, kindShort)
			return s.m.route("resolve_short")
		case path[1] == 'v' && path[2] == '1' && path[3] == '/':
			if string(path) == "/v1/search" {
				s.serveSearch(ctx, true)
				return s.m.route("search")
			}
			if servesComplaintPublic(ctx.Method(), path) {
				return s.serveComplaintPublic(ctx)
			}
			if hasPrefix(path, regionsPrefix) {
				s.serveRegion(ctx, path[len(regionsPrefix):])
				return s.m.route("regions")
			}
			return s.serveAPI(ctx, path)
		}
	}
	if hasPrefix(path, consolePrefix) && (len(path) == len(consolePrefix) || path[len(consolePrefix)] == '/') {
		return s.serveConsole(ctx)
	}
	if hasPrefix(path, recallAckPrefix) {
		return s.serveRecallAck(ctx, path)
	}
	if hasPrefix(path, "/open") && (len(path) == len("/open") || path[len("/open")] == '/') {
		s.serveOpen(ctx)
		return s.m.route("opendata")
	}
	if key, ok := bytes.CutPrefix(path, []byte("/enterprise/")); ok && len(key) > 0 && bytes.IndexByte(key, '/') < 0 {
		s.serveEnterprise(ctx, string(key))
		return s.m.route("enterprise")
	}
	if name, ok := bytes.CutPrefix(path, []byte("/assets/")); ok {
		s.serveAsset(ctx, string(name))
		return s.m.route("assets")
	}
	switch string(path) {
	case "/":
		s.serveHome(ctx)
		return s.m.route("home")
	case "/search":
		s.serveSearch(ctx, false)
		return s.m.route("search")
	case "/resolve":
		s.public(ctx, kindQuery)
		return s.m.route("resolve_query")
	case "/report", "/report/status":
		return s.serveReport(ctx)
	case "/blacklist":
		s.serveBlacklist(ctx)
		return s.m.route("blacklist")
	case "/recalls", "/recalls.atom":
		s.serveRecalls(ctx, string(path) == "/recalls.atom")
		return s.m.route("recalls")
	case "/spotchecks":
		s.serveSpotChecks(ctx)
		return s.m.route("spotchecks")
	case "/.well-known/gs1resolver":
		s.serveDescription(ctx)
		return s.m.route("gs1resolver")
	case linksetContextPath:
		s.serveLinksetContext(ctx)
		return s.m.route("linkset_context")
	case "/healthz":
		s.serveHealthz(ctx)
		return s.m.route("healthz")
	case "/readyz":
		s.serveReadyz(ctx)
		return s.m.route("readyz")
	case "/metrics":
		// The Prometheus adaptor reads the whole request body into
		// memory: refuse any.
		if m := string(ctx.Method()); (m != "GET" && m != "HEAD") || hasBody(ctx) {
			ctx.Response.Header.Set("Allow", "GET, HEAD")
			ctx.SetConnectionClose()
			problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "/metrics answers GET and HEAD without a body")
		} else {
			s.m.handler(ctx)
		}
		return s.m.route("metrics")
	}
	if st := s.serveCompressed(ctx); st != nil {
		return st
	}
	problem(ctx, fasthttp.StatusNotFound, "no-route",
		"no route "+string(ctx.Method())+" "+string(path)+"; the public resolver serves /01/…, /00/…, /c/…, compressed Digital Links /{segment} and /resolve?code=, the API /v1/…")
	return s.m.route("not_found")
}

// serveAPI authenticates and dispatches a /v1 request.
func (s *Server) serveAPI(ctx *fasthttp.RequestCtx, path []byte) *routeStats {
	c := call{s: s, ctx: ctx}
	r, allow := s.match(ctx.Method(), path, &c)
	if r == nil {
		if allow != "" {
			ctx.Response.Header.Set("Allow", allow)
			problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed",
				string(ctx.Method())+" is not allowed on "+string(path)+"; allowed: "+allow)
		} else {
			problem(ctx, fasthttp.StatusNotFound, "no-route", "no API route "+string(ctx.Method())+" "+string(path)+"; see docs/api.md")
		}
		return s.m.route("not_found")
	}
	start := time.Now()
	c.r = r
	// Only the headers (and at most 8 KiB of the body) have been read:
	// the key and its scope are checked before the handler reads the body.
	key, ok := s.authenticate(ctx)
	if ok && !s.permitted(key, r.scopes) {
		problem(ctx, fasthttp.StatusForbidden, "scope",
			"this API key ("+key.Scopes.String()+") lacks the scope this route needs: one of "+r.scopes.String())
		ok = false
	}
	if ok && r.method != "GET" && s.writeLimiter != nil && !s.writeLimiter.allow(key.ID, start) {
		// Per key, not per address: one tenant's burst of writes (mints
		// taking a shared space, captures holding the report lock) cannot
		// starve the others, wherever it sends them from.
		s.m.writeLimited.Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited",
			fmt.Sprintf("this API key made more than %g writes per second (burst %d); wait a second and try again",
				s.cfg.WriteRateLimit, s.cfg.WriteRateBurst))
		ok = false
	}
	if ok && r.method != "GET" && key.Org != 0 && s.orgWriteLimiter != nil && !s.orgWriteLimiter.allow(uint64(key.Org), start) {
		s.m.writeLimited.Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited",
			fmt.Sprintf("the keys of organisation %d made more than %g writes per second together (burst %d); wait a second and try again",
				key.Org, s.cfg.OrgWriteRateLimit, s.cfg.OrgWriteRateBurst))
		ok = false
	}
	if !ok && hasBody(ctx) {
		// Do not drain a refused body to keep the connection.
		ctx.SetConnectionClose()
	}
	if ok {
		c.key = key
		if r.method != "GET" {
			var cancel context.CancelFunc
			c.wctx, cancel = context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
			defer cancel()
		}
		r.h(s, &c)
		if r.method != "GET" && !r.keepsCache && !r.announced {
			s.invalidate() // a report: cached answers may be stale
		}
	}
	if s.cfg.AccessLog {
		s.log.Info("api", "method", string(ctx.Method()), "path", string(path), "status", ctx.Response.StatusCode(),
			"key", keyIDString(c.key.ID), "org", c.key.Org, "ms", float64(time.Since(start).Microseconds())/1000)
	}
	return r.m
}

// permitted reports whether key may use a route needing any of scopes. The
// operator's key (admin of organisation 0) may use everything.
func (s *Server) permitted(key apikey.Key, scopes apikey.Scope) bool {
	if key.Org == 0 && key.Scopes.Has(apikey.ScopeAdmin) {
		return true
	}
	return scopes == 0 || key.Scopes&scopes != 0
}
