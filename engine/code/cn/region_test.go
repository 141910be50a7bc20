package cn

import (
	"errors"
	"testing"
)

func mustRegion(t testing.TB, s string) Region {
	t.Helper()
	r, err := ParseRegion(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseRegion(t *testing.T) {
	for _, tc := range []struct {
		in             string
		level          Level
		province, city string
		zh, en         string
	}{
		{"110000", LevelProvince, "110000", "", "北京市", "Beijing"},
		{"110101", LevelCounty, "110000", "110100", "东城区", "Dongcheng District"},
		{"330000", LevelProvince, "330000", "", "浙江省", "Zhejiang"},
		{"330100", LevelCity, "330000", "330100", "杭州市", "Hangzhou"},
		{"330106", LevelCounty, "330000", "330100", "西湖区", "Xihu District"},
		{"350100", LevelCity, "350000", "350100", "福州市", "Fuzhou"},
		{"440300", LevelCity, "440000", "440300", "深圳市", "Shenzhen"},
		{" 429004\n", LevelCounty, "420000", "429000", "仙桃市", ""}, // a county the province administers directly
		{"620102", LevelCounty, "620000", "620100", "城关区", "Chengguan District"},
		{"620102001", LevelTownship, "620000", "620100", "酒泉路街道", ""},
		{"441900003", LevelTownship, "440000", "441900", "东城街道", ""},
		{"820000", LevelProvince, "820000", "", "澳门特别行政区", "Macao"},
	} {
		r := mustRegion(t, tc.in)
		if r.Level() != tc.level || r.Province().String() != tc.province || r.City().String() != tc.city {
			t.Errorf("%q: level %v province %q city %q, want %v %q %q", tc.in, r.Level(), r.Province(), r.City(), tc.level, tc.province, tc.city)
		}
		zh, ok1 := r.Name(Chinese)
		en, ok2 := r.Name(English)
		if zh != tc.zh || en != tc.en || ok1 != (tc.zh != "") || ok2 != (tc.en != "") {
			t.Errorf("%q: names %q %q (%v %v), want %q %q", tc.in, zh, en, ok1, ok2, tc.zh, tc.en)
		}
		if r2, err := NewRegion(int(r.Uint32())); err != nil || r2 != r {
			t.Errorf("NewRegion(%d) = %v, %v", r.Uint32(), r2, err)
		}
	}
}

func TestParseRegionErrors(t *testing.T) {
	for _, in := range []string{"100000", "000000", "160000", "200000", "240000", "380000", "470000", "550000", "660000", "700000", "720000", "830000", "990000"} {
		_, err := ParseRegion(in)
		wantFieldError(t, err, "province", 1, ErrRegion)
	}
	_, err := ParseRegion("330006")
	wantFieldError(t, err, "region", 1, ErrRegion)
	_, err = ParseRegion("620000001")
	wantFieldError(t, err, "region", 1, ErrRegion)
	_, err = ParseRegion("620102000")
	wantFieldError(t, err, "township", 7, ErrRegion)
	_, err = ParseRegion("660102001")
	wantFieldError(t, err, "province", 1, ErrRegion)
	_, err = ParseRegion("62010200l")
	wantCharError(t, err, 9, 'l')
	_, err = ParseRegion("3301O6")
	wantCharError(t, err, 5, 'O')
	for _, in := range []string{"", "33010", "3301060", "33010600", "6201020011", "620102001000"} {
		if _, err := ParseRegion(in); !errors.Is(err, ErrLength) {
			t.Errorf("ParseRegion(%q) = %v, want ErrLength", in, err)
		}
	}
	for _, n := range []int{0, 99999, 1000000, -330106, 99999999, 1000000000, 620000001, 620102000} {
		if _, err := NewRegion(n); !errors.Is(err, ErrRegion) {
			t.Errorf("NewRegion(%d) = %v, want ErrRegion", n, err)
		}
	}
}

// TestProvinces checks the 34 provincial-level prefixes against GB/T 2260's
// list and the name table: every valid prefix has distinct names in both
// languages, and no other prefix is valid.
func TestProvinces(t *testing.T) {
	want := map[int]bool{}
	for _, span := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}, {71, 71}, {81, 82}} {
		for p := span[0]; p <= span[1]; p++ {
			want[p] = true
		}
	}
	if len(want) != 34 {
		t.Fatalf("%d provinces in the list, want 34", len(want))
	}
	zhSeen, enSeen := map[string]bool{}, map[string]bool{}
	for p := 10; p < 100; p++ {
		r, err := NewRegion(p * 10000)
		if (err == nil) != want[p] {
			t.Errorf("province %02d: err %v, want valid=%v", p, err, want[p])
			continue
		}
		if err != nil {
			continue
		}
		zh, ok1 := r.Name(Chinese)
		en, ok2 := r.Name(English)
		if !ok1 || !ok2 || zhSeen[zh] || enSeen[en] {
			t.Errorf("province %02d: names %q %q (%v %v) missing or repeated", p, zh, en, ok1, ok2)
		}
		zhSeen[zh], enSeen[en] = true, true
	}
	for i := 1; i < len(regionNames); i++ {
		if regionNames[i-1].code >= regionNames[i].code {
			t.Errorf("regionNames not sorted at %d", regionNames[i].code)
		}
	}
}

