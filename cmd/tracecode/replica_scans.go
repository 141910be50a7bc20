package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/engine/scanlog"
	"tracecode/replicate"
	"tracecode/server"
)

// Scans on several nodes (docs/replication.md): a replica counts its
// public scans in a forwarder and sends the per-item deltas to the scans
// stream every scanSendEvery; the writer merges the stream into its scan
// log, once per message.

// scanSendEvery is how often a replica sends its scan deltas.
const scanSendEvery = 500 * time.Millisecond

// scanDeltasPerMessage bounds one scans message (≤ about 100 bytes a
// delta, well under NATS's 1 MiB payload).
const scanDeltasPerMessage = 4096

// scanSender sends a replica's scan deltas until stopped.
type scanSender struct {
	fwd    *scanlog.Forwarder
	sender *replicate.ScanSender
	log    *slog.Logger
	stop   context.CancelFunc
	done   sync.WaitGroup
}

// startScanSender sends fwd's deltas over nc as node (default: the host
// name and process id).
func startScanSender(nc *nats.Conn, node string, fwd *scanlog.Forwarder, log *slog.Logger) (*scanSender, error) {
	if node == "" {
		h, _ := os.Hostname()
		node = fmt.Sprintf("%s/%d", h, os.Getpid())
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &scanSender{fwd: fwd, sender: replicate.NewScanSender(js, node), log: log, stop: stop}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		s.loop(ctx)
	}()
	return s, nil
}

func (s *scanSender) loop(ctx context.Context) {
	t := time.NewTicker(scanSendEvery)
	defer t.Stop()
	failing := false // logged once until a send succeeds again
	for {
		select {
		case <-ctx.Done():
			// A last send, so a graceful restart loses no scan.
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.flush(fctx); err != nil {
				s.log.Warn("replica: the last scan counts were not sent to the writer", "err", err, "items", s.fwd.Pending())
			}
			cancel()
			return
		case <-t.C:
		}
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.flush(fctx)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			s.log.Warn("replica: scan counts not sent to the writer; retrying every "+scanSendEvery.String()+" (counts wait in memory)", "err", err)
		case err == nil && failing:
			failing = false
			s.log.Info("replica: scan counts sent to the writer again", "pending_items", s.fwd.Pending())
		}
	}
}

// flush sends every pending delta.
func (s *scanSender) flush(ctx context.Context) error {
	for {
		sent := false
		err := s.sender.Flush(ctx, func() []byte {
			ds := s.fwd.Take(scanDeltasPerMessage)
			if len(ds) == 0 {
				return nil
			}
			sent = true
			return scanlog.AppendDeltas(nil, ds)
		})
		if err != nil || !sent {
			return err
		}
	}
}

func (s *scanSender) close() {
	s.stop()
	s.done.Wait()
}

// mergeScans merges the scans stream into the writer's scan log until
// ctx ends: from the position the log's store holds, in order, each
// message once. A failure is retried from the position merged; a damaged
// message is logged and skipped.
func mergeScans(ctx context.Context, nc *nats.Conn, cfg replicate.Config, srv *server.Server, eng *engine.Engine, log *slog.Logger) {
	l := srv.ScanLog()
	for ctx.Err() == nil {
		err := func() error {
			js, err := jetstream.New(nc)
			if err != nil {
				return err
			}
			s, err := replicate.SetupScans(ctx, js, cfg)
			if err != nil {
				return err
			}
			pos, err := l.Merged()
			if err != nil {
				return err
			}
			return replicate.FollowScans(ctx, s, pos, func(seq uint64, body []byte) error {
				err := eng.MergeScans(l, seq, body)
				if errors.Is(err, engine.ErrScanMessage) {
					log.Error("writer: a replica's scan counts were damaged; skipped", "err", err)
					return nil
				}
				return err
			})
		}()
		if err == nil || ctx.Err() != nil {
			return
		}
		log.Warn("writer: merging the replicas' scan counts; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// startMergeScans runs mergeScans in the background; the returned
// function stops it and waits.
func startMergeScans(nc *nats.Conn, cfg replicate.Config, srv *server.Server, eng *engine.Engine, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		mergeScans(ctx, nc, cfg, srv, eng, log)
	}()
	return func() { cancel(); <-done }
}
