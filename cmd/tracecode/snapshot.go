package main

import (
	"context"
	"errors"
	"fmt"
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
// archive in the snapshot bucket with the store's log position.
func putSnapshot(ctx context.Context, js jetstream.JetStream, cfg replicate.Config, eng *engine.Engine) (replicate.Snapshot, error) {
	ob, err := replicate.SnapshotStore(ctx, js, cfg)
	if err != nil {
		return replicate.Snapshot{}, err
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
	if _, err := tmp.Seek(0, 0); err != nil {
		return replicate.Snapshot{}, err
	}
	return replicate.PutSnapshot(ctx, ob, m.ReplSeq, tmp)
}

// restoreSnapshot fills the empty store directory dir from the newest
// snapshot, if the log has one; it returns the snapshot's position (0:
// none restored).
func restoreSnapshot(ctx context.Context, js jetstream.JetStream, dir string) (uint64, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return 0, nil // a store already: it follows from its own position
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	ob, ok, err := replicate.FindSnapshotStore(ctx, js)
	if err != nil || !ok {
		return 0, err
	}
	s, ok, err := replicate.NewestSnapshot(ctx, ob)
	if err != nil || !ok {
		return 0, err
	}
	tmp, err := os.CreateTemp("", "tracecode-snapshot-*.tar.zst")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := replicate.GetSnapshot(ctx, ob, s.Name, tmp); err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return 0, err
	}
	m, err := restoreBackup(tmp, dir)
	if err != nil {
		return 0, fmt.Errorf("snapshot %s: %w", s.Name, err)
	}
	if m.ReplSeq != s.Position {
		return 0, fmt.Errorf("snapshot %s: its store is at log position %d, its name says %d", s.Name, m.ReplSeq, s.Position)
	}
	return s.Position, nil
}
