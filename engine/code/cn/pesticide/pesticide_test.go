package pesticide

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(kind, in string) string {
	switch kind {
	case "code", "qr":
		var q QR
		var err error
		if kind == "qr" {
			q, err = ParseQR(in)
		} else {
			q.Code, err = Parse(in)
		}
		if err != nil {
			return fieldtest.Error(err)
		}
		c := q.Code
		zh, en := c.Production().Name()
		return fmt.Sprintf("ok %s\nurl %q\nkind %c (%s)\nregistration …%s\nproduction %c %s %s\nspec %s\nrandom %s",
			c, q.URL, c.Kind(), c.Kind().Prefix(), c.RegistrationSuffix(), c.Production(), zh, en, c.Spec(), c.Random())
	case "reg":
		r, err := ParseRegNumber(in)
		if err != nil {
			return fieldtest.Error(err)
		}
		return fmt.Sprintf("ok %s\nkind %c year %d suffix %s", r, r.Kind(), r.Year(), r.Suffix())
	}
	return "unknown kind " + kind
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"41234561001000000000000000000001", "registration kind", 1},
		{"11234564001000000000000000000001", "production kind", 8},
		{"1123456100100000000000000000000x", "char", 32},
		{"https://x.cn/q?c=41234561001000000000000000000001", "registration kind", 18},
		{"https://x.cn/q?c 11234561001000000000000000000001", "char", 17},
		{"PD19770001", "year", 3},
		{"PX20080001", "kind", 1},
		{"PD2008000A", "char", 10},
	} {
		var err error
		switch {
		case strings.HasPrefix(tc.in, "http"):
			_, err = ParseQR(tc.in)
		case len(tc.in) == 10:
			_, err = ParseRegNumber(tc.in)
		default:
			_, err = Parse(tc.in)
		}
		if err == nil {
			t.Errorf("%s: accepted", tc.in)
			continue
		}
		if !fieldtest.WrapsSentinel(err) {
			t.Errorf("%s: %v wraps no sentinel", tc.in, err)
		}
		if f, p := fieldtest.Position(err); f != tc.field || p != tc.pos {
			t.Errorf("%s: error %v names %s at %d, want %s at %d", tc.in, err, f, p, tc.field, tc.pos)
		}
	}
}

func TestRegNumberMatchesCode(t *testing.T) {
	r, err := ParseRegNumber("PD20080123")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]bool{
		"10801231001000000000000000000001": true,
		"20801231001000000000000000000001": false, // WP, not PD
		"10801241001000000000000000000001": false,
	} {
		c, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Matches(c); got != want {
			t.Errorf("%s matches %s: %v, want %v", r, c, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	c, err := New("10801231001", "123456789012345678901")
	if err != nil || c.String() != "10801231001123456789012345678901" {
		t.Fatalf("New: %v %v", c, err)
	}
	if _, err := New("50801231001", "123456789012345678901"); err == nil {
		t.Fatal("New accepted registration kind 5")
	}
	if _, err := New("10801231001", "12345678901234567890"); err == nil {
		t.Fatal("New accepted a 20-digit random part")
	}
}

func TestZeroAllocs(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() {
		a, _ := Parse("10801231001123456789012345678901")
		q, _ := ParseQR("https://example.cn/t/10801231001123456789012345678901")
		r, _ := ParseRegNumber("PD20080123")
		sink = a.IsZero() || q.Code.IsZero() || r.IsZero()
	}); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

func FuzzParseQR(f *testing.F) {
	for _, s := range []string{"10801231001123456789012345678901", "https://example.cn/t/10801231001123456789012345678901",
		"http://x.cn/q?code=30801233001000000000000000000000", "41234561001000000000000000000001", "https://x.cn/q?c 11234561001000000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQR(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		text := q.AppendText(nil)
		if q2, err := ParseQR(string(text)); err != nil || q2 != q {
			t.Fatalf("%q: %s parses to %v %v", s, text, q2, err)
		}
		if string(text) != strings.TrimSpace(s) {
			t.Fatalf("%q: canonical %s", s, text)
		}
		if c, err := New(q.Code.Prefix(), q.Code.Random()); err != nil || c != q.Code {
			t.Fatalf("%s: New from its parts: %v %v", q.Code, c, err)
		}
	})
}

func FuzzParseRegNumber(f *testing.F) {
	for _, s := range []string{"PD20080123", "wp20110001", "LS20130456", "PD1977001", "PD２0080123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRegNumber(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if r2, err := ParseRegNumber(r.String()); err != nil || r2 != r || !strings.EqualFold(r.String(), strings.TrimSpace(s)) {
			t.Fatalf("%q: round trip %v %v", s, r2, err)
		}
	})
}

func BenchmarkParseQR(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseQR("https://example.cn/t/10801231001123456789012345678901"); err != nil {
			b.Fatal(err)
		}
	}
}
