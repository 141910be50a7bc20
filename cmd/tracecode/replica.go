package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/engine/replica"
	"tracecode/engine/scanlog"
	"tracecode/replicate"
	"tracecode/server"
)

// replicaFlags are serve's flags for serving as a replica
// (docs/replication.md).
var replicaFlags struct {
	of       string
	maxLag   time.Duration
	refresh  time.Duration
	takeover bool
}

func init() {
	f := serveCmd.Flags()
	f.StringVar(&replicaFlags.of, "replica-of", "", "NATS URLs (comma-separated) of a replicated log: serve as a replica — follow the writer's log into --data and serve the resolver, scan pages and read-only /v1 routes; writes answer 307 to the writer (docs/replication.md)")
	f.DurationVar(&replicaFlags.maxLag, "max-lag", server.DefaultReplicaMaxLag, "a replica further behind the writer than this answers /readyz 503 (with --replica-of)")
	f.BoolVar(&replicaFlags.takeover, "takeover", false, "with --replica-of: once the writer's lease lapses (or is handed over) and this replica has applied the whole log, take the lease and serve as the writer (automatic failover; --lease-ttl, --replicas and --node-name apply then)")
	f.DurationVar(&replicaFlags.refresh, "replica-refresh", 50*time.Millisecond, "how often a replica reloads the in-memory state its applied batches changed (with --replica-of)")
}

// replicaNode is a replica: it follows the writer's log into its engine,
// reloads what the applied batches changed, and measures its lag and
// who the writer is for its server.
type replicaNode struct {
	nc  *nats.Conn
	s   jetstream.Stream
	kv  jetstream.KeyValue
	fl  *replicate.Follower
	eng *engine.Engine
	log *slog.Logger

	// applyTo applies consecutive records, all or none: the catch-up
	// store's, then the engine's. Changed only while no Follow runs.
	applyTo func([]replicate.Record) error
	// pending are the families applied but not yet refreshed.
	pending atomic.Uint32
	srv     atomic.Pointer[server.Server]
	refresh time.Duration
	// restored is the log position of the snapshot the store was
	// restored from (0: none); startStream the stream sequence after
	// which the replica started consuming.
	restored, startStream uint64

	stop context.CancelFunc
	done sync.WaitGroup
	// scans sends the scans counted here to the writer (nil until
	// config).
	scans *scanSender
	// fwd is scans' forwarder, told when applied batches change the
	// stored scan counts (nil until config).
	fwd atomic.Pointer[scanlog.Forwarder]

	// applyHook, if set, runs before each group of records the engine
	// applies; its error stops the replica (tests hold a replica behind
	// with it).
	applyHook atomic.Pointer[func() error]
	// auto, if set, takes the writer's lease once it lapses
	// (--takeover, replica_takeover.go).
	auto atomic.Pointer[autoTakeover]

	mu struct {
		sync.Mutex
		lag    server.ReplicaLag
		writer string
		// held is whether a writer holds the lease; fresh, whether the
		// last watch read both the lag and the lease.
		held, fresh bool
	}
}

// openReplica catches the store in dir up with the log's end as it is
// now (waiting for the log's first record if it is empty; an empty dir
// starts from the newest snapshot, if any), then opens it
// as a replica's engine and keeps following. The caller serves the engine
// and calls close.
func openReplica(ctx context.Context, urls, dir string, eo *engine.Options, refresh time.Duration, log *slog.Logger) (*replicaNode, error) {
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.Name("tracecode replica"))
	if err != nil {
		return nil, fmt.Errorf("--replica-of %s: %w", urls, err)
	}
	r := &replicaNode{nc: nc, log: log, refresh: refresh}
	if err := r.open(ctx, dir, eo); err != nil {
		nc.Close()
		return nil, err
	}
	return r, nil
}

