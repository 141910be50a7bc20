package itemstate

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine/store"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.TempDir(), &store.Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func commit(t testing.TB, db *store.DB, tx *Tx) {
	t.Helper()
	b := db.NewBatch()
	tx.Write(b)
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	tx.Publish()
}

// TestGolden pins the key and value layouts with annotated hex.
func TestGolden(t *testing.T) {
	var out strings.Builder
	out.WriteString("# itemstate key and value layouts. Regenerate: go test ./engine/itemstate -run Golden -rewrite\n")
	k := AppendKey(nil, 7, 3)
	fmt.Fprintf(&out, "key(block=7, chunk=3)\n  %s | %s | %s\n", hex.EncodeToString(k[:1]), hex.EncodeToString(k[1:9]), hex.EncodeToString(k[9:]))
	cases := []struct {
		name string
		fill func(c *Chunk)
	}{
		{"commissioned [0,65536) (a full chunk)", func(c *Chunk) { c.mut(Commissioned).AddRange(0, ChunkSize) }},
		{"commissioned [0,1000), voided {17,400}", func(c *Chunk) {
			c.mut(Commissioned).AddRange(0, 1000)
			c.mut(Commissioned).Remove(17)
			c.mut(Commissioned).Remove(400)
			c.mut(Voided).Add(17)
			c.mut(Voided).Add(400)
		}},
		{"commissioned+packed [0,10), recalled {3}", func(c *Chunk) {
			c.mut(Commissioned).AddRange(0, 10)
			c.mut(Packed).AddRange(0, 10)
			c.mut(Recalled).Add(3)
		}},
	}
	for _, tc := range cases {
		c := &Chunk{}
		tc.fill(c)
		v := c.AppendBinary(nil)
		fmt.Fprintf(&out, "%s (%d bytes)\n  ver=%02x mask=%08b\n", tc.name, len(v), v[0], v[1])
		rest := v[2:]
		for k := Kind(0); k < NumKinds; k++ {
			if v[1]&(1<<k) == 0 {
				continue
			}
			n := int(rest[0]) // lengths here are < 128: one uvarint byte
			fmt.Fprintf(&out, "  %s: len=%02x roaring=%s\n", k, rest[0], hex.EncodeToString(rest[1:1+n]))
			rest = rest[1+n:]
		}
		d, err := DecodeChunk(v)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for k := Kind(0); k < NumKinds; k++ {
			a, b := c.Bitmap(k), d.Bitmap(k)
			if (a == nil || a.IsEmpty()) != (b == nil) || (a != nil && b != nil && !a.Equals(b)) {
				t.Errorf("%s: kind %s does not round-trip", tc.name, k)
			}
		}
	}
	golden(t, "layout.txt", out.String())
}

