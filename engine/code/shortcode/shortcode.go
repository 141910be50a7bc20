// Package shortcode is tracecode's own short code for URL QR codes,
// https://HOST/c/{code}: a uint64 payload written as a fixed number n of
// Crockford base-32 digits, followed by one check character.
//
//	payload: n digits, most significant first, 5 bits each (1 ≤ n ≤ 13;
//	         12 digits carry 60 bits; 13 carry all 64, and then the first
//	         digit is 0-F, its top bit being the 65th)
//	check:   1 character from the same alphabet
//
// Output is upper case. Input is case-insensitive, takes Crockford's decode
// aliases (O → 0, I and L → 1) and ignores hyphens anywhere, so a code can be
// read out over the phone or printed in groups.
//
// # The check character
//
// The symbols are read as elements of the finite field GF(32) = GF(2)[x] /
// (x⁵ + x² + 1), a symbol's 5-bit value giving the coefficients of its
// polynomial. With α = x (a primitive element: its powers α⁰ … α³⁰ are the 31
// non-zero elements) and s_1 … s_n the payload digits, the check character c
// = s_{n+1} is the one that makes
//
//	α^(n+1) + Σ_{i=1..n+1} α^(n+1−i)·s_i = 0      (in GF(32), + is XOR)
//
// computed by Horner's rule from the seed 1. This is the construction of
// the ISO/IEC 7064 pure systems (a weighted sum with weights r^i in a field)
// carried over from the prime fields ISO/IEC 7064 uses to the field with 32
// elements, the only field whose elements match a 32-symbol alphabet one to
// one. It detects:
//
//   - every single substitution, at any position including the check: it
//     changes the sum by α^k·(a+b) ≠ 0 for a ≠ b;
//   - every transposition of two different symbols at any distance d < 31,
//     adjacent ones included, the check character included: the change is
//     (a+b)·(α^j + α^k) ≠ 0 because α^j ≠ α^k for j ≠ k mod 31, and codes
//     have at most 14 symbols;
//   - every twin error aa → bb (the same argument as a transposition) and
//     dropping or adding a leading 0 (the seed moves: α^(n+2) + α^(n+1) ≠ 0).
//
// Other errors go unnoticed with probability 1/32. The check is not a
// signature: anyone can compute it; it lets a resolver reject a mistyped code
// without a database read.
//
// No ISO/IEC 7064 system fits a 32-symbol alphabet with one check character:
// the hybrid system MOD 33,32 (like every hybrid MOD M+1,M: 11,10, 27,26,
// 37,36) detects every substitution but misses one adjacent transposition
// for each running value P (M of the M²(M−1)/2 cases), e.g. with P = 1 the
// pair 15,16 — a cyclic group of even order has no complete mapping, so no
// check of the form P' = φ(P + a) mod M can catch them all. The pure systems
// work modulo a prime p, and catching every substitution needs p > 32, so
// more than 32 check symbols (Crockford's own mod-37 check adds *~$=U for
// that reason, and those are poor in URLs).
// docs/shortcode.md has the longer argument; the tests prove the detection
// property exhaustively.
package shortcode

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Alphabet is Crockford's base-32 alphabet; a symbol's value is its index.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// MaxLen is the largest payload length in digits: 13 digits hold 65 bits, so
// every uint64.
const MaxLen = 13

// Sentinel errors. Every error Parse and Encode return wraps one of them.
var (
	ErrLength = errors.New("shortcode: bad length")
	ErrSyntax = errors.New("shortcode: bad character")
	ErrCheck  = errors.New("shortcode: bad check character")
	ErrRange  = errors.New("shortcode: value out of range")
)

// CharError reports a character outside the alphabet, its aliases and the
// hyphen.
type CharError struct {
	Pos  int  // 1-based character position in the input, hyphens counted
	Char rune // the character; utf8.RuneError for invalid UTF-8
}

func (e *CharError) Error() string {
	return fmt.Sprintf("shortcode: character %q at position %d is not a Crockford base-32 symbol (0-9 A-H J K M N P-T V-Z)", e.Char, e.Pos)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *CharError) Unwrap() error { return ErrSyntax }

// CheckError reports a check character that does not match the payload. The
// mistake may be in any character, the check character included; the check
// cannot say which.
type CheckError struct {
	Pos      int  // 1-based position of the check character in the input
	Got      byte // the check character as typed
	Expected byte // the check character the payload calls for, upper case
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("shortcode: check character is %c, expected %c (position %d; a character is mistyped, maybe the check character itself)", e.Got, e.Expected, e.Pos)
}

// Unwrap makes errors.Is(err, ErrCheck) true.
func (e *CheckError) Unwrap() error { return ErrCheck }

// Code is a short code: a payload value and its length in digits. The check
// character is derived, not stored. The zero value (Len 0) is not a valid
// code. Code is comparable and usable as a map key; two codes with the same
// value and different lengths are different codes.
type Code struct {
	v uint64 // the payload; v < 32^n
	n uint8  // payload digits, 1..MaxLen; 0 for the zero Code
}

