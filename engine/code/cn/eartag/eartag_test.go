package eartag

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(_, in string) string {
	t, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	zh, en := t.Species().Name()
	known := t.County().Known()
	return fmt.Sprintf("ok %s\nspecies %c %s %s\ncounty %s %s (in the tree: %v)\nsequence %s",
		t, t.Species(), zh, en, t.County(), t.County().FullName(cn.Chinese), known, t.Sequence())
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"462050200000001", "species", 1},
		{"199050200000001", "county", 2},
		{"162000000000001", "county", 2},
		{"16205020000000x", "char", 15},
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

func TestNew(t *testing.T) {
	county, _ := cn.ParseRegion("620502")
	tag, err := New(Cattle, county, 1234)
	if err != nil || tag.String() != "262050200001234" {
		t.Fatalf("New: %v %v", tag, err)
	}
	if p, err := Parse(tag.String()); err != nil || p != tag {
		t.Fatalf("Parse(New): %v %v", p, err)
	}
	prov, _ := cn.ParseRegion("620000")
	if _, err := New(Pig, prov, 1); err == nil {
		t.Fatal("New accepted a province")
	}
	if _, err := New(Pig, county, 100_000_000); err == nil {
		t.Fatal("New accepted a 9-digit sequence")
	}
}

func TestZeroAllocs(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() { tag, _ := Parse("162050200000001"); sink = tag.IsZero() }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"162050200000001", "262050200001234", "362050200000009", "462050200000001", "162000000000001", "16205020000000１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := Parse(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if t2, err := Parse(string(tag.AppendText(nil))); err != nil || t2 != tag || tag.String() != strings.TrimSpace(s) {
			t.Fatalf("%q: round trip %v %v", s, t2, err)
		}
		if n, err := New(tag.Species(), tag.County(), uint32(atoi(tag.Sequence()))); err != nil || n != tag {
			t.Fatalf("%s: New from its fields: %v %v", tag, n, err)
		}
	})
}

func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("162050200000001"); err != nil {
			b.Fatal(err)
		}
	}
}
