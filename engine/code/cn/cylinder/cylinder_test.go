package cylinder

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(kind, in string) string {
	c, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	zh, en := c.Variety().Name()
	return fmt.Sprintf("ok %s\ngrouped %s\nvariety %c %s %s omitted %v\nprovince %s %s\nfiller %s vehicle %v\nsequence %s",
		c, c.AppendGrouped(nil), c.Variety(), zh, en, c.VarietyOmitted(), c.Province(), c.Province().FullName(cn.Chinese),
		c.Filler(), c.IsVehicle(), c.Sequence())
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"162001000123", "", 0},
		{"762001000123", "variety", 1},
		{"X62001000123", "char", 1},
		{"199001000123", "province", 2},
		{"1 99 001 000123", "province", 3},
		{"1 62 0X1 000123", "char", 7},
		{"1 62-001 000123", "char", 5},
		{"16200100012!", "char", 12},
		{"1620010001234", "char", 3}, // 13 characters read as grouped LPG: a space is wanted at 3
		{"16200100", "", -1},
	} {
		_, err := Parse(tc.in)
		switch {
		case tc.field == "" && tc.pos == 0:
			if err != nil {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		case err == nil:
			t.Errorf("%s: accepted", tc.in)
			continue
		case !fieldtest.WrapsSentinel(err):
			t.Errorf("%s: %v wraps no sentinel", tc.in, err)
		}
		if tc.pos < 0 {
			continue
		}
		if f, p := fieldtest.Position(err); f != tc.field || p != tc.pos {
			t.Errorf("%s: error %v names %s at %d, want %s at %d", tc.in, err, f, p, tc.field, tc.pos)
		}
	}
}

func TestGroupedAndCompactAgree(t *testing.T) {
	a, err := Parse("1 62 001 A00123")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("162001a00123")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("grouped %v and compact %v differ", a, b)
	}
	lpg, err := Parse("62 001 000001")
	if err != nil {
		t.Fatal(err)
	}
	if lpg.Variety() != LPG || !lpg.VarietyOmitted() || lpg.String() != "62001000001" {
		t.Fatalf("LPG without variety: %v %v %s", lpg.Variety(), lpg.VarietyOmitted(), lpg)
	}
}

func TestZeroAllocs(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() {
		a, _ := Parse("1 62 001 000123")
		b, _ := Parse("562O01000123")
		sink = a.IsZero() || b.IsZero()
	}); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"162001000123", "1 62 001 000123", "62001000123", "62 001 000123", "562O01A00001", "762001000123", "1 62 001 0001２3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		for _, text := range []string{string(c.AppendText(nil)), string(c.AppendGrouped(nil))} {
			if c2, err := Parse(text); err != nil || c2 != c {
				t.Fatalf("%q: %q parses to %v %v", s, text, c2, err)
			}
		}
		compact := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
		if !strings.EqualFold(c.String(), compact) {
			t.Fatalf("%q: canonical %s", s, c)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("1 62 001 000123"); err != nil {
			b.Fatal(err)
		}
	}
}