func (r *replicaNode) open(ctx context.Context, dir string, eo *engine.Options) error {
	js, err := jetstream.New(r.nc)
	if err != nil {
		return err
	}
	var end replicate.Position
	for {
		if r.s == nil {
			r.s, err = js.Stream(ctx, replicate.StreamName)
		}
		if r.s != nil && r.kv == nil {
			r.kv, err = js.KeyValue(ctx, replicate.LeaseBucket)
		}
		if err == nil {
			if end, err = replicate.LogPosition(ctx, r.s); err == nil && end.RecordSeq > 0 {
				break
			}
		}
		r.log.Info("waiting for the writer's log", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	snap, restored, err := restoreSnapshot(ctx, js, dir, end.RecordSeq)
	if err != nil {
		return err
	}
	if restored {
		r.restored = snap.Position
		r.log.Info("replica restored from a snapshot", "log_position", snap.Position, "stream_seq", snap.StreamSeq)
	}
	rs, err := replica.Open(dir)
	if err != nil {
		return err
	}
	// Consume from the message after the last one the store holds: the
	// snapshot's, or found in the log for a store of its own.
	at := replicate.Position{StreamSeq: snap.StreamSeq, RecordSeq: rs.Position()}
	if !restored || snap.StreamSeq == 0 {
		if at.StreamSeq, err = replicate.StreamSeqOf(ctx, r.s, at.RecordSeq); err != nil {
			_ = rs.Close()
			return err
		}
	}
	r.startStream = at.StreamSeq
	r.applyTo = func(recs []replicate.Record) error { return rs.ApplyBatches(recs[0].Seq, recordData(recs)) }
	r.fl = replicate.NewBatchFollower(at, func(recs []replicate.Record) error { return r.applyTo(recs) })
	start := rs.Position()
	if start < end.RecordSeq {
		if err := r.catchUp(ctx, end.RecordSeq); err != nil {
			_ = rs.Close()
			return err
		}
	}
	if err := rs.Close(); err != nil {
		return err
	}
	r.log.Info("replica caught up with the log", "from", start, "to", r.fl.Stats().At.RecordSeq)
	if r.eng, err = engine.OpenReplica(dir, eo); err != nil {
		return err
	}
	r.applyTo = func(recs []replicate.Record) error {
		if h := r.applyHook.Load(); h != nil {
			if err := (*h)(); err != nil {
				return err
			}
		}
		f, err := r.eng.ApplyReplicatedBatches(recs[0].Seq, recordData(recs))
		if fwd := r.fwd.Load(); fwd != nil && f&replica.FamScans != 0 {
			fwd.StoredChanged() // the writer's counts came back
		}
		for {
			old := r.pending.Load()
			if r.pending.CompareAndSwap(old, old|uint32(f)) {
				break
			}
		}
		return err
	}
	fctx, stop := context.WithCancel(context.Background())
	r.stop = stop
	r.done.Add(3)
	go func() {
		defer r.done.Done()
		err := r.fl.Follow(fctx, r.s)
		if err != nil {
			r.log.Error("the replica stopped following the log", "err", err)
			r.mu.Lock()
			r.mu.lag.Err = err
			r.mu.Unlock()
		}
	}()
	go func() { defer r.done.Done(); r.refreshLoop(fctx) }()
	go func() { defer r.done.Done(); r.watchLoop(fctx) }()
	r.watch(fctx)
	return nil
}

// recordData returns the records' batches, in order.
func recordData(recs []replicate.Record) [][]byte {
	d := make([][]byte, len(recs))
	for i, r := range recs {
		d[i] = r.Data
	}
	return d
}

// catchUp follows until the record at end is applied.
func (r *replicaNode) catchUp(ctx context.Context, end uint64) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- r.fl.Follow(cctx, r.s) }()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case err := <-errc:
			if err == nil {
				err = ctx.Err()
			}
			return err
		case <-t.C:
		}
		if r.fl.Stats().At.RecordSeq >= end {
			cancel()
			return <-errc
		}
	}
}

// refreshLoop reloads, every r.refresh, the families the batches applied
// since touched, and tells the server.
func (r *replicaNode) refreshLoop(ctx context.Context) {
	t := time.NewTicker(r.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.refreshNow()
	}
}

func (r *replicaNode) refreshNow() {
	f := replica.Families(r.pending.Swap(0))
	if f == 0 {
		return
	}
	if err := r.eng.Refresh(f); err != nil {
		r.log.Error("replica: reloading the applied state", "err", err)
		r.pending.Or(uint32(f))
		return
	}
	if s := r.srv.Load(); s != nil {
		s.ReplicaApplied(f)
	}
}

// watchLoop measures the lag and reads the writer's address twice a
// second.
func (r *replicaNode) watchLoop(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.watch(ctx)
		if r.considerTakeover(ctx) {
			return
		}
	}
}

func (r *replicaNode) watch(ctx context.Context) {
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	lag, lerr := replicate.MeasureLag(wctx, r.s, r.fl.Stats().At)
	lv, held, verr := replicate.ReadLease(wctx, r.kv)
	r.mu.Lock()
	defer r.mu.Unlock()
	if lerr == nil {
		r.mu.lag.Messages, r.mu.lag.Seconds = lag.Messages, lag.Age.Seconds()
	}
	if verr == nil {
		r.mu.writer = ""
		if held {
			r.mu.writer = lv.Addr
		}
		r.mu.held = held
	}
	r.mu.fresh = lerr == nil && verr == nil
}

// config is the server's view of the replica. The replica's scans are
// counted with so's thresholds (nil: defaults) and sent to the writer
// under node's name (default: the host name and process id).
func (r *replicaNode) config(maxLag time.Duration, so *scanlog.Options, node string) (*server.Replica, error) {
	if r.scans == nil {
		sc, err := startScanSender(r.nc, node, r.eng.NewScanForwarder(so), r.log)
		if err != nil {
			return nil, err
		}
		r.scans = sc
		r.fwd.Store(sc.fwd)
	}
	return &server.Replica{
		Writer: func() string { r.mu.Lock(); defer r.mu.Unlock(); return r.mu.writer },
		Lag:    func() server.ReplicaLag { r.mu.Lock(); defer r.mu.Unlock(); return r.mu.lag },
		MaxLag: maxLag,
		Scans:  r.scans.fwd,
	}, nil
}

// serving hands the replica its server, told of every refresh.
func (r *replicaNode) serving(s *server.Server) { r.srv.Store(s) }

// close stops following; the engine is the caller's to close after.
func (r *replicaNode) close() {
	if r.scans != nil {
		r.scans.close()
		r.scans = nil
	}
	if r.stop != nil {
		r.stop()
		r.done.Wait()
	}
	r.nc.Close()
}

// replicaConfig is the server's replica configuration (nil: a writer or
// a store of its own).
func replicaConfig(r *replicaNode, so *scanlog.Options) (*server.Replica, error) {
	if r == nil {
		return nil, nil
	}
	return r.config(replicaFlags.maxLag, so, replFlags.node)
}
