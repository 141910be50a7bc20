package shortcode

import (
	"errors"
	"flag"
	"math/rand/v2"
	"testing"
)

var (
	seed = flag.Uint64("seed", 1, "seed for the random codes of TestDetectionRandomLong")
	long = flag.Bool("long", false, "TestDetectionExhaustiveShort also runs every 4-digit code (167 M errors, minutes)")
)

// weights returns the weight of each of the n+1 symbols of an n-digit code,
// left to right: α^n … α^0 (see the package doc).
func weights(n int) []uint8 {
	w := make([]uint8, n+1)
	for i := range w {
		w[i] = gfPow(n - i)
	}
	return w
}

// TestDetectionAlgebraic proves the detection property for every length over
// the whole error space. The check is affine over GF(32): a code is valid iff
// α^(n+1) + Σ w_i·s_i = 0, so an error that adds e_i to symbol i (a
// substitution a → b adds a+b at one position; a transposition of a and b
// adds a+b at both) goes unnoticed iff Σ w_i·e_i = 0, whatever the code.
// Trying every position (pair) and every non-zero difference therefore
// covers every code of that length.
func TestDetectionAlgebraic(t *testing.T) {
	for n := 1; n <= MaxLen; n++ {
		w := weights(n)
		for d := uint8(1); d < 32; d++ {
			for j := range w {
				if gfMul(w[j], d) == 0 {
					t.Fatalf("n=%d: a substitution at position %d (difference %d) is not detected", n, j+1, d)
				}
				for k := j + 1; k < len(w); k++ {
					// A transposition at positions j, k, adjacent or not.
					if gfMul(w[j]^w[k], d) == 0 {
						t.Fatalf("n=%d: a transposition of positions %d and %d (difference %d) is not detected", n, j+1, k+1, d)
					}
				}
			}
		}
	}
}

// mutations calls f with every single substitution of text (every other
// alphabet symbol at every position, the check included) and every adjacent
// transposition of two different symbols; with anyDistance, transpositions at
// every distance too. buf is scratch of len(text).
func mutations(text string, anyDistance bool, buf []byte, f func(kind string, m []byte)) {
	for j := 0; j < len(text); j++ {
		copy(buf, text)
		for r := 0; r < len(Alphabet); r++ {
			if Alphabet[r] == text[j] {
				continue
			}
			buf[j] = Alphabet[r]
			f("substitution", buf)
		}
	}
	for j := 0; j < len(text); j++ {
		for k := j + 1; k < len(text); k++ {
			if k > j+1 && !anyDistance {
				break
			}
			if text[j] == text[k] {
				continue
			}
			copy(buf, text)
			buf[j], buf[k] = buf[k], buf[j]
			f("transposition", buf)
		}
	}
}

// mustReject fails t unless Parse rejects m with a check error (or, for a
// 13-digit code whose first digit became G-Z, a range error).
func mustReject(t *testing.T, code Code, kind string, m []byte) {
	_, err := Parse(string(m))
	if !errors.Is(err, ErrCheck) && !(errors.Is(err, ErrRange) && code.Len() == MaxLen) {
		t.Fatalf("%s %s of %s is %v, want a check error", kind, m, code, err)
	}
}

// TestDetectionExhaustiveShort runs every code of 1, 2 and 3 digits (4 as
// well with -long; 1 and 2 only with -short) through Parse with every single
// substitution and every transposition (any distance): all must fail the
// check.
func TestDetectionExhaustiveShort(t *testing.T) {
	maxN := 3
	switch {
	case *long:
		maxN = 4
	case testing.Short():
		maxN = 2
	}
	for n := 1; n <= maxN; n++ {
		buf := make([]byte, n+1)
		tried := 0
		for v := uint64(0); v < 1<<(5*n); v++ {
			c, _ := Encode(v, n)
			text := c.String()
			mutations(text, n <= 3, buf, func(kind string, m []byte) {
				mustReject(t, c, kind, m)
				tried++
			})
		}
		t.Logf("n=%d: %d codes, %d errors, all detected", n, 1<<(5*n), tried)
	}
}

// TestDetectionRandomLong does the same for 2,000 random codes of each
// length 5 to 13 (200 with -short): every substitution and adjacent
// transposition. -seed changes the codes.
func TestDetectionRandomLong(t *testing.T) {
	t.Logf("seed %d (rerun with -seed=%d)", *seed, *seed)
	r := rand.New(rand.NewPCG(*seed, 0x5c0de))
	codes := 2000
	if testing.Short() {
		codes = 200
	}
	for n := 5; n <= MaxLen; n++ {
		buf := make([]byte, n+1)
		for range codes {
			v := r.Uint64()
			if n < MaxLen {
				v &= 1<<(5*n) - 1
			}
			c, _ := Encode(v, n)
			mutations(c.String(), false, buf, func(kind string, m []byte) { mustReject(t, c, kind, m) })
		}
	}
}

// TestLeadingZero checks that adding or dropping a leading 0 is detected,
// for every code of 1 and 2 digits and random longer ones.
func TestLeadingZero(t *testing.T) {
	r := rand.New(rand.NewPCG(*seed, 0x2e10))
	for n := 1; n < MaxLen; n++ {
		for i := 0; i < 2000; i++ {
			v := uint64(i)
			if n > 2 {
				v = r.Uint64() & (1<<(5*n) - 1)
			} else if v >= 1<<(5*n) {
				break
			}
			c, _ := Encode(v, n)
			text := c.String()
			if _, err := Parse("0" + text); !errors.Is(err, ErrCheck) {
				t.Fatalf("0%s (a 0 added to %s) is %v, want a check error", text, c, err)
			}
			if text[0] == '0' && n > 1 {
				if _, err := Parse(text[1:]); !errors.Is(err, ErrCheck) {
					t.Fatalf("%s (a 0 dropped from %s) is %v, want a check error", text[1:], c, err)
				}
			}
		}
	}
}

// hybridStep is one step of the ISO/IEC 7064 hybrid system MOD 33,32:
// S = (P + a) mod 32 with 0 read as 32, P' = 2·S mod 33.
func hybridStep(p, a int) int {
	s := (p + a) % 32
	if s == 0 {
		s = 32
	}
	return 2 * s % 33
}

// TestISO7064HybridMissesTranspositions backs the package doc's reason for
// not using the hybrid system MOD 33,32: it detects every substitution but,
// for each running value P, one pair of adjacent symbols swaps unnoticed.
func TestISO7064HybridMissesTranspositions(t *testing.T) {
	missed := 0
	for p := 1; p <= 32; p++ {
		for a := 0; a < 32; a++ {
			for b := 0; b < 32; b++ {
				if a != b && hybridStep(p, a) == hybridStep(p, b) {
					t.Fatalf("MOD 33,32 misses a substitution: P=%d, %d → %d", p, a, b)
				}
				if a < b && hybridStep(hybridStep(p, a), b) == hybridStep(hybridStep(p, b), a) {
					missed++
				}
			}
		}
	}
	if missed != 32 {
		t.Errorf("MOD 33,32 misses %d adjacent transpositions over all (P, a<b), the doc says 32", missed)
	}
	// The doc's example: P = 1, symbols 15 and 16.
	if hybridStep(hybridStep(1, 15), 16) != hybridStep(hybridStep(1, 16), 15) {
		t.Error("MOD 33,32 detects 15,16 ↔ 16,15 at P=1, the doc says it does not")
	}
}
