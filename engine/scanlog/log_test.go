package scanlog

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
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
	l := Open(db, &Options{SuspiciousScore: 5, SuspiciousRegions: 3})
	a := Ref{Product: 7, Counter: 42}
	b := Ref{Product: 7, Counter: 43}
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
	l = Open(db, &Options{SuspiciousScore: 5, SuspiciousRegions: 3})
	defer l.Close()
	st, err := l.Stats(a)
	if err != nil || st.Count != 3 || st.First != 1000 || st.Last != 1002 || st.NRegion != 1 || st.Regions[0] != 330100 {
		t.Fatalf("after restart: %+v, %v", st, err)
	}
	// A township of the same prefecture (330106001) adds no region.
	if st, _ = l.Record(Scan{Ref: a, Time: 1999, Region: 330106001}); st.NRegion != 1 {
		t.Fatalf("a township of 330100 counted as another prefecture: %+v", st)
	}
	// Two more regions make it suspicious (three prefectures).
	l.Record(Scan{Ref: a, Time: 2000, Region: 110105})
	st, _ = l.Record(Scan{Ref: a, Time: 2001, Region: 440305})
	if !st.Suspicious || st.NRegion != 3 || st.Count != 6 {
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

// TestScanLogOneClientCannotFlag: a burst from one client — a load test,
// however many scans and whatever User-Agents it claims — never flags a
// genuine item; eight people's phones on eight addresses do.
func TestScanLogOneClientCannotFlag(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := Open(db, &Options{NoRaw: true})
	defer l.Close()
	r := Ref{1, 1}
	lt := []byte{127, 0, 0, 1}
	var st Stats
	for i := range 5000 {
		c := ClientClass(i % numClientClasses)
		st, _ = l.Record(Scan{Ref: r, Time: int64(i + 1), Class: c, Client: ClientOf(lt, c)})
		if st.Suspicious {
			t.Fatalf("one address flagged the item after %d scans (evidence %d)", i+1, st.Evidence())
		}
	}
	if st.Count != 5000 || st.Evidence() != maxPerAddress {
		t.Fatalf("after the burst: count %d, evidence %d", st.Count, st.Evidence())
	}
	// Crawlers on many addresses say nothing about the label.
	for i := range 40 {
		st, _ = l.Record(Scan{Ref: r, Time: 9000, Class: ClientBot, Client: ClientOf([]byte{10, 0, 0, byte(i)}, ClientBot)})
	}
	if st.Suspicious {
		t.Fatalf("crawlers flagged the item (evidence %d)", st.Evidence())
	}
	// Seven more people (eight addresses with the burst's) flag it.
	r2 := Ref{1, 2}
	for i := range 8 {
		st, _ = l.Record(Scan{Ref: r2, Time: 10000, Class: ClientWeChat, Client: ClientOf([]byte{10, 1, 0, byte(i)}, ClientWeChat)})
		if i < 7 && st.Suspicious {
			t.Fatalf("flagged after %d people", i+1)
		}
	}
	if !st.Suspicious || st.Evidence() != 16 {
		t.Fatalf("eight people: suspicious %v, evidence %d", st.Suspicious, st.Evidence())
	}
	if l.Pending() != 0 {
		t.Fatal("NoRaw kept raw scans")
	}
}

// TestScanLogReview: a confirmed flag stays without evidence; a clear
// drops the evidence (the item is genuine again) until new clients raise
// it; both survive a restart.
func TestScanLogReview(t *testing.T) {
	db, dir := openTestDB(t)
	l := Open(db, &Options{SuspiciousScore: 4})
	a, b := Ref{3, 1}, Ref{3, 2}
	if st, err := l.Review(a, Review{Verdict: VerdictConfirmed, Time: 5, Key: 9, Reason: "seized copies"}); err != nil || !st.Suspicious {
		t.Fatalf("confirmed: %+v %v", st, err)
	}
	for i := range 2 {
		l.Record(Scan{Ref: b, Time: 1, Class: ClientBrowser, Client: ClientOf([]byte{1, 1, 1, byte(i)}, ClientBrowser)})
	}
	if st, _ := l.Stats(b); !st.Suspicious {
		t.Fatalf("two people with score 4: %+v", st)
	}
	if st, err := l.Review(b, Review{Verdict: VerdictCleared, Time: 6, Key: 9, Reason: "checked the shop"}); err != nil || st.Suspicious || st.NClient != 0 {
		t.Fatalf("cleared: %+v %v", st, err)
	}
	l.Record(Scan{Ref: b, Time: 7, Class: ClientBrowser, Client: ClientOf([]byte{1, 1, 1, 0}, ClientBrowser)})
	if st, _ := l.Stats(b); st.Suspicious || st.Count != 3 {
		t.Fatalf("one more person after the clear: %+v", st)
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
	l = Open(db, &Options{SuspiciousScore: 4})
	defer l.Close()
	if st, _ := l.Stats(a); !st.Suspicious || st.Review.Verdict != VerdictConfirmed || st.Review.Reason != "seized copies" || st.Review.Key != 9 {
		t.Fatalf("confirmed after restart: %+v", st)
	}
	if st, _ := l.Stats(b); st.Suspicious || st.Review.Verdict != VerdictCleared || st.NClient != 1 || st.Count != 3 {
		t.Fatalf("cleared after restart: %+v", st)
	}
}

// TestScanStatsDecodesVersion1: counts written before clients were kept
// still read.
func TestScanStatsDecodesVersion1(t *testing.T) {
	v1 := []byte{1, 5, 2, 4, 1, 0x90, 0x92, 0x14} // count 5, first 1, last 2, one region 330000
	st, err := decodeScanStats(v1)
	if err != nil || st.Count != 5 || st.First != 1 || st.Last != 2 || st.NRegion != 1 || st.Regions[0] != 330000 || st.NClient != 0 {
		t.Fatalf("v1: %+v %v", st, err)
	}
}

// Eviction must never lose counts: with a tiny cache every entry is
// evicted and re-read many times.
func TestScanLogEvictionKeepsCounts(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := Open(db, &Options{CacheEntries: 1, NoRaw: true})
	defer l.Close()
	const items, rounds = 500, 4
	for round := range rounds {
		for i := range items {
			if _, err := l.Record(Scan{Ref: Ref{2, uint64(i)}, Time: int64(round + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range items {
		st, err := l.Stats(Ref{2, uint64(i)})
		if err != nil || st.Count != rounds {
			t.Fatalf("item %d: %+v %v", i, st, err)
		}
	}
}

func TestScanLogConcurrent(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := Open(db, &Options{FlushInterval: 1, CacheEntries: 64})
	var wg sync.WaitGroup
	const workers, per = 4, 500
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				l.Record(Scan{Ref: Ref{3, uint64(i % 50)}, Time: int64(w*per + i + 1)})
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var total uint64
	l2 := Open(db, nil)
	defer l2.Close()
	for i := range 50 {
		st, _ := l2.Stats(Ref{3, uint64(i)})
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
	l := Open(db, &Options{FlushInterval: 1 << 40, MaxPending: 1 << 16})
	defer l.Close()
	r := Ref{4, 4}
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
	l := Open(db, nil)
	defer l.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := uint64(0)
		for pb.Next() {
			i++
			l.Record(Scan{Ref: Ref{5, i % 4096}, Time: int64(i)})
		}
	})
}

func TestScanStatsCodec(t *testing.T) {
	st := Stats{Count: 300, First: -5, Last: 1 << 40, NRegion: 2, Regions: [8]uint32{330100, 110100}}
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

// TestScanStatsGoldenHex pins the stored bytes of scan stats (versions 1
// and 2) and of a raw scan segment: a decoder or encoder change that moves
// one byte breaks every existing store.
func TestScanStatsGoldenHex(t *testing.T) {
	full := Stats{Count: 300, First: -5, Last: 1 << 40, NRegion: 2, Regions: [MaxRegions]uint32{330100, 110100}, NClient: 2,
		Clients: [MaxClients]uint32{ClientOf([]byte{192, 0, 2, 1}, ClientWeChat), ClientOf([]byte{198, 51, 100, 7}, ClientApp)},
		Review:  Review{Verdict: VerdictConfirmed, Time: 1_700_000_000_000, Key: 9, Reason: "seized copies"}}
	bare := Stats{Count: 1, First: 1_700_000_000_000, Last: 1_700_000_000_000}
	for _, c := range []struct {
		st  Stats
		hex string
	}{
		{full, "02ac020980808080804002f4921494dc0602f56b9b02a0f89b040180a0abfef96200000000000000090d7365697a656420636f70696573"},
		{bare, "020180a0abfef96280a0abfef962000000"},
	} {
		if got := hex.EncodeToString(c.st.appendBinary(nil)); got != c.hex {
			t.Errorf("%+v encodes to\n%s, want\n%s", c.st, got, c.hex)
		}
		b, _ := hex.DecodeString(c.hex)
		if got, err := decodeScanStats(b); err != nil || got != c.st {
			t.Errorf("%s decodes to %+v, %v", c.hex, got, err)
		}
	}
	// Version 1: count 5, first 1, last 2, one region 330000; no clients.
	v1, _ := hex.DecodeString("0105020401909214")
	if got, err := decodeScanStats(v1); err != nil || got != (Stats{Count: 5, First: 1, Last: 2, NRegion: 1, Regions: [MaxRegions]uint32{330000}}) {
		t.Errorf("v1 decodes to %+v, %v", got, err)
	}
	scans := []Scan{
		{Ref: Ref{1, 2}, Time: 1000, Region: 330106, Class: ClientWeChat},
		{Ref: Ref{1 << 31, 1 << 62}, Time: 999, Class: ClientBot},
		{Ref: Ref{7, 0}, Time: 5000, Region: 110101},
	}
	const seg = "0103000102fa9214020180808080088080808080808080400006c23e070095dc0600"
	if got := hex.EncodeToString(appendScanSegment(nil, 1000, scans)); got != seg {
		t.Errorf("segment encodes to\n%s, want\n%s", got, seg)
	}
	key := append([]byte{0xC1}, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 1)
	v, _ := hex.DecodeString(seg)
	var got []Scan
	if err := DecodeSegment(key, v, func(s Scan) error { got = append(got, s); return nil }); err != nil || !slices.Equal(got, scans) {
		t.Errorf("segment decodes to %+v, %v", got, err)
	}
}

// TestScanStatsDecodeErrors: a damaged value wraps store.ErrCorrupt and
// names the field and byte offset; a newer version wraps store.ErrVersion.
func TestScanStatsDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want error
		msg  string
	}{
		{"", store.ErrCorrupt, "scan stats value: truncated at byte 0"},
		{"03", store.ErrVersion, "scan stats value has version 3"},
		{"00", store.ErrVersion, "scan stats value has version 0"},
		{"0201", store.ErrCorrupt, "first: truncated or overlong varint at byte 2"},
		{"0201000009", store.ErrCorrupt, "region count: 9 regions, at most 8 at byte 5"},
		{"02010000018090c001", store.ErrCorrupt, "region: 3147776 is not a six-digit division code"},
		{"020100000011", store.ErrCorrupt, "client count: 17 clients, at most 16"},
		{"02010000000180", store.ErrCorrupt, "client: 4 bytes overrun the value at byte 6"},
		{"02010000000003", store.ErrCorrupt, "verdict: unknown verdict 3"},
		{"0201000000000102000000000000000905", store.ErrCorrupt, "review reason: string length 5 overruns the value"},
		{"02010000000000" + "00", store.ErrCorrupt, "1 trailing bytes at byte 7"},
	} {
		b, _ := hex.DecodeString(c.hex)
		_, err := decodeScanStats(b)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: %v, want %v naming %q", c.hex, err, c.want, c.msg)
		}
	}
	key := append([]byte{0xC1}, make([]byte, 12)...)
	v, _ := hex.DecodeString("010100010280a0c00100") // region 3,149,824 is not a division
	err := DecodeSegment(key, v, func(Scan) error { return nil })
	if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "scan segment c1000000000000000000000000: ") || !strings.Contains(err.Error(), "region: 3149824 is not a six-digit division code") {
		t.Errorf("bad region in a segment: %v", err)
	}
}

func TestScanSegmentCodec(t *testing.T) {
	scans := []Scan{
		{Ref: Ref{1, 2}, Time: 1000, Region: 330106, Class: ClientWeChat},
		{Ref: Ref{1 << 31, 1 << 62}, Time: 999, Class: ClientBot},
		{Ref: Ref{7, 0}, Time: 5000, Region: 110101},
	}
	key := append([]byte{0xC1}, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 1)
	v := appendScanSegment(nil, 1000, scans)
	var got []Scan
	if err := DecodeSegment(key, v, func(s Scan) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != scans[0] || got[1] != scans[1] || got[2] != scans[2] {
		t.Fatalf("round trip: %+v", got)
	}
	for i := 1; i < len(v); i++ {
		if err := DecodeSegment(key, v[:i], func(Scan) error { return nil }); err == nil {
			t.Errorf("truncated segment (%d of %d bytes) decoded", i, len(v))
		}
	}
}

func TestScanLogEachStats(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := Open(db, &Options{SuspiciousScore: 2, FlushInterval: 1 << 40})
	defer l.Close()
	l.Record(Scan{Ref: Ref{2, 9}, Time: 1, Client: ClientOf([]byte{1}, ClientApp)})
	l.Record(Scan{Ref: Ref{1, 5}, Time: 2, Client: ClientOf([]byte{1}, ClientApp)})
	l.Record(Scan{Ref: Ref{1, 5}, Time: 3, Client: ClientOf([]byte{2}, ClientApp)})
	var refs []Ref
	var flags []bool
	if err := l.EachStats(func(r Ref, st Stats) error {
		refs, flags = append(refs, r), append(flags, st.Suspicious)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0] != (Ref{1, 5}) || !flags[0] || flags[1] {
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
			l := Open(db, &Options{NoRaw: !raw, FlushInterval: 1 << 40, CountInterval: 1 << 40})
			rng := rand.New(rand.NewPCG(3, 3))
			zipf := rand.NewZipf(rand.New(rand.NewPCG(4, 4)), 1.1, 1, 1_000_000-1)
			classes := []ClientClass{ClientWeChat, ClientWeChat, ClientWeChat, ClientBrowser, ClientBrowser, ClientAlipay, ClientApp, ClientScanner}
			t0 := int64(1_780_000_000_000)
			for i := range scans {
				item := zipf.Uint64()
				l.Record(Scan{Ref: Ref{uint32(1 + item%4), item}, Time: t0 + int64(i)/10,
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
			rawB, _ := db.EstimateDiskUsage(store.ScanRawKeys.Bounds())
			statB, _ := db.EstimateDiskUsage(store.ScanStatsKeys.Bounds())
			for b.Loop() {
			}
			b.ReportMetric(float64(rawB)/scans, "raw-bytes/scan")
			b.ReportMetric(float64(statB)/scans, "count-bytes/scan")
		})
	}
}
