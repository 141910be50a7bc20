package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"tracecode/engine/resolve"
)

// metrics are the server's Prometheus series. Each Server owns a registry
// (not the global default) so tests can run several servers in a process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // by route and status class
	latency  *prometheus.HistogramVec // seconds, by route
	scans    *prometheus.CounterVec   // public resolutions by outcome status
	mints    prometheus.Counter       // blocks minted
	minted   prometheus.Counter       // codes in minted blocks
	limited  prometheus.Counter       // requests refused by the rate limiter
	panics   prometheus.Counter       // requests and streams that panicked
	// writeLimited counts /v1 writes refused by the per-key write limit.
	writeLimited prometheus.Counter

	largeBodyRefused prometheus.Counter      // large bodies refused: all MaxLargeBodies slots taken
	handler          fasthttp.RequestHandler // serves /metrics
	routes           map[string]*routeStats  // read-only after newMetrics

	scanByStatus map[resolve.PublicStatus]prometheus.Counter // read-only after newMetrics
}

// latencyBuckets span 5 µs to 5 s: resolver answers sit at the low end
// (a warm JSON scan is handled in 3–15 µs), code streams at the high end.
var latencyBuckets = []float64{
	5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5,
}

// routeStats are one route's series, bound once so that counting a request
// is a few atomic adds (WithLabelValues hashes its labels on every call).
type routeStats struct {
	byClass [5]prometheus.Counter // 1xx … 5xx
	latency prometheus.Observer
}

// observe records one request that started at start and ended with code.
func (r *routeStats) observe(code int, start time.Time) {
	i := code/100 - 1
	if i < 0 || i > 4 {
		i = 4
	}
	r.byClass[i].Inc()
	r.latency.Observe(time.Since(start).Seconds())
}

// scanStatus returns the scan counter of a status, bound once.
func (m *metrics) scanStatus(status resolve.PublicStatus) prometheus.Counter {
	if c, ok := m.scanByStatus[status]; ok {
		return c
	}
	return m.scans.WithLabelValues(status.String())
}

// route returns the series of the named route ("not_found" if unknown).
func (m *metrics) route(name string) *routeStats {
	if r, ok := m.routes[name]; ok {
		return r
	}
	return m.routes["not_found"]
}

func newMetrics(routes []string, extra ...prometheus.Collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), routes: map[string]*routeStats{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tracecode_http_requests_total", Help: "HTTP requests by route and status class.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tracecode_http_request_duration_seconds", Help: "Server-side request latency by route.",
		Buckets: latencyBuckets,
	}, []string{"route"})
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tracecode_scans_total", Help: "Public code resolutions by resulting status.",
	}, []string{"status"})
	m.mints = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_blocks_minted_total", Help: "Code blocks minted through the API.",
	})
	m.minted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_codes_minted_total", Help: "Codes in blocks minted through the API.",
	})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_rate_limited_total", Help: "Public requests refused by the per-client rate limit.",
	})
	m.writeLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_write_rate_limited_total", Help: "/v1 writes refused by the per-API-key write rate limit.",
	})
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_panics_total", Help: "Requests and response streams that panicked (a bug; see the log for the stack).",
	})
	m.largeBodyRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tracecode_large_bodies_refused_total", Help: "Request bodies over MaxBodyBytes refused because MaxLargeBodies were being read.",
	})
	m.reg.MustRegister(m.requests, m.latency, m.scans, m.mints, m.minted, m.limited, m.writeLimited, m.panics, m.largeBodyRefused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range extra {
		m.reg.MustRegister(c)
	}
	for _, name := range routes {
		rs := &routeStats{latency: m.latency.WithLabelValues(name)}
		for i := range rs.byClass {
			rs.byClass[i] = m.requests.WithLabelValues(name, statusClass((i+1)*100))
		}
		m.routes[name] = rs
	}
	m.scanByStatus = map[resolve.PublicStatus]prometheus.Counter{}
	for _, st := range resolve.PublicStatuses() {
		m.scanByStatus[st] = m.scans.WithLabelValues(st.String())
	}
	m.handler = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return m
}

// statusClass maps a status code to its Prometheus label without
// allocating.
func statusClass(code int) string {
	switch {
	case code < 200:
		return "1xx"
	case code < 300:
		return "2xx"
	case code < 400:
		return "3xx"
	case code < 500:
		return "4xx"
	}
	return "5xx"
}
