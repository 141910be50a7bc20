package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
)

// TestVerifyDamagedTable corrupts one byte of a data file (an sstable) and
// expects `verify` to report the damage naming the file, exit 1, without
// a stack trace.
func TestVerifyDamagedTable(t *testing.T) {
	data := t.TempDir()
	food, err := engine.ParseCategory("food")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.AddProduct(engine.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "婴幼儿配方奶粉",
		Category: food})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Mint(context.Background(), engine.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ReportLine(&engine.LineReport{ReportMeta: engine.ReportMeta{Org: p.Org, Credential: "line-1",
		Time: time.Now().Add(-time.Hour)}, Action: engine.LineCommission,
		Items: engine.Items{Ranges: []engine.BlockRange{{Block: m.Block.ID, First: 0, Last: 999}}}}); err != nil {
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
