package issue

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// The Book's tests that reach into its internals: the mint queue, a
// chunk's formatting, a sealed key record, an import a crash interrupted.
// Everything else is tested through the engine's facade (package engine).

const testGTIN = "09520123456788" // GCP 9520123

// openTest opens a Book over a store in a temporary directory (or dir if
// given), with the engine's defaults; its Check runs when the test ends,
// before Close.
func openTest(t testing.TB, dir string) *Book {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	e, err := Open(db, Options{
		MaxMintCount: 10_000_000_000, DLBase: "https://id.gs1.org", ShortBase: "https://tc.example.cn",
		BloomFPRate: 0.001, GroupCommitMax: 1024, ShortQuotaPerOrg: 10_000_000_000,
		MaxLotsPerOrg: 10_000_000, MaxProductsPerOrg: 100_000,
		Now: func() time.Time { return clock }, Location: time.FixedZone("CST", 8*3600),
	})
	if err == nil {
		err = e.Recover()
	}
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if e.closed.Load() {
			return
		}
		if err := e.Check(); err != nil {
			t.Errorf("Check at the end of the test: %v", err)
		}
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// addDrug creates a drug product with a GTIN (GCP length 7), item and
// case levels.
func addDrug(t testing.TB, e *Book, gtin string) Product {
	t.Helper()
	p, err := e.AddProduct(context.Background(), ProductSpec{GTIN: gtin, GCPLength: 7, NameZH: "阿莫西林胶囊",
		NameEN: "Amoxicillin", Category: model.CatDrug,
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mint(t testing.TB, e *Book, req MintRequest) MintResult {
	t.Helper()
	r, err := e.Mint(context.Background(), req)
	if err != nil {
		t.Fatalf("Mint(%+v): %v", req, err)
	}
	return r
}

// TestMintQueuedRequestLeavesOnCancel: a mint queued behind a group in
// progress returns when its context ends, allocating nothing, and the
// queue goes on.
func TestMintQueuedRequestLeavesOnCancel(t *testing.T) {
	e := openTest(t, "")
	p, err := e.AddProduct(t.Context(), ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
	if err != nil {
		t.Fatal(err)
	}
	q := &e.mintq
	q.Lock()
	q.leading = true // a leader is committing a group
	q.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := e.Mint(ctx, MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued Mint after cancel = %v, want context.Canceled", err)
	}
	q.Lock()
	n := len(q.pending)
	q.leading = false
	q.Unlock()
	if n != 0 {
		t.Fatalf("%d requests left queued", n)
	}
	if st, _ := e.ProductState(p.ID); st.HighWater != 0 {
		t.Fatalf("a cancelled mint allocated: %+v", st)
	}
	mint(t, e, MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10})
}

// TestMintCancelPassesTheLead: a queued request handed the lead and then
// cancelled passes the lead on; the request behind it completes.
func TestMintCancelPassesTheLead(t *testing.T) {
	e := openTest(t, "")
	p, err := e.AddProduct(t.Context(), ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
	if err != nil {
		t.Fatal(err)
	}
	q := &e.mintq
	a := &mintWaiter{req: MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10}, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	b := &mintWaiter{req: MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 20}, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	q.Lock()
	q.leading = true
	q.pending = []*mintWaiter{a, b}
	a.lead <- struct{}{} // the previous leader handed a the lead
	q.Unlock()
	if !e.leaveMintQueue(a) {
		t.Fatal("a queued waiter could not leave")
	}
	select {
	case <-b.lead:
	default:
		t.Fatal("the lead was not passed on")
	}
	e.leadMintGroup()
	<-b.done
	if b.err != nil || b.res.Block.Count != 20 {
		t.Fatalf("the next request: %+v %v", b.res, b.err)
	}
	if st, _ := e.ProductState(p.ID); st.HighWater != 20 {
		t.Fatalf("product state %+v, want 20 allocated", st)
	}
}

// TestFormatChunkAllocs: formatting a chunk of minted codes allocates
// nothing once the buffer has grown.
func TestFormatChunkAllocs(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN)
	b := mint(t, e, MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 1000}).Block
	e.mu.RLock()
	f, err := e.newFormatter(&b, e.formatOptions(&StreamOptions{}))
	e.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, fm := range []Format{FormatSerial, FormatDL, FormatElement, FormatCSV} {
		s := &streamer{f: f, fm: fm}
		v := make([]uint64, 256)
		buf := make([]byte, 0, 1<<16)
		allocs := testing.AllocsPerRun(20, func() {
			for i := range v {
				v[i] = uint64(i)
			}
			f.ff.EncryptBatch(v, v)
			buf = s.formatChunk(buf[:0], 0, v)
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per chunk", fm, allocs)
		}
	}
}

// TestImportCrashRecovery simulates a crash after the importing record and
// the SSTable ingestion: Open voids the block and removes its serials.
func TestImportCrashRecovery(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN)
	sorted, res, _, err := e.planImport(&ImportRequest{Product: p.ID, Serials: []string{"S1", "S2"}, RequestID: "crash"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.IngestSorted(context.Background(), func(add func(k, v []byte) error) error {
		for i, s := range sorted {
			if err := add(append(append([]byte{0x60}, be64(res.Block.ID)...), s...), append([]byte{1}, byte(i))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// While the import is in progress its request id is taken.
	if _, err := e.Mint(context.Background(), MintRequest{Product: p.ID, Count: 1, RequestID: "crash"}); !errors.Is(err, ErrState) {
		t.Fatalf("mint with the request id of an import in progress: %v", err)
	}
	dir := e.db.Dir()
	e.closed.Store(true)
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e = openTest(t, dir)
	b, err := e.Block(res.Block.ID)
	if err != nil || b.State != model.BlockVoided || !strings.Contains(b.Note, "crash") {
		t.Fatalf("block after recovery: %+v %v", b, err)
	}
	if _, err := e.Lookup("(01)" + testGTIN + "(21)S1"); !errors.Is(err, ErrNeverIssued) {
		t.Fatalf("serial of a failed import: %v", err)
	}
	// The request id is free again: the retry imports.
	r, err := e.Import(context.Background(), ImportRequest{Product: p.ID, Serials: []string{"S1", "S2"}, RequestID: "crash"})
	if err != nil || r.Replayed || r.Block.ID == b.ID {
		t.Fatalf("retry: %+v %v", r, err)
	}
}

func be64(v uint64) []byte {
	return []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// FuzzOpenKey: opening an arbitrary key record never panics; only the
// record sealed for that store key opens.
func FuzzOpenKey(f *testing.F) {
	kek, _ := ParseKEK([]byte("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"))
	sk := store.ProductKeyKey(1, 0)
	sealed, clear := sealKey(&kek, sk, make([]byte, 32), 1), sealKey(nil, sk, make([]byte, 32), 1)
	f.Add(sealed.AppendBinary(nil), true)
	f.Add(clear.AppendBinary(nil), false)
	f.Fuzz(func(t *testing.T, v []byte, wrapped bool) {
		r, err := store.DecodeKey(v)
		if err != nil {
			return
		}
		plain, err := openKey(&kek, wrapped, sk, r)
		if err == nil && len(plain) != 16 && len(plain) != 24 && len(plain) != 32 {
			t.Fatalf("opened a %d-byte key", len(plain))
		}
	})
}
