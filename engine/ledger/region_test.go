package ledger

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"tracecode/engine/epcis"
	"tracecode/engine/store"
)

func TestDivisionPath(t *testing.T) {
	for _, c := range []struct {
		d    uint32
		want []uint32
	}{
		{620102001, []uint32{620102001, 620102, 620100, 620000}},
		{620102, []uint32{620102, 620100, 620000}},
		{620100, []uint32{620100, 620000}},
		{620000, []uint32{620000}},
		{441900003, []uint32{441900003, 441900, 440000}}, // a city without counties
		{0, nil},
		{999999, nil}, // no such province
	} {
		if got := DivisionPath(c.d); !slices.Equal(got, c.want) {
			t.Errorf("DivisionPath(%d) = %v, want %v", c.d, got, c.want)
		}
	}
}

// TestRegionIndex: an appended event is written under every level of its
// location's division path with its step and time, read back in time
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
	if got := fmt.Sprint(walk(lo, hi)); got != "[620102/storing/3000/1]" {
		t.Errorf("county, storing: %s", got)
	}
	lo, hi = QueryRegionBounds(620100, string(epcis.BizStepStoring), 2000, 3000)
	if got := fmt.Sprint(walk(lo, hi)); got != "[620100/storing/2000/3]" {
		t.Errorf("city, storing, [2000, 3000): %s", got)
	}
	lo, hi = QueryRegionDivision(620000)
	if got := fmt.Sprint(walk(lo, hi)); got != "[620000//500/6 620000/shipping/1000/2 620000/storing/2000/3 620000/storing/3000/1]" {
		t.Errorf("province: %s", got)
	}
	lo, hi = store.EvRegionKeys.Bounds()
	if n := len(walk(lo, hi)); n != 4+4+3+4 {
		t.Errorf("%d region keys, want 15", n)
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
	lo, hi := QueryRegionDivision(620000)
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
		t.Errorf("%d province keys after the rebuild, want 1", n)
	}
	if n, err := BuildQueryIndexes(db, 0, div); err != nil || n != 0 {
		t.Errorf("a second build read %d records: %v", n, err)
	}
}
