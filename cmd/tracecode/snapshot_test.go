package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
	"tracecode/engine/store/storetest"
	"tracecode/replicate"
)

// TestReplicaFromSnapshot: a snapshot of the writer's store goes to the
// object store bucket; after more writes, a replica started on an empty
// directory restores the snapshot, follows the log from its position,
// and ends with a store byte-identical to the writer's.
func TestReplicaFromSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts NATS, a writer and a replica")
	}
	url := startNATS(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	cfg := replicate.Config{Replicas: 1, LeaseTTL: 2 * time.Second}
	root := t.TempDir()
	wdir, rdir := filepath.Join(root, "writer"), filepath.Join(root, "replica")

	w, err := startWriter(ctx, url, "writer", "", cfg, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	eo := &engine.Options{}
	eo.Store.Replicator = w.replicator()
	weng, err := engine.Open(wdir, eo)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.check(weng); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, weng, weng.APIKeys(), wdir, "https://tc.test"); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := putSnapshot(ctx, js, cfg, weng)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Position == 0 || snap.Position != weng.ReplicatedSeq() {
		t.Fatalf("snapshot at log position %d, the writer at %d", snap.Position, weng.ReplicatedSeq())
	}
	if snap.StreamSeq == 0 {
		t.Fatalf("snapshot %+v: no stream sequence", snap)
	}
	org := weng.Issuance().Orgs()[0].ID
	prod := weng.Issuance().Products(org)[0].ID
	for range 3 {
		if _, err := weng.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "SNAP", CreateLot: true, Count: 10}); err != nil {
			t.Fatal(err)
		}
	}
	end := weng.ReplicatedSeq()
	if end <= snap.Position {
		t.Fatalf("no writes after the snapshot (%d, %d)", end, snap.Position)
	}

	r, err := openReplica(ctx, url, rdir, &engine.Options{}, 10*time.Millisecond, log)
	if err != nil {
		t.Fatal(err)
	}
	if r.restored != snap.Position || r.startStream != snap.StreamSeq {
		t.Errorf("the replica restored log position %d and consumed after stream message %d, the snapshot holds %d and %d", r.restored, r.startStream, snap.Position, snap.StreamSeq)
	}
	for deadline := time.Now().Add(60 * time.Second); r.eng.ReplicatedSeq() < end && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if got := r.eng.ReplicatedSeq(); got != end {
		t.Fatalf("replica at log position %d, the writer at %d", got, end)
	}
	s, err := js.Stream(ctx, replicate.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := r.fl.Stats(); st.Messages > info.State.LastSeq-snap.StreamSeq || st.Dups != 0 {
		t.Errorf("the replica read %d messages (%d duplicate records); the log holds %d after the snapshot's", st.Messages, st.Dups, info.State.LastSeq-snap.StreamSeq)
	}

	// The serving writer's timed snapshots (serve --snapshot-every):
	// three ticks with writes between, the two newest kept, the newest
	// at the writer's position.
	tick := make(chan time.Time)
	sctx, stop := context.WithCancel(ctx)
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); snapshotLoop(sctx, js, cfg, weng, tick, 2, log) }()
	for range 3 {
		if _, err := weng.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "SNAP", Count: 10}); err != nil {
			t.Fatal(err)
		}
		tick <- time.Now()
	}
	ob, err := replicate.SnapshotStore(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var kept []replicate.Snapshot
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if kept, err = replicate.Snapshots(ctx, ob); err != nil {
			t.Fatal(err)
		}
		if len(kept) == 2 && kept[1].Position == weng.ReplicatedSeq() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed snapshots kept: %+v; want two, the newest at %d", kept, weng.ReplicatedSeq())
		}
	}
	stop()
	<-loopDone
	if kept[0].Position >= kept[1].Position || kept[0].Position <= snap.Position {
		t.Errorf("timed snapshots kept: %+v", kept)
	}
	end = weng.ReplicatedSeq()
	for deadline := time.Now().Add(60 * time.Second); r.eng.ReplicatedSeq() < end && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if got := r.eng.ReplicatedSeq(); got != end {
		t.Fatalf("replica at log position %d, the writer at %d", got, end)
	}
	r.close()
	if err := r.eng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := weng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.close(false); err != nil {
		t.Fatal(err)
	}
	wkv, rkv := storetest.Contents(t, wdir), storetest.Contents(t, rdir)
	if len(wkv) != len(rkv) {
		t.Fatalf("writer holds %d keys, replica %d", len(wkv), len(rkv))
	}
	for i := range wkv {
		if !bytes.Equal(wkv[i][0], rkv[i][0]) || !bytes.Equal(wkv[i][1], rkv[i][1]) {
			t.Fatalf("key %d: writer %x=%x, replica %x=%x", i, wkv[i][0], wkv[i][1], rkv[i][0], rkv[i][1])
		}
	}
}
