package ledger

import (
	"fmt"
	"math"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/epcis"
	"tracecode/engine/store"
)

// TestRegionSubtree: the division numbers a query of a division walks
// are the division and those below it, and no other.
func TestRegionSubtree(t *testing.T) {
	for _, c := range []struct {
		d    uint32
		want string
	}{
		{620102001, "[[620102001 620102002]]"},
		{620102, "[[620102 620103] [620102000 620103000]]"},
		{620100, "[[620100 620200] [620100000 620200000]]"},
		{620000, "[[620000 630000] [620000000 630000000]]"},
		{441900, "[[441900 442000] [441900000 442000000]]"}, // a city without counties
		{0, "[]"},
		{999999, "[]"}, // no such province
	} {
		if got := fmt.Sprint(RegionSubtree(c.d)); got != c.want {
			t.Errorf("RegionSubtree(%d) = %s, want %s", c.d, got, c.want)
		}
	}
	// Every division contains what its ranges hold, checked against
	// cn's Contains on a sample of codes.
	for _, d := range []uint32{620000, 620100, 620102, 620102001, 441900} {
		for _, o := range []uint32{620000, 620100, 620102, 620103, 620102001, 620103001, 620201, 630000, 441900, 441900003, 441901} {
			in := false
			for _, r := range RegionSubtree(d) {
				in = in || r[0] <= o && o < r[1]
			}
			rd, _ := cn.NewRegion(int(d))
			ro, _ := cn.NewRegion(int(o))
			if in != rd.Contains(ro) {
				t.Errorf("RegionSubtree(%d) holds %d: %v, Contains says %v", d, o, in, rd.Contains(ro))
			}
		}
	}
}

// TestRegionIndex: an appended event is written once, under its
// location's division with its step and time, read back in time
// order by QueryRegionBounds; a record of no known division, a native
// record and an event without a location get no region key.
func TestRegionIndex(t *testing.T) {
	db := openDB(t, "")
	div := func(loc string, seq uint64) uint32 {
		return map[string]uint32{"here": 620102001, "there": 620103}[loc]
	}
	l, err := Open(db, &Options{Division: div})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	tx := l.Begin(b)
	for i, e := range []struct {
		loc  string
		step epcis.BizStep
		at   int64
		kind Kind
	}{
		{"here", epcis.BizStepStoring, 3000, KindEPCIS},  // 1
		{"here", epcis.BizStepShipping, 1000, KindEPCIS}, // 2
		{"there", epcis.BizStepStoring, 2000, KindEPCIS}, // 3
		{"nowhere", epcis.BizStepStoring, 2000, KindEPCIS},
		{"", epcis.BizStepStoring, 2000, KindEPCIS},
		{"here", "", 500, KindEPCIS}, // 6: no step
		{"here", epcis.BizStepStoring, 2000, KindCommission},
	} {
		s := Summary{Kind: e.kind, Org: 1, EventTime: e.at, BizStep: e.step, BizLocation: e.loc}
		tx.Append(&s, &Payload{}, int64(i))
	}
	if err := b.Commit(false); err != nil {
		t.Fatal(err)
	}
	tx.Publish()
	walk := func(lo, hi []byte) []string {
		var out []string
		it, err := db.NewIter(lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			d, term, at, seq, err := DecodeRegionKey(it.Key())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%d/%s/%d/%d", d, term, at, seq))
		}
		return out
	}
	lo, hi := QueryRegionBounds(620102, string(epcis.BizStepStoring), math.MinInt64, math.MaxInt64)
	if got := fmt.Sprint(walk(lo, hi)); got != "[]" {
		t.Errorf("county, storing: %s (its township's events are under the township alone)", got)
	}
	lo, hi = QueryRegionBounds(620103, string(epcis.BizStepStoring), 2000, 3000)
	if got := fmt.Sprint(walk(lo, hi)); got != "[620103/storing/2000/3]" {
		t.Errorf("county, storing, [2000, 3000): %s", got)
	}
	lo, hi = QueryRegionDivision(620102001)
	if got := fmt.Sprint(walk(lo, hi)); got != "[620102001//500/6 620102001/shipping/1000/2 620102001/storing/3000/1]" {
		t.Errorf("township: %s", got)
	}
	lo, hi = store.EvRegionKeys.Bounds()
	if got := fmt.Sprint(walk(lo, hi)); got != "[620103/storing/2000/3 620102001//500/6 620102001/shipping/1000/2 620102001/storing/3000/1]" {
		t.Errorf("every region key: %s", got)
	}
	for _, k := range [][]byte{lo, append(QueryRegionKey(nil, 1, "x"), 1)} {
		if _, _, _, _, err := DecodeRegionKey(k); err == nil {
			t.Errorf("DecodeRegionKey(%x) takes a malformed key", k)
		}
	}
}

