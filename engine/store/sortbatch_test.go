package store

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestSortedCommit commits batches of sets and deletes made out of key
// order, with keys written more than once, and checks that the store
// holds what applying them in the order made gives (the last write of a
// key wins), and that the batch was committed in key order.
func TestSortedCommit(t *testing.T) {
	db, err := Open(t.TempDir(), &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]string{}
	key := func(i uint32) []byte {
		if i%2 == 0 {
			return AppendOrgKey(nil, i)
		}
		return AppendBlockKey(nil, uint64(i))
	}
	for round := range 20 {
		var b *Batch
		if round%2 == 0 {
			b = db.NewIndexedBatch()
		} else {
			b = db.NewBatch()
		}
		for range 300 {
			i := rng.Uint32N(200)
			if rng.IntN(4) == 0 {
				b.Delete(key(i))
				delete(want, string(key(i)))
				continue
			}
			v := Uint(rng.Uint64()).AppendBinary(nil)
			b.Set(key(i), v)
			want[string(key(i))] = string(v)
		}
		b.sortForCommit()
		var last []byte
		for r := b.b.Reader(); ; {
			_, k, _, ok, _ := r.Next()
			if !ok {
				break
			}
			if last != nil && bytes.Compare(last, k) > 0 {
				t.Fatalf("round %d: the batch is not in key order: %x before %x", round, last, k)
			}
			last = append(last[:0], k...)
		}
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if err := db.Scan(nil, nil, func(k, v []byte) error {
			got[string(k)] = string(v)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("round %d: key %x = %x, want %x", round, k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok && k[0] != AppendOrgKey(nil, 0)[0] && k[0] != AppendBlockKey(nil, 0)[0] {
				continue // the store's own keys
			} else if !ok {
				t.Fatalf("round %d: key %x is in the store, deleted last", round, k)
			}
		}
	}
}

// TestSortedCommitRangeDelete: a batch with a range deletion is committed
// as made, since reordering would move a write out from under the
// deletion that follows it.
func TestSortedCommitRangeDelete(t *testing.T) {
	db, err := Open(t.TempDir(), &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := db.NewBatch()
	for i := uint32(200); i > 100; i-- {
		b.Set(AppendOrgKey(nil, i), nil)
	}
	b.Set(AppendOrgKey(nil, 5), nil)
	b.DeleteRange(AppendOrgKey(nil, 0), AppendOrgKey(nil, 10))
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if found, _ := db.Has(AppendOrgKey(nil, 5)); found {
		t.Fatal("a write followed by a range deletion covering it survived the commit")
	}
	if found, _ := db.Has(AppendOrgKey(nil, 150)); !found {
		t.Fatal("a write outside the range deletion is missing")
	}
}
