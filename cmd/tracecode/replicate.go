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
	"tracecode/engine/replica"
	"tracecode/replicate"
)

// replFlags are serve's replication flags (docs/replication.md).
var replFlags struct {
	urls      string
	replicas  int
	leaseTTL  time.Duration
	leaseWait time.Duration
	node      string
	// snapshotEvery and snapshotKeep: the writer's timed snapshots.
	snapshotEvery time.Duration
	snapshotKeep  int
}

func init() {
	f := serveCmd.Flags()
	f.StringVar(&replFlags.urls, "replicate", "", "NATS URLs (comma-separated): serve as the writer of the replicated log — take the lease, publish every committed batch, answer a write once a quorum stores it (docs/replication.md)")
	f.IntVar(&replFlags.replicas, "replicas", replicate.DefaultReplicas, "NATS nodes the log and the lease are stored on (with --replicate)")
	f.DurationVar(&replFlags.leaseTTL, "lease-ttl", replicate.DefaultLeaseTTL, "how long the writer's lease lasts unrenewed (with --replicate)")
	f.DurationVar(&replFlags.leaseWait, "lease-wait", 0, "how long to wait for another writer's lease to lapse before giving up (with --replicate; a standby taking over)")
	f.StringVar(&replFlags.node, "node-name", "", "this node's name in the lease (default the host name)")
	f.DurationVar(&replFlags.snapshotEvery, "snapshot-every", 0, "while serving as the writer of the replicated log, store a snapshot of the store in the JetStream object store bucket tracecode-snapshots this often (e.g. 6h; 0: never — size the NATS nodes' storage for --snapshot-keep copies of the store first; docs/replication.md)")
	f.IntVar(&replFlags.snapshotKeep, "snapshot-keep", 3, "the number of newest snapshots kept in the bucket (with --snapshot-every)")

	followCmd.Flags().StringVar(&followFlags.urls, "from", "", "NATS URLs (comma-separated) of the replicated log (required)")
	followCmd.Flags().StringVar(&followFlags.data, "data", "", "the replica's data directory (created if missing; required)")
	followCmd.Flags().BoolVar(&followFlags.stay, "stay", false, "keep following after catching up, until SIGINT or SIGTERM")
	rootCmd.AddCommand(followCmd)
}

// logWriter is a serve process's hold on the replicated log as its writer.
type logWriter struct {
	nc    *nats.Conn
	lease *replicate.Lease
	pub   *replicate.Publisher
	at    replicate.Position
	stop  context.CancelFunc
	kept  chan struct{}
}

// dialJetStream connects to the NATS servers urls, given by flag, and
// opens JetStream on the connection.
func dialJetStream(flag, urls string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", flag, urls, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// startWriter takes the lease (waiting up to wait for another writer's
// to lapse) under node, naming addr (the public base) as where writes go,
// and starts the publisher at the log's end.
func startWriter(ctx context.Context, urls, node, addr string, cfg replicate.Config, wait time.Duration, log *slog.Logger) (*logWriter, error) {
	if node == "" {
		node, _ = os.Hostname()
	}
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.Name("tracecode writer "+node))
	if err != nil {
		return nil, fmt.Errorf("--replicate %s: %w", urls, err)
	}
	w := &logWriter{nc: nc}
	err = w.start(ctx, node, addr, cfg, wait, log)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return w, nil
}

func (w *logWriter) start(ctx context.Context, node, addr string, cfg replicate.Config, wait time.Duration, log *slog.Logger) error {
	js, err := jetstream.New(w.nc)
	if err != nil {
		return err
	}
	s, kv, err := replicate.Setup(ctx, js, cfg)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		w.lease, err = replicate.AcquireAt(ctx, kv, node, addr)
		if !errors.Is(err, replicate.ErrLeaseHeld) || time.Now().After(deadline) {
			break
		}
		log.Info("the writer's lease is held; waiting for it to lapse", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return err
	}
	if w.at, err = replicate.LogPosition(ctx, s); err != nil {
		return err
	}
	if w.pub, err = replicate.NewPublisher(ctx, js, w.lease, w.at, nil); err != nil {
		return err
	}
	kctx, stop := context.WithCancel(context.Background())
	w.stop, w.kept = stop, make(chan struct{})
	go func() {
		defer close(w.kept)
		if err := w.lease.Keep(kctx); err != nil {
			log.Error("the writer's lease was lost: writes are refused from now on", "err", err)
		}
	}()
	log.Info("writer of the replicated log", "node", node, "epoch", w.lease.Epoch(), "log_records", w.at.RecordSeq)
	return nil
}

