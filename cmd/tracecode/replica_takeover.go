package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/engine/replica"
	"tracecode/replicate"
)

// Taking over as the writer (docs/replication.md). A replica served with
// --takeover watches the lease with its lag: once no writer holds the
// lease and the replica has applied every message stored (lag 0), it
// takes the lease itself (a create-if-absent: of several replicas, one
// wins and the others go on as replicas of it), stops following, applies
// the log's tail up to the position it found on taking the lease, and
// opens its store as the writer. A replica that is behind does not try:
// it catches up first (the log stops growing once its writer is gone),
// so a caught-up replica wins whenever there is one.

// autoTakeover is a replica's --takeover: how it would serve as the
// writer, and what it saw.
type autoTakeover struct {
	urls, node, addr string
	cfg              replicate.Config
	// promoted receives the writer's hold on the log once this replica
	// took the lease; its owner then calls becomeWriter.
	promoted chan *logWriter
	// declined counts the times the lease was free while this replica was
	// behind; lost the times another node took it first.
	declined, lost atomic.Int64
}

// enableTakeover makes r take the lease by itself once it lapses (see
// autoTakeover), as node, taking writes at addr. The writer's hold
// arrives on the returned channel; r stops watching then.
func (r *replicaNode) enableTakeover(urls, node, addr string, cfg replicate.Config) <-chan *logWriter {
	a := &autoTakeover{urls: urls, node: node, addr: addr, cfg: cfg, promoted: make(chan *logWriter, 1)}
	r.auto.Store(a)
	return a.promoted
}

// considerTakeover takes the lease if it is free and r is caught up; it
// reports whether r now holds it (and stops watching).
func (r *replicaNode) considerTakeover(ctx context.Context) bool {
	a := r.auto.Load()
	if a == nil {
		return false
	}
	r.mu.Lock()
	free, lag, known := !r.mu.held, r.mu.lag, r.mu.fresh
	r.mu.Unlock()
	if !known || !free {
		return false
	}
	if lag.Err != nil || lag.Messages > 0 {
		a.declined.Add(1)
		r.log.Info("the writer's lease is free, but this replica is behind: catching up before taking over", "lag_messages", lag.Messages, "err", lag.Err)
		return false
	}
	w, err := startWriter(ctx, a.urls, a.node, a.addr, a.cfg, 0, r.log)
	if errors.Is(err, replicate.ErrLeaseHeld) {
		a.lost.Add(1)
		r.log.Info("another node took the writer's lease first; going on as its replica", "err", err)
		return false
	}
	if err != nil {
		r.log.Warn("taking the writer's lease failed; retrying", "err", err)
		return false
	}
	r.log.Info("took the writer's lease", "node", a.node, "epoch", w.lease.Epoch(), "log_records", w.pub.LastEnqueued())
	a.promoted <- w
	r.auto.Store(nil)
	return true
}

// becomeWriter turns replica r, whose node w holds the lease, into the
// writer: it stops following and closes the replica's engine (its server
// must be shut down first), applies whatever the log holds beyond the
// replica's position up to where w found the log's end, and opens the
// store in dir as the writer's. The block, lot, product and short-code
// counters come from the log, so the new writer continues after every
// serial the old one had acknowledged. On failure the lease is released,
// so that another replica takes over. The caller serves the engine, then
// closes it and w.
func becomeWriter(ctx context.Context, r *replicaNode, w *logWriter, dir string, eo *engine.Options, log *slog.Logger) (*engine.Engine, error) {
	r.close()
	fail := func(err error) (*engine.Engine, error) {
		_ = w.close(true)
		return nil, err
	}
	if err := r.eng.Close(); err != nil {
		return fail(err)
	}
	js, err := jetstream.New(w.nc)
	if err != nil {
		return fail(err)
	}
	s, err := js.Stream(ctx, replicate.StreamName)
	if err != nil {
		return fail(err)
	}
	if err := catchUpStore(ctx, s, dir, w.pub.LastEnqueued()); err != nil {
		return fail(err)
	}
	o := &engine.Options{}
	if eo != nil {
		*o = *eo
	}
	o.Store.Replica = false
	o.Store.Replicator = w.replicator()
	eng, err := engine.Open(dir, o)
	if err != nil {
		return fail(err)
	}
	if err := w.check(eng); err != nil {
		_ = eng.Close()
		return fail(err)
	}
	log.Info("took over as the writer", "node", w.lease.Holder(), "epoch", w.lease.Epoch(), "log_records", eng.ReplicatedSeq())
	return eng, nil
}

// catchUpStore applies the log to the store in dir up to record end.
func catchUpStore(ctx context.Context, s jetstream.Stream, dir string, end uint64) error {
	rs, err := replica.Open(dir)
	if err != nil {
		return err
	}
	if rs.Position() >= end {
		return rs.Close()
	}
	after, err := replicate.StreamSeqOf(ctx, s, rs.Position())
	if err != nil {
		_ = rs.Close()
		return err
	}
	fl := replicate.NewBatchFollower(replicate.Position{StreamSeq: after, RecordSeq: rs.Position()}, func(recs []replicate.Record) error {
		return rs.ApplyBatches(recs[0].Seq, recordData(recs))
	})
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- fl.Follow(cctx, s) }()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for err == nil && fl.Stats().At.RecordSeq < end {
		select {
		case err = <-errc:
			if err == nil {
				err = fmt.Errorf("stopped at log position %d before %d: %w", fl.Stats().At.RecordSeq, end, ctx.Err())
			}
			errc <- err
		case <-t.C:
		}
	}
	cancel()
	if ferr := <-errc; err == nil {
		err = ferr
	}
	if cerr := rs.Close(); err == nil {
		err = cerr
	}
	return err
}
