// Package field holds the checks the sector code parsers under
// engine/code/cn share: trimming, digit and alphabet runs, lengths and
// field errors, all reported with the cn package's error types so that a
// caller handles every Chinese code's errors one way (errors.As to
// *cn.CharError, *cn.FieldError, *cn.CheckError; errors.Is to the cn
// sentinels). Positions are 1-based character positions within the trimmed
// code.
package field

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tracecode/engine/code/cn"
)

// Trim removes the white space scanners and copy-paste put around a code
// (as strings.TrimSpace does). It returns a substring and does not allocate.
func Trim(s string) string { return strings.TrimSpace(s) }

// Char reports the character at byte offset i of s (the code named code)
// as not being want, with its 1-based character position.
func Char(code, s string, i int, want string) error {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return &cn.CharError{Code: code, Pos: utf8.RuneCountInString(s[:i]) + 1, Char: r, Want: want}
}

// Digits verifies that s[from:to] holds ASCII digits only; s is the whole
// code, so positions in the error are the code's.
func Digits(code, s string, from, to int) error {
	for i := from; i < to; i++ {
		if c := s[i]; c < '0' || c > '9' {
			return Char(code, s, i, "a digit")
		}
	}
	return nil
}

// Length reports a code of the wrong length, counting characters. want is
// what the layout allows ("20", "11 or 12").
func Length(code, s string, want string) error {
	return fmt.Errorf("%w: %s %q has %d characters, want %s", cn.ErrLength, code, s, utf8.RuneCountInString(s), want)
}

// Bad reports field of code, at 1-based position pos and n characters
// long, whose value is wrong for reason; sentinel is the cn sentinel the
// error wraps (cn.ErrRange, cn.ErrDate, cn.ErrRegion).
func Bad(code, field string, pos, n int, value, reason string, sentinel error) error {
	return &cn.FieldError{Code: code, Field: field, Pos: pos, Len: n, Value: value, Reason: reason, Err: sentinel}
}

// Atoi converts ASCII digits, already validated, to an int.
func Atoi[S ~string | ~[]byte](s S) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// PutDigits writes v into dst as decimal digits with leading zeros,
// keeping the low len(dst) digits.
func PutDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// IsUpper reports whether c is an ASCII upper-case letter.
func IsUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Region checks that the six digits of s[from:from+6] are a well-formed
// GB/T 2260 code below the province level (a prefecture, or a county or
// city district: codes issued years ago may name divisions since renamed,
// so the tree is not required to know it) and returns it. field names the
// field in the error.
func Region(code, field, s string, from int) (cn.Region, error) {
	v := s[from : from+6]
	r, err := cn.NewRegion(Atoi(v))
	if err != nil {
		var fe *cn.FieldError
		reason := "is not a GB/T 2260 division code"
		if errors.As(err, &fe) {
			reason = fe.Reason
		}
		return cn.Region{}, Bad(code, field, from+1, 6, v, reason, cn.ErrRegion)
	}
	if r.Level() == cn.LevelProvince {
		return cn.Region{}, Bad(code, field, from+1, 6, v, "names a province; the layout wants a prefecture or county", cn.ErrRegion)
	}
	return r, nil
}

// ASCII verifies that s holds ASCII only, so that byte offsets are
// character positions; the error names the first other character (a
// full-width digit, the usual input-method mistake, says so).
func ASCII(code, s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return Char(code, s, i, "an ASCII character")
		}
	}
	return nil
}

// abbrevs maps the one-character abbreviations of the provincial-level
// divisions (简称, both forms where two are in use: 贵/黔, 云/滇, 川/蜀,
// 陕/秦, 甘/陇) to their 2-digit GB/T 2260 prefixes.
var abbrevs = map[rune]int{
	'京': 11, '津': 12, '冀': 13, '晋': 14, '蒙': 15, '辽': 21, '吉': 22, '黑': 23,
	'沪': 31, '苏': 32, '浙': 33, '皖': 34, '闽': 35, '赣': 36, '鲁': 37, '豫': 41,
	'鄂': 42, '湘': 43, '粤': 44, '桂': 45, '琼': 46, '渝': 50, '川': 51, '蜀': 51,
	'贵': 52, '黔': 52, '云': 53, '滇': 53, '藏': 54, '陕': 61, '秦': 61, '甘': 62,
	'陇': 62, '青': 63, '宁': 64, '新': 65, '台': 71, '港': 81, '澳': 82,
}

// Province returns the province a one-character abbreviation (甘, 陇 …)
// names.
func Province(r rune) (cn.Region, bool) {
	p, ok := abbrevs[r]
	if !ok {
		return cn.Region{}, false
	}
	reg, err := cn.NewRegion(p * 10000)
	return reg, err == nil
}
