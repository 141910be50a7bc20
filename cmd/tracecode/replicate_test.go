package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/replicate"
)

// startNATS starts one JetStream node in the test process.
func startNATS(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(30 * time.Second) {
		t.Fatal("NATS did not start")
	}
	return s.ClientURL()
}

// TestFailoverThroughTheLog: a writer serves with --replicate and dies
// without handing over; `tracecode follow` builds a standby from the log;
// the standby takes the lease once it lapses and continues: its store
// verifies clean, holds every block the old writer acknowledged, and the
// next block it mints has the next id — no serial is issued twice. A
// store behind the log is refused as a writer.
func TestFailoverThroughTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts NATS and a follow subprocess")
	}
	url := startNATS(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	cfg := replicate.Config{Replicas: 1, LeaseTTL: time.Second}
	root := t.TempDir()
	wdir, sdir := filepath.Join(root, "writer"), filepath.Join(root, "standby")

	w, err := startWriter(ctx, url, "writer", "", cfg, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	eo := &engine.Options{}
	eo.Store.Replicator = w.replicator()
	eng, err := engine.Open(wdir, eo)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.check(eng); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, eng, eng.APIKeys(), wdir, "https://tc.test"); err != nil {
		t.Fatal(err)
	}
	org := eng.Issuance().Orgs()[0].ID
	prod := eng.Issuance().Products(org)[0].ID
	var last model.Block
	for i := 0; i < 3; i++ {
		res, err := eng.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "FAIL", CreateLot: true, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		last = res.Block
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.close(false); err != nil { // a crash: no hand-over
		t.Fatal(err)
	}

	if o, e, code := runCLI(t, "", "follow", "--from", url, "--data", sdir); code != 0 {
		t.Fatalf("follow: exit %d\n%s%s", code, o, e)
	}
	w2, err := startWriter(ctx, url, "standby", "", cfg, 30*time.Second, log)
	if err != nil {
		t.Fatal(err)
	}
	eo2 := &engine.Options{}
	eo2.Store.Replicator = w2.replicator()
	eng2, err := engine.Open(sdir, eo2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.check(eng2); err != nil {
		t.Fatal(err)
	}
	rep, err := eng2.Verify()
	if err != nil || rep.Err() != nil {
		t.Fatalf("standby verify: %v %v", err, rep.Err())
	}
	for id := uint64(1); id <= last.ID; id++ {
		if _, err := eng2.Issuance().Block(id); err != nil {
			t.Errorf("block %d of the old writer: %v", id, err)
		}
	}
	res, err := eng2.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "FAIL", Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Block.ID != last.ID+1 || res.Block.Start != last.Start+last.Count {
		t.Errorf("the new writer minted block %d from counter %d; the old one's last was %d ending at %d",
			res.Block.ID, res.Block.Start, last.ID, last.Start+last.Count)
	}

	// The old writer cannot take the lease the standby holds.
	if w3, err := startWriter(ctx, url, "writer", "", cfg, 0, log); !errors.Is(err, replicate.ErrLeaseHeld) {
		if err == nil {
			w3.close(false)
		}
		t.Errorf("the old writer while the standby holds the lease: %v", err)
	}
	// After a hand-over it takes the lease, but its store is behind the
	// log now: refused as the writer.
	if err := eng2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w2.close(true); err != nil {
		t.Fatal(err)
	}
	w3, err := startWriter(ctx, url, "writer", "", cfg, 0, log)
	if err != nil {
		t.Fatalf("after the hand-over: %v", err)
	}
	defer w3.close(true)
	eo3 := &engine.Options{}
	eo3.Store.Replicator = w3.replicator()
	eng3, err := engine.Open(wdir, eo3)
	if err == nil {
		err = w3.check(eng3)
		eng3.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "log position") {
		t.Errorf("a store behind the log as the writer: %v", err)
	}
}
