package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/scanlog"
	"tracecode/engine/store"
)

// TestCloseRacesReadersAndWriters: resolutions, lookups, line reports,
// captures, mints and scan-log records racing Close never panic (Pebble
// panics on use after close); each call returns its result or ErrClosed,
// and Close returns once the calls in progress are done. Run it under
// -race too.
func TestCloseRacesReadersAndWriters(t *testing.T) {
	for round := range 4 {
		f := newFixture(t)
		e := f.e
		sl := e.NewScanLog(&scanlog.Options{FlushInterval: time.Millisecond})
		code := f.code(f.items, 1)
		ev := func(i int) string {
			return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting","ex:n":%d}`, code, i)
		}
		f.commission(f.items, 0, 9)
		work := map[string]func(i int) error{
			"resolve": func(int) error { _, err := e.Resolve(code); return err },
			"lookup":  func(int) error { _, err := e.Issuance().Lookup(code); return err },
			"report": func(i int) error {
				_, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission,
					Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: uint64(10 + i), Last: uint64(10 + i)}}}})
				return err
			},
			"capture": func(i int) error { _, err := f.capture(f.orgA, doc(ev(i))); return err },
			"mint": func(int) error {
				_, err := e.Issuance().Mint(t.Context(), issue.MintRequest{Product: f.prod.ID, Lot: "L1", Count: 5})
				return err
			},
			"scan": func(i int) error {
				_, err := sl.Record(scanlog.Scan{Ref: scanlog.Ref{Product: f.prod.ID, Counter: f.items.Start + uint64(i%50)}, Time: testClock.UnixMilli(), Client: uint32(i)})
				return err
			},
		}
		const calls = 200
		closeAt := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var bad []string
		for name, call := range work {
			wg.Go(func() {
				for i := range calls {
					if name == "resolve" && i == calls/4 {
						close(closeAt)
					}
					if err := call(i); err != nil {
						if !errors.Is(err, ErrClosed) {
							mu.Lock()
							bad = append(bad, fmt.Sprintf("%s %d: %v", name, i, err))
							mu.Unlock()
						}
						if e.iss.Closed() {
							return
						}
					}
				}
			})
		}
		<-closeAt
		if err := e.Close(); err != nil {
			t.Fatalf("round %d: Close: %v", round, err)
		}
		wg.Wait()
		if err := sl.Close(); err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("round %d: scan log close after the engine closed: %v", round, err)
		}
		if _, err := e.Resolve(code); !errors.Is(err, ErrClosed) {
			t.Errorf("round %d: Resolve after Close = %v, want ErrClosed", round, err)
		}
		if err := e.Close(); !errors.Is(err, ErrClosed) {
			t.Errorf("round %d: second Close = %v, want ErrClosed", round, err)
		}
		for _, b := range bad {
			t.Errorf("round %d: %s", round, b)
		}
	}
}

// TestOpenFailsOnDamagedLedger: a store whose ledger cannot be loaded
// (an organisation's last log entry overwritten) is refused by Open with
// what is damaged — it used to open, answer ready, and fail every scan
// and report retrying the load.
func TestOpenFailsOnDamagedLedger(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir, &Options{Store: smallStore()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "奶粉", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	b := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10}).Block
	if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: 0, Last: 9}}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dir, ptr(smallStore()))
	if err != nil {
		t.Fatal(err)
	}
	var logKey []byte
	if err := db.ScanPrefix(store.OrgLogKeys.Prefix(), func(k, _ []byte) error {
		logKey = append([]byte(nil), k...)
		return nil
	}); err != nil || logKey == nil {
		t.Fatalf("no ledger log entry (%v)", err)
	}
	wb := db.NewBatch()
	wb.Set(logKey, []byte{0xEE, 1, 2})
	if err := wb.Commit(true); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open(dir, &Options{Store: smallStore()})
	if err == nil {
		e.Close()
		t.Fatal("Open accepted a store whose ledger cannot be loaded")
	}
	if !strings.Contains(err.Error(), "ledger") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open error %q does not say the ledger of %s is damaged", err, dir)
	}
}

// TestPingReportsFailedEngine: once a commit failed (the engine refuses
// writes until reopened), Ping says so, and readiness probes with it.
func TestPingReportsFailedEngine(t *testing.T) {
	e := openTest(t, "")
	if err := e.Ping(); err != nil {
		t.Fatal(err)
	}
	failure := errors.New("injected fsync failure")
	e.iss.SetFailed(failure)
	if err := e.Ping(); !errors.Is(err, model.ErrFailed) || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("Ping of a failed engine = %v, want ErrFailed with the cause", err)
	}
	e.iss.SetFailed(nil)
}

func ptr[T any](v T) *T { return &v }
