package digitallink

import "strings"

// Byte classes, indexed by byte value.
var (
	// unreserved bytes stay literal in a percent-encoded value (RFC 3986
	// unreserved set, as gs1-syntax-engine's URIescape).
	unreserved [256]bool
	// uriOK is uriChar as 0/1 bytes, for BadURIChar.
	uriOK [256]byte
	// uriChar bytes may appear anywhere in a Digital Link URI: the RFC 3986
	// unreserved and reserved sets plus '%' (gs1-syntax-engine's
	// uriCharacters). Everything else, including space and non-ASCII, is
	// rejected before parsing.
	uriChar [256]bool
	// badHostChar bytes are URI characters not allowed in the host.
	badHostChar [256]bool
)

func init() {
	for c := 'A'; c <= 'Z'; c++ {
		unreserved[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		unreserved[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		unreserved[c] = true
	}
	for _, c := range "-._~" {
		unreserved[c] = true
	}
	uriChar = unreserved
	for _, c := range ":/?#[]@!$&'()*+,;=%" {
		uriChar[c] = true
	}
	for _, c := range "_~?#@!$&'()*+,;=%" {
		badHostChar[c] = true
	}
	for c, ok := range uriChar {
		if ok {
			uriOK[c] = 1
		}
	}
}

const upperHex = "0123456789ABCDEF"

// AppendEscape appends value percent-encoded for a Digital Link path segment
// (query false) or query value (query true): A-Z a-z 0-9 - . _ ~ stay
// literal, a space becomes "+" in the query, every other byte becomes %XX
// with upper-case hex. It allocates only if dst must grow.
func AppendEscape(dst []byte, value string, query bool) []byte {
	// Most values (lots, serials, dates) need no escaping: copy the
	// unreserved prefix in one go.
	i := 0
	for i < len(value) && unreserved[value[i]] {
		i++
	}
	dst = append(dst, value[:i]...)
	for ; i < len(value); i++ {
		c := value[i]
		switch {
		case unreserved[c]:
			dst = append(dst, c)
		case c == ' ' && query:
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0x0F])
		}
	}
	return dst
}

// Unescape decodes a percent-encoded path segment (query false) or query
// value (query true) the way gs1-syntax-engine does: %XX with two hex digits
// of either case becomes the byte; a '%' not followed by two hex digits
// stays literal; '+' is a space only in the query. A decoded NUL (%00) is an
// error wrapping ErrEncoding whose Pos is the 1-based offset within s. It
// returns s itself, without allocating, when there is nothing to decode.
func Unescape(s string, query bool) (string, error) {
	v, bad := unescape(s, query)
	if bad >= 0 {
		return "", errAt(ErrEncoding, bad, s, "%00 (NUL) is not allowed")
	}
	return v, nil
}

// unescape is Unescape without the error value: bad is the 0-based offset of
// a %00 in s, or -1.
func unescape(s string, query bool) (v string, bad int) {
	i := strings.IndexByte(s, '%')
	if query {
		if j := strings.IndexByte(s, '+'); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return s, -1
	}
	b, bad := AppendUnescape(make([]byte, 0, len(s)), s, query)
	if bad >= 0 {
		return "", bad
	}
	return b2s(b), -1 // b is never written again
}

// AppendUnescape appends s percent-decoded by Unescape's rules to dst: %XX
// with hex digits of either case becomes the byte, a '%' not followed by
// two hex digits stays literal, '+' is a space only in the query. bad is
// the 0-based offset in s of a %00 (NUL), and dst is then returned as it
// was; otherwise bad is -1. It allocates only if dst must grow, so a
// caller that keeps a scratch buffer decodes values without allocating.
func AppendUnescape(dst []byte, s string, query bool) (out []byte, bad int) {
	n := len(dst)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			if c == 0 {
				return dst[:n], i
			}
			i += 2
		case c == '+' && query:
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst, -1
}

// rawOffset maps the 0-based offset k in the decoded form of the raw
// component s to the 0-based offset in s of the byte (or %XX triple) that
// produced it. Used on the error path only.
func rawOffset(s string, k int) int {
	i := 0
	for n := 0; i < len(s) && n < k; n++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			i += 3
		} else {
			i++
		}
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// BadURIChar returns the offset of the first byte of s that may not appear
// in a Digital Link URI (anything but the RFC 3986 unreserved and reserved
// characters and '%'), or -1. Parse rejects such a URI before anything
// else; a resolver that walks the path itself applies the same rule. It
// allocates nothing. It tests 8 bytes per branch: the byte-at-a-time loop
// was the largest single cost of Parse (callgrind: 9 instructions a byte).
func BadURIChar(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if uriOK[b[0]]&uriOK[b[1]]&uriOK[b[2]]&uriOK[b[3]]&uriOK[b[4]]&uriOK[b[5]]&uriOK[b[6]]&uriOK[b[7]] == 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if uriOK[s[i]] == 0 {
			return i
		}
	}
	return -1
}
