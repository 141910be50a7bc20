// Package agrireg parses the registration and licence numbers of farm
// inputs other than pesticides, as printed on labels and certificates:
//
//	X饲证（YYYY）NNNNN        feed production licence (饲料生产许可证编号) [S]
//	X饲添字（YYYY）NNNNNN     feed-additive product approval (产品批准文号) [S]
//	农肥（YYYY）准字NNNN号     fertiliser registration, national (肥料登记证号) [S]
//	农肥（YYYY）临字NNNN号     the same, temporary [S]
//	X农肥（YYYY）准字NNNN号    the same, issued by a province (甘农肥…) [S]
//	国审玉20210001           variety approval (品种审定编号): 国审 or X审, a
//	X审玉2020012             crop abbreviation, the year, a 3- or 4-digit
//	                         sequence [S]
//
// X is a province's one-character abbreviation (甘, 陇 …). The year's
// parentheses may be full-width （） or ASCII (); the canonical text uses
// （）. A fertiliser sequence of 5 digits is accepted as well as 4 [U]. The
// year is 1980-2099. There is no check digit. Errors are the cn package's
// (a *cn.CharError or *cn.FieldError naming the 1-based position).
package agrireg

import (
	"strings"
	"unicode/utf8"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

// Crops are the crop abbreviations of a variety approval number: rice,
// maize, wheat, cotton, soybean, rapeseed, potato, hemp, sorghum, millet,
// barley.
var Crops = []rune{'稻', '玉', '麦', '棉', '豆', '油', '薯', '麻', '粱', '谷'}

// scanner walks a trimmed number, building its canonical text.
type scanner struct {
	name, layout, t string
	i               int
	out             strings.Builder
}

func newScanner(name, layout, s string) *scanner {
	return &scanner{name: name, layout: layout, t: field.Trim(s)}
}

func (s *scanner) short() error { return field.Length(s.name, s.t, s.layout) }

// rune1 takes one character ok accepts, want describing it.
func (s *scanner) rune1(want string, ok func(rune) bool) (rune, error) {
	if s.i >= len(s.t) {
		return 0, s.short()
	}
	r, w := utf8.DecodeRuneInString(s.t[s.i:])
	if !ok(r) {
		return 0, field.Char(s.name, s.t, s.i, want)
	}
	s.i += w
	s.out.WriteRune(r)
	return r, nil
}

// lit takes the literal text want.
func (s *scanner) lit(want string) error {
	for _, w := range want {
		if _, err := s.rune1("the "+string(w)+" of "+want, func(r rune) bool { return r == w }); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) province() (rune, error) {
	return s.rune1("a province abbreviation (甘 …)", func(r rune) bool { _, ok := field.Province(r); return ok })
}

// year takes a 4-digit year, in parentheses when paren.
func (s *scanner) year(paren bool) error {
	if paren {
		if _, err := s.rune1("an opening parenthesis （", func(r rune) bool { return r == '（' || r == '(' }); err != nil {
			return err
		}
		s.fixParen("（")
	}
	from := s.i
	if err := s.digits(4, 4, "year"); err != nil {
		return err
	}
	if y := field.Atoi(s.t[from:s.i]); y < 1980 || y > 2099 {
		return field.Bad(s.name, "year", utf8.RuneCountInString(s.t[:from])+1, 4, s.t[from:s.i], "is not a year 1980-2099", cn.ErrDate)
	}
	if paren {
		if _, err := s.rune1("a closing parenthesis ）", func(r rune) bool { return r == '）' || r == ')' }); err != nil {
			return err
		}
		s.fixParen("）")
	}
	return nil
}

// fixParen replaces the parenthesis just written by its full-width form.
func (s *scanner) fixParen(full string) {
	b := s.out.String()
	_, w := utf8.DecodeLastRuneInString(b)
	s.out.Reset()
	s.out.WriteString(b[:len(b)-w])
	s.out.WriteString(full)
}

// digits takes min to max ASCII digits of field what, stopping at the
// first non-digit.
func (s *scanner) digits(min, max int, what string) error {
	from := s.i
	for s.i < len(s.t) && field.IsDigit(s.t[s.i]) && s.i-from < max {
		s.i++
	}
	if n := s.i - from; n < min {
		if s.i < len(s.t) {
			return field.Char(s.name, s.t, s.i, "a digit of the "+what)
		}
		return s.short()
	}
	s.out.WriteString(s.t[from:s.i])
	return nil
}

func (s *scanner) end() (string, error) {
	if s.i < len(s.t) {
		return "", field.Char(s.name, s.t, s.i, "the end of the number")
	}
	return s.out.String(), nil
}

// FeedLicence validates a feed production licence number, X饲证（YYYY）NNNNN,
// and returns its canonical text.
func FeedLicence(v string) (string, error) {
	s := newScanner("feed production licence", "X饲证（YYYY）NNNNN", v)
	if _, err := s.province(); err != nil {
		return "", err
	}
	if err := s.lit("饲证"); err != nil {
		return "", err
	}
	if err := s.year(true); err != nil {
		return "", err
	}
	if err := s.digits(5, 5, "sequence"); err != nil {
		return "", err
	}
	return s.end()
}

// FeedAdditive validates a feed-additive product approval number,
// X饲添字（YYYY）NNNNNN, and returns its canonical text.
func FeedAdditive(v string) (string, error) {
	s := newScanner("feed-additive approval number", "X饲添字（YYYY）NNNNNN", v)
	if _, err := s.province(); err != nil {
		return "", err
	}
	if err := s.lit("饲添字"); err != nil {
		return "", err
	}
	if err := s.year(true); err != nil {
		return "", err
	}
	if err := s.digits(6, 6, "sequence"); err != nil {
		return "", err
	}
	return s.end()
}

// Fertiliser validates a fertiliser registration number, [X]农肥（YYYY）准字
// NNNN号 or 临字 (temporary), and returns its canonical text and whether it
// is temporary.
func Fertiliser(v string) (canonical string, temporary bool, err error) {
	s := newScanner("fertiliser registration", "[X]农肥（YYYY）准字NNNN号 or 临字", v)
	if r, _ := utf8.DecodeRuneInString(s.t); r != '农' {
		if _, err := s.province(); err != nil {
			return "", false, err
		}
	}
	if err := s.lit("农肥"); err != nil {
		return "", false, err
	}
	if err := s.year(true); err != nil {
		return "", false, err
	}
	k, err := s.rune1("准 (registration) or 临 (temporary)", func(r rune) bool { return r == '准' || r == '临' })
	if err != nil {
		return "", false, err
	}
	if err := s.lit("字"); err != nil {
		return "", false, err
	}
	if err := s.digits(4, 5, "sequence"); err != nil {
		return "", false, err
	}
	if err := s.lit("号"); err != nil {
		return "", false, err
	}
	c, err := s.end()
	return c, k == '临', err
}

// Variety validates a variety approval number, 国审 or X审, a crop
// abbreviation, the year and a 3- or 4-digit sequence, and returns its
// canonical text and whether it is national.
func Variety(v string) (canonical string, national bool, err error) {
	s := newScanner("variety approval number", "国审玉YYYYNNNN or X审玉YYYYNNN", v)
	if r, _ := utf8.DecodeRuneInString(s.t); r == '国' {
		national = true
		s.i += len("国")
		s.out.WriteString("国")
	} else if _, err := s.province(); err != nil {
		return "", false, err
	}
	if err := s.lit("审"); err != nil {
		return "", false, err
	}
	if _, err := s.rune1("a crop abbreviation ("+string(Crops)+")", func(r rune) bool { return strings.ContainsRune(string(Crops), r) }); err != nil {
		return "", false, err
	}
	if err := s.year(false); err != nil {
		return "", false, err
	}
	if err := s.digits(3, 4, "sequence"); err != nil {
		return "", false, err
	}
	c, err := s.end()
	return c, national, err
}
