package epc

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error this package returns is an *Error that wraps
// one of these (or a gs1 error, for a bad GTIN/SSCC/GLN check digit), so
// callers can branch with errors.Is and show Error() to a user.
var (
	// ErrSyntax: a character that is not allowed where it stands (a non-hex
	// digit, a non-digit in a numeric component, a character outside GS1
	// CSET 82, an unescaped '/' in a URN, a malformed %-escape).
	ErrSyntax = errors.New("epc: bad character")
	// ErrLength: wrong number of hex digits, digits in a component, or
	// characters in a serial, lot or extension.
	ErrLength = errors.New("epc: bad length")
	// ErrHeader: an EPC binary header this package does not decode.
	ErrHeader = errors.New("epc: unsupported header")
	// ErrScheme: a URN that is not an EPC URN of a supported scheme.
	ErrScheme = errors.New("epc: unsupported URN scheme")
	// ErrComponents: a URN with the wrong number of '.'-separated components.
	ErrComponents = errors.New("epc: wrong number of URN components")
	// ErrPartition: a reserved partition value (7).
	ErrPartition = errors.New("epc: bad partition")
	// ErrCompanyPrefix: a GS1 company prefix length outside 6–12.
	ErrCompanyPrefix = errors.New("epc: bad company prefix length")
	// ErrFilter: a filter value above 7.
	ErrFilter = errors.New("epc: bad filter value")
	// ErrRange: a binary field whose value has more decimal digits than its
	// partition allows (e.g. a 24-bit company prefix ≥ 10^7).
	ErrRange = errors.New("epc: field value out of range")
	// ErrSerial: a serial the chosen binary scheme cannot hold: for SGTIN-96
	// not all digits, a leading zero, or ≥ 2^38; for SGTIN-198 empty or a
	// non-zero character after the terminating zero.
	ErrSerial = errors.New("epc: serial not encodable")
	// ErrReserved: non-zero bits where the standard requires zeros (the 24
	// reserved bits of SSCC-96, the padding after SGTIN-198).
	ErrReserved = errors.New("epc: non-zero reserved bits")
	// ErrZero: a method was called on the zero value of a type, or a zero
	// (unset) gs1 key was passed to a constructor.
	ErrZero = errors.New("epc: zero value")
)

// Error describes what is wrong with an input and where.
type Error struct {
	// Field names the part at fault: "hex", "header", "filter",
	// "partition", "company prefix", "item reference", "serial reference",
	// "location reference", "serial", "lot", "extension", "reserved bits",
	// "padding", "URN", "GTIN", "SSCC", "GLN", "company prefix length".
	Field string
	// Pos is the 1-based position in the input where the fault is: a hex
	// digit for DecodeHex, a bit for DecodeBinary, a character for ParseURN
	// and, for a constructor argument, a character within that argument
	// (e.g. the GTIN's check digit is position 14). For a bad field value it
	// is where the field starts; for a bad character, that character. 0
	// when no position applies (a length, a numeric argument).
	Pos int
	// Reason says what is wrong, in words a user can act on.
	Reason string
	// Err is the sentinel (ErrSyntax, ErrPartition, …) or the gs1 error
	// being wrapped.
	Err error
}

// Error formats as "epc: <field> at position <pos>: <reason>".
func (e *Error) Error() string {
	b := make([]byte, 0, 64+len(e.Reason))
	b = append(b, "epc: "...)
	b = append(b, e.Field...)
	if e.Pos > 0 {
		b = append(b, " at position "...)
		b = strconv.AppendInt(b, int64(e.Pos), 10)
	}
	b = append(b, ": "...)
	b = append(b, e.Reason...)
	return string(b)
}

// Unwrap returns the sentinel or wrapped gs1 error.
func (e *Error) Unwrap() error { return e.Err }

func errf(field string, pos int, err error, reason string) *Error {
	return &Error{Field: field, Pos: pos, Reason: reason, Err: err}
}

// plural formats "1 digit", "2 digits".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

// itoa is strconv.Itoa, short to keep error construction readable.
func itoa(n int) string { return strconv.Itoa(n) }

// quoteByte renders b for an error message: 'x' for printable ASCII, 0xNN
// otherwise.
func quoteByte(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return strconv.QuoteRune(rune(b))
	}
	const hexd = "0123456789ABCDEF"
	return string([]byte{'0', 'x', hexd[b>>4], hexd[b&15]})
}
