package cn

import (
	"fmt"
	"testing"
)

// TestRegionTree walks the whole embedded tree: the row counts per level are
// pinned (a regenerated table that lost or doubled rows fails here), every
// division lies in its parent and is among its parent's children, and every
// prefecture, county and township has a name and a province above it.
func TestRegionTree(t *testing.T) {
	d := divisions()
	counts := map[Level]int{}
	for i := range d.keys {
		r := d.region(i)
		counts[r.Level()]++
		if d.name(i) == "" {
			t.Errorf("%s has no name", r)
		}
		if i > 0 && d.keys[i-1] >= d.keys[i] {
			t.Errorf("%s out of order", r)
		}
		if r.Level() == LevelProvince {
			continue
		}
		p := r.Parent()
		if !p.Known() || !p.Contains(r) || p.Level() >= r.Level() {
			t.Errorf("%s %s: parent %s (known %v) does not hold it", r, d.name(i), p, p.Known())
			continue
		}
		if r2, err := NewRegion(int(r.Uint32())); err != nil || r2 != r {
			t.Errorf("%s does not parse back: %v", r, err)
		}
	}
	want := map[Level]int{LevelProvince: 34, LevelCity: 342, LevelCounty: 2975, LevelTownship: 41351}
	if n := LoadDivisions(); n != 34+342+2975+41351 {
		t.Errorf("LoadDivisions = %d", n)
	}
	for l, n := range want {
		if counts[l] != n {
			t.Errorf("%d %s rows, want %d", counts[l], l, n)
		}
	}
	// Children partition the tree: every row but the provinces is some row's
	// child exactly once, and a child's parent is the row that lists it.
	seen := 0
	for i := range d.keys {
		r := d.region(i)
		for _, c := range r.Children() {
			if c.Parent() != r {
				t.Errorf("%s lists child %s whose parent is %s", r, c, c.Parent())
			}
			seen++
		}
	}
	if seen != len(d.keys)-34 {
		t.Errorf("%d children in all, want %d", seen, len(d.keys)-34)
	}
}

func TestRegionLookups(t *testing.T) {
	cg := mustRegion(t, "620102")
	if n, _ := cg.Name(Chinese); n != "城关区" || cg.Parent().String() != "620100" {
		t.Fatalf("620102: %q parent %s", n, cg.Parent())
	}
	if n, _ := cg.Parent().Name(Chinese); n != "兰州市" {
		t.Errorf("620100 is %q", n)
	}
	kids := cg.Children()
	if len(kids) == 0 || kids[0].String() != "620102001" || kids[0].Level() != LevelTownship {
		t.Errorf("620102's children start %v", kids)
	}
	gs := mustRegion(t, "620000").Children()
	if len(gs) != 14 || gs[0].String() != "620100" || gs[len(gs)-1].String() != "623000" {
		t.Errorf("Gansu's prefectures: %v", gs)
	}
	path := mustRegion(t, "620102001").AppendPath(nil)
	if len(path) != 4 || path[0].String() != "620000" || path[1].String() != "620100" || path[2].String() != "620102" || path[3].String() != "620102001" {
		t.Errorf("path %v", path)
	}
	for _, tc := range []struct{ code, zh, en string }{
		{"620102001", "甘肃省 兰州市 城关区 酒泉路街道", "酒泉路街道, Chengguan District, Lanzhou, Gansu"},
		{"110101", "北京市 东城区", "Dongcheng District, Beijing"},
		{"110100", "北京市 市辖区", "市辖区, Beijing"},
		{"441900003", "广东省 东莞市 东城街道", "东城街道, 东莞市, Guangdong"},
		{"810000", "香港特别行政区", "Hong Kong"},
	} {
		r := mustRegion(t, tc.code)
		if zh, en := r.FullName(Chinese), r.FullName(English); zh != tc.zh || en != tc.en {
			t.Errorf("%s: full names %q %q, want %q %q", tc.code, zh, en, tc.zh, tc.en)
		}
	}
	if mustRegion(t, "620102999").Known() || len(mustRegion(t, "620102001").Children()) != 0 {
		t.Error("an unassigned township is known, or a township has children")
	}
}

// TestRegionLookupAllocs holds the lookups a scan renders to no allocation
// once the tree is decoded.
func TestRegionLookupAllocs(t *testing.T) {
	r := mustRegion(t, "620102001")
	buf := make([]byte, 0, 128)
	var path [4]Region
	divisions()
	if n := testing.AllocsPerRun(100, func() {
		_, _ = r.Name(Chinese)
		_ = r.Parent()
		_ = r.AppendPath(path[:0])
		buf = r.AppendFullName(buf[:0], Chinese)
	}); n != 0 {
		t.Errorf("%v allocations per lookup", n)
	}
}

// BenchmarkRegionLookup is what showing a region costs once the tree is
// decoded: a name, a parent, a full name, a county's children.
func BenchmarkRegionLookup(b *testing.B) {
	divisions()
	jq, cg := Region{620102001}, Region{620102}
	b.Run("op=name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := jq.Name(Chinese); !ok {
				b.Fatal("no name")
			}
		}
	})
	b.Run("op=parent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if jq.Parent() != cg {
				b.Fatal("parent")
			}
		}
	})
	for _, r := range []Region{jq, cg} {
		b.Run(fmt.Sprintf("op=fullname/level=%s", r.Level()), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 128)
			for b.Loop() {
				buf = r.AppendFullName(buf[:0], Chinese)
			}
		})
	}
	b.Run("op=children", func(b *testing.B) {
		b.ReportAllocs()
		kids := make([]Region, 0, 64)
		for b.Loop() {
			kids = cg.AppendChildren(kids[:0])
		}
	})
}

// BenchmarkRegionTreeDecode is the one-time cost of the first region
// lookup in a process: gunzip and index the embedded tree.
func BenchmarkRegionTreeDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(regionsGz)))
	for b.Loop() {
		t := decodeDivisions(regionsGz)
		if len(t.keys) < 40000 {
			b.Fatal("short tree")
		}
	}
}