func TestContains(t *testing.T) {
	zj, hz, xh := mustRegion(t, "330000"), mustRegion(t, "330100"), mustRegion(t, "330106")
	bj, dc, fz := mustRegion(t, "110000"), mustRegion(t, "110101"), mustRegion(t, "350100")
	hz2 := mustRegion(t, "330102")
	gs, lz, cg, jq := mustRegion(t, "620000"), mustRegion(t, "620100"), mustRegion(t, "620102"), mustRegion(t, "620102001")
	qlh, dg, dgt := mustRegion(t, "620103"), mustRegion(t, "441900"), mustRegion(t, "441900003")
	for _, tc := range []struct {
		r, o Region
		want bool
	}{
		{zj, xh, true}, {zj, hz, true}, {zj, zj, true},
		{hz, xh, true}, {hz, hz, true}, {hz, zj, false},
		{xh, xh, true}, {xh, hz, false}, {xh, zj, false}, {xh, hz2, false},
		{bj, dc, true}, {zj, dc, false}, {fz, xh, false},
		{gs, jq, true}, {lz, jq, true}, {cg, jq, true}, {jq, jq, true}, {jq, cg, false}, {qlh, jq, false}, {xh, jq, false},
		{jq, Region{}, false}, {dg, dgt, true}, {dgt, dg, false},
		{Region{}, Region{}, false}, {zj, Region{}, false}, {hz, Region{}, false}, {Region{}, zj, false},
	} {
		if got := tc.r.Contains(tc.o); got != tc.want {
			t.Errorf("%q.Contains(%q) = %v, want %v", tc.r, tc.o, got, tc.want)
		}
	}
}

func TestZeroRegion(t *testing.T) {
	var r Region
	if !r.IsZero() || r.Level() != LevelNone || !r.Province().IsZero() || !r.City().IsZero() || r.String() != "" || len(r.AppendText(nil)) != 0 {
		t.Error("zero Region")
	}
	if _, ok := r.Name(Chinese); ok || r.Known() || !r.Parent().IsZero() || len(r.Children()) != 0 || len(r.AppendPath(nil)) != 0 || r.FullName(Chinese) != "" || !r.County().IsZero() {
		t.Error("zero Region has a name, a place in the tree or a path")
	}
	if _, ok := mustRegion(t, "330000").Name(Lang(7)); ok {
		t.Error("unknown language has a name")
	}
	if LevelProvince.String() != "province" || LevelCity.String() != "city" || LevelCounty.String() != "county" || LevelTownship.String() != "township" || LevelNone.String() != "none" {
		t.Error("Level.String")
	}
}
