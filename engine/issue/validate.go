package issue

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tracecode/engine/code/epc"
	"tracecode/engine/model"
)

// checkCSET82 checks that s is 1..maxLen characters of GS1 CSET 82 (the
// character set of AI (10) and (21) values).
func checkCSET82(field, s string, maxLen int) error {
	if s == "" {
		return fieldErr(field, s, "is empty")
	}
	if len(s) > maxLen {
		return fieldErr(field, s, "has %d characters, at most %d allowed", len(s), maxLen)
	}
	for i := 0; i < len(s); i++ {
		if !epc.InCSet82(s[i]) {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fieldErr(field, s, "character %q at position %d is not in GS1 CSET 82 "+
				"(letters, digits and !\"%%&'()*+,-./:;<=>?_ are allowed)", r, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return nil
}

// CheckText checks a free-text field: valid UTF-8, no control characters,
// at most maxRunes characters; empty is allowed unless required.
func CheckText(field, s string, maxRunes int, required bool) error {
	if s == "" {
		if required {
			return fieldErr(field, s, "is required")
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, s, "is not valid UTF-8")
	}
	n := 0
	for i, r := range s {
		n++
		if unicode.IsControl(r) {
			return fieldErr(field, s, "has a control character at position %d", utf8.RuneCountInString(s[:i])+1)
		}
	}
	if n > maxRunes {
		return fieldErr(field, s, "has %d characters, at most %d allowed", n, maxRunes)
	}
	return nil
}

// checkDigits checks that s is exactly n ASCII digits (n = 0: 1..maxN).
func checkDigits(field, s string, minN, maxN int) error {
	if len(s) < minN || len(s) > maxN {
		if minN == maxN {
			return fieldErr(field, s, "has %d characters, want %d digits", len(s), minN)
		}
		return fieldErr(field, s, "has %d characters, want %d to %d digits", len(s), minN, maxN)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fieldErr(field, s, "character %q at position %d is not a digit", s[i], i+1)
		}
	}
	return nil
}

// ParseDate reads a date as YYYY-MM-DD (or YYYYMMDD) and returns it as the
// integer yyyymmdd used in lot records; "" gives 0 (no date).
func ParseDate(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	layout := "2006-01-02"
	if len(s) == 8 {
		layout = "20060102"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, fieldErr("date", s, "is not a date YYYY-MM-DD")
	}
	return uint32(t.Year()*10000 + int(t.Month())*100 + t.Day()), nil
}

// FormatDate writes a yyyymmdd date as YYYY-MM-DD ("" for 0).
var FormatDate = model.FormatDate

// checkDate validates a yyyymmdd integer (0 allowed).
func checkDate(field string, d uint32) error {
	if d == 0 {
		return nil
	}
	s := strconv.FormatUint(uint64(d), 10)
	t, err := time.Parse("20060102", s)
	if err != nil || t.Year() < 1900 || t.Year() > 2199 {
		return fieldErr(field, s, "is not a date yyyymmdd between 1900 and 2199")
	}
	return nil
}

// YYMMDD returns the GS1 AI (17)/(11) form of a yyyymmdd date.
func YYMMDD(d uint32) string {
	return fmt.Sprintf("%06d", d%1000000)
}

// CheckRequestID validates a client request id: 1–128 printable ASCII
// characters (or empty: no idempotency).
func CheckRequestID(s string) error {
	if len(s) > 128 {
		return fieldErr("request id", s, "has %d characters, at most 128 allowed", len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return fieldErr("request id", s, "character %q at position %d is not printable ASCII", s[i], i+1)
		}
	}
	return nil
}

// ValidBase checks an http(s) base URL without query, fragment or trailing
// slash.
func ValidBase(field, s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fieldErr(field, s, "is not a URL: %v", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fieldErr(field, s, "must start with https:// or http://")
	case u.Host == "":
		return fieldErr(field, s, "has no host")
	case u.RawQuery != "" || u.Fragment != "":
		return fieldErr(field, s, "must not have a query or fragment")
	case strings.HasSuffix(s, "/"):
		return fieldErr(field, s, "must not end with /")
	}
	return nil
}

// checkURL checks an absolute http(s) URL of at most 2000 bytes, written
// only with the characters RFC 3986 allows in a URI (anything else
// percent-encoded), without user information. The URL is shown to
// consumers as a link and sent in Link headers: a '"', '<' or space
// would break out of them, and "https://gov.cn@evil.example/" names a
// host the reader does not see.
func checkURL(field, s string) error {
	if len(s) > 2000 {
		return fieldErr(field, s, "is longer than 2000 bytes")
	}
	if i, why := uriCharsetError(s); i >= 0 {
		return fieldErr(field, s, "%s at byte %d; percent-encode it", why, i+1)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fieldErr(field, s, "is not a URL: %v", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fieldErr(field, s, "must start with https:// or http://")
	case u.Host == "":
		return fieldErr(field, s, "has no host")
	case u.User != nil:
		return fieldErr(field, s, "must not carry user information (user@host)")
	}
	return nil
}

// uriCharsetError returns the index of the first byte of s that RFC 3986
// does not allow in a URI (unreserved, reserved, or '%' and two hex
// digits), and what is wrong with it; -1 if there is none.
func uriCharsetError(s string) (int, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return i, "'%' not followed by two hex digits"
			}
		case c >= 0x80:
			return i, fmt.Sprintf("non-ASCII byte 0x%02x is not allowed in a URL", c)
		default:
			return i, fmt.Sprintf("character %q is not allowed in a URL", c)
		}
	}
	return -1, ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
