package server

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"tracecode/engine/account"
	"tracecode/engine/label"
	"tracecode/engine/scanlog"
)

// Config configures a Server. The zero value of every field means "use the
// default"; New copies the Config, fills defaults and validates it. cmd/
// fills it from flags and TRACECODE_* environment variables.
type Config struct {
	// Addr is the listen address, host:port. Default "127.0.0.1:8080".
	Addr string

	// Replica, when set, makes the server a replica's (replica.go): it
	// serves reads from an engine that follows the writer's log, answers
	// writes 307 to the writer and is not ready beyond Replica.MaxLag.
	// Nil: the server serves its own store.
	Replica *Replica

	// PublicBase is the scheme and host consumers reach the resolver at,
	// e.g. "https://tc.example.cn". It is the anchor of linksets, the base
	// of Digital Link URIs in answers and of the URLs the demo prints.
	// Default "http://" + Addr.
	PublicBase string

	// ReadTimeout bounds reading one request, headers and body. Default 10 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one response. Default 15 s.
	WriteTimeout time.Duration
	// StreamTimeout bounds writing a code stream (GET /v1/blocks/{id}/codes),
	// which may carry millions of codes. Default 10 min.
	StreamTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long. Default 60 s.
	IdleTimeout time.Duration
	// RequestTimeout bounds the engine work of one /v1 write (mint,
	// reports, capture, recalls, master data): a write still waiting for
	// the engine's locks or queue when it passes is abandoned, applying
	// nothing, and answered 503 "timeout". Default 30 s.
	RequestTimeout time.Duration

	// MaxBodyBytes limits a request body on the /v1 API. Default 1 MiB.
	MaxBodyBytes int
	// MaxCaptureBytes limits an EPCIS document posted to /v1/events.
	// Default 32 MiB.
	MaxCaptureBytes int
	// MaxLargeBodies caps the request bodies larger than MaxBodyBytes (or
	// of unknown length: EPCIS captures) read at once; one more is
	// answered 503 with Retry-After before its body is read. Default 4.
	MaxLargeBodies int

	// RateLimit is the average number of public resolver requests per
	// second one client address may make. Default 50. Negative turns the
	// limit off (load tests from one address).
	RateLimit float64
	// LimitLoopback applies the rate limit to loopback clients too.
	// Default false: requests from 127.0.0.0/8 and ::1 (load tests, a local
	// reverse proxy without TrustForwarded) are not limited.
	LimitLoopback bool
	// RateBurst is how many public requests a client may make at once.
	// Default 100.
	RateBurst int
	// WriteRateLimit is the average number of /v1 writes (every method
	// but GET) per second one API key may make; a key past it is answered
	// 429 with Retry-After before its body is read. Default 100. Negative
	// turns the limit off.
	WriteRateLimit float64
	// WriteRateBurst is how many /v1 writes a key may make at once.
	// Default 200.
	WriteRateBurst int
	// OrgWriteRateLimit and OrgWriteRateBurst limit the /v1 writes of all
	// of one organisation's keys together, so that an organisation's admin
	// cannot multiply WriteRateLimit by creating keys. Defaults 500 per
	// second, burst 1000; negative turns the limit off.
	OrgWriteRateLimit float64
	OrgWriteRateBurst int
	// LoginRateLimit is the average number of console login attempts per
	// minute one client address may make, LoginRateBurst how many at once;
	// beyond them a login is answered 429 before its password is hashed
	// (each hash costs the account store's Argon2id memory and time).
	// Defaults 10 a minute, burst 10. Negative turns the limit off.
	// Loopback clients are exempt unless LimitLoopback is set, as for
	// RateLimit.
	LoginRateLimit float64
	LoginRateBurst int
	// TrustForwarded takes the client address from the last entry of
	// X-Forwarded-For (behind a reverse proxy). Default false: the TCP peer.
	// The address is what the rate limit and clone evidence count.
	TrustForwarded bool
	// RegionHeader names the request header a trusted edge (a reverse
	// proxy or CDN that sets it from the client's address, overwriting
	// whatever the client sent) uses to pass the client's GB/T 2260
	// region, e.g. "X-Client-Region". Scan regions are clone evidence, so
	// they are taken from nowhere else (never from ?region=). Default
	// empty: regions are not recorded.
	RegionHeader string

	// Concurrency caps connections served at once; beyond it fasthttp
	// answers 503. Default 64 Ki.
	Concurrency int
	// ReadBufferSize is the per-connection read buffer; it also caps the
	// request header size. Default 8 KiB.
	ReadBufferSize int

	// ShutdownTimeout bounds the graceful shutdown: in-flight requests get
	// this long before connections are closed. Default 10 s.
	ShutdownTimeout time.Duration

	// CacheEntries bounds the response cache of public JSON answers (see
	// respCache; about 3 KB an entry). Default 65,536; negative turns it
	// off.
	CacheEntries int

	// CacheGlobal makes every write drop every cached answer, as before
	// the engine said which products a report changed (resolve.Scopes);
	// benchmarks compare the hit ratio with and without it. Default off.
	CacheGlobal bool

	// Scans tunes the scan log (flush interval, clone thresholds); zero
	// fields take engine's defaults.
	Scans scanlog.Options

	// Accounts configures people's accounts (Argon2id cost, lockout,
	// session lifetime); zero fields take account.Options' defaults. The
	// first server or command to open an engine's accounts decides.
	Accounts account.Options

	// OpenData configures the open data under /open/ (licence, the
	// statistics' suppression thresholds, refresh); zero fields take
	// their defaults.
	OpenData OpenDataConfig

	// SecureCookies marks the console's cookies Secure. Default: set when
	// PublicBase is https (a TLS-terminating proxy in front).
	SecureCookies bool

	// Logger receives structured logs. Default slog.Default().
	// Labels holds the label templates GET /v1/blocks/{id}/labels may
	// name (general and per product); nil offers the built-ins only.
	Labels *label.Library
	// LabelFont draws the Chinese text of PDF and PNG labels; nil looks
	// for the system's CJK font (label.LoadFont) on the first request
	// that needs one.
	LabelFont *label.Font

	Logger *slog.Logger
	// AccessLog logs every /v1 request at Info level (public scans are
	// counted in metrics, not logged one by one). Default false.
	AccessLog bool
}