func TestDecodeChunkErrors(t *testing.T) {
	good := (&Chunk{bm: [NumKinds]*rb{Commissioned: bitmapOf(1, 2, 3)}}).AppendBinary(nil)
	for _, c := range []struct {
		name string
		v    []byte
		want error
	}{
		{"empty", nil, store.ErrCorrupt},
		{"version 0", []byte{0, 0}, store.ErrVersion},
		{"version 2", []byte{2, 0}, store.ErrVersion},
		{"truncated", good[:len(good)-1], store.ErrCorrupt},
		{"trailing", append(append([]byte(nil), good...), 0), store.ErrCorrupt},
		{"garbage bitmap", []byte{1, 1, 3, 0xff, 0xff, 0xff}, store.ErrCorrupt},
		{"offset beyond chunk", (&Chunk{bm: [NumKinds]*rb{Voided: bitmapOf(70000)}}).AppendBinary(nil), store.ErrCorrupt},
	} {
		if _, err := DecodeChunk(c.v); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzDecodeChunk(f *testing.F) {
	f.Add((&Chunk{bm: [NumKinds]*rb{Commissioned: bitmapOf(1, 2, 3), Packed: bitmapOf(9)}}).AppendBinary(nil))
	c := &Chunk{}
	c.mut(Commissioned).AddRange(0, ChunkSize)
	f.Add(c.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := DecodeChunk(v)
		if err != nil {
			return
		}
		v2 := c.clone().AppendBinary(nil)
		c2, err := DecodeChunk(v2)
		if err != nil {
			t.Fatalf("re-encoded chunk does not decode: %v", err)
		}
		for k := Kind(0); k < NumKinds; k++ {
			a, b := c.Bitmap(k), c2.Bitmap(k)
			if (a == nil) != (b == nil) || (a != nil && !a.Equals(b)) {
				t.Fatalf("kind %s changed across re-encoding", k)
			}
		}
	})
}

// TestTxAgainstModel applies random Set/Clear to a Tx and a map, commits
// some and drops others, and checks reads through Tx, Store and a fresh
// Store (cold cache) against the model.
func TestTxAgainstModel(t *testing.T) {
	db := openDB(t)
	s := New(db, 64)
	rng := rand.New(rand.NewPCG(1, 2))
	const span = 3 * ChunkSize / 2
	model := map[[2]uint64]State{} // (block, offset) → state
	for round := range 30 {
		tx := s.Begin()
		staged := map[[2]uint64]State{}
		get := func(blk, off uint64) State {
			if v, ok := staged[[2]uint64{blk, off}]; ok {
				return v
			}
			return model[[2]uint64{blk, off}]
		}
		for range 20 {
			blk := uint64(rng.IntN(3) + 1)
			k := Kind(rng.IntN(NumKinds))
			lo := uint64(rng.IntN(span))
			hi := lo + uint64(rng.IntN(300)) + 1
			set := rng.IntN(3) != 0
			var err error
			if set {
				err = tx.Set(k, blk, lo, hi)
			} else {
				err = tx.Clear(k, blk, lo, hi)
			}
			if err != nil {
				t.Fatal(err)
			}
			for o := lo; o < hi; o++ {
				st := get(blk, o)
				if set {
					st |= 1 << k
				} else {
					st &^= 1 << k
				}
				staged[[2]uint64{blk, o}] = st
			}
			// Count and Find agree with the model inside the Tx.
			var want uint64
			var wantOffs []uint64
			for o := lo; o < hi; o++ {
				if get(blk, o).Has(k) {
					want++
					wantOffs = append(wantOffs, o)
				}
			}
			n, err := tx.Count(k, blk, lo, hi)
			if err != nil || n != want {
				t.Fatalf("round %d: Count = %d, %v; want %d", round, n, err, want)
			}
			var got []uint64
			m, _ := tx.Find(k, true, blk, lo, hi, func(o uint64) bool { got = append(got, o); return true })
			if m != want || fmt.Sprint(got) != fmt.Sprint(wantOffs) {
				t.Fatalf("round %d: Find(set) = %d %v, want %d %v", round, m, got, want, wantOffs)
			}
			got = got[:0]
			m, _ = tx.Find(k, false, blk, lo, hi, func(o uint64) bool { got = append(got, o); return len(got) < 5 })
			if m != (hi-lo)-want {
				t.Fatalf("round %d: Find(unset) counted %d, want %d", round, m, (hi-lo)-want)
			}
			for _, o := range got {
				if get(blk, o).Has(k) {
					t.Fatalf("round %d: Find(unset) reported %d which has %s", round, o, k)
				}
			}
		}
		if round%3 == 2 {
			continue // dropped: nothing of it may show
		}
		commit(t, db, tx)
		for k, v := range staged {
			model[k] = v
		}
	}
	check := func(s *Store, name string) {
		for blk := uint64(1); blk <= 3; blk++ {
			for o := uint64(0); o < span+300; o++ {
				got, err := s.State(blk, o)
				if err != nil {
					t.Fatal(err)
				}
				if want := model[[2]uint64{blk, o}]; got != want {
					t.Fatalf("%s: block %d offset %d: state %s, want %s", name, blk, o, got, want)
				}
			}
		}
	}
	check(s, "warm store")
	check(New(db, 0), "cold store")
}

// TestCompact checks the property the issue asks for: a block of a
// million codes with a few rejects costs bytes, not megabytes.
func TestCompact(t *testing.T) {
	db := openDB(t)
	s := New(db, 0)
	tx := s.Begin()
	const n = 1_000_000
	if err := tx.Set(Commissioned, 1, 0, n); err != nil {
		t.Fatal(err)
	}
	for _, o := range []uint64{17, 4000, 70000, 999_999} {
		tx.Clear(Commissioned, 1, o, o+1)
		tx.SetOne(Voided, 1, o)
	}
	b := db.NewBatch()
	tx.Write(b)
	bytes, dirty := b.Len(), tx.Dirty()
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	tx.Publish()
	total := 0
	err := Scan(db, func(block uint64, ch uint32, c *Chunk) error {
		total += len(c.clone().AppendBinary(nil)) + 13
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1,000,000 commissioned with 4 voided: %d chunks, %d bytes of keys and values (batch %d bytes)", dirty, total, bytes)
	if total > 4096 {
		t.Fatalf("state of a 1M-code block costs %d bytes, want a few hundred", total)
	}
}

// TestPublishRace: a reader that loaded a chunk before a commit must not
// overwrite the chunk published after it in the cache.
func TestPublishRace(t *testing.T) {
	db := openDB(t)
	s := New(db, 0)
	id := chunkID{1, 0}
	sh := &s.shards[id.shard()]
	sh.mu.RLock()
	gen := sh.gen
	sh.mu.RUnlock()
	stale, err := s.load(nil, id) // the reader's database read, before the commit
	if err != nil {
		t.Fatal(err)
	}
	tx := s.Begin()
	tx.SetOne(Commissioned, 1, 5)
	commit(t, db, tx)
	s.insert(id, stale, gen) // the reader's late insert
	if st, _ := s.State(1, 5); !st.Has(Commissioned) {
		t.Fatal("a stale read replaced the published chunk")
	}
}

type rb = roaringBitmap

func BenchmarkState(b *testing.B) {
	db := openDB(b)
	s := New(db, 0)
	tx := s.Begin()
	tx.Set(Commissioned, 1, 0, 1<<20)
	tx.Set(Packed, 1, 0, 1<<20)
	commit(b, db, tx)
	for c := uint32(0); c < 16; c++ {
		s.Chunk(1, c)
	}
	b.ReportAllocs()
	var i uint64
	for b.Loop() {
		if _, err := s.State(1, i&(1<<20-1)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkCommission(b *testing.B) {
	db := openDB(b)
	s := New(db, 0)
	b.ReportAllocs()
	const per = 100_000
	var blk uint64
	for b.Loop() {
		blk++
		tx := s.Begin()
		if err := tx.Set(Commissioned, blk, 0, per); err != nil {
			b.Fatal(err)
		}
		tx.SetOne(Voided, blk, 77)
		tx.Clear(Commissioned, blk, 77, 78)
		bt := db.NewBatch()
		tx.Write(bt)
		if err := bt.Commit(false); err != nil {
			b.Fatal(err)
		}
		tx.Publish()
	}
	b.ReportMetric(float64(per)*float64(b.N)/b.Elapsed().Seconds(), "codes/s")
}
