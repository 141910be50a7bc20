package replicate

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
	"tracecode/engine/store"
	"tracecode/engine/store/storetest"
	"tracecode/server"
)

// TestStoreReplicatesThroughTheLog runs the engine as the writer of an R3
// log — every batch its store commits is published, a synced commit
// answered only once a quorum has it — seeds the demo data set and mints,
// then builds a replica's store from the log alone. The replica's store
// holds exactly the writer's keys and values, verifies clean, and
// resolves every demo code as the writer does.
func TestStoreReplicatesThroughTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node NATS cluster")
	}
	const base = "https://tc.test"
	c := newTestCluster(t)
	js, s, kv := c.setup(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lease, err := Acquire(ctx, kv, "writer")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = lease.Keep(ctx) }()
	at, err := LogPosition(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPublisher(ctx, js, lease, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	wdir, rdir := filepath.Join(root, "writer"), filepath.Join(root, "replica")
	eo := &engine.Options{DLBase: base, ShortBase: base}
	eo.Store.Replicator = StoreReplicator{P: p}
	eng, err := engine.Open(wdir, eo)
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(ctx, eng, eng.APIKeys(), wdir, base)
	if err != nil {
		t.Fatal(err)
	}
	org := eng.Issuance().Orgs()[0].ID
	prod := eng.Issuance().Products(org)[0].ID
	for i := 0; i < 5; i++ {
		if _, err := eng.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "REPL", CreateLot: true, Count: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	end, err := LogPosition(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if end.RecordSeq < 10 {
		t.Fatalf("the log holds %d batches", end.RecordSeq)
	}

	rdb, err := store.Open(rdir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := NewFollower(Position{}, func(r Record) error { return rdb.ApplyReplicated(r.Seq, r.Data) })
	fctx, fcancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- f.Follow(fctx, s) }()
	deadline := time.Now().Add(60 * time.Second)
	for f.Stats().At.RecordSeq < end.RecordSeq {
		select {
		case err := <-errc:
			t.Fatalf("follower stopped at %+v: %v", f.Stats(), err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("follower at %+v, log at %+v", f.Stats(), end)
		}
		time.Sleep(20 * time.Millisecond)
	}
	fcancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := rdb.ReplicatedSeq(); got != end.RecordSeq {
		t.Errorf("replica at %d, log at %d", got, end.RecordSeq)
	}
	if err := rdb.ApplyReplicated(end.RecordSeq+5, nil); !errors.Is(err, store.ErrReplication) {
		t.Errorf("a batch out of order: %v", err)
	}
	if err := rdb.Close(); err != nil {
		t.Fatal(err)
	}

	w, r := storetest.Contents(t, wdir), storetest.Contents(t, rdir)
	if len(w) != len(r) {
		t.Fatalf("writer holds %d keys, replica %d", len(w), len(r))
	}
	for i := range w {
		if !bytes.Equal(w[i][0], r[i][0]) || !bytes.Equal(w[i][1], r[i][1]) {
			t.Fatalf("key %d: writer %x=%x, replica %x=%x", i, w[i][0], w[i][1], r[i][0], r[i][1])
		}
	}

	ro := &engine.Options{DLBase: base, ShortBase: base}
	ro.Store.ReadOnly = true
	src, err := engine.Open(wdir, ro)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := engine.Open(rdir, ro)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := dst.Verify()
	if err != nil || rep.Err() != nil {
		t.Fatalf("replica verify: %v %v", err, rep.Err())
	}
	n := 0
	for _, u := range info.URLs {
		code := u.URL
		if i := strings.Index(code, "/resolve?code="); i >= 0 {
			code, _ = url.QueryUnescape(code[i+len("/resolve?code="):])
		}
		want, _, werr := server.AppendPublicChain(nil, src, base, code)
		got, _, gerr := server.AppendPublicChain(nil, dst, base, code)
		if (werr == nil) != (gerr == nil) || string(want) != string(got) {
			t.Errorf("%s: writer %s %v, replica %s %v", code, want, werr, got, gerr)
		}
		n++
	}
	if n < 8 {
		t.Errorf("only %d demo codes compared", n)
	}
}