// TestRegionIndexRebuilt: a store whose query indexes were built before
// the region index existed gets it at its next Open; an Open without a
// Division keeps the old marker.
func TestRegionIndexRebuilt(t *testing.T) {
	db := openDB(t, "")
	l, _ := Open(db, nil)
	b := db.NewBatch()
	tx := l.Begin(b)
	s := Summary{Kind: KindEPCIS, Org: 1, EventTime: 7, BizStep: epcis.BizStepStoring, BizLocation: "here"}
	tx.Append(&s, &Payload{}, 1)
	b.Commit(false)
	tx.Publish()
	if built, region, err := QueryIndexesBuilt(db); err != nil || !built || region {
		t.Fatalf("without a Division: built %v, region %v, %v", built, region, err)
	}
	div := func(string, uint64) uint32 { return 620102 }
	l, err := Open(db, &Options{Division: div})
	if err != nil {
		t.Fatal(err)
	}
	if !l.QueryIndexed() || !l.RegionIndexed() {
		t.Fatal("the reopened ledger has no region index")
	}
	lo, hi := QueryRegionDivision(620102)
	it, err := db.NewIter(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	it.Close()
	if n != 1 {
		t.Errorf("%d county keys after the rebuild, want 1", n)
	}
	if n, err := BuildQueryIndexes(db, 0, div); err != nil || n != 0 {
		t.Errorf("a second build read %d records: %v", n, err)
	}
}

// TestRegionIndexLayoutReplaced: a store whose region index holds an
// event under every level of its division path (the layout before one
// key per event), or whose build of such an index a crash interrupted,
// is indexed again at its next Open with a Division, and only the
// location's own division's keys remain; a build of the one-key layout
// interrupted by a crash resumes after its last record.
func TestRegionIndexLayoutReplaced(t *testing.T) {
	div := func(string, uint64) uint32 { return 620102 }
	for _, c := range []struct {
		name string
		mark uint64
		read int // records the reopen's build reads
	}{
		{"path layout built", queryIndexesBuiltPath, 3},
		{"path layout's build interrupted", 2, 3},
		{"one-key build interrupted", 2 | queryBuildOneKey, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t, "")
			l, err := Open(db, &Options{Division: div})
			if err != nil {
				t.Fatal(err)
			}
			b := db.NewBatch()
			tx := l.Begin(b)
			for i := range 3 {
				s := Summary{Kind: KindEPCIS, Org: 1, EventTime: int64(i), BizStep: epcis.BizStepStoring, BizLocation: "here"}
				tx.Append(&s, &Payload{}, 1)
			}
			b.Commit(false)
			tx.Publish()
			// The older layout's keys: the record's city and province too.
			b = db.NewBatch()
			for seq := uint64(1); seq <= 3 && c.mark&queryBuildOneKey == 0; seq++ {
				for _, d := range []uint32{620100, 620000} {
					b.Set(store.AppendSeq(QueryRegionTime(QueryRegionKey(nil, d, "storing"), int64(seq-1)), seq), []byte{queryIndexVersion})
				}
			}
			b.Set(store.MetaKey(store.MetaQueryIndexed), store.Uint(c.mark).AppendBinary(nil))
			if err := b.Commit(true); err != nil {
				t.Fatal(err)
			}
			b.Close()
			n, err := BuildQueryIndexes(db, 0, div)
			if err != nil || n != c.read {
				t.Fatalf("the build read %d records (%v), want %d", n, err, c.read)
			}
			if built, region, err := QueryIndexesBuilt(db); !built || !region || err != nil {
				t.Fatalf("after the build: built %v, region %v, %v", built, region, err)
			}
			var keys []uint32
			lo, hi := store.EvRegionKeys.Bounds()
			db.Scan(lo, hi, func(k, _ []byte) error {
				d, _, _, _, _ := DecodeRegionKey(k)
				keys = append(keys, d)
				return nil
			})
			if got := fmt.Sprint(keys); got != "[620102 620102 620102]" {
				t.Errorf("region keys' divisions %s, want the county's alone", got)
			}
		})
	}
}
