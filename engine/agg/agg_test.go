package agg

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/store"
)

var (
	rewrite = flag.Bool("rewrite", false, "rewrite testdata golden files")
	seed    = flag.Uint64("seed", 0, "replay the model test with this seed (0: a few fixed seeds)")
)

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

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(t.TempDir(), &store.Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGolden(t *testing.T) {
	var out strings.Builder
	out.WriteString("# agg key and value layouts (hex). Regenerate: go test ./engine/agg -run Golden -rewrite\n")
	kv := func(name string, k, v []byte) {
		fmt.Fprintf(&out, "%s\n  key   %s | %s\n  value %s (%d bytes)\n", name, hex.EncodeToString(k[:1]), hex.EncodeToString(k[1:]), hex.EncodeToString(v), len(v))
	}
	caseNode := Node{Product: 2, Counter: 77}
	run := Run{Product: 1, First: 1000, Last: 1009, Parent: caseNode, Since: 1_700_000_000_000, Seq: 42}
	kv("run: counters 1000..1009 of product 1 in p2/c77, since 2023-11-14T22:13:20Z, report 42",
		AppendRunKey(nil, 1, 1000), run.AppendValue(nil))
	sscc := UnitNode(395012345000000017)
	run2 := Run{Product: 0, First: 395012345000000024, Last: 395012345000000024, Parent: sscc, Since: 1_700_000_000_000, Seq: 43}
	kv("run: SSCC 395012345000000024 in SSCC 395012345000000017", AppendRunKey(nil, 0, run2.First), run2.AppendValue(nil))
	bm := roaring.New()
	bm.AddRange(1000, 1010)
	kv("children of p2/c77 in block 5: offsets 1000..1009", appendChildrenKey(nil, caseNode, 5), appendChildren(nil, bm))
	kv("unit child 395012345000000024 of SSCC 395012345000000017", appendUnitChildKey(nil, sscc, run2.First), unitChildValue)
	past := PastRun{Run: run, Until: 1_700_000_360_000, UnpackSeq: 50}
	past.Last = 1003
	kv("past run: 1000..1003 were in p2/c77 until +6 min (report 50)", appendPastRunKey(nil, 1, 1000, 50), past.AppendValue(nil))
	rm := Removal{Parent: caseNode, UnpackSeq: 50, Until: 1_700_000_360_000, Runs: []Run{past.Run}}
	kv("removal from p2/c77 by report 50", appendRemovalKey(nil, caseNode, 50), rm.AppendValue(nil))
	u := Unit{SSCC: 395012345000000017, Org: 3, Level: 4, State: 1, Created: 1_700_000_000_000, Seq: 41}
	kv("unit SSCC 395012345000000017 of org 3, level pallet, commissioned", AppendUnitKey(nil, u.SSCC), u.AppendValue(nil))
	as := Association{Parent: caseNode, Child: "urn:epc:id:giai:4000001.12345", Since: 1_700_000_000_000, Seq: 61}
	ak := appendAssocKey(nil, as.Parent, as.Child)
	kv("association of GIAI 4000001.12345 (a logger) with p2/c77 since 2023-11-14T22:13:20Z, report 61", ak, as.AppendValue(nil))
	if got, err := DecodeAssociation(ak, as.AppendValue(nil)); err != nil || got != as {
		t.Errorf("association round trip: %+v %v", got, err)
	}
	cu := Custody{Org: 2, Pending: 5, Since: 1_700_000_000_000, Seq: 60}
	kv("custody of p2/c77: held by org 2, shipped to org 5, since 2023-11-14T22:13:20Z, report 60", AppendCustodyKey(nil, caseNode), cu.AppendValue(nil))
	if got, err := DecodeCustody(cu.AppendValue(nil)); err != nil || got != cu {
		t.Errorf("custody round trip: %+v %v", got, err)
	}
	for _, bad := range [][]byte{nil, {1}, {2, 1, 0, 0, 0}, {1, 0, 0, 0, 0}, append(cu.AppendValue(nil), 0)} {
		if _, err := DecodeCustody(bad); err == nil {
			t.Errorf("DecodeCustody(%x) accepted", bad)
		}
	}
	golden(t, "layout.txt", out.String())

	// Round trips.
	if got, err := DecodeRun(AppendRunKey(nil, 1, 1000), run.AppendValue(nil)); err != nil || got != run {
		t.Errorf("run round trip: %+v %v", got, err)
	}
	if got, err := decodePastRun(appendPastRunKey(nil, 1, 1000, 50), past.AppendValue(nil)); err != nil || got != past {
		t.Errorf("past run round trip: %+v %v", got, err)
	}
	if got, err := decodeRemoval(appendRemovalKey(nil, caseNode, 50), rm.AppendValue(nil)); err != nil || fmt.Sprint(got) != fmt.Sprint(rm) {
		t.Errorf("removal round trip: %+v %v", got, err)
	}
	if got, err := DecodeUnit(u.SSCC, u.AppendValue(nil)); err != nil || got != u {
		t.Errorf("unit round trip: %+v %v", got, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	run := Run{Product: 1, First: 5, Last: 9, Parent: Node{2, 3}}
	v := run.AppendValue(nil)
	k := AppendRunKey(nil, 1, 5)
	for _, c := range []struct {
		name string
		k, v []byte
		want error
	}{
		{"short key", k[:12], v, store.ErrCorrupt},
		{"version 0", k, append([]byte{0}, v[1:]...), store.ErrVersion},
		{"truncated", k, v[:len(v)-1], store.ErrCorrupt},
		{"trailing", k, append(slices.Clone(v), 7), store.ErrCorrupt},
	} {
		if _, err := DecodeRun(c.k, c.v); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// A past run crossing a window is refused.
	p := PastRun{Run: Run{Product: 1, First: 250, Last: 260}}
	if _, err := decodePastRun(appendPastRunKey(nil, 1, 250, 1), p.AppendValue(nil)); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("window-crossing past run: %v", err)
	}
	if _, err := decodeChildren([]byte{1, 0xde, 0xad}); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("garbage bitmap: %v", err)
	}
}

func FuzzDecodeRemoval(f *testing.F) {
	rm := Removal{Parent: Node{2, 77}, Until: 5, Runs: []Run{{Product: 1, First: 3, Last: 9, Since: 1, Seq: 2}}}
	f.Add(rm.AppendValue(nil))
	k := appendRemovalKey(nil, Node{2, 77}, 50)
	f.Fuzz(func(t *testing.T, v []byte) {
		r, err := decodeRemoval(k, v)
		if err != nil {
			return
		}
		r2, err := decodeRemoval(k, r.AppendValue(nil))
		if err != nil || fmt.Sprint(r) != fmt.Sprint(r2) {
			t.Fatalf("re-encoding changed %+v to %+v (%v)", r, r2, err)
		}
	})
}

// world is a test universe: products 1..3, each one block of blockSize
// counters starting at 1000·product; block id = product.
const blockSize = 600

func locate(product uint32, counter uint64) (uint64, uint64, bool) {
	start := uint64(product) * 1000
	if product == 0 || product > 3 || counter < start || counter >= start+blockSize {
		return 0, 0, false
	}
	return uint64(product), start, true
}

func blocks(block uint64) (uint32, uint64, bool) {
	if block == 0 || block > 3 {
		return 0, 0, false
	}
	return uint32(block), block * 1000, true
}

func childRun(product uint32, first, last uint64) ChildRun {
	b, start, _ := locate(product, first)
	return ChildRun{Product: product, First: first, Last: last, Block: b, BlockStart: start}
}

type span struct {
	parent      Node
	since, till int64
}

// model is the obvious representation: a map child → parent.
type model struct {
	parent  map[Node]Node
	history map[Node][]span
	since   map[Node]int64
}

func runModel(t *testing.T, s uint64) {
	db := openDB(t)
	rng := rand.New(rand.NewPCG(s, s^0x5eed))
	m := model{parent: map[Node]Node{}, history: map[Node][]span{}, since: map[Node]int64{}}
	ancestors := func(n Node) []Node {
		var a []Node
		for p, ok := m.parent[n]; ok; p, ok = m.parent[p] {
			a = append(a, p)
		}
		return a
	}
	randNode := func() Node {
		if rng.IntN(10) == 0 {
			return UnitNode(395012345000000000 + uint64(rng.IntN(8)))
		}
		p := uint32(rng.IntN(3) + 1)
		return Node{p, uint64(p)*1000 + uint64(rng.IntN(blockSize))}
	}
	now := int64(1000)
	for step := 1; step <= 300; step++ {
		seq := uint64(step)
		now += int64(rng.IntN(100) + 1)
		b := db.NewIndexedBatch()
		tx, err := NewTx(b)
		if err != nil {
			t.Fatal(err)
		}
		nOps := rng.IntN(3) + 1
		for range nOps {
			parent := randNode()
			if rng.IntN(3) > 0 { // pack a run of free children
				var runs []ChildRun
				p := uint32(rng.IntN(3) + 1)
				if rng.IntN(8) == 0 {
					c := randNode()
					if c.IsUnit() && c != parent && !slices.Contains(ancestors(parent), c) {
						if _, has := m.parent[c]; !has {
							runs = append(runs, ChildRun{First: c.Counter, Last: c.Counter})
						}
					}
				} else {
					first := uint64(p)*1000 + uint64(rng.IntN(blockSize))
					last := min(first+uint64(rng.IntN(12)), uint64(p)*1000+blockSize-1)
					// Trim to the longest prefix of free, acyclic children.
					for c := first; c <= last; c++ {
						n := Node{p, c}
						if _, has := m.parent[n]; has || n == parent || slices.Contains(ancestors(parent), n) {
							last = c - 1
							break
						}
					}
					if last >= first && last != ^uint64(0) {
						runs = append(runs, childRun(p, first, last))
					}
				}
				if len(runs) == 0 {
					continue
				}
				if err := tx.Pack(parent, runs, now, seq, false); err != nil {
					t.Fatalf("seed %d step %d: pack: %v", s, step, err)
				}
				for _, r := range runs {
					for c := r.First; c <= r.Last; c++ {
						m.parent[Node{r.Product, c}] = parent
						m.since[Node{r.Product, c}] = now
					}
				}
			} else { // unpack some or all children of a parent that has some
				var kids []Node
				for c, p := range m.parent {
					if p == parent {
						kids = append(kids, c)
					}
				}
				if len(kids) == 0 {
					continue
				}
				slices.SortFunc(kids, func(a, b Node) int {
					if a.Product != b.Product {
						return int(a.Product) - int(b.Product)
					}
					return int(int64(a.Counter) - int64(b.Counter))
				})
				if rng.IntN(2) == 0 {
					kids = kids[rng.IntN(len(kids)):]
					kids = kids[:rng.IntN(len(kids))+1]
				}
				// Group into runs of consecutive counters.
				var runs []ChildRun
				for _, k := range kids {
					if k.IsUnit() {
						runs = append(runs, ChildRun{First: k.Counter, Last: k.Counter})
						continue
					}
					if n := len(runs); n > 0 && runs[n-1].Product == k.Product && runs[n-1].Last+1 == k.Counter {
						runs[n-1].Last++
						continue
					}
					runs = append(runs, childRun(k.Product, k.Counter, k.Counter))
				}
				removed, err := tx.Unpack(parent, runs, now, seq)
				if err != nil {
					t.Fatalf("seed %d step %d: unpack: %v", s, step, err)
				}
				var n uint64
				for _, r := range removed {
					n += r.Len()
				}
				if n != uint64(len(kids)) {
					t.Fatalf("seed %d step %d: unpack removed %d children, want %d", s, step, n, len(kids))
				}
				for _, k := range kids {
					m.history[k] = append(m.history[k], span{parent, m.since[k], now})
					delete(m.parent, k)
				}
			}
		}
		tx.Close()
		if err := b.Commit(false); err != nil {
			t.Fatal(err)
		}
	}
	// Compare every node's parent and history, and every parent's children.
	r, err := NewReader(db)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tx, err := NewTx(db.NewIndexedBatch())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	kids := map[Node][]Node{}
	for c, p := range m.parent {
		kids[p] = append(kids[p], c)
	}
	all := []Node{}
	for p := uint32(1); p <= 3; p++ {
		for c := uint64(p) * 1000; c < uint64(p)*1000+blockSize; c++ {
			all = append(all, Node{p, c})
		}
	}
	for i := range 8 {
		all = append(all, UnitNode(395012345000000000+uint64(i)))
	}
	for _, n := range all {
		run, ok, err := r.Parent(n)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK := m.parent[n]
		if ok != wantOK || (ok && (run.Parent != want || run.Since != m.since[n])) {
			t.Fatalf("seed %d: parent of %s = %v %+v, want %v %v", s, n, ok, run, wantOK, want)
		}
		var hist []span
		r.History(n, func(p *PastRun) bool {
			hist = append(hist, span{p.Parent, p.Since, p.Until})
			return true
		})
		wh := m.history[n]
		sortSpans := func(x []span) {
			slices.SortFunc(x, func(a, b span) int { return int(a.till - b.till) })
		}
		sortSpans(hist)
		sortSpans(wh)
		if fmt.Sprint(hist) != fmt.Sprint(wh) {
			t.Fatalf("seed %d: history of %s = %v, want %v", s, n, hist, wh)
		}
		var got []Node
		err = r.Children(n, func(block uint64, bm *roaring.Bitmap) bool {
			product, start, _ := blocks(block)
			bm.Iterate(func(x uint32) bool { got = append(got, Node{product, start + uint64(x)}); return true })
			return true
		}, func(sscc uint64) bool { got = append(got, UnitNode(sscc)); return true })
		if err != nil {
			t.Fatal(err)
		}
		w := kids[n]
		key := func(a, b Node) int {
			if a.Product != b.Product {
				return int(a.Product) - int(b.Product)
			}
			return int(int64(a.Counter) - int64(b.Counter))
		}
		slices.SortFunc(got, key)
		slices.SortFunc(w, key)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("seed %d: children of %s = %v, want %v", s, n, got, w)
		}
		// The Tx's run form of the same children.
		runs, err := tx.Children(n, blocks)
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, r := range runs {
			for c := r.First; c <= r.Last; c++ {
				got = append(got, Node{r.Product, c})
			}
		}
		slices.SortFunc(got, key)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("seed %d: Tx.Children of %s = %v, want %v", s, n, got, w)
		}
	}
	checkClean(t, db)
}

