package site

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/store"
)

// good is a valid input: a cold store in Chengguan district's Jiuquanlu
// subdistrict with a valid GLN.
func good() Input {
	return Input{Kind: "warehouse", Name: "七里河冷库", Region: "620102001", GLN: "6901234000016", Code: "JY16201020000001", Address: "兰州市城关区"}
}

func TestCheckNamesEachField(t *testing.T) {
	in := good()
	s, err := in.Check()
	if err != nil || s.Kind != KindWarehouse || s.Region != 620102001 || s.GLN != "6901234000016" {
		t.Fatalf("good input: %+v %v", s, err)
	}
	for _, c := range []struct {
		field string
		edit  func(*Input)
		want  string
	}{
		{"kind", func(in *Input) { in.Kind = "castle" }, `kind "castle"`},
		{"name", func(in *Input) { in.Name = "  " }, "name: is required"},
		{"name", func(in *Input) { in.Name = "a\nb" }, "control character"},
		{"name", func(in *Input) { in.Name = strings.Repeat("冷", 100) }, "at most 200"},
		{"region", func(in *Input) { in.Region = "620100" }, "city"},
		{"region", func(in *Input) { in.Region = "62010" }, "6-digit county or 9-digit township"},
		{"region", func(in *Input) { in.Region = "999999" }, `region "999999"`},
		{"gln", func(in *Input) { in.GLN = "6901234000017" }, "check digit"},
		{"gln", func(in *Input) { in.GLN = "69012340" }, `gln "69012340"`},
		{"code", func(in *Input) { in.Code = "\x00" }, "control character"},
		{"address", func(in *Input) { in.Address = "\xff" }, "not UTF-8"},
	} {
		in := good()
		c.edit(&in)
		_, err := in.Check()
		var fe *FieldError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a %s error with %q", c.field, err, c.field, c.want)
		}
	}
	bad := Input{Kind: "x", Region: "1"}
	_, err = bad.Check()
	for _, f := range []string{"kind", "name", "region"} {
		if !strings.Contains(err.Error(), "site: "+f) {
			t.Errorf("every problem is named: %v lacks %s", err, f)
		}
	}
}

func TestCodecRoundTrip(t *testing.T) {
	s := Site{Org: 3, ID: 2, Kind: KindStation, Name: "天水充装站", Region: 620502, GLN: "6901234000016", Code: "TS-1", Address: "麦积区", Disabled: true, Created: 1, Updated: -2}
	v := s.AppendBinary(nil)
	got, err := Decode(3, 2, v)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("%v\n got %+v\nwant %+v", err, got, s)
	}
	for i := range len(v) {
		if _, err := Decode(3, 2, v[:i]); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	s := Site{Kind: KindShop, Name: "门店", Region: 620102}
	f.Add(s.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := Decode(1, 1, v)
		if err != nil {
			return
		}
		if again, err := Decode(1, 1, got.AppendBinary(nil)); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func FuzzCheck(f *testing.F) {
	g := good()
	f.Add(g.Kind, g.Name, g.Region, g.GLN, g.Code, g.Address)
	f.Add("", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, kind, name, region, gln, code, address string) {
		in := Input{Kind: kind, Name: name, Region: region, GLN: gln, Code: code, Address: address}
		s, err := in.Check()
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		s.Created = 1
		if got, err := Decode(0, 0, s.AppendBinary(nil)); err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("a checked site does not round-trip: %v", err)
		}
	})
}

// TestBook: sites get ids per organisation; a GLN belongs to one site; an
// update moves the GLN index; a reopened book holds the same sites.
func TestBook(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	bk, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	in := good()
	a, err := bk.Add(7, &in, 100)
	if err != nil || a.ID != 1 || a.Org != 7 {
		t.Fatalf("add: %+v %v", a, err)
	}
	if _, err := bk.Add(8, &in, 101); !errors.Is(err, ErrConflict) {
		t.Fatalf("another organisation took the same GLN: %v", err)
	}
	shop := Input{Kind: "shop", Name: "门店", Region: "620102"}
	b, err := bk.Add(8, &shop, 102)
	if err != nil || b.ID != 1 {
		t.Fatalf("add: %+v %v", b, err)
	}
	bad := Input{Kind: "shop"}
	if _, err := bk.Add(8, &bad, 103); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid add: %v", err)
	}
	if got := bk.OfOrg(8); len(got) != 1 {
		t.Fatalf("an invalid add wrote a site: %+v", got)
	}
	moved := good()
	moved.GLN = "6901234000023"
	u, err := bk.Update(7, 1, &moved, 200)
	if err != nil || u.Created != 100 || u.Updated != 200 {
		t.Fatalf("update: %+v %v", u, err)
	}
	if _, ok := bk.ByGLN("6901234000016"); ok {
		t.Error("the old GLN still names the site")
	}
	if _, err := bk.Update(7, 2, &moved, 200); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing site: %v", err)
	}
	// The freed GLN may be taken again.
	if _, err := bk.Add(8, &in, 300); err != nil {
		t.Fatalf("the freed GLN: %v", err)
	}
	if got := bk.InRegion(func(r uint32) bool { return r == 620102 || r/1000 == 620102 }); len(got) != 3 {
		t.Errorf("sites in Chengguan: %+v", got)
	}
	db.Close()
	db, err = store.Open(dir, &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bk2, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := bk2.ByGLN("6901234000023"); !ok || s.Org != 7 || s.Name != "七里河冷库" {
		t.Errorf("reopened: by GLN %+v %v", s, ok)
	}
	if !reflect.DeepEqual(bk2.OfOrg(8), bk.OfOrg(8)) || !reflect.DeepEqual(bk2.OfOrg(7), bk.OfOrg(7)) {
		t.Errorf("reopened book differs")
	}
}

