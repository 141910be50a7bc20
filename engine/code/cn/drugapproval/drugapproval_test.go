package drugapproval

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(_, in string) string {
	n, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	return fmt.Sprintf("ok %s\nclass %c %s\nsource %s year %s sequence %s", n, n.Class(), ClassName(n.Class()), n.Source(), n.Year(), n.Sequence())
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"国药准字X20003263", "class", 5},
		{"国药准字 X20003263", "class", 6},
		{"国药准字H99003263", "source", 6},
		{"国药准字H2000326a", "char", 13},
		{"国药准H20003263", "char", 1},
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
	for _, s := range []string{"国药准字H20003263", "国药准字 z62020001", "国药准字S10980001", "国药准字X20003263", "国药准字H2000326", "国药准字Ｈ20003263"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if n2, err := Parse(n.String()); err != nil || n2 != n {
			t.Fatalf("%q: %s parses to %v %v", s, n, n2, err)
		}
		if !strings.EqualFold(strings.Replace(strings.TrimSpace(s), " ", "", 1), n.String()) {
			t.Fatalf("%q: canonical %s", s, n)
		}
	})
}