// Encode returns the code of payload v written in n digits. It fails if n is
// not 1..MaxLen or v does not fit in n digits (v ≥ 32^n). It allocates
// nothing when it succeeds.
func Encode(v uint64, n int) (Code, error) {
	if n < 1 || n > MaxLen {
		return Code{}, fmt.Errorf("%w: %d digits, want 1-%d", ErrLength, n, MaxLen)
	}
	if n < MaxLen && v>>(5*n) != 0 {
		return Code{}, fmt.Errorf("%w: %d needs more than %d base-32 digits (%d bits)", ErrRange, v, n, 5*n)
	}
	return Code{v: v, n: uint8(n)}, nil
}

// Value returns the payload.
func (c Code) Value() uint64 { return c.v }

// Len returns the payload length in digits; the text is Len()+1 characters
// long. It is 0 for the zero Code.
func (c Code) Len() int { return int(c.n) }

// IsZero reports whether c is the zero Code.
func (c Code) IsZero() bool { return c.n == 0 }

// Check returns the check character, or 0 for the zero Code.
func (c Code) Check() byte {
	if c.n == 0 {
		return 0
	}
	return Alphabet[c.check()]
}

// check computes the check value of c by Horner's rule from the seed 1.
func (c Code) check() uint8 {
	p := uint8(1)
	for i := int(c.n) - 1; i >= 0; i-- {
		p = mulX(p) ^ uint8(c.v>>(5*i)&31)
	}
	return mulX(p)
}

// mulX multiplies p, an element of GF(32), by α = x modulo x⁵ + x² + 1.
// p must be < 32; the result is < 32. Branch-free: p>>4 is the x⁴
// coefficient, which the shift carries to x⁵ = x² + 1.
func mulX(p uint8) uint8 {
	return (p<<1)&31 ^ 5*(p>>4)
}

// AppendText appends the Len()+1 upper-case characters of c to dst (nothing
// for the zero Code). It allocates only if dst has to grow: this is the hot
// path of printing URLs.
func (c Code) AppendText(dst []byte) []byte {
	var b [MaxLen + 1]byte
	n := int(c.n)
	if n == 0 {
		return dst
	}
	v := c.v
	p := uint8(1)
	for i := 0; i < n; i++ {
		d := uint8(v >> (5 * (n - 1 - i)) & 31)
		b[i] = Alphabet[d]
		p = mulX(p) ^ d
	}
	b[n] = Alphabet[mulX(p)]
	return append(dst, b[:n+1]...)
}

// String returns the text of c, "" for the zero Code.
func (c Code) String() string {
	var b [MaxLen + 1]byte
	return string(c.AppendText(b[:0]))
}

// decode maps a byte to its symbol value + 1, 0 for bytes that are not
// symbols: both cases, and Crockford's aliases O → 0, I and L → 1.
var decode = func() (t [256]uint8) {
	for i := 0; i < len(Alphabet); i++ {
		c := Alphabet[i]
		t[c] = uint8(i + 1)
		if c >= 'A' {
			t[c+'a'-'A'] = uint8(i + 1)
		}
	}
	for _, a := range []struct {
		c byte
		v uint8
	}{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}} {
		t[a.c] = a.v + 1
	}
	return t
}()

// Parse reads a code: Len()+1 symbols (2 to MaxLen+1), case-insensitive,
// with O read as 0, I and L as 1, and hyphens anywhere ignored. An error
// names the bad character and its 1-based position in s, or the check
// character found and the one expected. It allocates nothing when it
// succeeds.
func Parse(s string) (Code, error) {
	var v uint64
	p := uint8(1) // Horner state over the symbols before the pending one
	pending := -1 // value of the last symbol read, the check if no other follows
	pendingAt := 0
	count := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '-' {
			continue
		}
		d := int(decode[ch]) - 1
		if d < 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return Code{}, &CharError{Pos: utf8.RuneCountInString(s[:i]) + 1, Char: r}
		}
		if pending >= 0 {
			if count > MaxLen {
				return Code{}, fmt.Errorf("%w: %q has more than %d symbols, want at most %d digits and a check character", ErrLength, s, MaxLen+1, MaxLen)
			}
			if v>>59 != 0 {
				return Code{}, fmt.Errorf("%w: %q: a %d-digit code must start with 0-F to fit in 64 bits", ErrRange, s, MaxLen)
			}
			v = v<<5 | uint64(pending)
			p = mulX(p) ^ uint8(pending)
		}
		pending, pendingAt = d, i
		count++
	}
	if count < 2 {
		return Code{}, fmt.Errorf("%w: %q has %d symbols, want at least one digit and a check character", ErrLength, s, count)
	}
	if want := mulX(p); want != uint8(pending) {
		return Code{}, &CheckError{Pos: pendingAt + 1, Got: s[pendingAt], Expected: Alphabet[want]}
	}
	return Code{v: v, n: uint8(count - 1)}, nil
}
