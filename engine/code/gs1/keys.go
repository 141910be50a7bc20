// Package gs1 holds the GS1 identification keys (GTIN, SSCC, GLN), the
// Application Identifier table generated from the GS1 Barcode Syntax
// Dictionary, element strings in human-readable and barcode-data form, and
// GS1 Digital Link URIs. It does no I/O.
package gs1

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these and say
// which key, which position and, for check digits, the expected digit.
var (
	ErrCheckDigit = errors.New("gs1: bad check digit")
	ErrLength     = errors.New("gs1: bad length")
	ErrSyntax     = errors.New("gs1: bad character")
)

// CheckDigitError reports a key whose last digit is not the GS1 mod-10 check
// digit of the digits before it.
type CheckDigitError struct {
	Key      string // what was checked: "GTIN-13", "SSCC", "GLN", "AI (01)" …
	Got      byte   // the digit found, '0'..'9'
	Expected byte   // the correct digit, '0'..'9'
}

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("gs1: %s check digit is %c, expected %c", e.Key, e.Got, e.Expected)
}

// Unwrap makes errors.Is(err, ErrCheckDigit) true.
func (e *CheckDigitError) Unwrap() error { return ErrCheckDigit }

// CharError reports a character that is not allowed at a 0-based position.
type CharError struct {
	Key  string
	Pos  int  // 0-based byte offset within the key or value
	Char byte // the offending byte
	Want string
}

func (e *CharError) Error() string {
	return fmt.Sprintf("gs1: %s: character %q at position %d is not %s", e.Key, e.Char, e.Pos+1, e.Want)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *CharError) Unwrap() error { return ErrSyntax }

// CheckDigit computes the GS1 mod-10 check digit of body, the digits of a key
// without its check digit: digits are weighted 3,1,3,… from the right.
// It returns the digit as an ASCII byte. It allocates nothing.
func CheckDigit(body string) (byte, error) {
	sum := 0
	n := len(body)
	for i := 0; i < n; i++ {
		c := body[n-1-i]
		if c < '0' || c > '9' {
			return 0, &CharError{Key: "key", Pos: n - 1 - i, Char: c, Want: "a digit"}
		}
		d := int(c - '0')
		if i&1 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), nil
}

// VerifyCheckDigit checks that the last digit of key is its mod-10 check
// digit. name labels the key in the error ("GTIN", "SSCC", …).
func VerifyCheckDigit(name, key string) error {
	if len(key) < 2 {
		return fmt.Errorf("%w: %s %q is too short", ErrLength, name, key)
	}
	cd, err := CheckDigit(key[:len(key)-1])
	if err != nil {
		var ce *CharError
		if errors.As(err, &ce) {
			ce.Key = name
		}
		return err
	}
	last := key[len(key)-1]
	if last < '0' || last > '9' {
		return &CharError{Key: name, Pos: len(key) - 1, Char: last, Want: "a digit"}
	}
	if last != cd {
		return &CheckDigitError{Key: name, Got: last, Expected: cd}
	}
	return nil
}

// GTIN is a Global Trade Item Number normalised to 14 digits (GTIN-8, -12
// and -13 are left-padded with zeros). The zero value is not a valid GTIN.
// It is comparable and usable as a map key.
type GTIN [14]byte

// ParseGTIN validates an 8, 12, 13 or 14 digit GTIN, including its check
// digit, and normalises it to 14 digits.
func ParseGTIN(s string) (GTIN, error) {
	var g GTIN
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return g, fmt.Errorf("%w: GTIN %q has %d digits, want 8, 12, 13 or 14", ErrLength, s, len(s))
	}
	name := gtinNames[len(s)]
	if err := VerifyCheckDigit(name, s); err != nil {
		return g, err
	}
	pad := 14 - len(s)
	for i := 0; i < pad; i++ {
		g[i] = '0'
	}
	copy(g[pad:], s)
	return g, nil
}

var gtinNames = map[int]string{8: "GTIN-8", 12: "GTIN-12", 13: "GTIN-13", 14: "GTIN-14"}

// String returns the 14-digit form.
func (g GTIN) String() string { return string(g[:]) }

// AppendText appends the 14-digit form to dst.
func (g GTIN) AppendText(dst []byte) []byte { return append(dst, g[:]...) }

// IsZero reports whether g is the zero value.
func (g GTIN) IsZero() bool { return g[0] == 0 }

// Indicator returns the indicator digit (the first of the 14), '0'..'9'.
func (g GTIN) Indicator() byte { return g[0] }

// SSCC is an 18-digit Serial Shipping Container Code: extension digit, GS1
// company prefix, serial reference, check digit.
type SSCC [18]byte

// ParseSSCC validates an 18-digit SSCC including its check digit.
func ParseSSCC(s string) (SSCC, error) {
	var c SSCC
	if len(s) != 18 {
		return c, fmt.Errorf("%w: SSCC %q has %d digits, want 18", ErrLength, s, len(s))
	}
	if err := VerifyCheckDigit("SSCC", s); err != nil {
		return c, err
	}
	copy(c[:], s)
	return c, nil
}

// String returns the 18 digits.
func (c SSCC) String() string { return string(c[:]) }

// AppendText appends the 18 digits to dst.
func (c SSCC) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c SSCC) IsZero() bool { return c[0] == 0 }

// GLN is a 13-digit Global Location Number.
type GLN [13]byte

// ParseGLN validates a 13-digit GLN including its check digit.
func ParseGLN(s string) (GLN, error) {
	var l GLN
	if len(s) != 13 {
		return l, fmt.Errorf("%w: GLN %q has %d digits, want 13", ErrLength, s, len(s))
	}
	if err := VerifyCheckDigit("GLN", s); err != nil {
		return l, err
	}
	copy(l[:], s)
	return l, nil
}

// String returns the 13 digits.
func (l GLN) String() string { return string(l[:]) }

// AppendText appends the 13 digits to dst.
func (l GLN) AppendText(dst []byte) []byte { return append(dst, l[:]...) }

// IsZero reports whether l is the zero value.
func (l GLN) IsZero() bool { return l[0] == 0 }
