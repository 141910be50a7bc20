package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
)

func gtin(t testing.TB, s string) gs1.GTIN {
	t.Helper()
	g, err := gs1.ParseGTIN(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testIndex(t testing.TB) *Index {
	return Build([]model.Org{
		{ID: 1, Name: "兰州乳业有限公司", NameEN: "Lanzhou Dairy Co., Ltd.", USCC: "91620102MA71LY016E"},
		{ID: 2, Name: "天水花牛苹果合作社", NameEN: "Tianshui Apple Cooperative"},
		{ID: 3, Name: "ＡＢＣ食品", NameEN: ""},
	}, []model.Product{
		{ID: 10, Org: 1, NameZH: "婴幼儿配方奶粉", NameEN: "Infant formula", GTIN: gtin(t, "9520123456788")},
		{ID: 11, Org: 2, NameZH: "天水花牛苹果", NameEN: "Tianshui apples"},
		{ID: 12, Org: 1, NameZH: "兰州牛肉面调料", NameEN: "Lanzhou beef noodle seasoning"},
	})
}

func search(t *testing.T, x *Index, q string) []string {
	t.Helper()
	pq, err := ParseQuery(q)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	var out []string
	for _, h := range x.Search(pq, 0).Hits {
		out = append(out, fmt.Sprintf("%s%d", h.Kind.String()[:1], h.ID))
	}
	return out
}

func TestSearch(t *testing.T) {
	x := testIndex(t)
	for _, c := range []struct {
		q    string
		want string
	}{
		{"兰州", "p12 e1"},              // prefix of both names
		{"乳业", "e1"},                  // substring
		{"苹果", "p11 e2"},              // substring of both, the shorter name first
		{"天水花牛苹果", "p11 e2"},          // exact before prefix
		{"LANZHOU dairy", "e1"},       // case folded
		{"ｌａｎｚｈｏｕ", "p12 e1"},         // full-width letters (NFKC)
		{"abc", "e3"},                 // full-width name, half-width query
		{"apples", "p11"},             // a word inside the English name
		{"奶", "p10"},                  // one character
		{"9520123456788", "p10"},      // GTIN-13
		{"09520123456788", "p10"},     // GTIN-14
		{"952 0123 4567 88", "p10"},   // spaces inside a GTIN
		{"91620102MA71LY016E", "e1"},  // USCC
		{"91620102ma71ly016e", "e1"},  // lower case USCC
		{"no such thing", ""},         // nothing
		{"6901234567892", ""},         // a valid GTIN nobody registered
		{"  兰州   牛肉面  ", ""},          // spaces are kept (collapsed) inside text
		{"兰州牛肉面", "p12"},              // …and a name without them is found
		{"noodle   seasoning", "p12"}, // collapsed spaces
		{"Tianshui Apple Cooperative", "e2"},
	} {
		if got := strings.Join(search(t, x, c.q), " "); got != c.want {
			t.Errorf("%q: %q, want %q", c.q, got, c.want)
		}
	}
}

func TestSearchUpdates(t *testing.T) {
	x := testIndex(t)
	x.PutOrg(&model.Org{ID: 2, Name: "定西马铃薯合作社", NameEN: "Dingxi Potato Cooperative"})
	if got := search(t, x, "天水花牛"); strings.Join(got, " ") != "p11" {
		t.Errorf("after the rename the old name finds %v", got)
	}
	if got := search(t, x, "马铃薯"); strings.Join(got, " ") != "e2" {
		t.Errorf("the new name finds %v", got)
	}
	x.PutProduct(&model.Product{ID: 13, Org: 2, NameZH: "定西马铃薯", GTIN: gtin(t, "6901234567892")})
	if got := search(t, x, "6901234567892"); strings.Join(got, " ") != "p13" {
		t.Errorf("the new product's GTIN finds %v", got)
	}
	if got := search(t, x, "马铃薯"); strings.Join(got, " ") != "p13 e2" {
		t.Errorf("马铃薯 finds %v", got)
	}
	if x.Len() != 7 {
		t.Errorf("Len %d", x.Len())
	}
}

func TestSearchBounded(t *testing.T) {
	var ps []model.Product
	for i := range 500 {
		ps = append(ps, model.Product{ID: uint32(i + 1), NameZH: fmt.Sprintf("苹果%d号", i)})
	}
	x := Build(nil, ps)
	q, _ := ParseQuery("苹果")
	r := x.Search(q, 0)
	if len(r.Hits) != DefaultLimit || r.Total != 500 {
		t.Fatalf("%d hits of %d", len(r.Hits), r.Total)
	}
	if r.Hits[0].ID != 1 || r.Hits[9].ID != 10 {
		t.Errorf("order: %v", r.Hits[:10])
	}
	if r := x.Search(q, 1000); len(r.Hits) != MaxLimit {
		t.Errorf("limit 1000 gave %d hits", len(r.Hits))
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"9520123456789", "GTIN 9520123456789: gs1: GTIN-13 check digit is 9, expected 8 (the check digit is digit 13 of 13)"},
		{"91620102MA71LY016F", "check character at position 18 is F, expected E"},
		{strings.Repeat("苹", MaxQueryRunes+1), "65 characters, at most 64"},
		{"ab\xffc", "byte 3 is not UTF-8"},
		{strings.Repeat("a", MaxQueryBytes+1), "bytes, at most"},
	} {
		_, err := ParseQuery(c.q)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.q, err, c.want)
		}
	}
	// Not codes: kept as text.
	for _, q := range []string{"1234567", "ABCDEFGHIJKLMNOPQR", "95201234567881"} {
		pq, err := ParseQuery(q)
		if q == "95201234567881" {
			if err == nil {
				t.Errorf("%q: a 14-digit GTIN with a wrong check digit parsed as %+v", q, pq)
			}
			continue
		}
		if err != nil || pq.Kind != QueryText {
			t.Errorf("%q: %+v %v, want text", q, pq, err)
		}
	}
}

