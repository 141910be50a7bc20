// Package server is tracecode's HTTP face, on valyala/fasthttp: the public
// resolver that consumers and inspectors scan (GS1 Digital Link paths,
// short codes, any code through /resolve; an HTML scan page, JSON, RFC 9264
// linksets and linkType redirects by the GS1 resolver rules), the
// authenticated /v1 JSON API for printing lines, warehouses, pharmacies,
// producers and regulators, and the operations endpoints (/healthz,
// /readyz, /metrics).
//
// # Hot path
//
// The resolver route is dispatched by hand (no router), its path parsed in
// place, its JSON appended into a pooled buffer; a scan is counted in
// memory and written later by scanlog.Log. BenchmarkResolveJSON and
// TestResolveAllocs keep it honest.
//
// # Lifetime rule
//
// fasthttp reuses a RequestCtx and every byte slice it hands out (path,
// headers, body) once the handler returns: handlers copy what they keep.
// Code streams parse every argument before SetBodyStreamWriter, whose
// writer must not touch the ctx.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/complaint"
	"tracecode/engine/notice"
	"tracecode/engine/scanlog"
)

// Server serves one engine. Create it with New, run it with Serve or
// ListenAndServe, stop it with Shutdown.
type Server struct {
	cfg  Config
	eng  *engine.Engine
	keys *apikey.Keys
	// accounts are people's accounts, sessions and the audit log.
	accounts *account.Store
	scans    *scanlog.Log
	log      *slog.Logger
	m        *metrics
	limiter  *rateLimiter
	// writeLimiter limits /v1 writes per API key (nil: no limit).
	writeLimiter *rateLimiter
	// orgWriteLimiter limits /v1 writes per organisation (nil: no limit).
	orgWriteLimiter *rateLimiter
	// loginLimiter limits console logins per client address (nil: no
	// limit).
	loginLimiter *rateLimiter
	// complaintLimiter caps complaint submissions per client address.
	complaintLimiter *rateLimiter
	srv              *fasthttp.Server
	// largeBodies holds a token for each request body over MaxBodyBytes
	// being read (see acquireLargeBody).
	largeBodies chan struct{}
	routes      []*route   // the /v1 table and the public routes, for dispatch and docs
	cache       *respCache // nil when Config.CacheEntries < 0
	// pageCache keeps the lower part of scan pages, zh and en; nil when
	// Config.CacheEntries < 0. It shares cache's generation.
	pageCache *[2]*respCache
	// banners keeps rendered scan-page banners; nil when caching is off.
	banners *bannerCache
	// frags keeps the encoded product, producer and lot members of
	// answers, by record revision (always on: it holds master data only).
	frags     *fragCache
	nodeCodes nodeCodes

	// inflight is the requests being handled; Shutdown waits for them.
	inflight *drain

	ready   atomic.Bool
	stopped atomic.Bool
	started time.Time
	// diskStart is the store's disk usage when the server started.
	diskStart uint64
}

// New returns a server over eng. The server owns the scan log it opens on
// eng's store (closed by Shutdown); eng itself stays the caller's to close,
// after Shutdown.
func New(eng *engine.Engine, cfg Config) (*Server, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Region names appear on scan pages and in answers: decode the
	// division tree (tens of milliseconds, BenchmarkRegionTreeDecode) before
	// the first request rather than during it.
	cn.LoadDivisions()
	s := &Server{
		cfg:      cfg,
		inflight: newDrain(),
		eng:      eng,
		keys:     eng.APIKeys(),
		log:      cfg.Logger,
		started:  time.Now(),
		// The console's disk runway is the growth from here.
		diskStart: eng.Stats().DiskUsage,

		largeBodies: make(chan struct{}, cfg.MaxLargeBodies),
		frags:       newFragCache(),
	}
	accounts, err := eng.OpenAccounts(cfg.Accounts)
	if err != nil {
		return nil, err
	}
	s.accounts = accounts
	// Recalls, alerts and their outbox (the first opener's configuration
	// holds: serve opens them with its flags before New).
	if _, err := eng.OpenNotices(notice.Config{}); err != nil {
		return nil, err
	}
	s.scans = eng.NewScanLog(&cfg.Scans)
	s.routes = s.routeTable()
	if cfg.CacheEntries > 0 {
		s.cache = newRespCache(cfg.CacheEntries)
		s.cache.gens.global = cfg.CacheGlobal
		eng.OnChanged(s.changed)
		// Pages are bigger (~6 KB): a quarter as many per language.
		s.pageCache = &[2]*respCache{s.cache.sharing(max(cfg.CacheEntries/4, 1)), s.cache.sharing(max(cfg.CacheEntries/4, 1))}
		s.banners = newBannerCache(max(cfg.CacheEntries/4, 1))
	}
	s.m = newMetrics(s.routeNames(), append(s.replicaCollectors(), newStoreCollector(eng, s.scans, s.cache))...)
	for _, r := range s.routes {
		r.m = s.m.route(r.metric)
	}
	if cfg.RateLimit > 0 {
		s.limiter = newRateLimiter(cfg.RateLimit, cfg.RateBurst)
	}
	if cfg.WriteRateLimit > 0 {
		s.writeLimiter = newRateLimiter(cfg.WriteRateLimit, cfg.WriteRateBurst)
	}
	if cfg.OrgWriteRateLimit > 0 {
		s.orgWriteLimiter = newRateLimiter(cfg.OrgWriteRateLimit, cfg.OrgWriteRateBurst)
	}
	s.complaintLimiter = newRateLimiter(complaintRate, complaintBurst)
	if cfg.LoginRateLimit > 0 {
		s.loginLimiter = newRateLimiter(cfg.LoginRateLimit/60, cfg.LoginRateBurst)
	}
	s.srv = &fasthttp.Server{
		Handler:            s.handle,
		HeaderReceived:     s.requestConfig,
		Name:               "tracecode",
		Concurrency:        cfg.Concurrency,
		ReadBufferSize:     cfg.ReadBufferSize,
		ReadTimeout:        cfg.ReadTimeout,
		WriteTimeout:       cfg.WriteTimeout,
		IdleTimeout:        cfg.IdleTimeout,
		MaxRequestBodySize: cfg.MaxCaptureBytes,
		// Handlers get the request after its headers: see body.go.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
		ErrorHandler:                 s.connError,
		Logger:                       fasthttpLogger{s.log},
	}
	s.ready.Store(true)
	return s, nil
}