func TestCodecMoves(t *testing.T) {
	s := Site{Org: 3, ID: 2, Kind: KindShop, Name: "门店", Region: 620104, GLN: "6901234000023", Created: 1, Since: 9,
		Moves: []Move{{Until: 12, Region: 620103, GLN: "6901234000016"}, {Until: 20, Region: 620103}}}
	v := s.AppendBinary(nil)
	if v[0] != 2 {
		t.Fatalf("a site with moves is version %d, want 2", v[0])
	}
	got, err := Decode(3, 2, v)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("%v\n got %+v\nwant %+v", err, got, s)
	}
	for i := range len(v) {
		if _, err := Decode(3, 2, v[:i]); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	plain := Site{Kind: KindShop, Name: "门店", Region: 620102}
	if v := plain.AppendBinary(nil); v[0] != 1 {
		t.Errorf("a site without moves is version %d, want 1 (readable by older builds)", v[0])
	}
	for _, c := range []struct {
		seq    uint64
		region uint32
		gln    string
		ok     bool
	}{{8, 0, "", false}, {9, 620103, "6901234000016", true}, {11, 620103, "6901234000016", true},
		{12, 620103, "", true}, {19, 620103, "", true}, {20, 620104, "6901234000023", true}} {
		if r, g, ok := s.At(c.seq); r != c.region || g != c.gln || ok != c.ok {
			t.Errorf("At(%d) = %d %q %v, want %d %q %v", c.seq, r, g, ok, c.region, c.gln, c.ok)
		}
	}
}

// TestBookRegionAt: with Records, an addition and a change of region or
// GLN take effect from the next record: RegionAt answers each record
// with the site as it was, across a reopen, and Before names the earlier
// regions of the sites in a region.
func TestBookRegionAt(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	bk, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(5)
	bk.Records = func(fn func(uint64) error) error { return fn(next) }
	in := Input{Kind: "warehouse", Name: "仓", Region: "620103", GLN: "6901234000016"}
	if _, err := bk.Add(7, &in, 1); err != nil {
		t.Fatal(err)
	}
	next = 10
	in.Region = "620104"
	if _, err := bk.Update(7, 1, &in, 2); err != nil {
		t.Fatal(err)
	}
	next = 20
	in.GLN = "6901234000023"
	if _, err := bk.Update(7, 1, &in, 3); err != nil {
		t.Fatal(err)
	}
	next = 21
	in.Name = "仓库" // no move
	if _, err := bk.Update(7, 1, &in, 4); err != nil {
		t.Fatal(err)
	}
	check := func(bk *Book) {
		t.Helper()
		for _, c := range []struct {
			gln    string
			seq    uint64
			region uint32
			ok     bool
		}{
			{"6901234000016", 4, 0, false}, {"6901234000016", 5, 620103, true}, {"6901234000016", 10, 620104, true},
			{"6901234000016", 20, 0, false}, {"6901234000023", 19, 0, false}, {"6901234000023", 20, 620104, true},
			{"6901234000023", 1000, 620104, true},
		} {
			if r, ok := bk.RegionAt(c.gln, c.seq); r != c.region || ok != c.ok {
				t.Errorf("RegionAt(%s, %d) = %d %v, want %d %v", c.gln, c.seq, r, ok, c.region, c.ok)
			}
		}
		covers := func(d uint32) func(uint32) bool { return func(r uint32) bool { return r == d || r/1000 == d } }
		if got := bk.Before(covers(620104), func(uint32) uint32 { return 620102 }); !slices.Equal(got, []uint32{620102, 620103}) {
			t.Errorf("Before(620104) = %v", got)
		}
		if got := bk.Before(covers(620103), nil); len(got) != 0 {
			t.Errorf("Before(620103) = %v (no site is there today)", got)
		}
	}
	check(bk)
	db.Close()
	db, err = store.Open(dir, &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bk2, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	check(bk2)
}
