package ledger

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/store"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -rewrite to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test -rewrite and review the diff); got:\n%s", path, got)
	}
}

func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sampleSummary() Summary {
	return Summary{Kind: KindEPCIS, Org: 3, RecordTime: 1_700_000_001_000, EventTime: 1_700_000_000_000, TZOffset: 480,
		EventType: "ObjectEvent", Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit",
		ReadPoint: "urn:epc:id:sgln:9520123.00001.0", BizLocation: "urn:epc:id:sgln:9520123.00001.0",
		Credential: "key:12", BizTx: []Pair{{"inv", "urn:epcglobal:cbv:bt:9520123000003:INV-1"}},
		Dests: []Pair{{"owning_party", "urn:epc:id:pgln:6901234.00000"}}, ContentHash: [32]byte{0xaa, 0xbb}}
}

func TestGolden(t *testing.T) {
	var out strings.Builder
	out.WriteString("# ledger key and value layouts (hex). Regenerate: go test ./engine/ledger -run Golden -rewrite\n")
	kv := func(name string, k, v []byte) {
		fmt.Fprintf(&out, "%s\n  key   %s | %s\n  value %s (%d bytes)\n", name, hex.EncodeToString(k[:1]), hex.EncodeToString(k[1:]), hex.EncodeToString(v), len(v))
	}
	s := sampleSummary()
	s.Seq, s.OrgSeq = 7, 2
	kv("summary of record 7: org 3 position 2, a shipping ObjectEvent", AppendSummaryKey(nil, 7), s.AppendValue(nil))
	p := Payload{Targets: []Target{
		{Role: RoleEPC, Kind: TargetRun, Product: 1, First: 1000, Last: 1009},
		{Role: RoleClass, Kind: TargetLot, Lot: 4, Product: 1, Quantity: 12.5, HasQuantity: true, UOM: "KGM"},
		{Role: RoleClass, Kind: TargetProduct, Product: 2},
	}, Body: []byte(`{"type":"ObjectEvent"}`)}
	kv("payload of record 7: a run, a lot with 12.5 KGM, a product, and the event JSON", AppendPayloadKey(nil, 7), p.AppendValue(nil))
	e := LogEntry{Org: 3, OrgSeq: 2, Seq: 7, RecordHash: [32]byte{1}, Chain: [32]byte{2}}
	kv("log entry: org 3 position 2 is record 7", appendLogKey(nil, 3, 2), e.AppendValue(nil))
	cp := Checkpoint{Org: 3, Size: 1024, Root: [32]byte{9}, Time: 1_700_000_000_000, Range: [][]byte{make([]byte, 32)}}
	kv("checkpoint of org 3 at 1024", appendCheckpointKey(nil, 3, 1024), cp.AppendValue(nil))
	r := Recall{Seq: 9, Time: 1_700_000_000_000}
	kv("recall of lot 4 by record 9", AppendRecallKey(nil, true, 4), r.AppendValue(nil))
	kv("index: record 5 is about code 100 of product 7", store.AppendSeq(store.AppendEvNodeKey(nil, 7, 100), 5), appendIndexValue(nil, RoleEPC))
	kv("index: record 5 is about counters 65536..66535 of product 7", store.AppendSeq(store.AppendEvRunKey(nil, 7, 65536), 5), appendRunIndexValue(nil, RoleEPC, 999))
	kv("index: record 5 names lot 300", store.AppendSeq(store.AppendEvLotKey(nil, 300), 5), appendIndexValue(nil, RoleClass))
	golden(t, "layout.txt", out.String())

	if role, span, err := DecodeRunIndexValue(appendRunIndexValue(nil, RoleOutput, 999)); err != nil || role != RoleOutput || span != 999 {
		t.Errorf("run index value round trip: %v %d %v", role, span, err)
	}
	for _, bad := range [][]byte{nil, {1, 1}, {2, 1, 0}, {1, 1, 0x80}, {1, 1, 0, 0}} {
		if _, _, err := DecodeRunIndexValue(bad); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Errorf("run index value %x: %v", bad, err)
		}
	}

	got, err := DecodeSummary(7, s.AppendValue(nil))
	if err != nil || fmt.Sprint(got) != fmt.Sprint(s) {
		t.Errorf("summary round trip: %v\n got %+v\nwant %+v", err, got, s)
	}
	gp, err := DecodePayload(p.AppendValue(nil))
	if err != nil || fmt.Sprint(gp) != fmt.Sprint(p) {
		t.Errorf("payload round trip: %v %+v", err, gp)
	}
	ge, err := decodeLogEntry(appendLogKey(nil, 3, 2), e.AppendValue(nil))
	if err != nil || ge != e {
		t.Errorf("log entry round trip: %v %+v", err, ge)
	}
	gc, err := decodeCheckpoint(appendCheckpointKey(nil, 3, 1024), cp.AppendValue(nil))
	if err != nil || fmt.Sprint(gc) != fmt.Sprint(cp) {
		t.Errorf("checkpoint round trip: %v %+v", err, gc)
	}
}

