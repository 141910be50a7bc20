package agg

import (
	"math/rand/v2"
	"testing"
)

// TestParentWindow packs children in line order (strides), then unpacks
// and repacks some at random, and checks after every step that every
// window's Find agrees with the index (Reader.Parent) for every counter,
// and that line-order packing collapses into few strides.
func TestParentWindow(t *testing.T) {
	db := openDB(t)
	const product, n = 7, 5 * ParentWindowSize
	const base = 3*ParentWindowSize + 100 // runs cross window boundaries
	commit := func(f func(tx *Tx)) {
		b := db.NewIndexedBatch()
		tx, err := NewTx(b)
		if err != nil {
			t.Fatal(err)
		}
		f(tx)
		tx.Close()
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
	}
	// Items base.. into cases of 10, cases 0.. of product 8, two reports.
	for rep := range 2 {
		commit(func(tx *Tx) {
			for k := rep * n / 20; k < (rep+1)*n/20; k++ {
				first := uint64(base + k*10)
				if err := tx.Pack(Node{Product: 8, Counter: uint64(k)}, []ChildRun{{Product: product, First: first, Last: first + 9, Block: 1}},
					1000+int64(rep), uint64(rep+1), true); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	check := func(step string, maxStrides int) {
		t.Helper()
		it, err := db.NewIter(IterLower, IterUpper)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		rd := &Reader{}
		rd.Reset(it)
		for win := ParentWindowOf(base) - 1; win <= ParentWindowOf(base+n)+1; win++ {
			w, err := LoadParentWindow(it, product, win)
			if err != nil {
				t.Fatal(err)
			}
			if maxStrides > 0 && (w.Irregular || w.Strides() > maxStrides) {
				t.Fatalf("%s: window %d has %d strides (irregular %v), want ≤ %d", step, win, w.Strides(), w.Irregular, maxStrides)
			}
			if w.Irregular {
				continue
			}
			for c := win << ParentWindowBits; c < (win+1)<<ParentWindowBits; c++ {
				want, wok, err := rd.Parent(Node{Product: product, Counter: c})
				if err != nil {
					t.Fatal(err)
				}
				got, gok := w.Find(product, c)
				if gok != wok || got != want {
					t.Fatalf("%s: counter %d: window says %+v %v, index %+v %v", step, c, got, gok, want, wok)
				}
			}
		}
	}
	check("line order", 2)
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 30 {
		k := rng.IntN(n / 10)
		first := uint64(base + k*10)
		lo := first + uint64(rng.IntN(10))
		hi := lo + uint64(rng.IntN(int(first+10-lo)))
		commit(func(tx *Tx) {
			if _, err := tx.Unpack(Node{Product: 8, Counter: uint64(k)}, []ChildRun{{Product: product, First: lo, Last: hi, Block: 1}}, 2000, uint64(10+step)); err != nil {
				t.Fatal(err)
			}
			if step%2 == 0 { // repack into a case of another product
				if err := tx.Pack(Node{Product: 9, Counter: uint64(step)}, []ChildRun{{Product: product, First: lo, Last: hi, Block: 1}}, 3000, uint64(10+step), true); err != nil {
					t.Fatal(err)
				}
			}
			moved := false
			tx.Moved(func(p uint32, f, l uint64) { moved = moved || (p == product && f <= lo && hi <= l) })
			if !moved {
				t.Fatalf("step %d: Moved does not report %d..%d", step, lo, hi)
			}
		})
		check("after random unpacking", 0)
	}
}

// TestParentWindowIrregular: a window of runs that do not collapse holds
// none and says so.
func TestParentWindowIrregular(t *testing.T) {
	db := openDB(t)
	b := db.NewIndexedBatch()
	tx, err := NewTx(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range uint64(MaxWindowStrides + 1) { // every other counter, parents out of order
		if err := tx.Pack(Node{Product: 8, Counter: 1000 - i}, []ChildRun{{Product: 1, First: 2 * i, Last: 2 * i, Block: 1}}, 1, 1, true); err != nil {
			t.Fatal(err)
		}
	}
	tx.Close()
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	it, _ := db.NewIter(IterLower, IterUpper)
	defer it.Close()
	w, err := LoadParentWindow(it, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Irregular || w.Strides() != 0 {
		t.Fatalf("irregular %v with %d strides, want irregular with none", w.Irregular, w.Strides())
	}
}
