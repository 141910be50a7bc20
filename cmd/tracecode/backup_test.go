package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"tracecode/engine"
	"tracecode/engine/backup"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
	"tracecode/server"
)

// TestBackupWhileWritingRestores backs up the demo store while a writer
// keeps minting, restores the file with `tracecode restore` and checks the
// restored store: verify finds nothing wrong and its ledger and blocks end
// where the manifest says; every block acknowledged before the backup began is in
// it and none of a mint begun after it ended; the resolver's answers for the
// demo's codes are the source's.
func TestBackupWhileWritingRestores(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo and restores through a subprocess")
	}
	const base = "https://tc.test"
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	eng, err := engine.Open(dir, &engine.Options{DLBase: base, ShortBase: base})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(eng, server.Config{PublicBase: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(context.Background(), eng, srv.Keys(), dir, base)
	if err != nil {
		t.Fatal(err)
	}
	org := eng.Issuance().Orgs()[0].ID
	prods := eng.Issuance().Products(org)
	if len(prods) == 0 {
		t.Fatal("the demo's first organisation has no product")
	}
	prod := prods[0].ID

	// The writer mints blocks until stopped; acked lists them in order.
	var (
		mu    sync.Mutex
		acked []uint64
		later []uint64 // blocks of mints begun after the backup ended
		werr  error
	)
	var backedUp atomic.Bool
	stop := make(chan struct{})
	wrote := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			begunAfter := backedUp.Load()
			res, err := eng.Issuance().Mint(context.Background(), issue.MintRequest{
				Org: org, Product: prod, Lot: "BACKUP", CreateLot: true, Count: 500,
				RequestID: fmt.Sprintf("backup-test-%d", i),
			})
			mu.Lock()
			if err != nil {
				werr = err
				mu.Unlock()
				return
			}
			acked = append(acked, res.Block.ID)
			if begunAfter {
				later = append(later, res.Block.ID)
			}
			mu.Unlock()
			select {
			case wrote <- struct{}{}:
			default:
			}
		}
	}()
	ackedNow := func() []uint64 {
		mu.Lock()
		defer mu.Unlock()
		return append([]uint64(nil), acked...)
	}
	waitMints := func(n int) {
		for len(ackedNow()) < n {
			<-wrote
		}
	}
	waitMints(3)
	before := ackedNow()
	out := filepath.Join(root, "store.tar.zst")
	m, err := writeBackup(eng, out)
	if err != nil {
		t.Fatal(err)
	}
	backedUp.Store(true)
	waitMints(len(ackedNow()) + 4)
	close(stop)
	wg.Wait()
	if werr != nil {
		t.Fatal(werr)
	}
	if _, err := writeBackup(eng, out); err == nil {
		t.Error("a second backup overwrote the first")
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}

	rdir := filepath.Join(root, "restored")
	if o, e, code := runCLI(t, "", "restore", "--in", out, "--data", rdir); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, o, e)
	}
	if _, e, code := runCLI(t, "", "restore", "--in", out, "--data", rdir); code == 0 || !strings.Contains(e, "not empty") {
		t.Errorf("restore into a non-empty directory: exit %d, %s", code, e)
	}

	src, err := storeOpen(dir, true, &engine.Options{DLBase: base, ShortBase: base})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := storeOpen(rdir, true, &engine.Options{DLBase: base, ShortBase: base})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := dst.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if rep.Records != m.LedgerSeq || m.LedgerSeq == 0 {
		t.Errorf("restored ledger: %d records, manifest %d", rep.Records, m.LedgerSeq)
	}
	srep, err := src.Verify()
	if err != nil || srep.Err() != nil {
		t.Fatalf("source verify: %v %v", err, srep.Err())
	}
	if srep.Records < rep.Records {
		t.Errorf("the source has %d ledger records, the backup %d", srep.Records, rep.Records)
	}
	if len(later) < 3 {
		t.Fatalf("only %d mints begun after the backup", len(later))
	}
	if m.LastBlock < before[len(before)-1] || m.LastBlock >= later[0] {
		t.Errorf("manifest's last block %d: acknowledged before the backup up to %d, begun after it from %d", m.LastBlock, before[len(before)-1], later[0])
	}
	for _, id := range before {
		b, err := dst.Issuance().Block(id)
		if err != nil {
			t.Errorf("block %d, acknowledged before the backup: %v", id, err)
			continue
		}
		if sb, _ := src.Issuance().Block(id); sb.Count != b.Count || sb.Start != b.Start {
			t.Errorf("block %d differs: restored %+v, source %+v", id, b, sb)
		}
	}
	for _, id := range later {
		if _, err := dst.Issuance().Block(id); err == nil {
			t.Errorf("block %d, minted after the backup ended, is in it", id)
		}
	}

	n := 0
	for _, u := range info.URLs {
		code := u.URL
		if i := strings.Index(code, "/resolve?code="); i >= 0 {
			code, _ = url.QueryUnescape(code[i+len("/resolve?code="):])
		}
		want, _, werr := server.AppendPublicChain(nil, src, base, code)
		got, _, gerr := server.AppendPublicChain(nil, dst, base, code)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: source %v, restored %v", code, werr, gerr)
			continue
		}
		if string(want) != string(got) {
			t.Errorf("%s resolves differently:\nrestored: %s\nsource:   %s", code, got, want)
		}
		n++
	}
	if n < 8 {
		t.Errorf("only %d demo codes compared", n)
	}
}

// TestRestoreRefusesDamage: a backup with one byte changed is refused and
// leaves no file behind.
func TestRestoreRefusesDamage(t *testing.T) {
	if testing.Short() {
		t.Skip("restores through a subprocess")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	eng, err := engine.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "b.tar.zst")
	if _, err := writeBackup(eng, out); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	bad := filepath.Join(root, "bad.tar.zst")
	if err := os.WriteFile(bad, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rdir := filepath.Join(root, "restored")
	_, e, code := runCLI(t, "", "restore", "--in", bad, "--data", rdir)
	if code == 0 {
		t.Fatal("a damaged backup restored")
	}
	if !strings.Contains(e, "restore "+bad) {
		t.Errorf("the error does not name the file: %s", e)
	}
	if _, err := os.Stat(rdir); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s behind (%v)", rdir, err)
	}
}

// TestServeBackupRunner: the backup serve writes on SIGUSR1 lands in
// --backup-dir and unpacks; without --backup-dir nothing is written.
func TestServeBackupRunner(t *testing.T) {
	root := t.TempDir()
	eng, err := engine.Open(filepath.Join(root, "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var b backupRunner
	b.start(eng, "", log)
	out := filepath.Join(root, "backups")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	b.start(eng, out, log)
	b.wait()
	files, err := filepath.Glob(filepath.Join(out, "tracecode-*.tar.zst"))
	if err != nil || len(files) != 1 {
		t.Fatalf("backups written: %v %v", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := backup.Read(f, filepath.Join(root, "restored")); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".tracecode-backup-*")); len(left) != 0 {
		t.Errorf("staging files left behind: %v", left)
	}
}
