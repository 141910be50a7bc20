package epc

import "encoding/binary"

// MaxTextLen is the longest serial, lot or GLN extension: 20 characters
// (GS1 AIs 21, 10 and 254; the 140-bit serial field of SGTIN-198).
const MaxTextLen = 20

// Text is a serial number (AI 21), batch/lot (AI 10) or GLN extension
// (AI 254): 1–20 characters of GS1 AI encodable character set 82, held
// inline so that the identities containing it stay comparable, usable as map
// keys and allocation-free. Text holds the raw characters, never the
// %-escaped URN form.
//
// The zero value is the empty Text; only SGLN uses it (no extension).
type Text struct {
	n   uint8            // number of characters used, 0..MaxTextLen
	esc bool             // some character of b[:n] must be %-escaped in a URN (derived from b; every constructor sets it)
	b   [MaxTextLen]byte // b[:n] are CSET 82 characters; b[n:] are zero
}

// character classes, indexed by byte.
const (
	clsCSet82 = 1 << iota // in GS1 AI encodable character set 82
	clsURN                // may stand unescaped in an EPC URN component
	clsDigit
)

// class is built from the CSET 82 list (GS1 General Specifications Figure
// 7.11-1, TDS Table A-1). The seven CSET 82 characters outside the URN
// grammar's Digit|UpperAlpha|LowerAlpha|OtherChar must be %-escaped in URNs:
// " % & / < > ?
var class = func() (t [256]uint8) {
	const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`
	const escaped = `"%&/<>?`
	for i := 0; i < len(cset82); i++ {
		t[cset82[i]] = clsCSet82 | clsURN
	}
	for i := 0; i < len(escaped); i++ {
		t[escaped[i]] &^= clsURN
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= clsDigit
	}
	return t
}()

// InCSet82 reports whether c is in GS1 AI encodable character set 82.
func InCSet82(c byte) bool { return class[c]&clsCSet82 != 0 }

// ParseText validates s as the raw (unescaped) value of a serial, lot or
// extension: 1–20 characters of CSET 82. field names it in errors.
func ParseText(field, s string) (Text, error) {
	var t Text
	if len(s) == 0 {
		return t, errf(field, 0, ErrLength, "empty, want 1 to 20 characters")
	}
	if len(s) > MaxTextLen {
		return t, errf(field, 0, ErrLength, "has "+itoa(len(s))+" characters, want at most 20")
	}
	// AND the classes together: one branch for the whole string.
	acc := uint8(clsCSet82 | clsURN)
	for i := 0; i < len(s); i++ {
		acc &= class[s[i]]
	}
	if acc&clsCSet82 == 0 {
		for i := 0; i < len(s); i++ {
			if class[s[i]]&clsCSet82 == 0 {
				return t, errf(field, i+1, ErrSyntax, "character "+quoteByte(s[i])+" is not in GS1 CSET 82")
			}
		}
	}
	t.n = uint8(len(s))
	t.esc = acc&clsURN == 0
	copy(t.b[:], s)
	return t, nil
}

// Len returns the number of characters.
func (t Text) Len() int { return int(t.n) }

// IsZero reports whether t is empty.
func (t Text) IsZero() bool { return t.n == 0 }

// String returns the raw characters.
func (t Text) String() string { return string(t.b[:t.n]) }

// AppendRaw appends the raw characters to dst.
func (t Text) AppendRaw(dst []byte) []byte { return append(dst, t.b[:t.n]...) }

// AppendEscaped appends the URN form: the characters " % & / < > ? as %22
// %25 %26 %2F %3C %3E %3F (upper-case hex, TDS §5), every other character as
// itself.
func (t Text) AppendEscaped(dst []byte) []byte {
	if !t.esc {
		return append(dst, t.b[:t.n]...) // the common case: one copy
	}
	raw := t.b[:t.n]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if class[c]&clsURN != 0 {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigitsUpper[c>>4], hexDigitsUpper[c&15])
		}
	}
	return dst
}

