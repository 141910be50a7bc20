package scanlog

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"tracecode/engine/store"
)

// browserScans records n scans of r on f from n distinct phone browsers
// (addresses tag.0 … tag.n-1).
func browserScans(t *testing.T, f *Forwarder, r Ref, tag string, n int, at int64) Stats {
	t.Helper()
	var st Stats
	for i := range n {
		var err error
		st, err = f.Record(Scan{Ref: r, Time: at + int64(i), Class: ClientBrowser,
			Client: ClientOf(fmt.Appendf(nil, "%s.%d", tag, i), ClientBrowser)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestMergeCountsEveryReplicaOnce: two replicas' forwarders each see an
// item scanned by five phones — evidence 10, under the threshold of 16 —
// so neither flags it; merged on the writer the item has ten scans and
// evidence 20 and is suspicious, counted once as newly suspicious in the
// statistics. A message merged again (redelivered, or replayed after a
// writer's restart from the stored position) adds nothing.
func TestMergeCountsEveryReplicaOnce(t *testing.T) {
	wdb, dir := openTestDB(t)
	var tallied []map[Tally]TallyCount
	count := func(b *store.Batch, tl map[Tally]TallyCount, commit func() error) error {
		cp := map[Tally]TallyCount{}
		for k, v := range tl {
			cp[k] = v
		}
		tallied = append(tallied, cp)
		return commit()
	}
	l := OpenCounted(wdb, &Options{FlushInterval: 1 << 40}, count)
	item := Ref{Product: 3, Counter: 99}
	var fwds []*Forwarder
	for range 2 {
		rdb, _ := openTestDB(t)
		t.Cleanup(func() { rdb.Close() })
		fwds = append(fwds, NewForwarder(rdb, nil))
	}
	for i, f := range fwds {
		if st := browserScans(t, f, item, fmt.Sprintf("10.%d", i), 5, 1_000_000); st.Count != 5 || st.Suspicious {
			t.Fatalf("replica %d alone: %+v, want 5 scans, not suspicious", i+1, st)
		}
	}
	var bodies [][]byte
	for _, f := range fwds {
		bodies = append(bodies, AppendDeltas(nil, f.Take(0)))
		if f.Pending() != 0 {
			t.Fatalf("pending after Take: %d", f.Pending())
		}
	}
	merge := func(seq uint64, body []byte) []Delta {
		t.Helper()
		ds, err := DecodeDeltas(body)
		if err != nil {
			t.Fatal(err)
		}
		sus, err := l.Merge(seq, ds)
		if err != nil {
			t.Fatal(err)
		}
		return sus
	}
	if sus := merge(1, bodies[0]); len(sus) != 0 {
		t.Fatalf("one replica's scans flagged the item: %+v", sus)
	}
	if sus := merge(2, bodies[1]); len(sus) != 1 || sus[0].Ref != item {
		t.Fatalf("both replicas' scans: suspicious %+v, want the item", sus)
	}
	merge(2, bodies[1]) // redelivered
	st, err := l.Stats(item)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count != 10 || !st.Suspicious || st.Evidence() != 20 {
		t.Fatalf("writer's stats %+v (evidence %d), want 10 scans, evidence 20, suspicious", st, st.Evidence())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var scans, sus uint64
	for _, tl := range tallied {
		for _, c := range tl {
			scans += c.Scans
			sus += c.Suspicious
		}
	}
	if scans != 10 || sus != 1 {
		t.Fatalf("statistics tallied %d scans, %d newly suspicious; want 10 and 1", scans, sus)
	}
	if err := wdb.Close(); err != nil {
		t.Fatal(err)
	}

	// A restarted writer resumes after the stored position.
	wdb, err = store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer wdb.Close()
	l = Open(wdb, nil)
	defer l.Close()
	if pos, err := l.Merged(); err != nil || pos != 2 {
		t.Fatalf("Merged after restart: %d, %v; want 2", pos, err)
	}
	merge(1, bodies[0])
	merge(2, bodies[1])
	if st, _ := l.Stats(item); st.Count != 10 {
		t.Fatalf("after replaying merged messages: %d scans, want 10", st.Count)
	}
	// The forwarder's view is the replica's store plus what is pending.
	if st := browserScans(t, fwds[0], item, "10.9", 1, 2_000_000); st.Count != 1 {
		t.Fatalf("forwarder over an empty store: %d scans, want 1", st.Count)
	}
}

// TestMergePositionWrittenWithCounts: the position is written only by a
// counts flush, together with the counts that include the merge.
func TestMergePositionWrittenWithCounts(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	l := Open(db, &Options{FlushInterval: 1 << 40})
	defer l.Close()
	r := Ref{Product: 1, Counter: 1}
	if _, err := l.Merge(7, []Delta{{Ref: r, Stats: Stats{Count: 3, First: 5, Last: 9}}}); err != nil {
		t.Fatal(err)
	}
	if err := l.flush(false, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.Get(store.ScanMergeKey(), func([]byte) error { return nil }); ok {
		t.Fatal("a raw-only flush wrote the merge position")
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := loadStats(db, r)
	if err != nil || st.Count != 3 {
		t.Fatalf("stored %+v, %v", st, err)
	}
	var pos store.Uint
	if _, err := db.Get(store.ScanMergeKey(), func(v []byte) (err error) { pos, err = store.DecodeUint("pos", v); return }); err != nil || pos != 7 {
		t.Fatalf("stored position %d, %v; want 7", pos, err)
	}
}

func TestDeltasRoundTripAndErrors(t *testing.T) {
	ds := []Delta{
		{Ref: Ref{Product: 1, Counter: 1 << 40}, Stats: Stats{Count: 2, First: 10, Last: 20, NRegion: 2, Regions: [MaxRegions]uint32{110100, 620100}, NClient: 1, Clients: [MaxClients]uint32{0x80000101}}},
		{Ref: Ref{Counter: 12345678901234567}, Stats: Stats{Count: 1, First: 30, Last: 30}},
	}
	b := AppendDeltas(nil, ds)
	got, err := DecodeDeltas(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(ds) {
		t.Fatalf("round trip: %+v, want %+v", got, ds)
	}
	for _, bad := range [][]byte{nil, {9}, b[:len(b)-1], append(append([]byte{}, b...), 0), AppendDeltas(nil, []Delta{{Ref: Ref{1, 1}}})} {
		if _, err := DecodeDeltas(bad); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Errorf("DecodeDeltas(%x): %v, want ErrCorrupt or ErrVersion", bad, err)
		}
	}
}

func FuzzDecodeDeltas(f *testing.F) {
	f.Add(AppendDeltas(nil, []Delta{{Ref: Ref{Product: 7, Counter: 9}, Stats: Stats{Count: 4, First: 1, Last: 2, NRegion: 1, Regions: [MaxRegions]uint32{330100}}}}))
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := DecodeDeltas(b)
		if err != nil {
			return
		}
		again, err := DecodeDeltas(AppendDeltas(nil, ds))
		if err != nil {
			t.Fatalf("re-encoded deltas do not decode: %v", err)
		}
		if !bytes.Equal(AppendDeltas(nil, again), AppendDeltas(nil, ds)) {
			t.Fatal("decode → encode → decode changed the deltas")
		}
	})
}

// TestForwarderKeepsStoredStats: a forwarder reads an item's stored
// stats once and keeps them until StoredChanged (the replica applied the
// writer's new counts); then it reads them again, and answers the new
// stored count plus what is still pending. Concurrent scans and
// StoredChanged calls (run under -race) count every scan once.
func TestForwarderKeepsStoredStats(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	item := Ref{Product: 3, Counter: 7}
	store := func(n uint64) {
		t.Helper()
		st := Stats{Count: n, First: 1, Last: 2}
		b := db.NewBatch()
		if err := b.Set(scanStatsKey(nil, item), st.appendBinary(nil)); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
	}
	store(10)
	f := NewForwarder(db, nil)
	if st := browserScans(t, f, item, "10.0", 1, 1_000); st.Count != 11 {
		t.Fatalf("first scan: %d, want 11", st.Count)
	}
	f.Take(0) // sent; the writer's count comes back as 11
	store(11)
	if st := browserScans(t, f, item, "10.1", 1, 2_000); st.Count != 11 {
		t.Fatalf("before StoredChanged: %d, want the kept 10 plus the pending 1", st.Count)
	}
	f.StoredChanged()
	if st, err := f.Stats(item); err != nil || st.Count != 12 {
		t.Fatalf("after StoredChanged: %d (%v), want the stored 11 plus the pending 1", st.Count, err)
	}

	g := NewForwarder(db, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			g.StoredChanged()
		}
	}()
	for i := range 500 {
		if _, err := g.Record(Scan{Ref: Ref{Product: 3, Counter: uint64(i % 50)}, Time: int64(i), Class: ClientBrowser}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	n := uint64(0)
	for _, d := range g.Take(0) {
		n += d.Stats.Count
	}
	if n != 500 || g.Recorded() != 500 {
		t.Errorf("pending %d scans, recorded %d, want 500", n, g.Recorded())
	}
}
