package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/replicate"
)

// TestTakeoverWaitsUntilCaughtUp: replica A, watching the lease
// (--takeover), stops applying the log and falls behind; the writer dies
// without handing over. While A is behind the lease stays free — A
// declines it. Replica B, caught up, takes it by itself, applies the log
// to its end and opens as the writer: it holds every block the old
// writer minted and mints the next block id; A still does not hold the
// lease.
func TestTakeoverWaitsUntilCaughtUp(t *testing.T) {
	if testing.Short() {
		t.Skip("short: starts a three-node NATS cluster, a writer and two replicas")
	}
	urls, _ := startNATSCluster(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	root := t.TempDir()
	cfg := replicate.Config{Replicas: 3, LeaseTTL: 2 * time.Second}

	w, err := startWriterRetry(ctx, urls, "writer", "", cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	eo := &engine.Options{}
	eo.Store.Replicator = w.replicator()
	wdir := filepath.Join(root, "writer")
	weng, err := engine.Open(wdir, eo)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.check(weng); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, weng, weng.APIKeys(), wdir, "http://tc.test"); err != nil {
		t.Fatal(err)
	}
	org := weng.Orgs()[0].ID
	prod := weng.Products(org)[0].ID
	mint := func(e *engine.Engine) uint64 {
		t.Helper()
		res, err := e.Mint(ctx, engine.MintRequest{Org: org, Product: prod, Lot: "TAKEOVER", CreateLot: true, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res.Block.ID
	}
	mint(weng)

	a, err := openReplica(ctx, urls, filepath.Join(root, "a"), &engine.Options{}, 10*time.Millisecond, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close(); _ = a.eng.Close() })
	promoteA := a.enableTakeover(urls, "a", "", cfg)
	held := errors.New("held behind by the test")
	hook := func() error { return held }
	a.applyHook.Store(&hook)

	last := mint(weng) // A cannot apply it
	if err := weng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.close(false); err != nil { // dies: the lease lapses
		t.Fatal(err)
	}
	kv := mustKV(t, urls)
	for deadline := time.Now().Add(2 * time.Minute); a.auto.Load().declined.Load() < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica A never saw the lease free while behind (declined %d)", a.auto.Load().declined.Load())
		}
	}
	if lv, ok, err := replicate.ReadLease(ctx, kv); err != nil || ok {
		t.Fatalf("the lease while the only replica is behind: %+v held %v (%v); want free", lv, ok, err)
	}
	select {
	case <-promoteA:
		t.Fatal("replica A took the lease while behind")
	default:
	}

	b, err := openReplica(ctx, urls, filepath.Join(root, "b"), &engine.Options{}, 10*time.Millisecond, log)
	if err != nil {
		t.Fatal(err)
	}
	var wb *logWriter
	select {
	case wb = <-b.enableTakeover(urls, "b", "", cfg):
	case <-time.After(2 * time.Minute):
		b.close()
		_ = b.eng.Close()
		t.Fatal("replica B, caught up, did not take the free lease")
	}
	beng, err := becomeWriter(ctx, b, wb, filepath.Join(root, "b"), &engine.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = beng.Close(); _ = wb.close(false) })
	if _, err := beng.Block(last); err != nil {
		t.Fatalf("the new writer lacks block %d, the old writer's last: %v", last, err)
	}
	if next := mint(beng); next != last+1 {
		t.Fatalf("the new writer minted block %d, want %d", next, last+1)
	}
	if lv, ok, err := replicate.ReadLease(ctx, kv); err != nil || !ok || lv.Holder != "b" {
		t.Fatalf("the lease: %+v held %v (%v); want b's", lv, ok, err)
	}
	select {
	case <-promoteA:
		t.Fatal("replica A, behind, took the lease as well")
	default:
	}
}
