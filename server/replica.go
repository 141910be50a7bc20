package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"tracecode/engine/replica"
	"tracecode/engine/scanlog"
)

// Replica configures a server whose engine is a replica's: it follows
// the writer's log (docs/replication.md) and serves the public resolver,
// the scan pages and the read-only /v1 routes. Every request that is not
// a read (GET, HEAD, OPTIONS) is answered 307 to the writer, or 503 with
// a problem while no writer holds the lease.
type Replica struct {
	// Writer returns the writer's public base, scheme://host[:port], as
	// its lease names it; "" while no writer is known.
	Writer func() string
	// Lag returns how far the replica is behind the log.
	Lag func() ReplicaLag
	// MaxLag is the lag in seconds beyond which /readyz answers 503, so
	// that a load balancer sends scans elsewhere. 0 means 10 s.
	MaxLag time.Duration
	// Scans, if set, counts the replica's public scans for the writer
	// (the caller sends its deltas); nil: a replica counts no scans.
	Scans *scanlog.Forwarder
}

// ReplicaLag is how far a replica is behind the writer's log.
type ReplicaLag struct {
	// Messages are the log messages stored but not yet applied.
	Messages uint64
	// Seconds is the age of the oldest message not yet applied (0 when
	// caught up).
	Seconds float64
	// Err is why the replica stopped following (nil while it follows).
	Err error
}

// DefaultReplicaMaxLag is Replica.MaxLag's default.
const DefaultReplicaMaxLag = 10 * time.Second

// readMethod reports whether m only reads.
func readMethod(m []byte) bool {
	switch string(m) {
	case fasthttp.MethodGet, fasthttp.MethodHead, fasthttp.MethodOptions:
		return true
	}
	return false
}

// redirectToWriter answers a write on a replica: 307 (the client repeats
// the same method and body) to the same path on the writer.
func (s *Server) redirectToWriter(ctx *fasthttp.RequestCtx) {
	w := s.cfg.Replica.Writer()
	if w == "" {
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusServiceUnavailable, "replica-no-writer",
			"this node is a replica and serves reads only; no writer holds the lease now (a standby is taking over): retry the write shortly")
		return
	}
	loc := w + string(ctx.RequestURI())
	ctx.Response.Header.Set("Location", loc)
	writeProblem(ctx, Problem{Type: problemTypeBase + "replica-read-only", Status: fasthttp.StatusTemporaryRedirect,
		Detail: "this node is a replica and serves reads only; send writes to the writer " + w})
}

// replicaLagErr says why a replica is not ready: it stopped following,
// or it is further behind than MaxLag. Nil on a writer.
func (s *Server) replicaLagErr() error {
	r := s.cfg.Replica
	if r == nil {
		return nil
	}
	lag := r.Lag()
	if lag.Err != nil {
		return fmt.Errorf("not following the log: %w", lag.Err)
	}
	max := r.MaxLag
	if max == 0 {
		max = DefaultReplicaMaxLag
	}
	if lag.Seconds > max.Seconds() {
		return errors.New("behind the writer by " + fmt.Sprintf("%.1f s (%d messages), more than %v", lag.Seconds, lag.Messages, max))
	}
	return nil
}

// replicaCollectors are the replica's lag gauges (none on a writer).
func (s *Server) replicaCollectors() []prometheus.Collector {
	r := s.cfg.Replica
	if r == nil {
		return nil
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tracecode_replica_lag_messages",
			Help: "Log messages stored but not yet applied by this replica."},
			func() float64 { return float64(r.Lag().Messages) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tracecode_replica_lag_seconds",
			Help: "Age of the oldest log message this replica has not applied (0 when caught up)."},
			func() float64 { return r.Lag().Seconds }),
	}
}

// recordScan records a public scan, hands a scan that made the item
// suspicious to the clone-scan rule, and returns the item's counts. A
// replica's store takes only the writer's batches: it counts the scan in
// its forwarder, whose deltas go to the writer, and returns the counts
// the log carried plus its own not yet sent; the writer raises the
// alerts once it merged them.
func (s *Server) recordScan(sc scanlog.Scan) (scanlog.Stats, error) {
	if r := s.cfg.Replica; r != nil {
		if r.Scans != nil {
			return r.Scans.Record(sc)
		}
		return s.scans.Stats(sc.Ref)
	}
	st, err := s.scans.Record(sc)
	if err == nil && st.Suspicious {
		s.notices().SuspiciousScan(sc.Ref.Product, sc.Ref.Counter, sc.Region, sc.Time)
	}
	return st, err
}

// ScanLog returns the scan log the server opened (the writer merges
// the replicas' scan counts into it).
func (s *Server) ScanLog() *scanlog.Log { return s.scans }

// ReplicaApplied tells a replica's server that its engine refreshed the
// families f from the writer's batches: cached API keys are dropped when
// keys changed (a revocation on the writer). Cached answers were dropped
// by the refresh itself, which tells Engine.OnChanged what the batches can
// have changed (replica.Targets.Scopes: the products and units the
// writer's records name, everything for master data).
func (s *Server) ReplicaApplied(f replica.Families) {
	if f&replica.FamKeys != 0 {
		s.keys.Forget()
	}
}
