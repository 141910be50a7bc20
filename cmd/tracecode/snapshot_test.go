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
	org := weng.Orgs()[0].ID
	prod := weng.Products(org)[0].ID
	for range 3 {
		if _, err := weng.Mint(ctx, engine.MintRequest{Org: org, Product: prod, Lot: "SNAP", CreateLot: true, Count: 10}); err != nil {
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
	if r.restored != snap.Position {
		t.Errorf("the replica restored log position %d, the snapshot holds %d", r.restored, snap.Position)
	}
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