// FuzzParseQuery: no input panics; a parsed query's text parses back to
// the same query; a text query is normalised and bounded.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"兰州", "9520123456788", "09520123456788", "91620102MA71LY016E", "ｌａｎｚｈｏｕ Dairy",
		"952-0123-4567-88", "9520123456789", "ab\xffc", "  ", "ǅ", "ﬃ", "Ⅻ", "\u3000兰\u00a0州"} {
		f.Add(s)
	}
	x := testIndex(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		q2, err := ParseQuery(q.String())
		if err != nil || q2 != q {
			t.Fatalf("%q → %+v → %q → %+v %v", s, q, q.String(), q2, err)
		}
		if q.Kind == QueryText && Normalize(q.Text) != q.Text {
			t.Fatalf("%q: text %q is not normalised", s, q.Text)
		}
		if r := x.Search(q, 0); len(r.Hits) > DefaultLimit || len(r.Hits) > r.Total {
			t.Fatalf("%q: %d hits of %d", s, len(r.Hits), r.Total)
		}
	})
}

// benchIndex is a province-sized index: 20,000 organisations and 100,000
// products with Chinese and English names.
func benchIndex(b *testing.B) *Index {
	places := []string{"兰州", "天水", "张掖", "定西", "酒泉", "武威", "白银", "平凉", "庆阳", "陇南"}
	goods := []string{"苹果", "马铃薯", "牛肉", "羊肉", "奶粉", "食用油", "白酒", "药品", "农药", "化肥", "种子", "面粉"}
	kinds := []string{"有限公司", "合作社", "股份有限公司", "食品厂", "商贸有限公司"}
	var orgs []model.Org
	for i := range 20000 {
		p, g, k := places[i%len(places)], goods[(i/7)%len(goods)], kinds[(i/3)%len(kinds)]
		orgs = append(orgs, model.Org{ID: uint32(i + 1), Name: fmt.Sprintf("%s%s%d%s", p, g, i, k), NameEN: fmt.Sprintf("Company %d Ltd", i)})
	}
	var ps []model.Product
	for i := range 100000 {
		p, g := places[(i/5)%len(places)], goods[i%len(goods)]
		ps = append(ps, model.Product{ID: uint32(i + 1), Org: uint32(i%20000 + 1), NameZH: fmt.Sprintf("%s%s %d", p, g, i), NameEN: fmt.Sprintf("product %d", i)})
	}
	return Build(orgs, ps)
}

func BenchmarkSearch(b *testing.B) {
	x := benchIndex(b)
	for _, q := range []string{"兰州苹果", "张掖羊肉 12", "company 1234", "91620102MA71LY016E", "酒"} {
		pq, err := ParseQuery(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Search(pq, 0)
			}
		})
	}
}

func BenchmarkParseQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseQuery("兰州乳业 Dairy"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutProduct(b *testing.B) {
	x := benchIndex(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		x.PutProduct(&model.Product{ID: uint32(200000 + i), Org: 1, NameZH: fmt.Sprintf("天水花牛苹果 %d", i), NameEN: "Tianshui apples"})
	}
}