// Defaults.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultReadTimeout     = 10 * time.Second
	DefaultWriteTimeout    = 15 * time.Second
	DefaultStreamTimeout   = 10 * time.Minute
	DefaultIdleTimeout     = 60 * time.Second
	DefaultRequestTimeout  = 30 * time.Second
	DefaultMaxBodyBytes    = 1 << 20
	DefaultMaxCaptureBytes = 32 << 20
	DefaultMaxLargeBodies  = 4
	DefaultRateLimit       = 50
	DefaultRateBurst       = 100
	DefaultWriteRateLimit  = 100
	DefaultWriteRateBurst  = 200
	// DefaultOrgWriteRateLimit and DefaultOrgWriteRateBurst are five keys'
	// worth of writes.
	DefaultOrgWriteRateLimit = 500
	DefaultOrgWriteRateBurst = 1000
	// DefaultLoginRateLimit (per minute) and DefaultLoginRateBurst limit
	// console logins per client address.
	DefaultLoginRateLimit  = 10
	DefaultLoginRateBurst  = 10
	DefaultCacheEntries    = 1 << 16
	DefaultConcurrency     = 64 << 10
	DefaultReadBufferSize  = 8 << 10
	DefaultShutdownTimeout = 10 * time.Second
)

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.PublicBase == "" {
		c.PublicBase = "http://" + c.Addr
	}
	c.PublicBase = strings.TrimRight(c.PublicBase, "/")
	if strings.HasPrefix(c.PublicBase, "https://") {
		c.SecureCookies = true
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.StreamTimeout == 0 {
		c.StreamTimeout = DefaultStreamTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxCaptureBytes == 0 {
		c.MaxCaptureBytes = DefaultMaxCaptureBytes
	}
	if c.MaxLargeBodies == 0 {
		c.MaxLargeBodies = DefaultMaxLargeBodies
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.RateBurst == 0 {
		c.RateBurst = DefaultRateBurst
	}
	if c.WriteRateLimit == 0 {
		c.WriteRateLimit = DefaultWriteRateLimit
	}
	if c.WriteRateBurst == 0 {
		c.WriteRateBurst = DefaultWriteRateBurst
	}
	if c.OrgWriteRateLimit == 0 {
		c.OrgWriteRateLimit = DefaultOrgWriteRateLimit
	}
	if c.OrgWriteRateBurst == 0 {
		c.OrgWriteRateBurst = DefaultOrgWriteRateBurst
	}
	if c.LoginRateLimit == 0 {
		c.LoginRateLimit = DefaultLoginRateLimit
	}
	if c.LoginRateBurst == 0 {
		c.LoginRateBurst = DefaultLoginRateBurst
	}
	if c.CacheEntries == 0 {
		c.CacheEntries = DefaultCacheEntries
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.ReadBufferSize == 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.OpenData.ensureDefaults()
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	u, err := url.Parse(c.PublicBase)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "":
		return fmt.Errorf("server: PublicBase %q is not http(s)://host[:port] without a path", c.PublicBase)
	case c.Replica != nil && (c.Replica.Writer == nil || c.Replica.Lag == nil):
		return fmt.Errorf("server: Replica needs Writer and Lag")
	case c.Replica != nil && c.Replica.MaxLag < 0:
		return fmt.Errorf("server: Replica.MaxLag %v is negative", c.Replica.MaxLag)
	case c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.StreamTimeout < 0 || c.IdleTimeout < 0 || c.RequestTimeout < 0 || c.ShutdownTimeout < 0:
		return fmt.Errorf("server: timeouts must not be negative")
	case c.MaxBodyBytes < 1<<10:
		return fmt.Errorf("server: MaxBodyBytes %d is below 1 KiB", c.MaxBodyBytes)
	case c.MaxLargeBodies < 1:
		return fmt.Errorf("server: MaxLargeBodies %d is below 1", c.MaxLargeBodies)
	case c.OpenData.Refresh < 0:
		return fmt.Errorf("server: OpenData.Refresh %v is negative", c.OpenData.Refresh)
	case c.MaxCaptureBytes < c.MaxBodyBytes:
		return fmt.Errorf("server: MaxCaptureBytes %d is below MaxBodyBytes %d", c.MaxCaptureBytes, c.MaxBodyBytes)
	case c.RateLimit > 0 && c.RateBurst < 1:
		return fmt.Errorf("server: RateBurst %d is below 1", c.RateBurst)
	case c.WriteRateLimit > 0 && c.WriteRateBurst < 1:
		return fmt.Errorf("server: WriteRateBurst %d is below 1", c.WriteRateBurst)
	case c.OrgWriteRateLimit > 0 && c.OrgWriteRateBurst < 1:
		return fmt.Errorf("server: OrgWriteRateBurst %d is below 1", c.OrgWriteRateBurst)
	case c.Concurrency < 1:
		return fmt.Errorf("server: Concurrency %d is below 1", c.Concurrency)
	case c.ReadBufferSize < 1<<10:
		return fmt.Errorf("server: ReadBufferSize %d is below 1 KiB", c.ReadBufferSize)
	}
	if err := c.OpenData.Suppression.Validate(); err != nil {
		return fmt.Errorf("server: OpenData.Suppression: %w", err)
	}
	return nil
}
