package scanlog

import (
	"testing"

	"tracecode/engine/store"
)

// TestSeenFilterSkipsNeverScanned: after a restart the first scan of an
// item never scanned reads nothing from the store, the first scan of an
// item counted before reads its stored count (and adds to it), and an
// item counted by a flush after the restart is read back exactly once it
// has left memory.
func TestSeenFilterSkipsNeverScanned(t *testing.T) {
	db, dir := openTestDB(t)
	l := Open(db, nil)
	old := make([]Ref, 200)
	for i := range old {
		old[i] = Ref{Product: 3, Counter: uint64(i * 7)}
		if _, err := l.Record(Scan{Ref: old[i], Time: 1000, Class: ClientBrowser}); err != nil {
			t.Fatal(err)
		}
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
	l = Open(db, &Options{CacheEntries: 16})
	defer l.Close()
	<-l.seenDone
	if !l.seen.ready.Load() {
		t.Fatal("the filter of stored counts was not built")
	}
	for i := range 1000 {
		st, err := l.Record(Scan{Ref: Ref{Product: 4, Counter: uint64(i)}, Time: 2000, Class: ClientBrowser})
		if err != nil || st.Count != 1 {
			t.Fatalf("new item %d: %+v %v", i, st, err)
		}
	}
	// 16 bits an entry of 1024 words at least: false positives are rare.
	if n := l.loads.Load(); n > 20 {
		t.Errorf("first scans of 1000 never-scanned items read the store %d times", n)
	}
	for _, r := range old {
		st, err := l.Record(Scan{Ref: r, Time: 3000, Class: ClientBrowser})
		if err != nil || st.Count != 2 || st.First != 1000 {
			t.Fatalf("item %v counted before the restart: %+v %v, want count 2 from 1000", r, st, err)
		}
	}
	// Counts written since the restart leave memory (CacheEntries 16) and
	// are read back exactly.
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		st, err := l.Stats(Ref{Product: 4, Counter: uint64(i)})
		if err != nil || st.Count != 1 {
			t.Fatalf("item %d counted since the restart: %+v %v, want count 1", i, st, err)
		}
	}
	for _, r := range old {
		if st, err := l.Stats(r); err != nil || st.Count != 2 {
			t.Fatalf("item %v: %+v %v, want count 2", r, st, err)
		}
	}
}

func BenchmarkRecordFirstTouch(b *testing.B) {
	db, _ := openTestDB(b)
	defer db.Close()
	for _, filter := range []bool{false, true} {
		name := "filter=off"
		if filter {
			name = "filter=on"
		}
		b.Run(name, func(b *testing.B) {
			l := Open(db, nil)
			defer l.Close()
			<-l.seenDone
			l.seen.ready.Store(filter)
			b.ReportAllocs()
			for i := range b.N {
				if _, err := l.Record(Scan{Ref: Ref{Product: 9, Counter: uint64(i) + uint64(filter2int(filter))<<40}, Time: 1, Class: ClientBrowser}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func filter2int(f bool) int {
	if f {
		return 1
	}
	return 0
}
