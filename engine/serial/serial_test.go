package serial

import (
	"strconv"
	"testing"
)

func TestParseScheme(t *testing.T) {
	for s := GS1; s < NumSchemes; s++ {
		got, err := ParseScheme(s.String())
		if err != nil || got != s {
			t.Fatalf("ParseScheme(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseScheme("GS1"); err == nil {
		t.Fatal("ParseScheme accepted upper case")
	}
	if Scheme(0).Valid() || Scheme(NumSchemes).Valid() {
		t.Fatal("invalid schemes reported valid")
	}
}

func TestCapsBelowOneInTenThousand(t *testing.T) {
	for s := GS1; s < Imported; s++ {
		p := s.Params()
		if p.Cap == 0 || p.Domain == 0 {
			t.Fatalf("%v has no cap or domain", s)
		}
		if g := s.GuessProbability(p.Cap); g >= 1e-4 {
			t.Errorf("%v: P(guess) at cap = %g, want < 1e-4", s, g)
		}
		// Domain must be radix^digits.
		d := uint64(1)
		for i := 0; i < p.Digits; i++ {
			d *= uint64(p.Radix)
		}
		if d != p.Domain {
			t.Errorf("%v: domain %d != %d^%d = %d", s, p.Domain, p.Radix, p.Digits, d)
		}
	}
	if g := GS1.GuessProbability(1e9); g > 1e-9 {
		t.Errorf("GS1 after 1e9 codes: %g", g)
	}
}

func TestGS1Text(t *testing.T) {
	cases := []struct {
		gen uint8
		v   uint64
		s   string
	}{
		{0, 0, "A000000000000"},
		{0, 35, "A00000000000Z"},
		{1, 36, "B000000000010"},
		{25, DomainGS1 - 1, "ZZZZZZZZZZZZZ"},
		{2, pow36_6, "C000001000000"},
	}
	for _, c := range cases {
		got := string(AppendGS1(nil, c.gen, c.v))
		if got != c.s {
			t.Errorf("AppendGS1(%d,%d) = %s, want %s", c.gen, c.v, got, c.s)
		}
		cl, ok := Classify(got)
		if !ok || cl.Scheme != GS1 || cl.Gen != c.gen || cl.Value != c.v {
			t.Errorf("Classify(%s) = %+v, %v", got, cl, ok)
		}
	}
}

func TestNumericText(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, DomainSGTIN96 - 1} {
		s := string(AppendSGTIN96(nil, v))
		if s != strconv.FormatUint(v, 10) {
			t.Fatalf("AppendSGTIN96(%d) = %s", v, s)
		}
		cl, ok := Classify(s)
		if !ok || cl.Scheme != SGTIN96 || cl.Value != v {
			t.Errorf("Classify(%s) = %+v, %v", s, cl, ok)
		}
	}
	for _, v := range []uint64{0, 42, DomainNMPA - 1} {
		s := string(AppendNMPA(nil, v))
		if len(s) != 13 {
			t.Fatalf("AppendNMPA(%d) = %s", v, s)
		}
		cl, ok := Classify(s)
		if !ok || cl.Scheme != NMPA || cl.Value != v {
			t.Errorf("Classify(%s) = %+v, %v", s, cl, ok)
		}
	}
}

func TestClassifyRejects(t *testing.T) {
	for _, s := range []string{
		"", "a00000000000", "A00000000000", "A0000000000000", "A00000000000a",
		"012", "274877906944", "12345678901234", "12-3", "ABC",
	} {
		if cl, ok := Classify(s); ok {
			t.Errorf("Classify(%q) = %+v, want no match", s, cl)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"A000000000000", "ZZZZZZZZZZZZZ", "0", "274877906943", "0000000000042", "12345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cl, ok := Classify(s)
		if !ok {
			return
		}
		var back string
		switch cl.Scheme {
		case GS1:
			back = string(AppendGS1(nil, cl.Gen, cl.Value))
		case SGTIN96:
			back = string(AppendSGTIN96(nil, cl.Value))
		case NMPA:
			back = string(AppendNMPA(nil, cl.Value))
		default:
			t.Fatalf("Classify(%q) gave scheme %v", s, cl.Scheme)
		}
		if back != s {
			t.Fatalf("Classify(%q) → %+v → %q", s, cl, back)
		}
	})
}

func BenchmarkAppendGS1(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 16)
	for i := 0; b.Loop(); i++ {
		buf = AppendGS1(buf[:0], 0, uint64(i)*2654435761%DomainGS1)
	}
}

func TestPesticideAndVetText(t *testing.T) {
	for _, tc := range []struct {
		gen uint8
		v   uint64
	}{{0, 0}, {1, 42}, {MaxKeyGen, DomainPest - 1}} {
		s := string(AppendPesticide(nil, tc.gen, tc.v))
		if len(s) != PesticideLen {
			t.Fatalf("%d/%d: %q", tc.gen, tc.v, s)
		}
		g, v, ok := ParsePesticide(s)
		if !ok || g != tc.gen || v != tc.v {
			t.Errorf("%q parses to %d %d %v", s, g, v, ok)
		}
	}
	for _, bad := range []string{"26" + "0000000000000000000", "0", "0a000000000000000000000"} {
		if _, _, ok := ParsePesticide(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := string(AppendVet(nil, 42)); s != "00000000042" {
		t.Errorf("AppendVet(42) = %q", s)
	}
	for _, s := range []Scheme{Pesticide, VetDrug} {
		p := s.Params()
		if p.Domain == 0 || p.Cap == 0 || s.GuessProbability(p.Cap) > 1e-4 {
			t.Errorf("%v: %+v, guess probability at the cap %g", s, p, s.GuessProbability(p.Cap))
		}
		if n, err := ParseScheme(s.String()); err != nil || n != s {
			t.Errorf("%v: name does not round-trip", s)
		}
	}
}

func TestSSCCRefs(t *testing.T) {
	// The serial reference has 17 − 1 − cpLen digits (extension digit 0).
	for _, c := range []struct {
		cp   int
		want uint64
	}{{6, 10_000_000_000}, {7, 1_000_000_000}, {9, 10_000_000}, {12, 10_000}, {0, 0}, {17, 0}} {
		if got := SSCCRefs(c.cp); got != c.want {
			t.Errorf("SSCCRefs(%d) = %d, want %d", c.cp, got, c.want)
		}
	}
}
