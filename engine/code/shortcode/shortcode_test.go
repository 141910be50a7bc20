package shortcode

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gfMul multiplies two elements of GF(32) = GF(2)[x]/(x⁵+x²+1) the long way:
// carry-less product, then reduction. It is independent of mulX.
func gfMul(a, b uint8) uint8 {
	var p uint16
	for i := 0; i < 5; i++ {
		if b>>i&1 != 0 {
			p ^= uint16(a) << i
		}
	}
	for i := 8; i >= 5; i-- {
		if p>>i&1 != 0 {
			p ^= 0x25 << (i - 5)
		}
	}
	return uint8(p)
}

// gfPow returns α^k.
func gfPow(k int) uint8 {
	p := uint8(1)
	for ; k > 0; k-- {
		p = gfMul(p, 2)
	}
	return p
}

// refCheck computes the check value from the definition in the package doc:
// the c that makes α^(n+1) + Σ α^(n+1−i)·s_i = 0, i.e. c = α^(n+1) +
// Σ_{i=1..n} α^(n+1−i)·s_i.
func refCheck(digits []uint8) uint8 {
	n := len(digits)
	c := gfPow(n + 1)
	for i, d := range digits {
		c ^= gfMul(gfPow(n-i), d)
	}
	return c
}

// digitsOf returns the n base-32 digits of v, most significant first.
func digitsOf(v uint64, n int) []uint8 {
	d := make([]uint8, n)
	for i := n - 1; i >= 0; i-- {
		d[i] = uint8(v & 31)
		v >>= 5
	}
	return d
}

func TestAlphaIsPrimitive(t *testing.T) {
	seen := map[uint8]bool{}
	for k := 0; k < 31; k++ {
		seen[gfPow(k)] = true
	}
	if len(seen) != 31 || seen[0] || gfPow(31) != 1 {
		t.Fatalf("α = x has order other than 31 modulo x⁵+x²+1: %d distinct powers", len(seen))
	}
	for p := uint8(0); p < 32; p++ {
		if mulX(p) != gfMul(p, 2) {
			t.Fatalf("mulX(%d) = %d, want %d", p, mulX(p), gfMul(p, 2))
		}
	}
}

func TestEncodeMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= MaxLen; n++ {
		for range 2000 {
			v := r.Uint64()
			if n < MaxLen {
				v &= 1<<(5*n) - 1
			}
			c, err := Encode(v, n)
			if err != nil {
				t.Fatal(err)
			}
			d := digitsOf(v, n)
			want := make([]byte, 0, n+1)
			for _, x := range d {
				want = append(want, Alphabet[x])
			}
			want = append(want, Alphabet[refCheck(d)])
			if got := c.String(); got != string(want) {
				t.Fatalf("Encode(%d, %d) = %s, want %s", v, n, got, want)
			}
			if c.Check() != want[n] || c.Value() != v || c.Len() != n {
				t.Fatalf("Encode(%d, %d): check %c value %d len %d", v, n, c.Check(), c.Value(), c.Len())
			}
			back, err := Parse(string(want))
			if err != nil || back != c {
				t.Fatalf("Parse(%s) = %v, %v, want %v", want, back, err, c)
			}
		}
	}
}

