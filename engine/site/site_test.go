package site

import (
	"errors"
	"reflect"
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
