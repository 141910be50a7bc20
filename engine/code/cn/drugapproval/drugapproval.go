// Package drugapproval parses the drug approval number (药品批准文号) in its
// national form, 国药准字 followed by a letter and 8 digits:
//
//	letter       H chemical drug (化学药品), Z traditional Chinese medicine
//	             (中药), S biological product (生物制品), J imported drug
//	             packaged in China (进口分包装), T in-vitro diagnostic reagent
//	             (体外诊断试剂), F pharmaceutical excipient (药用辅料), B health
//	             drug (保健药品, a former class)
//	digits 1-2   source: 10 the former Ministry of Health, 19 and 20 the
//	             national regulator, otherwise the GB/T 2260 province whose
//	             local approval was converted to a national one
//	digits 3-4   the last two digits of the year of approval (or conversion)
//	digits 5-8   sequence
//
// The digit layout is from secondary sources and unconfirmed for numbers
// issued since 2020 (docs/categories.md); it is reported, not enforced,
// beyond the source being 10, 19, 20 or a province. There is no check
// digit.
package drugapproval

import (
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const (
	name   = "drug approval number"
	prefix = "国药准字"
)

// Number is a national drug approval number. The zero value is not valid.
type Number struct {
	class byte    // H, Z, S, J, T, F, B
	dig   [8]byte // the digits
}

// Parse validates an approval number: 国药准字, a class letter (either
// case) and 8 digits, with an optional space after 国药准字.
func Parse(s string) (Number, error) {
	var n Number
	t := field.Trim(s)
	if !strings.HasPrefix(t, prefix) {
		if t == "" {
			return n, field.Length(name, t, "国药准字, a letter and 8 digits")
		}
		return n, field.Char(name, t, 0, "the prefix 国药准字")
	}
	i := len(prefix)
	if i < len(t) && t[i] == ' ' {
		i++
	}
	body := t[i:]
	pos := 5 + i - len(prefix) // 1-based position of the class letter
	for k := len(prefix); k < len(t); k++ {
		if t[k] >= 0x80 {
			return n, field.Char(name, t, k, "an ASCII letter or digit")
		}
	}
	if len(body) != 9 {
		return n, field.Length(name, t, "国药准字, a letter and 8 digits")
	}
	c := body[0]
	if c >= 'a' && c <= 'z' {
		c -= 0x20
	}
	if ClassName(c) == "" {
		if !field.IsUpper(c) {
			return n, field.Char(name, t, i, "a class letter")
		}
		return n, field.Bad(name, "class", pos, 1, body[:1], "is not H, Z, S, J, T, F or B", cn.ErrRange)
	}
	if err := field.Digits(name, t, i+1, len(t)); err != nil {
		return n, err
	}
	if src := field.Atoi(body[1:3]); src != 10 && src != 19 && src != 20 {
		if _, err := cn.NewRegion(src * 10000); err != nil {
			return n, field.Bad(name, "source", pos+1, 2, body[1:3], "is not 10, 19, 20 or a GB/T 2260 province", cn.ErrRange)
		}
	}
	n.class = c
	copy(n.dig[:], body[1:])
	return n, nil
}

// ClassName returns the English name of a class letter ("" if unknown).
func ClassName(c byte) string {
	switch c {
	case 'H':
		return "chemical drug"
	case 'Z':
		return "traditional Chinese medicine"
	case 'S':
		return "biological product"
	case 'J':
		return "imported drug packaged in China"
	case 'T':
		return "in-vitro diagnostic reagent"
	case 'F':
		return "pharmaceutical excipient"
	case 'B':
		return "health drug (former class)"
	}
	return ""
}

// Class returns the class letter.
func (n Number) Class() byte { return n.class }

// Source returns the 2-digit source field.
func (n Number) Source() string { return string(n.dig[:2]) }

// Year returns the two year digits.
func (n Number) Year() string { return string(n.dig[2:4]) }

// Sequence returns the 4-digit sequence.
func (n Number) Sequence() string { return string(n.dig[4:]) }

// String returns the canonical number, 国药准字H20003263.
func (n Number) String() string { return string(n.AppendText(nil)) }

// AppendText appends the canonical number to dst.
func (n Number) AppendText(dst []byte) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, n.class)
	return append(dst, n.dig[:]...)
}

// IsZero reports whether n is the zero value.
func (n Number) IsZero() bool { return n.class == 0 }
