package cn

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Every error this package returns wraps one of them, and
// says which code, which position and, for check characters, the expected
// character.
var (
	ErrLength = errors.New("cn: bad length")
	ErrSyntax = errors.New("cn: bad character")
	ErrCheck  = errors.New("cn: bad check character")
	ErrDate   = errors.New("cn: bad date")
	ErrRegion = errors.New("cn: bad region code")
	ErrRange  = errors.New("cn: value out of range")
)

// CharError reports a character that is not allowed where it stands.
type CharError struct {
	Code string // the code being parsed: "drug trace code", "USCC", …
	Pos  int    // 1-based character (not byte) position within the code
	Char rune   // the offending character; utf8.RuneError for invalid UTF-8
	Want string // what is allowed there: "a digit", …
}

func (e *CharError) Error() string {
	hint := ""
	if e.Char >= 0xFF01 && e.Char <= 0xFF5E {
		hint = " (full-width; type it in ASCII)"
	}
	return fmt.Sprintf("cn: %s: character %q at position %d is not %s%s", e.Code, e.Char, e.Pos, e.Want, hint)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *CharError) Unwrap() error { return ErrSyntax }

// charError builds a CharError for the byte at offset i of s, reporting the
// whole character there and its 1-based character position.
func charError(code, s string, i int, want string) *CharError {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return &CharError{Code: code, Pos: utf8.RuneCountInString(s[:i]) + 1, Char: r, Want: want}
}

// CheckError reports a check character that does not match the characters
// before it. The mistake may be in any of them or in the check character
// itself; the error cannot tell which.
type CheckError struct {
	Code     string // the code: "USCC"
	Check    string // which check failed: "GB 32100 check", "GB 11714 organisation-code check"
	Pos      int    // 1-based position of the check character within the code
	Got      byte   // the check character found
	Expected byte   // the check character the other characters call for
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("cn: %s: %s character at position %d is %c, expected %c", e.Code, e.Check, e.Pos, e.Got, e.Expected)
}

// Unwrap makes errors.Is(err, ErrCheck) true.
func (e *CheckError) Unwrap() error { return ErrCheck }

// FieldError reports a field that is well formed character by character but
// whose value is wrong: an impossible date, an unknown province.
type FieldError struct {
	Code   string // the code being parsed
	Field  string // the field: "date", "province", …
	Pos    int    // 1-based position of the field's first character
	Len    int    // the field's length in characters
	Value  string // the field's text
	Reason string // what is wrong with it
	Err    error  // the sentinel: ErrDate, ErrRegion, ErrRange
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("cn: %s: %s %q at positions %d-%d: %s", e.Code, e.Field, e.Value, e.Pos, e.Pos+e.Len-1, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

// lengthError reports a code of the wrong length, counting characters.
func lengthError(code, s string, want int) error {
	return fmt.Errorf("%w: %s %q has %d characters, want %d", ErrLength, code, s, utf8.RuneCountInString(s), want)
}

// trim removes the white space scanners and copy-paste put around a code.
// It returns a substring and does not allocate.
func trim(s string) string { return strings.TrimSpace(s) }

// checkDigits verifies that every byte of s is an ASCII digit.
func checkDigits(code, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return charError(code, s, i, "a digit")
		}
	}
	return nil
}
