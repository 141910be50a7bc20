package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"tracecode/engine/store"
)

func openTestDB(t testing.TB) (*store.DB, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return db, dir
}

func TestScanLogCountsPersistAcrossRestart(t *testing.T) {
	db, dir := openTestDB(t)
	l := OpenScanLog(db, &ScanLogOptions{SuspiciousCount: 5, SuspiciousRegions: 3})
	a := ScanRef{Product: 7, Counter: 42}
	b := ScanRef{Product: 7, Counter: 43}
	for i := range 3 {
		st, err := l.Record(Scan{Ref: a, Time: int64(1000 + i), Region: 330106, Class: ClientBrowser})
		if err != nil {
			t.Fatal(err)
		}
		if st.Count != uint64(i+1) || st.First != 1000 || st.Last != int64(1000+i) {
			t.Fatalf("scan %d: stats %+v", i, st)
		}
		if st.Suspicious {
			t.Fatalf("scan %d of one region flagged suspicious", i)
		}
	}
	if _, err := l.Record(Scan{Ref: b, Time: 5000, Class: ClientWeChat}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l = OpenScanLog(db, &ScanLogOptions{SuspiciousCount: 5, SuspiciousRegions: 3})
	defer l.Close()
	st, err := l.Stats(a)
	if err != nil || st.Count != 3 || st.First != 1000 || st.Last != 1002 || st.NRegion != 1 || st.Regions[0] != 330100 {
		t.Fatalf("after restart: %+v, %v", st, err)
	}
	// Two more regions make it suspicious (three prefectures).
	l.Record(Scan{Ref: a, Time: 2000, Region: 110105})
	st, _ = l.Record(Scan{Ref: a, Time: 2001, Region: 440305})
	if !st.Suspicious || st.NRegion != 3 || st.Count != 5 {
		t.Fatalf("three regions: %+v", st)
	}
	var raw []Scan
	if err := l.ScanRange(0, 1<<62, func(s Scan) error { raw = append(raw, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 4 || raw[3].Ref != b || raw[3].Class != ClientWeChat || raw[0].Region != 330106 {
		t.Fatalf("raw scans before restart: %+v", raw)
	}
}

func TestScanLogSuspiciousByCount(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := OpenScanLog(db, &ScanLogOptions{SuspiciousCount: 4, NoRaw: true})
	defer l.Close()
	r := ScanRef{1, 1}
	var st ScanStats
	for i := range 4 {
		st, _ = l.Record(Scan{Ref: r, Time: int64(i + 1)})
		if i < 3 && st.Suspicious {
			t.Fatalf("flagged after %d scans", i+1)
		}
	}
	if !st.Suspicious {
		t.Fatal("not flagged after 4 scans")
	}
	if l.Pending() != 0 {
		t.Fatal("NoRaw kept raw scans")
	}
}

// Eviction must never lose counts: with a tiny cache every entry is
// evicted and re-read many times.
func TestScanLogEvictionKeepsCounts(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := OpenScanLog(db, &ScanLogOptions{CacheEntries: 1, NoRaw: true})
	defer l.Close()
	const items, rounds = 500, 4
	for round := range rounds {
		for i := range items {
			if _, err := l.Record(Scan{Ref: ScanRef{2, uint64(i)}, Time: int64(round + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range items {
		st, err := l.Stats(ScanRef{2, uint64(i)})
		if err != nil || st.Count != rounds {
			t.Fatalf("item %d: %+v %v", i, st, err)
		}
	}
}

func TestScanLogConcurrent(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := OpenScanLog(db, &ScanLogOptions{FlushInterval: 1, CacheEntries: 64})
	var wg sync.WaitGroup
	const workers, per = 4, 500
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				l.Record(Scan{Ref: ScanRef{3, uint64(i % 50)}, Time: int64(w*per + i + 1)})
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var total uint64
	l2 := OpenScanLog(db, nil)
	defer l2.Close()
	for i := range 50 {
		st, _ := l2.Stats(ScanRef{3, uint64(i)})
		total += st.Count
	}
	if total != workers*per {
		t.Fatalf("counted %d scans, recorded %d", total, workers*per)
	}
	if l.Written()+l.Dropped() != workers*per {
		t.Fatalf("raw written %d + dropped %d != %d", l.Written(), l.Dropped(), workers*per)
	}
}

func TestScanLogRecordAllocs(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := OpenScanLog(db, &ScanLogOptions{FlushInterval: 1 << 40, MaxPending: 1 << 16})
	defer l.Close()
	r := ScanRef{4, 4}
	l.Record(Scan{Ref: r, Time: 1})
	for range 2000 { // grow the raw buffer first
		l.Record(Scan{Ref: r, Time: 1})
	}
	n := testing.AllocsPerRun(1000, func() { l.Record(Scan{Ref: r, Time: 2, Region: 330100}) })
	if n != 0 {
		t.Fatalf("Record of a cached item allocates %v times", n)
	}
}

func BenchmarkScanLogRecord(b *testing.B) {
	db, _ := openTestDB(b)
	defer db.Close()
	l := OpenScanLog(db, nil)
	defer l.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := uint64(0)
		for pb.Next() {
			i++
			l.Record(Scan{Ref: ScanRef{5, i % 4096}, Time: int64(i)})
		}
	})
}

func TestScanStatsCodec(t *testing.T) {
	st := ScanStats{Count: 300, First: -5, Last: 1 << 40, NRegion: 2, Regions: [8]uint32{330100, 110100}}
	got, err := decodeScanStats(st.appendBinary(nil))
	if err != nil || got != st {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0}, {2}, {1, 1}, append(st.appendBinary(nil), 0)} {
		if _, err := decodeScanStats(bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
}

func openAt(dir string) (*store.DB, error) { return store.Open(dir, nil) }

func TestScanSegmentCodec(t *testing.T) {
	scans := []Scan{
		{Ref: ScanRef{1, 2}, Time: 1000, Region: 330106, Class: ClientWeChat},
		{Ref: ScanRef{1 << 31, 1 << 62}, Time: 999, Class: ClientBot},
		{Ref: ScanRef{7, 0}, Time: 5000, Region: 110101},
	}
	key := append([]byte{0xC1}, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 1)
	v := appendScanSegment(nil, 1000, scans)
	var got []Scan
	if err := DecodeScanSegment(key, v, func(s Scan) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != scans[0] || got[1] != scans[1] || got[2] != scans[2] {
		t.Fatalf("round trip: %+v", got)
	}
	for i := 1; i < len(v); i++ {
		if err := DecodeScanSegment(key, v[:i], func(Scan) error { return nil }); err == nil {
			t.Errorf("truncated segment (%d of %d bytes) decoded", i, len(v))
		}
	}
}

func TestScanLogEachStats(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := OpenScanLog(db, &ScanLogOptions{SuspiciousCount: 2, FlushInterval: 1 << 40})
	defer l.Close()
	l.Record(Scan{Ref: ScanRef{2, 9}, Time: 1})
	l.Record(Scan{Ref: ScanRef{1, 5}, Time: 2})
	l.Record(Scan{Ref: ScanRef{1, 5}, Time: 3})
	var refs []ScanRef
	var flags []bool
	if err := l.EachStats(func(r ScanRef, st ScanStats) error {
		refs, flags = append(refs, r), append(flags, st.Suspicious)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0] != (ScanRef{1, 5}) || !flags[0] || flags[1] {
		t.Fatalf("EachStats: %v %v", refs, flags)
	}
}

// BenchmarkScanLogDisk measures the disk a scan costs after compaction:
// one million public scans over 100 s at 10,000/s, of items drawn with Zipf
// popularity (θ≈1.1) from 10^6 items of four products, from 40 prefectures,
// mostly WeChat and browsers — raw segments (0xC1) and per-item counts
// (0xC0) apart. docs/capacity.md uses the figures:
//
//	go test -run '^$' -bench ScanLogDisk ./engine
func BenchmarkScanLogDisk(b *testing.B) {
	const scans = 1_000_000
	for _, raw := range []bool{true, false} {
		b.Run(fmt.Sprintf("raw=%v", raw), func(b *testing.B) {
			db, _ := openTestDB(b)
			defer db.Close()
			l := OpenScanLog(db, &ScanLogOptions{NoRaw: !raw, FlushInterval: 1 << 40, CountInterval: 1 << 40})
			rng := rand.New(rand.NewPCG(3, 3))
			zipf := rand.NewZipf(rand.New(rand.NewPCG(4, 4)), 1.1, 1, 1_000_000-1)
			classes := []ClientClass{ClientWeChat, ClientWeChat, ClientWeChat, ClientBrowser, ClientBrowser, ClientAlipay, ClientApp, ClientScanner}
			t0 := int64(1_780_000_000_000)
			for i := range scans {
				item := zipf.Uint64()
				l.Record(Scan{Ref: ScanRef{uint32(1 + item%4), item}, Time: t0 + int64(i)/10,
					Region: 110100 + uint32(rng.IntN(40))*10000, Class: classes[rng.IntN(len(classes))]})
				if i%2500 == 2499 { // a flush every 250 ms of scan time
					l.Flush()
				}
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			if err := db.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := db.CompactAll(context.Background()); err != nil {
				b.Fatal(err)
			}
			rawB, _ := db.EstimateDiskUsage([]byte{store.PrefixScanRaw}, []byte{store.PrefixScanRaw + 1})
			statB, _ := db.EstimateDiskUsage([]byte{store.PrefixScanStats}, []byte{store.PrefixScanStats + 1})
			for b.Loop() {
			}
			b.ReportMetric(float64(rawB)/scans, "raw-bytes/scan")
			b.ReportMetric(float64(statB)/scans, "count-bytes/scan")
		})
	}
}
