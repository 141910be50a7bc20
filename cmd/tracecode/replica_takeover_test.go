package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
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
	org := weng.Issuance().Orgs()[0].ID
	prod := weng.Issuance().Products(org)[0].ID
	mint := func(e *engine.Engine) uint64 {
		t.Helper()
		res, err := e.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "TAKEOVER", CreateLot: true, Count: 10})
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
	if _, err := beng.Issuance().Block(last); err != nil {
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

// TestSIGTERMHandsOverToAReplica: `tracecode serve --replicate` (a
// subprocess) and a replica `tracecode serve --replica-of --takeover`
// (another) on a log whose lease lasts five minutes. A block minted on
// the writer reaches the replica; SIGTERM makes the writer drain, release
// the lease and exit 0; the replica then takes the lease at once — well
// within the TTL, so through the release, not a lapse — serves as the
// writer on its own address and mints the next block id.
func TestSIGTERMHandsOverToAReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("short: starts a three-node NATS cluster and two serve subprocesses")
	}
	urls, _ := startNATSCluster(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	root := t.TempDir()
	cfg := replicate.Config{Replicas: 3, LeaseTTL: 5 * time.Minute}
	wdir := filepath.Join(root, "writer")
	token, prod := seedWriterStore(t, urls, wdir, cfg, log)

	addr := func() (string, string) {
		ln, base := listen(t)
		ln.Close()
		return ln.Addr().String(), base
	}
	waddr, wbase := addr()
	raddr, rbase := addr()
	writer, werr := startServeProcess(t, "--data", wdir, "--addr", waddr, "--replicate", urls, "--node-name", "writer", "--lease-ttl", "5m")
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = writer.Process.Kill()
			_ = writer.Wait()
		}
	})
	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	waitReady := func(base string, errb *syncBuffer) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if resp, err := client.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
			}
		}
		t.Fatalf("%s never became ready; its stderr:\n%s", base, errb.String())
	}
	waitReady(wbase, werr)
	replica, rerr := startServeProcess(t, "--data", filepath.Join(root, "replica"), "--addr", raddr, "--public-base", rbase,
		"--replica-of", urls, "--takeover", "--node-name", "replica", "--lease-ttl", "5m", "--replica-refresh", "10ms")
	t.Cleanup(func() {
		_ = replica.Process.Signal(syscall.SIGTERM)
		_ = replica.Wait()
	})
	waitReady(rbase, rerr)

	mint := func(base string) (int, ackedBlock) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/v1/blocks", strings.NewReader(fmt.Sprintf(`{"product": %d, "lot": "BURST", "count": 5}`, prod)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, ackedBlock{}
		}
		defer resp.Body.Close()
		var ab ackedBlock
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &ab)
		return resp.StatusCode, ab
	}
	code, first := mint(wbase)
	if code != 201 {
		t.Fatalf("mint on the writer: %d", code)
	}
	// The replica has the block once its code resolves there.
	var codes bytes.Buffer
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/blocks/%d/codes?format=dl", wbase, first.ID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(&codes, resp.Body)
	resp.Body.Close()
	lines := strings.Fields(codes.String())
	if len(lines) != 5 {
		t.Fatalf("block %d streams %d codes: %q", first.ID, len(lines), codes.String())
	}
	path := lines[0][strings.Index(lines[0], "/01/"):]
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if c, st := getStatus(t, client, rbase+path); c == 200 && st != "not_genuine" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never resolved %s", path)
		}
	}

	if err := writer.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = writer.Wait()
	exited = true
	if err != nil {
		t.Fatalf("the writer's SIGTERM exit: %v; stderr:\n%s", err, werr.String())
	}
	var next ackedBlock
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if code, next = mint(rbase); code == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not take over within 2 minutes of the hand-over (lease TTL 5 minutes); last answer %d; its stderr:\n%s", code, rerr.String())
		}
	}
	if next.ID != first.ID+1 {
		t.Fatalf("the new writer minted block %d, want %d", next.ID, first.ID+1)
	}
	if lv, ok, err := replicate.ReadLease(context.Background(), mustKV(t, urls)); err != nil || !ok || lv.Holder != "replica" || lv.Addr != rbase {
		t.Fatalf("the lease: %+v held %v (%v); want the replica's, at %s", lv, ok, err, rbase)
	}
}