func checkClean(t *testing.T, db *store.DB) {
	t.Helper()
	snap := db.NewSnapshot()
	defer snap.Close()
	var probs []store.Problem
	if err := Check(snap, locate, blocks, func(p store.Problem) bool { probs = append(probs, p); return true }); err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("consistency check: %v", probs)
	}
}

// TestModel runs random pack/unpack sequences against the map model. On a
// mismatch the message names the seed; go test -run TestModel -seed N
// replays it.
func TestModel(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	for _, s := range seeds {
		t.Run(fmt.Sprint(s), func(t *testing.T) { runModel(t, s) })
	}
}

func TestUnpackWrongParent(t *testing.T) {
	db := openDB(t)
	b := db.NewIndexedBatch()
	tx, _ := NewTx(b)
	defer tx.Close()
	caseA, caseB := Node{2, 2000}, Node{2, 2001}
	if err := tx.Pack(caseA, []ChildRun{childRun(1, 1000, 1009)}, 1, 1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Unpack(caseB, []ChildRun{childRun(1, 1005, 1005)}, 2, 2); !errors.Is(err, ErrNotInParent) {
		t.Fatalf("unpack from the wrong parent: %v", err)
	}
}

// TestCheckFindsDamage removes one side of a link and expects Check to say
// where.
func TestCheckFindsDamage(t *testing.T) {
	db := openDB(t)
	b := db.NewIndexedBatch()
	tx, _ := NewTx(b)
	caseA := Node{2, 2000}
	if err := tx.Pack(caseA, []ChildRun{childRun(1, 1000, 1009)}, 1, 1, true); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	b.Commit(false)
	checkClean(t, db)

	// Damage: a second run overlapping the first, and the bitmap gone.
	b = db.NewBatch()
	r := Run{Product: 1, First: 1005, Last: 1012, Parent: Node{2, 2001}}
	b.Set(AppendRunKey(nil, 1, 1005), r.AppendValue(nil))
	b.Delete(appendChildrenKey(nil, caseA, 2))
	b.Commit(false)
	snap := db.NewSnapshot()
	defer snap.Close()
	var probs []string
	Check(snap, locate, blocks, func(p store.Problem) bool { probs = append(probs, p.String()); return true })
	all := strings.Join(probs, "\n")
	for _, want := range []string{"overlaps the run 1000..1009", "children bitmap of block 1 lacks"} {
		if !strings.Contains(all, want) {
			t.Errorf("Check did not report %q; got:\n%s", want, all)
		}
	}
}

// BenchmarkPack packs cases of ten consecutive items, 10,000 cases a
// batch, the way a line reports.
func BenchmarkPack(b *testing.B) {
	db := openDB(b)
	b.ReportAllocs()
	const cases = 10_000
	var next uint64
	for b.Loop() {
		bt := db.NewIndexedBatch()
		tx, _ := NewTx(bt)
		for range cases {
			parent := Node{Product: 2, Counter: next / 10}
			if err := tx.Pack(parent, []ChildRun{{Product: 1, First: next, Last: next + 9, Block: 1}}, 1, 1, true); err != nil {
				b.Fatal(err)
			}
			next += 10
		}
		tx.Close()
		if err := bt.Commit(false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "children/s")
}

// TestRunsBitmap checks the direct run-container encoder against roaring:
// the bytes decode to the same set, and a single short run encodes exactly
// as roaring's own run-optimized serialization.
func TestRunsBitmap(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for n := range 300 {
		var runs [][2]uint64
		want := roaring.New()
		at := uint64(rng.IntN(1 << 20))
		for range rng.IntN(12) + 1 {
			l := uint64(rng.IntN(1 << uint(rng.IntN(18)+1)))
			runs = append(runs, [2]uint64{at, at + l})
			want.AddRange(at, at+l+1)
			at += l + 2 + uint64(rng.IntN(1<<uint(rng.IntN(18)+1)))
		}
		b := appendRunsBitmap([]byte{1}, runs)
		got, err := decodeChildren(b)
		if err != nil {
			t.Fatalf("case %d %v: %v", n, runs, err)
		}
		if !got.Equals(want) {
			t.Fatalf("case %d %v: decodes to %v", n, runs, got)
		}
	}
	want := roaring.New()
	want.AddRange(1000, 1010)
	if a, b := appendChildren(nil, want), appendRunsBitmap([]byte{1}, [][2]uint64{{1000, 1009}}); string(a) != string(b) {
		t.Fatalf("one run: roaring %x, direct %x", a, b)
	}
}

// FuzzDecodeRecords feeds arbitrary values to every agg decoder: no panic,
// and whatever decodes re-encodes to a value that decodes the same.
func FuzzDecodeRecords(f *testing.F) {
	run := Run{Product: 1, First: 5, Last: 9, Parent: Node{2, 3}, Since: 7, Seq: 8}
	f.Add(run.AppendValue(nil))
	past := PastRun{Run: run, Until: 9, UnpackSeq: 10}
	f.Add(past.AppendValue(nil))
	u := Unit{SSCC: 395012345000000017, Org: 3, Level: 4, State: 1}
	f.Add(u.AppendValue(nil))
	cu := Custody{Org: 2, Pending: 5, Since: 1_700_000_000_000, Seq: 60}
	f.Add(cu.AppendValue(nil))
	as := Association{Parent: Node{2, 3}, Child: "urn:epc:id:giai:4000001.12345", Since: 7, Seq: 8}
	f.Add(as.AppendValue(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		ak := appendAssocKey(nil, Node{2, 3}, "x")
		if a, err := DecodeAssociation(ak, v); err == nil {
			if a2, err := DecodeAssociation(ak, a.AppendValue(nil)); err != nil || a2 != a {
				t.Fatalf("association changed: %+v %+v %v", a, a2, err)
			}
		}
		if c, err := DecodeCustody(v); err == nil {
			if c2, err := DecodeCustody(c.AppendValue(nil)); err != nil || c2 != c {
				t.Fatalf("custody changed: %+v %+v %v", c, c2, err)
			}
		}
		k := AppendRunKey(nil, 1, 5)
		if r, err := DecodeRun(k, v); err == nil {
			if r2, err := DecodeRun(k, r.AppendValue(nil)); err != nil || r2 != r {
				t.Fatalf("run changed: %+v %+v %v", r, r2, err)
			}
		}
		pk := appendPastRunKey(nil, 1, 5, 10)
		if p, err := decodePastRun(pk, v); err == nil {
			if p2, err := decodePastRun(pk, p.AppendValue(nil)); err != nil || p2 != p {
				t.Fatalf("past run changed: %+v %+v %v", p, p2, err)
			}
		}
		if u, err := DecodeUnit(7, v); err == nil {
			if u2, err := DecodeUnit(7, u.AppendValue(nil)); err != nil || u2 != u {
				t.Fatalf("unit changed: %+v %+v %v", u, u2, err)
			}
		}
		if bm, err := decodeChildren(v); err == nil {
			if bm2, err := decodeChildren(appendChildren(nil, bm.Clone())); err != nil || !bm2.Equals(bm) {
				t.Fatalf("children bitmap changed: %v", err)
			}
		}
	})
}

// TestDecodeCustodyErrors: a damaged custody value wraps store.ErrCorrupt
// naming the field and byte offset; a newer version wraps store.ErrVersion.
func TestDecodeCustodyErrors(t *testing.T) {
	for _, c := range []struct {
		v    []byte
		want error
		msg  string
	}{
		{nil, store.ErrCorrupt, "custody value: truncated at byte 0"},
		{[]byte{2, 1, 0, 0, 0}, store.ErrVersion, "custody value has version 2"},
		{[]byte{1, 0, 0, 0, 0}, store.ErrCorrupt, "org: organisation 0 at byte 2"},
		{[]byte{1, 2, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0}, store.ErrCorrupt, "pending: value overflows 32 bits"},
		{[]byte{1, 2, 5, 0}, store.ErrCorrupt, "seq: truncated or overlong varint at byte 4"},
		{[]byte{1, 2, 5, 0, 0, 0}, store.ErrCorrupt, "1 trailing bytes at byte 5"},
	} {
		if _, err := DecodeCustody(c.v); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%x: %v, want %v naming %q", c.v, err, c.want, c.msg)
		}
	}
}
