// Package testserver is a stand-in resolver for testing and calibrating the
// load generator: a fasthttp server on a loopback address that answers the
// resolver's routes (Digital Link paths, /c/{short}, /resolve?code=) for a
// deterministic set of codes, the API routes the generator fetches codes
// from, and /readyz — with configurable latency, injected errors and
// whole-server stalls.
//
// It is not the tracecode server: answers are canned, and it exists so the
// generator can be tested (and compared with wrk) without one.
package testserver

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Config configures a Server. Zero values mean the documented defaults.
type Config struct {
	// Codes is the number of valid codes. Zero means 1000.
	Codes int
	// Blocks splits the codes into this many blocks for the API. Zero
	// means 1.
	Blocks int
	// Seed makes the codes. Zero means 1.
	Seed uint64
	// Host is the host written in Digital Link URIs. Zero means
	// "id.example.test".
	Host string
	// APIKey is the bearer key the API accepts. Zero means "test-key".
	APIKey string
	// BodySize pads 200 answers to at least this many bytes.
	BodySize int
	// Delay is added to every resolver answer.
	Delay time.Duration
	// Constant answers every GET outside /v1 and /readyz with the same
	// 200 JSON body, without looking anything up: the "constant-body
	// fasthttp handler" baseline for comparing load generators.
	Constant bool
	// FailEvery, if > 0, answers every FailEvery-th resolver request with
	// FailStatus (default 503).
	FailEvery  int
	FailStatus int
}

// Server is a running test server.
type Server struct {
	cfg   Config
	ln    net.Listener
	srv   *fasthttp.Server
	done  chan struct{}
	start time.Time

	codes  []code           // index = code number
	bySer  map[string]int32 // serial → code number
	byShrt map[string]int32 // short code → code number
	pad    []byte           // BodySize padding
	cbody  []byte           // the Constant body
	n      atomic.Int64     // resolver requests so far
	bufs   sync.Pool        // *[]byte answer buffers
	w      struct {
		sync.Mutex
		next    uint64                  // REQUIRES: w held
		blocks  map[uint64]*mintedBlock // REQUIRES: w held
		idem    map[string]uint64       // mint Idempotency-Key → block; REQUIRES: w held
		reports map[string]uint64       // report Idempotency-Key → codes; REQUIRES: w held
		counts  WriteCounts             // REQUIRES: w held
	}
	stall struct {
		at         atomic.Int64 // 1-based request number that starts a stall; 0 = none
		dur        atomic.Int64 // ns
		until      atomic.Int64 // ns since start; requests arriving before it wait
		mu         sync.Mutex
		start, end time.Time // REQUIRES: mu held
	}
}

type code struct {
	gtin, lot, serial, short string
}

// Start listens on addr (use "127.0.0.1:0" for any free port) and serves.
func Start(addr string, cfg Config) (*Server, error) {
	if cfg.Codes <= 0 {
		cfg.Codes = 1000
	}
	if cfg.Blocks <= 0 {
		cfg.Blocks = 1
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Host == "" {
		cfg.Host = "id.example.test"
	}
	if cfg.APIKey == "" {
		cfg.APIKey = "test-key"
	}
	if cfg.FailStatus == 0 {
		cfg.FailStatus = fasthttp.StatusServiceUnavailable
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("testserver: %w", err)
	}
	s := &Server{cfg: cfg, ln: ln, done: make(chan struct{}), start: time.Now()}
	s.makeCodes()
	s.w.blocks, s.w.idem, s.w.reports = map[uint64]*mintedBlock{}, map[string]uint64{}, map[string]uint64{}
	s.bufs.New = func() any { b := make([]byte, 0, 512+cfg.BodySize); return &b }
	s.pad = bytes.Repeat([]byte("x"), max(cfg.BodySize-120, 0))
	s.cbody = s.jsonBody(nil, code{gtin: "09520123456788", serial: "CONSTANT", lot: "L0"})
	s.srv = &fasthttp.Server{
		Handler:               s.handle,
		Name:                  "tracecode-testserver",
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		NoDefaultDate:         true,
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		CloseOnShutdown:       true,
	}
	go func() { defer close(s.done); _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// APIKey returns the bearer key the API accepts.
func (s *Server) APIKey() string { return s.cfg.APIKey }

// Close stops the server and waits for it.
func (s *Server) Close() error {
	err := s.srv.Shutdown()
	// Shutdown called before Serve has registered the listener returns
	// at once and leaves Serve accepting: closing the listener ends it.
	_ = s.ln.Close()
	<-s.done
	return err
}

// Requests returns the resolver requests served so far (the probe's
// included).
func (s *Server) Requests() int64 { return s.n.Load() }

// StallAt makes the n-th resolver request (1-based, counted from the
// server's start) stall the whole server for d: that request and every
// request arriving before the stall ends are answered only after it ends —
// as in a stop-the-world pause.
func (s *Server) StallAt(n int64, d time.Duration) {
	s.stall.dur.Store(int64(d))
	s.stall.at.Store(n)
}

// Stall returns when the stall began and ended (by this process's
// monotonic clock); ok is false if none happened.
func (s *Server) Stall() (start, end time.Time, ok bool) {
	s.stall.mu.Lock()
	defer s.stall.mu.Unlock()
	return s.stall.start, s.stall.end, !s.stall.start.IsZero()
}

// DLURIs returns every valid code as a Digital Link URI.
func (s *Server) DLURIs() []string {
	out := make([]string, len(s.codes))
	for i, c := range s.codes {
		out[i] = string(s.appendDL(nil, c))
	}
	return out
}

// ShortURLs returns every valid code as a short-code URL.
func (s *Server) ShortURLs() []string {
	out := make([]string, len(s.codes))
	for i, c := range s.codes {
		out[i] = "https://" + s.cfg.Host + "/c/" + c.short
	}
	return out
}

func (s *Server) appendDL(dst []byte, c code) []byte {
	dst = append(dst, "https://"...)
	dst = append(dst, s.cfg.Host...)
	dst = append(dst, "/01/"...)
	dst = append(dst, c.gtin...)
	if c.lot != "" {
		dst = append(dst, "/10/"...)
		dst = append(dst, c.lot...)
	}
	dst = append(dst, "/21/"...)
	return append(dst, c.serial...)
}

// makeCodes derives the codes from the seed: two GTINs, a lot per 100 codes
// on every other code, 10-character base-36 serials, 8-character short codes.
func (s *Server) makeCodes() {
	gtins := [2]string{withCheckDigit("0952012345678"), withCheckDigit("0952012399999")}
	s.codes = make([]code, s.cfg.Codes)
	s.bySer = make(map[string]int32, s.cfg.Codes)
	s.byShrt = make(map[string]int32, s.cfg.Codes)
	x := s.cfg.Seed
	for i := range s.codes {
		c := code{gtin: gtins[i%2]}
		if i%2 == 0 {
			c.lot = "L" + strconv.Itoa(i/100)
		}
		for {
			x = splitmix64(x)
			c.serial = base36(x, 10)
			c.short = base36(splitmix64(x^0x5555), 8)
			if _, dup := s.bySer[c.serial]; !dup {
				break
			}
		}
		s.codes[i] = c
		s.bySer[c.serial] = int32(i)
		s.byShrt[c.short] = int32(i)
	}
}

func base36(x uint64, n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[x%36]
		x /= 36
	}
	return string(b)
}

// withCheckDigit appends the GS1 mod-10 check digit to 13 digits.
func withCheckDigit(d string) string {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			v *= 3
		}
		sum += v
	}
	return d + strconv.Itoa((10-sum%10)%10)
}

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}