func FuzzDecodeSummary(f *testing.F) {
	s := sampleSummary()
	f.Add(s.AppendValue(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		s, err := DecodeSummary(1, v)
		if err != nil {
			return
		}
		s2, err := DecodeSummary(1, s.AppendValue(nil))
		if err != nil || fmt.Sprint(s) != fmt.Sprint(s2) {
			t.Fatalf("re-encoding changed the summary: %v", err)
		}
	})
}

func FuzzDecodePayload(f *testing.F) {
	p := Payload{Targets: []Target{{Role: RoleEPC, Kind: TargetRun, Product: 1, First: 5, Last: 9}}, Body: []byte("{}")}
	f.Add(p.AppendValue(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		p, err := DecodePayload(v)
		body, errBody := DecodePayloadBody(v)
		if (err == nil) != (errBody == nil) {
			t.Fatalf("full decode %v, body decode %v", err, errBody)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(body, p.Body) {
			t.Fatalf("body decode %q, full decode %q", body, p.Body)
		}
		p2, err := DecodePayload(p.AppendValue(nil))
		if err != nil || fmt.Sprint(p) != fmt.Sprint(p2) {
			t.Fatalf("re-encoding changed the payload: %v", err)
		}
	})
}

// appendN appends n records for each org in one batch per call.
func appendN(t *testing.T, db *store.DB, l *Ledger, orgs []uint32, n int) []uint64 {
	t.Helper()
	b := db.NewBatch()
	tx := l.Begin(b)
	var seqs []uint64
	for i := range n {
		for _, o := range orgs {
			s := sampleSummary()
			s.Org = o
			s.ContentHash = [32]byte{byte(o), byte(i), byte(i >> 8), byte(tx.NextSeq())}
			p := Payload{Targets: []Target{{Role: RoleEPC, Kind: TargetRun, Product: 1, First: uint64(i), Last: uint64(i)}}}
			tx.Append(&s, &p, 1)
			seqs = append(seqs, s.Seq)
		}
	}
	if err := b.Commit(false); err != nil {
		t.Fatal(err)
	}
	tx.Publish()
	return seqs
}

func verify(t *testing.T, db *store.DB) []string {
	t.Helper()
	snap := db.NewSnapshot()
	defer snap.Close()
	var probs []string
	if _, err := Verify(snap, nil, func(p store.Problem) bool { probs = append(probs, p.String()); return true }); err != nil {
		t.Fatal(err)
	}
	return probs
}

func TestChainsCheckpointsReopen(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	l, err := Open(db, &Options{CheckpointEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, db, l, []uint32{1, 2}, 13)
	appendN(t, db, l, []uint32{2, 3}, 9)
	if p := verify(t, db); len(p) > 0 {
		t.Fatalf("fresh ledger: %v", p)
	}
	size, chain, root := l.Head(2)
	if size != 22 {
		t.Fatalf("org 2 has %d records, want 22", size)
	}
	// Reopen: heads and Merkle state come back identical.
	l2, err := Open(db, &Options{CheckpointEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	s2, c2, r2 := l2.Head(2)
	if s2 != size || c2 != chain || string(r2) != string(root) || l2.NextSeq() != l.NextSeq() {
		t.Fatalf("reopened head differs: %d %x %x next %d, want %d %x %x next %d", s2, c2[:4], r2[:4], l2.NextSeq(), size, chain[:4], root[:4], l.NextSeq())
	}
	// Appending after reopen keeps the chain valid.
	appendN(t, db, l2, []uint32{2}, 5)
	b := db.NewBatch()
	tx := l2.Begin(b)
	if n := tx.CheckpointAll(2); n != 3 {
		t.Errorf("CheckpointAll wrote %d checkpoints, want 3 (every org grew since its last)", n)
	}
	b.Commit(false)
	tx.Publish()
	if p := verify(t, db); len(p) > 0 {
		t.Fatalf("after reopen and append: %v", p)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(b *store.Batch, db *store.DB)
		want   string
	}{
		{"edited summary", func(b *store.Batch, db *store.DB) {
			db.Get(AppendSummaryKey(nil, 5), func(v []byte) error {
				s, _ := DecodeSummary(5, v)
				s.BizStep = "receiving"
				b.Set(AppendSummaryKey(nil, 5), s.AppendValue(nil))
				return nil
			})
		}, "was changed after it was logged"},
		{"removed log position", func(b *store.Batch, db *store.DB) {
			b.Delete(appendLogKey(nil, 1, 3))
			b.Delete(AppendSummaryKey(nil, 5))
			b.Delete(AppendPayloadKey(nil, 5))
		}, "positions 3..3 are missing"},
		{"rewritten chain", func(b *store.Batch, db *store.DB) {
			e := LogEntry{Org: 1, OrgSeq: 2, Seq: 3, Chain: [32]byte{7}}
			db.Get(appendLogKey(nil, 1, 2), func(v []byte) error {
				e, _ = decodeLogEntry(appendLogKey(nil, 1, 2), v)
				return nil
			})
			e.Chain[0] ^= 1
			b.Set(appendLogKey(nil, 1, 2), e.AppendValue(nil))
		}, "does not follow from the previous position"},
		{"forged checkpoint", func(b *store.Batch, db *store.DB) {
			cp := Checkpoint{Org: 1, Size: 4, Root: [32]byte{1}}
			b.Set(appendCheckpointKey(nil, 1, 4), cp.AppendValue(nil))
		}, "the log up to it gives"},
		{"orphan record", func(b *store.Batch, db *store.DB) {
			s := sampleSummary()
			b.Set(AppendSummaryKey(nil, 999), s.AppendValue(nil))
			p := Payload{}
			b.Set(AppendPayloadKey(nil, 999), p.AppendValue(nil))
		}, "is in no log or in two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, "")
			l, _ := Open(db, &Options{CheckpointEvery: 4})
			appendN(t, db, l, []uint32{1, 2}, 6)
			if p := verify(t, db); len(p) > 0 {
				t.Fatalf("before tampering: %v", p)
			}
			b := db.NewBatch()
			tc.tamper(b, db)
			b.Commit(false)
			p := verify(t, db)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Fatalf("Verify did not report %q; got %v", tc.want, p)
			}
		})
	}
}

func TestIndexes(t *testing.T) {
	db := openDB(t, "")
	l, _ := Open(db, nil)
	b := db.NewBatch()
	tx := l.Begin(b)
	tx.IndexRun(1, 100, 104, 1, RoleEPC)                   // short: per-code keys
	tx.IndexRun(1, 0, 200_000, 2, RoleEPC)                 // long: windowed runs
	tx.IndexRun(1, RunWindow-3, RunWindow+2, 3, RoleChild) // crosses a window
	tx.IndexNode(0, 395012345000000017, 4, RoleParent)
	tx.IndexLot(7, 5, RoleClass)
	tx.IndexLotReach(7, 6, RoleEPC)
	tx.IndexProduct(1, 7, RoleClass)
	b.Commit(false)
	r, _ := NewIndexReader(db)
	defer r.Close()
	hits := func(f func(fn func(Hit) bool) error) []uint64 {
		var s []uint64
		if err := f(func(h Hit) bool { s = append(s, h.Seq); return true }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(s)
		return s
	}
	all := func(c uint64) []uint64 {
		a := hits(func(fn func(Hit) bool) error { return r.Node(1, c, fn) })
		b := hits(func(fn func(Hit) bool) error { return r.Runs(1, c, fn) })
		a = append(a, b...)
		slices.Sort(a)
		return a
	}
	for _, c := range []struct {
		counter uint64
		want    []uint64
	}{
		{99, []uint64{2}}, {100, []uint64{1, 2}}, {104, []uint64{1, 2}}, {105, []uint64{2}},
		{RunWindow - 4, []uint64{2}}, {RunWindow - 3, []uint64{2, 3}}, {RunWindow, []uint64{2, 3}},
		{RunWindow + 2, []uint64{2, 3}}, {RunWindow + 3, []uint64{2}}, {200_000, []uint64{2}}, {200_001, nil},
	} {
		if got := all(c.counter); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("records about counter %d: %v, want %v", c.counter, got, c.want)
		}
	}
	if got := hits(func(fn func(Hit) bool) error { return r.Node(0, 395012345000000017, fn) }); fmt.Sprint(got) != "[4]" {
		t.Errorf("SSCC: %v", got)
	}
	if got := hits(func(fn func(Hit) bool) error { return r.Lot(7, fn) }); fmt.Sprint(got) != "[5]" {
		t.Errorf("lot: %v", got)
	}
	if got := hits(func(fn func(Hit) bool) error { return r.LotReach(7, fn) }); fmt.Sprint(got) != "[6]" {
		t.Errorf("lot reach: %v", got)
	}
	if got := hits(func(fn func(Hit) bool) error { return r.Product(1, fn) }); fmt.Sprint(got) != "[7]" {
		t.Errorf("product: %v", got)
	}
}

func BenchmarkAppend(b *testing.B) {
	db := openDB(b, "")
	l, _ := Open(db, nil)
	b.ReportAllocs()
	s := sampleSummary()
	p := Payload{Targets: []Target{{Role: RoleEPC, Kind: TargetRun, Product: 1, First: 1, Last: 1}}}
	bt := db.NewBatch()
	tx := l.Begin(bt)
	for b.Loop() {
		s.ContentHash[0]++
		tx.Append(&s, &p, 1)
	}
}
