package engine

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
)

// TestDiskFullOnTmpfs: the disk-full behaviour on a real filesystem that
// fills up — a 128 MiB tmpfs, filled by another file until less than the
// store's reserve is free: writes are refused with ErrDiskFull (the
// process stays up), scans are answered, and once the file is removed
// writes succeed. Mounting needs root: the test skips without it, except
// under TRACECODE_CI=1.
func TestDiskFullOnTmpfs(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=128m"); err != nil {
		if os.Getenv("TRACECODE_CI") == "1" {
			t.Fatalf("mount a tmpfs: %v", err)
		}
		t.Skipf("cannot mount a tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	o := Options{Store: smallStore()}
	o.Store.MinFreeBytes = 32 << 20
	e, err := Open(filepath.Join(mnt, "data"), &o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := t.Context()
	p, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "奶粉", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	b := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 100}).Block
	code, err := e.iss.AppendCode(nil, &b, 3, issue.FormatDL)
	if err != nil {
		t.Fatal(err)
	}

	// Fill the filesystem until 8 MiB are left.
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for n := free - 8<<20; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			t.Fatalf("fill the tmpfs: %v", err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "L1", Count: 10}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("mint on a full tmpfs = %v, want ErrDiskFull", err)
	}
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: 0, Last: 9}}}}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("report on a full tmpfs = %v, want ErrDiskFull", err)
	}
	if err := e.Ping(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Ping on a full tmpfs = %v", err)
	}
	if _, err := e.Resolve(string(code)); err != nil {
		t.Fatalf("scan on a full tmpfs: %v", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "L1", Count: 10}); err != nil {
		t.Fatalf("mint once space returned: %v", err)
	}
	if err := e.Ping(); err != nil {
		t.Fatalf("Ping once space returned: %v", err)
	}
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
}
