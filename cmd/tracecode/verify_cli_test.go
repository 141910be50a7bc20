package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// TestVerifyDamagedTable corrupts one byte of a data file (an sstable) and
// expects `verify` to report the damage naming the file, exit 1, without
// a stack trace.
func TestVerifyDamagedTable(t *testing.T) {
	data := t.TempDir()
	food, err := model.ParseCategory("food")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "婴幼儿配方奶粉",
		Category: food})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Credential: "line-1",
		Time: time.Now().Add(-time.Hour)}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: m.Block.ID, First: 0, Last: 999}}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCLI(t, "", "verify", "--data", data); code != 0 {
		t.Fatalf("verify of the intact store: exit %d\n%s%s", code, out, errOut)
	}
	tables, _ := filepath.Glob(filepath.Join(data, "*.sst"))
	if len(tables) == 0 {
		t.Fatal("the store has no sstable to damage")
	}
	sst := tables[0]
	b, err := os.ReadFile(sst)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x40
	if err := os.WriteFile(sst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "verify", "--data", data)
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	if code != 1 {
		t.Errorf("verify of a damaged table: exit %d, want 1", code)
	}
	all := out + errOut
	if !strings.Contains(all, filepath.Base(sst)) || !strings.Contains(all, "damage") {
		t.Errorf("verify does not report damage naming %s", filepath.Base(sst))
	}
	if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic") {
		t.Errorf("verify printed a stack trace")
	}
}

// TestVerifyDeletedRecallCLI deletes a lot's recall mark behind the
// engine's back: `verify` must fail (exit 1) naming the recall, where it
// used to say OK.
func TestVerifyDeletedRecallCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "10", "--format", "dl")
	mustCLI(t, "commission", d, "--time", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "1:0-9")
	mustCLI(t, "recall", d, "--lot", "09520123456788:L1", "--reason", "沙门氏菌")
	if out, errOut, code := runCLI(t, "", "verify", d); code != 0 {
		t.Fatalf("verify before tampering: exit %d\n%s%s", code, out, errOut)
	}
	db, err := store.Open(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	b.Delete(ledger.AppendRecallKey(nil, true, 1))
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "verify", d)
	if code != 1 || !strings.Contains(out, `recall mark of lot 1 ("L1" of product 1): missing: the ledger derives a recall by record 2`) {
		t.Fatalf("verify after deleting the recall mark: exit %d\n%s%s", code, out, errOut)
	}
}
