// Package seedqr parses the four-line QR code on a seed package (种子标签
// 二维码, MARA 2016):
//
//	line 1  variety name (品种名称)
//	line 2  producer or importer (生产经营者或进口商名称)
//	line 3  unit identifier (单元识别代码): 1 to 20 letters and digits, unique
//	        per sales unit within the producer
//	line 4  the trace URL (追溯网址)
//
// Lines are separated by LF or CR LF. There is no check character. Label is
// comparable (four strings); its text is the four lines joined by LF.
package seedqr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const name = "seed label QR"

// MaxText is the most characters line 1 or 2 may hold (the rule sets no
// limit; this one keeps a label's text bounded).
const MaxText = 100

// MaxUnit is the most characters of the unit identifier.
const MaxUnit = 20

// Label is the content of a seed label's QR code.
type Label struct {
	Variety  string
	Producer string
	Unit     string
	URL      string
}

var lineNames = [4]string{"variety", "producer", "unit id", "trace URL"}

// Parse validates a QR's content. Errors name the line's field and the
// 1-based character position within the whole content.
func Parse(s string) (Label, error) {
	t := field.Trim(s)
	var lines [4]string
	var starts [4]int
	rest := t
	off := 0
	for k := range 4 {
		line, after, more := strings.Cut(rest, "\n")
		if k < 3 && !more {
			return Label{}, field.Length(name, t, "4 lines (variety, producer, unit id, trace URL)")
		}
		if k == 3 && more {
			return Label{}, field.Char(name, t, off+len(line), "the end of the content (a seed QR has 4 lines)")
		}
		lines[k] = strings.TrimSuffix(line, "\r")
		starts[k] = off
		off += len(line) + 1
		rest = after
	}
	pos := func(k int) int { return utf8.RuneCountInString(t[:starts[k]]) + 1 }
	for k := range 2 {
		l := lines[k]
		n := utf8.RuneCountInString(l)
		if strings.TrimSpace(l) == "" {
			return Label{}, field.Bad(name, lineNames[k], pos(k), n, l, "is empty", cn.ErrRange)
		}
		if n > MaxText {
			return Label{}, field.Bad(name, lineNames[k], pos(k), n, l, "is longer than 100 characters", cn.ErrRange)
		}
		for i, r := range l {
			if r == utf8.RuneError || unicode.IsControl(r) {
				return Label{}, field.Char(name, t, starts[k]+i, "printable text")
			}
		}
	}
	u := lines[2]
	if u == "" || len(u) > MaxUnit {
		return Label{}, field.Bad(name, lineNames[2], pos(2), utf8.RuneCountInString(u), u, "must be 1 to 20 letters and digits", cn.ErrRange)
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; !field.IsDigit(c) && !field.IsUpper(c) && !(c >= 'a' && c <= 'z') {
			return Label{}, field.Char(name, t, starts[2]+i, "a letter or digit")
		}
	}
	url := lines[3]
	if !hasPrefixFold(url, "http://") && !hasPrefixFold(url, "https://") {
		return Label{}, field.Bad(name, lineNames[3], pos(3), utf8.RuneCountInString(url), url, "is not an http or https URL", cn.ErrRange)
	}
	for i := 0; i < len(url); i++ {
		if c := url[i]; c <= ' ' || c >= 0x7f {
			return Label{}, field.Char(name, t, starts[3]+i, "a URL character")
		}
	}
	return Label{Variety: lines[0], Producer: lines[1], Unit: u, URL: url}, nil
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// String returns the four lines joined by LF.
func (l Label) String() string { return string(l.AppendText(nil)) }

// AppendText appends the four lines joined by LF to dst: the content to
// encode in the QR code.
func (l Label) AppendText(dst []byte) []byte {
	dst = append(dst, l.Variety...)
	dst = append(dst, '\n')
	dst = append(dst, l.Producer...)
	dst = append(dst, '\n')
	dst = append(dst, l.Unit...)
	dst = append(dst, '\n')
	return append(dst, l.URL...)
}

// IsZero reports whether l is the zero value.
func (l Label) IsZero() bool { return l == Label{} }
