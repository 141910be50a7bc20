// Package fireworks parses the fireworks business licence numbers that the
// national 烟花爆竹流向管理信息系统 prints (应急厅〔2020〕31号, from
// 2020-09-01):
//
//	（X1）PF〔X2〕X3   wholesale licence (批发许可证)
//	（X1）LS〔X2〕X3   retail licence (零售许可证)
//
// X1 is the issuing province's one-character abbreviation (甘), X2 the
// 4-digit year and X3 a sequence of digits. The notes give the layout from
// a secondary source; the sequence's width is not stated, so 1 to 10 digits
// are accepted and kept as written. Parentheses may be written full-width
// （） or ASCII (), the year's brackets 〔〕, [] or 【】; the canonical text
// uses （） and 〔〕. There is no check digit.
package fireworks

import (
	"unicode/utf8"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const name = "fireworks licence"

// Kind is the licence kind.
type Kind uint8

// The licence kinds.
const (
	Wholesale Kind = 1 // PF 批发
	Retail    Kind = 2 // LS 零售
)

// String returns PF or LS.
func (k Kind) String() string {
	if k == Wholesale {
		return "PF"
	}
	if k == Retail {
		return "LS"
	}
	return ""
}

// Licence is a fireworks wholesale or retail licence number. It is
// comparable; the zero value is not valid.
type Licence struct {
	abbrev rune // the province abbreviation as written
	kind   Kind
	year   uint16
	n      uint8
	seq    [10]byte
}

// Parse validates a licence number.
func Parse(s string) (Licence, error) {
	var l Licence
	t := field.Trim(s)
	i := 0
	next := func() (rune, int) {
		if i >= len(t) {
			return -1, 0
		}
		r, w := utf8.DecodeRuneInString(t[i:])
		return r, w
	}
	expect := func(want string, ok func(rune) bool) error {
		r, w := next()
		if r < 0 {
			return field.Length(name, t, "（X）PF〔YYYY〕N… or （X）LS〔YYYY〕N…")
		}
		if !ok(r) {
			return field.Char(name, t, i, want)
		}
		i += w
		return nil
	}
	if err := expect("an opening parenthesis", func(r rune) bool { return r == '（' || r == '(' }); err != nil {
		return l, err
	}
	r, _ := next()
	if err := expect("a province abbreviation (甘 …)", func(r rune) bool { _, ok := field.Province(r); return ok }); err != nil {
		return l, err
	}
	l.abbrev = r
	if err := expect("a closing parenthesis", func(r rune) bool { return r == '）' || r == ')' }); err != nil {
		return l, err
	}
	if i+2 > len(t) {
		return Licence{}, field.Length(name, t, "（X）PF〔YYYY〕N… or （X）LS〔YYYY〕N…")
	}
	switch t[i : i+2] {
	case "PF", "pf":
		l.kind = Wholesale
	case "LS", "ls":
		l.kind = Retail
	default:
		return Licence{}, field.Bad(name, "kind", utf8.RuneCountInString(t[:i])+1, 2, t[i:i+2], "is not PF (wholesale) or LS (retail)", cn.ErrRange)
	}
	i += 2
	var open rune
	if err := expect("an opening bracket 〔", func(r rune) bool { open = r; return r == '〔' || r == '[' || r == '【' }); err != nil {
		return Licence{}, err
	}
	from := i
	for range 4 {
		if err := expect("a digit of the year", func(r rune) bool { return r >= '0' && r <= '9' }); err != nil {
			return Licence{}, err
		}
	}
	y := field.Atoi(t[from:i])
	if y < 2000 || y > 2099 {
		return Licence{}, field.Bad(name, "year", utf8.RuneCountInString(t[:from])+1, 4, t[from:i], "is not a year 2000-2099", cn.ErrDate)
	}
	l.year = uint16(y)
	closing := map[rune]rune{'〔': '〕', '[': ']', '【': '】'}[open]
	if err := expect("the closing bracket "+string(closing), func(r rune) bool { return r == closing }); err != nil {
		return Licence{}, err
	}
	if err := field.Digits(name, t, i, len(t)); err != nil {
		return Licence{}, err
	}
	n := len(t) - i
	if n < 1 || n > len(l.seq) {
		return Licence{}, field.Length(name, t, "a sequence of 1 to 10 digits after the year")
	}
	l.n = uint8(n)
	copy(l.seq[:], t[i:])
	return l, nil
}

// Kind returns the licence kind.
func (l Licence) Kind() Kind { return l.kind }

// Province returns the issuing province.
func (l Licence) Province() cn.Region {
	r, _ := field.Province(l.abbrev)
	return r
}

// Year returns the year in the brackets.
func (l Licence) Year() int { return int(l.year) }

// Sequence returns the sequence digits as written.
func (l Licence) Sequence() string { return string(l.seq[:l.n]) }

// String returns the canonical licence number.
func (l Licence) String() string { return string(l.AppendText(nil)) }

// AppendText appends the canonical licence number, （X）PF〔YYYY〕N…, to dst.
func (l Licence) AppendText(dst []byte) []byte {
	dst = append(dst, "（"...)
	dst = utf8.AppendRune(dst, l.abbrev)
	dst = append(dst, "）"...)
	dst = append(dst, l.kind.String()...)
	dst = append(dst, "〔"...)
	dst = append(dst, byte('0'+l.year/1000), byte('0'+l.year/100%10), byte('0'+l.year/10%10), byte('0'+l.year%10))
	dst = append(dst, "〕"...)
	return append(dst, l.seq[:l.n]...)
}

// IsZero reports whether l is the zero value.
func (l Licence) IsZero() bool { return l.kind == 0 }
