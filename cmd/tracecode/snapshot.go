package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/replicate"
)

var snapshotFlags struct {
	data, to string
	replicas int
}

var snapshotCmd = &cobra.Command{
	Use:   "snapshot --data DIR --to NATS-URLS",
	Short: "Store a snapshot of a replicated store in the log's JetStream object store",
	Long: `snapshot writes an online backup of the store in --data (a Pebble
checkpoint, tracecode backup's archive) with its position in the replicated
log to the JetStream object store bucket tracecode-snapshots (created if
missing, on --replicas NATS nodes). A replica started with --replica-of on
an empty data directory restores the newest snapshot, then follows the log
from the snapshot's position instead of replaying it all
(docs/replication.md).

Run it on a store no server holds open: a standby, or a replica stopped
for the moment (Pebble admits one process per store).`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &snapshotFlags
		if f.data == "" || f.to == "" {
			return errors.New("give the store with --data and the log's NATS URLs with --to")
		}
		eng, err := storeOpen(f.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(eng, &err)
		nc, js, err := dialJetStream("--to", f.to, nats.Name("tracecode snapshot"))
		if err != nil {
			return err
		}
		defer nc.Close()
		ctx := cmd.Context()
		start := time.Now()
		s, err := putSnapshot(ctx, js, replicate.Config{Replicas: f.replicas}, eng)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "snapshot %s: log position %d, %d bytes (%.1fs)\n", s.Name, s.Position, s.Size, time.Since(start).Seconds())
		return nil
	},
}

func init() {
	snapshotCmd.Flags().StringVar(&snapshotFlags.data, "data", "", "the store's data directory (required)")
	snapshotCmd.Flags().StringVar(&snapshotFlags.to, "to", "", "NATS URLs (comma-separated) of the replicated log (required)")
	snapshotCmd.Flags().IntVar(&snapshotFlags.replicas, "replicas", replicate.DefaultReplicas, "NATS nodes the snapshot bucket is stored on (when it is created)")
	rootCmd.AddCommand(snapshotCmd)
}

// putSnapshot backs eng up through a temporary file and stores the
// archive in the snapshot bucket with the store's log position and the
// stream sequence its replicas start from. A writer's store may hold a
// batch not yet on a quorum: the snapshot is stored only once the log
// holds its position (within snapshotLogWait), never ahead of the log.
func putSnapshot(ctx context.Context, js jetstream.JetStream, cfg replicate.Config, eng *engine.Engine) (replicate.Snapshot, error) {
	ob, err := replicate.SnapshotStore(ctx, js, cfg)
	if err != nil {
		return replicate.Snapshot{}, err
	}
	s, err := js.Stream(ctx, replicate.StreamName)
	if err != nil {
		return replicate.Snapshot{}, fmt.Errorf("stream %s: %w", replicate.StreamName, err)
	}
	tmp, err := os.CreateTemp("", "tracecode-snapshot-*.tar.zst")
	if err != nil {
		return replicate.Snapshot{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	m, err := eng.Backup(tmp, os.TempDir())
	if err != nil {
		return replicate.Snapshot{}, err
	}
	for deadline := time.Now().Add(snapshotLogWait); ; {
		end, err := replicate.LogPosition(ctx, s)
		if err != nil {
			return replicate.Snapshot{}, err
		}
		if end.RecordSeq >= m.ReplSeq {
			break
		}
		if time.Now().After(deadline) {
			return replicate.Snapshot{}, fmt.Errorf("the store is at log position %d, the log at %d: a snapshot ahead of the log is not stored", m.ReplSeq, end.RecordSeq)
		}
		select {
		case <-ctx.Done():
			return replicate.Snapshot{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	streamSeq, err := replicate.StreamSeqOf(ctx, s, m.ReplSeq)
	if err != nil {
		return replicate.Snapshot{}, err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return replicate.Snapshot{}, err
	}
	return replicate.PutSnapshot(ctx, ob, replicate.Position{StreamSeq: streamSeq, RecordSeq: m.ReplSeq}, tmp)
}

// snapshotLogWait bounds how long putSnapshot waits for the log to hold
// the snapshot's position (a writer's batches in flight to the quorum).
const snapshotLogWait = 30 * time.Second

// restoreSnapshot fills the empty store directory dir from the newest
// snapshot not beyond the log's record upTo, if the log has one; ok is
// false when none was restored.
func restoreSnapshot(ctx context.Context, js jetstream.JetStream, dir string, upTo uint64) (s replicate.Snapshot, ok bool, err error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return s, false, nil // a store already: it follows from its own position
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return s, false, err
	}
	ob, found, err := replicate.FindSnapshotStore(ctx, js)
	if err != nil || !found {
		return s, false, err
	}
	s, found, err = replicate.NewestSnapshot(ctx, ob, upTo)
	if err != nil || !found {
		return s, false, err
	}
	tmp, err := os.CreateTemp("", "tracecode-snapshot-*.tar.zst")
	if err != nil {
		return s, false, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := replicate.GetSnapshot(ctx, ob, s.Name, tmp); err != nil {
		return s, false, err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return s, false, err
	}
	m, err := restoreBackup(tmp, dir)
	if err != nil {
		return s, false, fmt.Errorf("snapshot %s: %w", s.Name, err)
	}
	if m.ReplSeq != s.Position {
		return s, false, fmt.Errorf("snapshot %s: its store is at log position %d, its name says %d", s.Name, m.ReplSeq, s.Position)
	}
	return s, true, nil
}

// snapshotLoop stores a snapshot of the serving writer's engine every
// tick until ctx ends, keeping the keep newest (serve --snapshot-every).
// A failed snapshot is logged; the next tick tries again.
func snapshotLoop(ctx context.Context, js jetstream.JetStream, cfg replicate.Config, eng *engine.Engine, tick <-chan time.Time, keep int, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		start := time.Now()
		s, err := putSnapshot(ctx, js, cfg, eng)
		if err != nil {
			log.Error("snapshot failed", "err", err)
			continue
		}
		log.Info("snapshot stored", "name", s.Name, "log_position", s.Position, "stream_seq", s.StreamSeq, "bytes", s.Size, "ms", time.Since(start).Milliseconds())
		ob, err := replicate.SnapshotStore(ctx, js, cfg)
		if err == nil {
			var gone []replicate.Snapshot
			gone, err = replicate.PruneSnapshots(ctx, ob, keep)
			for _, g := range gone {
				log.Info("old snapshot deleted", "name", g.Name)
			}
		}
		if err != nil {
			log.Error("deleting old snapshots", "err", err)
		}
	}
}