// Keys returns the API-key store (the demo and the CLI create keys with it).
func (s *Server) Keys() *apikey.Keys { return s.keys }

// Config returns the configuration in force, defaults filled.
func (s *Server) Config() Config { return s.cfg }

// Serve serves connections from ln until Shutdown. It returns nil after a
// graceful shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("serving", "addr", ln.Addr().String(), "public", s.cfg.PublicBase)
	err := s.srv.Serve(ln)
	if s.stopped.Load() {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, marks the server not ready, waits
// for idle connections to close (at most Config.ShutdownTimeout or ctx)
// and, whatever the deadline, for the requests being handled to end (a
// write is bounded by Config.RequestTimeout; requests arriving meanwhile
// are answered 503), then flushes the scan log with fsync. The engine may
// be closed once it returns. Safe to call once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	s.stopped.Store(true)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.srv.ShutdownWithContext(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("shutdown: connections still open at the deadline; closed, waiting for the requests being handled")
		err = nil
	}
	s.inflight.close()
	ferr := s.scans.Close()
	s.log.Info("shutdown: scan log flushed", "scans_recorded", s.scans.Recorded(),
		"scans_written", s.scans.Written(), "scans_dropped", s.scans.Dropped())
	return errors.Join(err, ferr)
}

// requestConfig sets per-request limits from the path before the body is
// read: EPCIS capture may be large, other API bodies are small, public
// requests have none; code streams may write for long. A path with a
// dot-segment gets the smallest limit: dispatch refuses it.
func (s *Server) requestConfig(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	p := h.RequestURI()
	switch {
	case dotSegment(p):
		return fasthttp.RequestConfig{MaxRequestBodySize: 4 << 10}
	case hasPrefix(p, "/v1/complaints"), hasPrefix(p, "/report"):
		return fasthttp.RequestConfig{MaxRequestBodySize: complaint.MaxBody}
	case hasPrefix(p, "/v1/events"):
		return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxCaptureBytes}
	case hasPrefix(p, "/v1/blocks/") && hasSuffixBeforeQuery(p, "/codes"):
		return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxBodyBytes, WriteTimeout: s.cfg.StreamTimeout}
	case hasPrefix(p, "/v1/"):
		return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxBodyBytes}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: 4 << 10}
}

// connError answers what fasthttp could not parse: an oversized body, a
// timeout, a malformed request.
func (s *Server) connError(ctx *fasthttp.RequestCtx, err error) {
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		problem(ctx, fasthttp.StatusRequestEntityTooLarge, "body-too-large",
			fmt.Sprintf("the request body is larger than this route accepts (%d bytes for /v1, %d for /v1/events)",
				s.cfg.MaxBodyBytes, s.cfg.MaxCaptureBytes))
	case isTimeout(err):
		problem(ctx, fasthttp.StatusRequestTimeout, "timeout", "the request was not received in time")
	default:
		problem(ctx, fasthttp.StatusBadRequest, "bad-request", "malformed HTTP request: "+err.Error())
	}
	ctx.SetConnectionClose()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// fasthttpLogger sends fasthttp's own messages to slog.
type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Warn("fasthttp", "msg", fmt.Sprintf(format, args...))
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// hasSuffixBeforeQuery reports whether the path part of a request URI ends
// in suffix.
func hasSuffixBeforeQuery(uri []byte, suffix string) bool {
	for i, c := range uri {
		if c == '?' {
			uri = uri[:i]
			break
		}
	}
	return len(uri) >= len(suffix) && string(uri[len(uri)-len(suffix):]) == suffix
}
