package ledger

import (
	"runtime"
	"testing"
	"time"

	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/store"
)

// waitHashFilter waits until l's hash filter is built.
func waitHashFilter(t *testing.T, l *Ledger) {
	t.Helper()
	for !l.HashFilterReady() {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestHashFilter: a ledger opened on a store answers "certainly new" for
// no hash the store holds, nor for one a Tx staged, and for most others;
// a filter replaced by a bigger one while a Tx staged hashes (into the
// old one) still holds them once the Tx is published.
func TestHashFilter(t *testing.T) {
	defer func(n uint) { hashFilterMinCap = n }(hashFilterMinCap)
	hashFilterMinCap = 16
	db := openDB(t, "")
	l, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 2·17 records in one Tx: the filter (sized for 16) is replaced twice
	// while the Tx stages them, its builds reading a store without them.
	appendN(t, db, l, []uint32{1, 2}, 17)
	check := func(l *Ledger, what string) {
		t.Helper()
		waitHashFilter(t, l)
		var hs [][32]byte
		lo, hi := store.EventByHashKeys.Bounds()
		if err := db.Scan(lo, hi, func(k, _ []byte) error {
			h, err := store.DecodeEventByHashKey(k)
			hs = append(hs, [32]byte(h))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(hs) == 0 {
			t.Fatal("no hashes stored")
		}
		isNew := make([]bool, len(hs))
		l.HashesNew(hs, isNew)
		for i, n := range isNew {
			if n {
				t.Fatalf("%s: stored hash %x is answered certainly new", what, hs[i][:4])
			}
		}
		other := make([][32]byte, 1000)
		for i := range other {
			other[i] = [32]byte{0xee, byte(i), byte(i >> 8)}
		}
		isNew = make([]bool, len(other))
		l.HashesNew(other, isNew)
		n := 0
		for _, v := range isNew {
			if v {
				n++
			}
		}
		if n < 900 {
			t.Fatalf("%s: %d of 1000 unknown hashes answered certainly new, want most", what, n)
		}
	}
	check(l, "after a Tx that outgrew the filter")
	// Reopened: the filter is built from the store.
	l2, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	check(l2, "reopened")
	// A staged hash (not committed) is never answered new.
	waitHashFilter(t, l2)
	b := db.NewBatch()
	defer b.Close()
	tx := l2.Begin(b)
	s := sampleSummary()
	s.ContentHash = [32]byte{0xdd, 1}
	tx.Append(&s, &Payload{}, 1)
	isNew := []bool{false}
	l2.HashesNew([][32]byte{s.ContentHash}, isNew)
	if isNew[0] {
		t.Fatal("a hash a Tx staged is answered certainly new")
	}
}

// TestHashFilterReadOnly: a read-only store's ledger has no filter; every
// hash is "maybe".
func TestHashFilterReadOnly(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, db, l, []uint32{1}, 3)
	db.Close()
	ro, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	l, err = Open(ro, nil)
	if err != nil {
		t.Fatal(err)
	}
	isNew := []bool{false}
	l.HashesNew([][32]byte{{0xee}}, isNew)
	if isNew[0] || l.HashFilterReady() {
		t.Fatal("a read-only store's ledger answers from a hash filter")
	}
}

// BenchmarkHashFilterBuild measures the build of the hash filter at Open
// over a store of 2^20 content hashes (ns/hash: the background work an
// Open costs per record).
//
//	go test -run '^$' -bench HashFilterBuild -benchtime 3x ./engine/ledger
func BenchmarkHashFilterBuild(b *testing.B) {
	const n = 1 << 20
	db := openDB(b, "")
	bt := db.NewBatch()
	var h [32]byte
	for i := range n {
		h[0], h[1], h[2], h[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		h[31] = byte(i * 7)
		bt.Set(store.AppendEventByHashKey(nil, &h), store.Uint(i).AppendBinary(nil))
	}
	if err := bt.Commit(false); err != nil {
		b.Fatal(err)
	}
	if err := db.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var hf hashFilter
		hf.db = db
		hf.mu.Lock()
		hf.cap = 2 * n
		hf.f = bloom.NewWithEstimates(hf.cap, hashFilterFP)
		hf.gen = 1
		hf.mu.Unlock()
		hf.build(1)
		if !hf.ready || hf.n != n {
			b.Fatalf("built %d of %d hashes (ready %v)", hf.n, n, hf.ready)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/hash")
}