// serial96 returns the value of t as an SGTIN-96 serial, or why it cannot
// be one: all digits, no leading zero (the binary field cannot keep it),
// below 2^38.
func (t *Text) serial96() (uint64, string) {
	n := int(t.n)
	if n == 0 || n > 12 || (t.b[0] == '0' && n > 1) {
		return 0, t.serial96Reason()
	}
	// The last (up to) 8 digits in one SWAR step; the digit loop it
	// replaces was 40% of AppendHex96's instructions (cachegrind).
	var head uint64
	var x uint64
	if n > 8 {
		for _, c := range t.b[:n-8] {
			d := c - '0'
			if d > 9 {
				return 0, t.serial96Reason()
			}
			head = head*10 + uint64(d)
		}
		x = binary.LittleEndian.Uint64(t.b[n-8:])
	} else {
		// b[n:] is zero: shift the n digits to the top and fill the
		// bottom with '0's (leading zeros of the 8-digit group).
		x = binary.LittleEndian.Uint64(t.b[:])<<(8*(8-n)) | 0x3030303030303030>>(8*n)
	}
	tail, ok := parse8(x)
	if !ok {
		return 0, t.serial96Reason()
	}
	v := head*100000000 + tail
	if v >= 1<<38 {
		return 0, t.serial96Reason()
	}
	return v, ""
}

// parse8 parses 8 ASCII digits loaded little-endian (first digit in the low
// byte), or reports that some byte is not a digit. The multiply-shift steps
// combine pairs, then quads, then the two halves (Lemire, "Quickly parsing
// eight digits", 2018).
func parse8(x uint64) (uint64, bool) {
	// every byte must be 0x30..0x39: high nibble 3, and adding 6 must not
	// carry out of the low nibble
	if x&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 || (x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 {
		return 0, false
	}
	x = (x & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	x = (x & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return (x & 0x0000FFFF0000FFFF) * 42949672960001 >> 32, true
}

// serial96Reason says why t is not an SGTIN-96 serial.
func (t *Text) serial96Reason() string {
	if t.n == 0 {
		return "empty"
	}
	for i := 0; i < int(t.n); i++ {
		if class[t.b[i]]&clsDigit == 0 {
			return "character " + quoteByte(t.b[i]) + " at serial position " + itoa(i+1) + " is not a digit; SGTIN-96 holds numeric serials only (use SGTIN-198)"
		}
	}
	if t.n > 1 && t.b[0] == '0' {
		return "leading zero in " + t.String() + " cannot be kept by SGTIN-96 (use SGTIN-198)"
	}
	return t.String() + " is 2^38 or more; SGTIN-96 serials are at most 274877906943 (use SGTIN-198)"
}

// unescape parses a URN component (the %-escaped form) into a Text. pos is
// the 1-based position of s[0] in the whole URN, for errors.
//
// The TDS grammar (§5) allows Digit, UpperAlpha, LowerAlpha, OtherChar
// (! ' ( ) * + , - . : ; = _) and Escape = '%' HexChar HexChar. An escape
// may use either hex case and may name any CSET 82 character; the formatter
// always writes the canonical form (only the seven required escapes, upper
// case), so a non-canonical URN parses to the same value as the canonical.
func unescape(field, s string, pos int) (Text, *Error) {
	var t Text
	if len(s) == 0 {
		return t, errf(field, pos, ErrLength, "empty, want 1 to 20 characters")
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) {
				return t, errf(field, pos+i, ErrSyntax, "truncated %-escape, want %XX with two hex digits")
			}
			h, l := unhex(s[i+1]), unhex(s[i+2])
			if h < 0 || l < 0 {
				return t, errf(field, pos+i, ErrSyntax, "bad %-escape "+s[i:i+3]+", want %XX with two hex digits")
			}
			c = byte(h<<4 | l)
			if class[c]&clsCSet82 == 0 {
				return t, errf(field, pos+i, ErrSyntax, "escape "+s[i:i+3]+" is "+quoteByte(c)+", which is not in GS1 CSET 82")
			}
			i += 2
		} else if class[c]&clsURN == 0 {
			if class[c]&clsCSet82 != 0 {
				return t, errf(field, pos+i, ErrSyntax, "character "+quoteByte(c)+" must be escaped as %"+hex2(c))
			}
			return t, errf(field, pos+i, ErrSyntax, "character "+quoteByte(c)+" is not in GS1 CSET 82")
		}
		if n == MaxTextLen {
			return t, errf(field, pos, ErrLength, "more than 20 characters")
		}
		if class[c]&clsURN == 0 {
			t.esc = true
		}
		t.b[n] = c
		n++
	}
	t.n = uint8(n)
	return t, nil
}

func hex2(c byte) string {
	const hexd = "0123456789ABCDEF"
	return string([]byte{hexd[c>>4], hexd[c&15]})
}

// hexValue maps a hex digit (either case) to its value, anything else to -1.
var hexValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'A'; c <= 'F'; c++ {
		t[c] = int8(c - 'A' + 10)
		t[c+'a'-'A'] = int8(c - 'A' + 10)
	}
	return t
}()

// unhex returns the value of hex digit c (either case), or -1.
func unhex(c byte) int { return int(hexValue[c]) }