// TestVectors pins the text of a few codes, so that a change to the alphabet,
// the field or the seed cannot pass unnoticed.
func TestVectors(t *testing.T) {
	for _, tc := range []struct {
		v    uint64
		n    int
		want string
	}{
		{0, 1, "04"},
		{31, 1, "ZZ"},
		{0, 12, "000000000000W"},
		{1, 12, "000000000001Y"},
		{1<<60 - 1, 12, "ZZZZZZZZZZZZ4"},
		{0x0123456789ABCDEF, 13, "028T5CY4TQKFFS"},
		{math.MaxUint64, 13, "FZZZZZZZZZZZZ0"},
	} {
		c, err := Encode(tc.v, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("Encode(%#x, %d) = %s, want %s", tc.v, tc.n, got, tc.want)
		}
		if ref := Alphabet[refCheck(digitsOf(tc.v, tc.n))]; ref != tc.want[tc.n] {
			t.Errorf("vector %s: the definition gives check %c", tc.want, ref)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		v   uint64
		n   int
		err error
	}{
		{0, 0, ErrLength}, {0, -1, ErrLength}, {0, MaxLen + 1, ErrLength},
		{32, 1, ErrRange}, {1 << 60, 12, ErrRange},
	} {
		if _, err := Encode(tc.v, tc.n); !errors.Is(err, tc.err) {
			t.Errorf("Encode(%d, %d) = %v, want %v", tc.v, tc.n, err, tc.err)
		}
	}
}

func TestParseForms(t *testing.T) {
	c, _ := Encode(0x0123456789ABCDEF, 13)
	canon := c.String() // 028T5CY4TQKFFS
	for _, in := range []string{
		canon,
		strings.ToLower(canon),
		"o28t5cy4tqkffs",    // O for 0
		"028T-5CY4-TQKF-FS", // groups
		"-028T5CY4TQKFFS-",  // stray hyphens
		"028T--5CY4TQKFFS",  // doubled
		"028t5Cy4tQkFfS",    // mixed case
	} {
		got, err := Parse(in)
		if err != nil || got != c {
			t.Errorf("Parse(%q) = %v, %v, want %v", in, got, err, c)
		}
	}
	one, _ := Encode(1, 12)
	for _, in := range []string{"000000000001Y", "OOOOOOOOOOOIY", "ooooooooooo1y", "00000000000LY", "00000000000ly"} {
		if got, err := Parse(in); err != nil || got != one {
			t.Errorf("Parse(%q) = %v, %v, want %v", in, got, err, one)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pos  int
		char rune
	}{
		{"028TUCY4TQKFFS", 5, 'U'},  // U is not a Crockford symbol
		{"028T5CY4TQKFF*", 14, '*'}, // nor are the mod-37 check symbols
		{"028T-5CY4 TQKFFS", 10, ' '},
		{"028T-5CY4-TQKF-F_", 17, '_'},
		{"028é", 4, 'é'},
		{"\xff28T5CY4TQKFFS", 1, '\uFFFD'},
	} {
		_, err := Parse(tc.in)
		var ce *CharError
		if !errors.As(err, &ce) || !errors.Is(err, ErrSyntax) || ce.Pos != tc.pos || ce.Char != tc.char {
			t.Errorf("Parse(%q) = %v, want %q at position %d", tc.in, err, tc.char, tc.pos)
		}
	}
	for _, in := range []string{"", "-", "0", "--0--", "000000000000000", "0-0000-0000-0000-00"} {
		if _, err := Parse(in); !errors.Is(err, ErrLength) {
			t.Errorf("Parse(%q) = %v, want ErrLength", in, err)
		}
	}
	// 13 digits starting with G (16) need 65 bits.
	if _, err := Parse("G0000000000000"); !errors.Is(err, ErrRange) {
		t.Errorf("Parse(G000…) = %v, want ErrRange", err)
	}
}

func TestCheckError(t *testing.T) {
	for _, tc := range []struct {
		in       string
		pos      int
		got      byte
		expected byte
	}{
		{"028T5CY4TQKFFT", 14, 'T', 'S'},    // the check character itself
		{"028T5CY4TQKFFs", 14, 's', 'S'},    // lower case is fine: not an error
		{"038T5CY4TQKFFS", 14, 'S', 0},      // a payload digit
		{"028T-5CY4-TQKF-FX", 17, 'X', 'S'}, // position counts the hyphens
		{"208T5CY4TQKFFS", 14, 'S', 0},      // adjacent transposition
	} {
		_, err := Parse(tc.in)
		if tc.got == 's' {
			if err != nil {
				t.Errorf("Parse(%q) = %v", tc.in, err)
			}
			continue
		}
		var ce *CheckError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCheck) {
			t.Errorf("Parse(%q) = %v, want a *CheckError", tc.in, err)
			continue
		}
		if ce.Pos != tc.pos || ce.Got != tc.got || (tc.expected != 0 && ce.Expected != tc.expected) {
			t.Errorf("Parse(%q): %+v, want position %d got %c expected %c", tc.in, ce, tc.pos, tc.got, tc.expected)
		}
		if !strings.Contains(err.Error(), "check character is "+string(tc.got)+", expected "+string(ce.Expected)) {
			t.Errorf("message %q", err)
		}
	}
}

func TestZeroCode(t *testing.T) {
	var c Code
	if !c.IsZero() || c.Len() != 0 || c.String() != "" || c.Check() != 0 || len(c.AppendText(nil)) != 0 {
		t.Error("zero Code")
	}
	a, _ := Encode(5, 3)
	b, _ := Encode(5, 4)
	if a == b {
		t.Error("codes of different lengths compare equal")
	}
}
