package sclicence

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(_, in string) string {
	l, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	zh, en := CategoryName(l.Category())
	return fmt.Sprintf("ok %s\ncategory %s %s %s additive %v\nregion %s %s\nsequence %s check %c",
		l, l.Category(), zh, en, l.IsAdditive(), l.Region(), l.Region().FullName(cn.Chinese), l.Sequence(), l.Check())
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"SX10562010200012", "char", 2},
		{"SC30562010200012", "category", 3},
		{"SC10599010200012", "region", 6},
		{"SC1056201020001x", "char", 16},
	} {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("%s: accepted", tc.in)
			continue
		}
		if f, p := fieldtest.Position(err); f != tc.field || p != tc.pos || !fieldtest.WrapsSentinel(err) {
			t.Errorf("%s: error %v names %s at %d, want %s at %d", tc.in, err, f, p, tc.field, tc.pos)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() { l, _ := Parse("SC10562010200012"); sink = l.IsZero() }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"SC10562010200012", "sc11562050200031", "SC20162010200017", "SX10562010200012", "S", "SC1056201020001２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if l2, err := Parse(string(l.AppendText(nil))); err != nil || l2 != l || !strings.EqualFold(l.String(), strings.TrimSpace(s)) {
			t.Fatalf("%q: round trip %v %v", s, l2, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("SC10562010200012"); err != nil {
			b.Fatal(err)
		}
	}
}
