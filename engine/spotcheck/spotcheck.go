// Package spotcheck keeps the regulators' random spot checks (双随机、一公开):
// check plans (事项清单) with a sampling ratio per risk class, seeded and
// auditable draws of the organisations to inspect and of the inspectors
// who inspect them (draw.go, the algorithm an outsider can re-run), and
// the results with their standard result codes, published on the public
// pages. The engine's facade (engine/spotcheck.go) builds the population
// from the registered organisations and accounts, checks who may act, and
// links results to the chain and the credit ledger.
package spotcheck

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The package's sentinels; every error wraps one of them.
var (
	ErrInvalid   = errors.New("spotcheck: invalid")
	ErrNotFound  = errors.New("spotcheck: not found")
	ErrForbidden = errors.New("spotcheck: not allowed")
	ErrConflict  = errors.New("spotcheck: conflict")
)

// Class is a risk class of an organisation. The numeric values are
// persisted: never renumber them.
type Class uint8

// The risk classes, lowest first.
const (
	Low        Class = 1 // 低
	Medium     Class = 2 // 中 (every organisation without a credit record)
	MediumHigh Class = 3 // 中高
	High       Class = 4 // 高
)

var classNames = [...]string{"", "low", "medium", "medium-high", "high"}
var classZH = [...]string{"", "低风险", "中风险", "中高风险", "高风险"}

// Classes lists the classes in the order a draw takes its strata: high first.
var Classes = [...]Class{High, MediumHigh, Medium, Low}

// Valid reports whether c is one of the four classes.
func (c Class) Valid() bool { return c >= Low && c <= High }

// String returns the class's name in plan and population files ("medium-high").
func (c Class) String() string {
	if c.Valid() {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// ZH returns the class's Chinese name.
func (c Class) ZH() string {
	if c.Valid() {
		return classZH[c]
	}
	return c.String()
}

// ParseClass parses a class name.
func ParseClass(s string) (Class, error) {
	for i := 1; i < len(classNames); i++ {
		if classNames[i] == s {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("%w: class %q: want high, medium-high, medium or low", ErrInvalid, s)
}

// Risk says an organisation's risk class by its USCC (the credit ledger's
// view). A nil Risk classes every organisation Medium.
type Risk func(uscc string) Class

// Code is a result code of an inspection, as the national enterprise
// credit publicity system (国家企业信用信息公示系统) publishes them. The
// numeric values are persisted: never renumber them.
type Code uint8

// The result codes.
const (
	NoProblem     Code = 1 // 未发现问题
	NotDisclosed  Code = 2 // 未按规定公示
	Unreachable   Code = 3 // 通过登记的住所无法联系
	Corrected     Code = 4 // 发现问题已责令改正
	FollowUp      Code = 5 // 待后续处理
	Nonconforming Code = 6 // 不合格
	Other         Code = 7 // 其他
)

var codeNames = [...]string{"", "no-problem", "not-disclosed", "unreachable", "corrected", "follow-up", "nonconforming", "other"}
var codeZH = [...]string{"", "未发现问题", "未按规定公示", "通过登记的住所无法联系", "发现问题已责令改正", "待后续处理", "不合格", "其他"}
var codeEN = [...]string{"", "No problem found", "Did not publish as required", "Cannot be reached at the registered address",
	"Problem found, ordered to correct", "Pending further handling", "Nonconforming", "Other"}

// Codes lists every result code.
var Codes = [...]Code{NoProblem, NotDisclosed, Unreachable, Corrected, FollowUp, Nonconforming, Other}

// Valid reports whether c is a result code.
func (c Code) Valid() bool { return c >= NoProblem && c <= Other }

// String returns the code's API name ("not-disclosed").
func (c Code) String() string {
	if c.Valid() {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", uint8(c))
}

// Text returns the code's wording in lang ("zh" or "en").
func (c Code) Text(lang string) string {
	if !c.Valid() {
		return c.String()
	}
	if lang == "en" {
		return codeEN[c]
	}
	return codeZH[c]
}

// Failed reports whether the result is a failed check that the credit
// ledger records: not published as required, unreachable, a problem
// ordered corrected, nonconforming.
func (c Code) Failed() bool {
	return c == NotDisclosed || c == Unreachable || c == Corrected || c == Nonconforming
}

// ParseCode parses a result code by its API name or its Chinese wording.
func ParseCode(s string) (Code, error) {
	for i := 1; i < len(codeNames); i++ {
		if codeNames[i] == s || codeZH[i] == s {
			return Code(i), nil
		}
	}
	return 0, fmt.Errorf("%w: code %q: want one of %s", ErrInvalid, s, strings.Join(codeNames[1:], ", "))
}

// checkText refuses text that is too long, not UTF-8 or holds control
// characters, naming field.
func checkText(field, s string, max int, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("%w: %s: empty", ErrInvalid, field)
	case len(s) > max:
		return fmt.Errorf("%w: %s: %d bytes, at most %d", ErrInvalid, field, len(s), max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s: not UTF-8", ErrInvalid, field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %s: control character %U", ErrInvalid, field, r)
		}
	}
	return nil
}

// parseHundredths reads a percentage of at most two decimals ("2",
// "0.5", "12.25") into hundredths of a percent (basis points), 0–10000.
func parseHundredths(field, s string) (uint16, error) {
	whole, frac, dot := strings.Cut(s, ".")
	bad := fmt.Errorf("%w: %s: %q: want a percentage 0–100 with at most two decimals", ErrInvalid, field, s)
	if whole == "" || len(whole) > 3 || (dot && (frac == "" || len(frac) > 2)) {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	w, _ := strconv.Atoi(whole)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.Atoi(frac)
	v := w*100 + f
	if v > 10000 {
		return 0, bad
	}
	return uint16(v), nil
}

// formatHundredths writes basis points as the shortest percentage.
func formatHundredths(v uint16) string {
	s := strconv.Itoa(int(v / 100))
	if f := v % 100; f != 0 {
		fs := fmt.Sprintf("%02d", f)
		s += "." + strings.TrimRight(fs, "0")
	}
	return s
}
