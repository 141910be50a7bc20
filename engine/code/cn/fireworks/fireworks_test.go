package fireworks

import (
	"fmt"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(_, in string) string {
	l, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	return fmt.Sprintf("ok %s\nkind %s province %s %s year %d sequence %s",
		l, l.Kind(), l.Province(), l.Province().FullName(cn.Chinese), l.Year(), l.Sequence())
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"（X）PF〔2021〕000123", "char", 2},
		{"（甘）PX〔2021〕000123", "kind", 4},
		{"（甘）PF〔1999〕000123", "year", 7},
		{"（甘）PF〔2021]000123", "char", 11},
		{"（甘）PF〔2021〕0001a3", "char", 16},
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

func FuzzParse(f *testing.F) {
	for _, s := range []string{"（甘）PF〔2021〕000123", "(甘)LS[2022]12", "（陇）ls【2023】0000000001", "（甘）PF〔2021〕", "（甘）PF〔20", "(X)PF[2021]1"} {
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
		if l2, err := Parse(l.String()); err != nil || l2 != l {
			t.Fatalf("%q: %s parses to %v %v", s, l, l2, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("（甘）PF〔2021〕000123"); err != nil {
			b.Fatal(err)
		}
	}
}