// replicator is the store seam that publishes every committed batch.
func (w *logWriter) replicator() replicate.StoreReplicator {
	return replicate.StoreReplicator{P: w.pub}
}

// check refuses a store that is not at the log's end: behind it (catch up
// with tracecode follow first) or ahead of it (batches the log never
// acknowledged: rebuild from the log).
func (w *logWriter) check(eng *engine.Engine) error {
	pos, want := eng.ReplicatedSeq(), w.pub.LastEnqueued()
	if pos != want {
		return fmt.Errorf("--replicate: the store is at log position %d, the log at %d: a store behind the log catches up with `tracecode follow`; one ahead holds batches never acknowledged and is rebuilt from the log", pos, want)
	}
	return w.pub.Err()
}

// close publishes what is queued and stops; handOver releases the lease
// so that a standby takes over at once (a drained shutdown).
func (w *logWriter) close(handOver bool) error {
	err := w.pub.Close()
	w.stop()
	<-w.kept
	if handOver && err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = w.lease.Release(ctx)
		cancel()
	}
	w.nc.Close()
	return err
}

var followFlags struct {
	urls, data string
	stay       bool
}

var followCmd = &cobra.Command{
	Use:   "follow --from NATS-URLS --data DIR [--stay]",
	Short: "Build or update a replica's store from the replicated log",
	Long: `follow applies the replicated log's batches to the store in --data, in
order, from the store's own position: a new directory becomes a copy of the
writer's store, an existing replica catches up. It stops once it reached the
log's end as it was when it started (or, with --stay, at SIGINT or SIGTERM).

A store caught up this way can be served as the next writer:
tracecode serve --replicate NATS-URLS --lease-wait 1m takes the lease once the
old writer's lapses, and continues the log where it ends — after every
serial the old writer had acknowledged (docs/replication.md).`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &followFlags
		if f.urls == "" || f.data == "" {
			return errors.New("give the log with --from and the replica's directory with --data")
		}
		rs, err := replica.Open(f.data)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := rs.Close(); err == nil {
				err = cerr
			}
		}()
		nc, js, err := dialJetStream("--from", f.urls, nats.MaxReconnects(-1), nats.Name("tracecode follow"))
		if err != nil {
			return err
		}
		defer nc.Close()
		ctx := cmd.Context()
		s, err := js.Stream(ctx, replicate.StreamName)
		if err != nil {
			return fmt.Errorf("--from %s: stream %s: %w", f.urls, replicate.StreamName, err)
		}
		end, err := replicate.LogPosition(ctx, s)
		if err != nil {
			return err
		}
		start := rs.Position()
		after, err := replicate.StreamSeqOf(ctx, s, start)
		if err != nil {
			return err
		}
		fl := replicate.NewBatchFollower(replicate.Position{StreamSeq: after, RecordSeq: start}, func(recs []replicate.Record) error {
			return rs.ApplyBatches(recs[0].Seq, recordData(recs))
		})
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- fl.Follow(fctx, s) }()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case err := <-errc:
				if err != nil {
					return err
				}
				if !f.stay && fl.Stats().At.RecordSeq < end.RecordSeq {
					return fmt.Errorf("stopped at log position %d before the log's end %d", fl.Stats().At.RecordSeq, end.RecordSeq)
				}
				return nil
			case <-t.C:
			}
			if !f.stay && fl.Stats().At.RecordSeq >= end.RecordSeq {
				cancel()
				if err := <-errc; err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "follow %s: log position %d → %d (the log's end)\n", f.data, start, fl.Stats().At.RecordSeq)
				return nil
			}
		}
	},
}
