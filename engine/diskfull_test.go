package engine

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
)

// spaceFS is the operating system's filesystem reporting the free space
// the test sets.
type spaceFS struct {
	vfs.FS
	avail atomic.Uint64
}

func (f *spaceFS) GetDiskUsage(string) (vfs.DiskUsage, error) {
	a := f.avail.Load()
	return vfs.DiskUsage{AvailBytes: a, TotalBytes: 1 << 40, UsedBytes: 1<<40 - a}, nil
}

// TestDiskFullRefusesWritesAndRecovers: with the store's filesystem below
// its free-space reserve, every write is refused with ErrDiskFull before it
// reaches Pebble (whose failed WAL write is fatal: the server exited),
// nothing is applied, the engine is not latched failed, reads and scans go
// on, Ping reports it; once space returns, writes succeed again.
func TestDiskFullRefusesWritesAndRecovers(t *testing.T) {
	fs := &spaceFS{FS: vfs.Default}
	fs.avail.Store(1 << 40)
	o := Options{Store: smallStore()}
	o.Store.FS = fs
	e, err := Open(t.TempDir(), &o)
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
	commission := func(lo, hi uint64) error {
		_, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org}, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: lo, Last: hi}}}})
		return err
	}
	if err := commission(0, 9); err != nil {
		t.Fatal(err)
	}
	code, err := e.iss.AppendCode(nil, &b, 3, issue.FormatDL)
	if err != nil {
		t.Fatal(err)
	}

	fs.avail.Store(1 << 20) // 1 MiB left: below the 256 MiB reserve
	writes := map[string]func() error{
		"mint": func() error {
			_, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "L1", Count: 10})
			return err
		},
		"report": func() error { return commission(10, 19) },
		"lot": func() error {
			_, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: p.ID, Number: "L2"})
			return err
		},
		"org": func() error {
			_, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "乙"})
			return err
		},
		"api key": func() error {
			_, _, err := e.APIKeys().Create(apikey.Options{Org: p.Org, Name: "k", Scopes: apikey.ScopeReport})
			return err
		},
	}
	for name, w := range writes {
		if err := w(); !errors.Is(err, ErrDiskFull) {
			t.Errorf("%s on a full disk = %v, want ErrDiskFull", name, err)
		}
	}
	if err := e.Ping(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Ping on a full disk = %v, want ErrDiskFull", err)
	}
	if err := e.iss.Failed(); err != nil {
		t.Fatalf("a refused write latched the engine failed: %v", err)
	}
	c, err := e.Resolve(string(code))
	if err != nil || !c.State.Has(itemstate.Commissioned) {
		t.Fatalf("a scan on a full disk: %+v %v", c, err)
	}
	ts, _ := e.tr()
	if st, _ := ts.Items().State(b.ID, 15); st.Has(itemstate.Commissioned) {
		t.Fatal("a refused report was applied")
	}

	fs.avail.Store(1 << 40) // space returns
	if err := e.Ping(); err != nil {
		t.Fatalf("Ping once space returned: %v", err)
	}
	for name, w := range writes {
		if err := w(); err != nil {
			t.Errorf("%s once space returned: %v", name, err)
		}
	}
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.Verify(); err != nil || !rep.OK() {
		t.Fatalf("Verify: %+v %v", rep, err)
	}
}
