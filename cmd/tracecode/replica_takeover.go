package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/replicate"
)

// takeOver makes a replica the log's writer once the old writer's lease
// lapsed or was released: it stops following and closes the replica's
// engine (its server must be shut down first), takes the lease under node
// naming addr (waiting up to wait), applies whatever the log holds beyond
// the replica's position, and opens the store as the writer. The block,
// lot, product and short-code counters come from the log, so the new
// writer continues after every serial the old one had acknowledged. The
// caller serves the engine, then closes it and the writer.
func takeOver(ctx context.Context, r *replicaNode, urls, dir, node, addr string, cfg replicate.Config, wait time.Duration, eo *engine.Options, log *slog.Logger) (*logWriter, *engine.Engine, error) {
	r.close()
	if err := r.eng.Close(); err != nil {
		return nil, nil, err
	}
	w, err := startWriter(ctx, urls, node, addr, cfg, wait, log)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*logWriter, *engine.Engine, error) {
		_ = w.close(false)
		return nil, nil, err
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
	log.Info("took over as the writer", "node", node, "epoch", w.lease.Epoch(), "log_records", eng.ReplicatedSeq())
	return w, eng, nil
}

// catchUpStore applies the log to the store in dir up to record end.
func catchUpStore(ctx context.Context, s jetstream.Stream, dir string, end uint64) error {
	rs, err := engine.OpenReplicaStore(dir)
	if err != nil {
		return err
	}
	if rs.Position() >= end {
		return rs.Close()
	}
	fl := replicate.NewFollower(replicate.Position{RecordSeq: rs.Position()}, func(rec replicate.Record) error {
		return rs.Apply(rec.Seq, rec.Data)
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
