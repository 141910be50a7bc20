package gs1

import (
	"fmt"
	"strings"
)

// Element is one GS1 element string: an Application Identifier and its
// value, e.g. {AI: "17", Value: "201225"}. It is a small comparable value.
// Elements returned by the parsers have AI set to the table's code string and
// Value aliasing the parsed input (no copy).
type Element struct {
	AI    string // 2–4 digit AI code, "01"
	Value string // the value without AI or separators
}

// String returns the human-readable form "(01)09520123456788".
func (e Element) String() string { return string(AppendHRI(nil, []Element{e})) }

// ParseHRI parses the human-readable interpretation of element strings,
// "(01)09520123456788(17)201225(10)ABC123(21)12345": each AI in brackets,
// followed by its value up to the next '(' or the end. A '(' inside a value
// is written "\(" (')' needs no escape). Every AI must be in the table and
// every value must pass (*AI).Validate; associations between AIs (req=, ex=,
// repeats) are left to ValidateElements. Errors are *AIError with Pos
// 1-based within s; after a "\(" escape in the same value, positions inside
// that value are one lower than the input byte they name.
func ParseHRI(s string) ([]Element, error) {
	if s == "" {
		return nil, &AIError{Pos: 0, Reason: "no element strings", Err: ErrSyntax}
	}
	els := make([]Element, 0, countByte(s, '('))
	i := 0
	for i < len(s) {
		if s[i] != '(' {
			return nil, &AIError{Pos: i + 1, Reason: fmt.Sprintf("expected '(' at position %d, found %q", i+1, s[i]), Err: ErrSyntax}
		}
		j := i + 1
		for j < len(s) && j-i <= 5 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j >= len(s) || s[j] != ')' {
			return nil, &AIError{Pos: i + 1, Reason: fmt.Sprintf("bracketed AI at position %d is not 2 to 4 digits followed by ')'", i+1), Err: ErrSyntax}
		}
		code := s[i+1 : j]
		if len(code) < 2 || len(code) > 4 {
			return nil, &AIError{Pos: i + 1, Reason: fmt.Sprintf("AI %q at position %d is not 2 to 4 digits", code, i+2), Err: ErrSyntax}
		}
		a, ok := LookupAI(code)
		if !ok {
			return nil, &AIError{AI: code, Pos: i + 2, Reason: fmt.Sprintf("unknown AI at position %d", i+2), Err: ErrUnknownAI}
		}
		start := j + 1
		k, escaped := start, false
		for k < len(s) && s[k] != '(' {
			if s[k] == '\\' && k+1 < len(s) && s[k+1] == '(' {
				escaped = true
				k++
			}
			k++
		}
		value := s[start:k]
		if escaped {
			value = strings.ReplaceAll(value, `\(`, "(")
		}
		if err := a.validate(value, start); err != nil {
			return nil, err
		}
		els = append(els, Element{AI: a.Code, Value: value})
		i = k
	}
	return els, nil
}

// AppendHRI appends the human-readable form of els to dst, escaping '(' in
// values as "\(" so that ParseHRI reads the same elements back. It does not
// validate.
func AppendHRI(dst []byte, els []Element) []byte {
	for _, e := range els {
		dst = append(dst, '(')
		dst = append(dst, e.AI...)
		dst = append(dst, ')')
		for i := 0; i < len(e.Value); i++ {
			if e.Value[i] == '(' {
				dst = append(dst, '\\')
			}
			dst = append(dst, e.Value[i])
		}
	}
	return dst
}

func countByte(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

// ValidateElements checks a set of element strings, as read from all the
// barcodes on one item:
//
//   - each AI is in the table and its value passes (*AI).Validate;
//   - an AI given twice must have the same value both times (a repeat with
//     the same value is allowed, ErrDuplicateAI otherwise);
//   - no two AIs are mutually exclusive (AI.Ex, ErrExclusiveAI);
//   - every requisite group of every AI is satisfied (AI.Req,
//     ErrRequiredAI);
//   - a digital signature (8030) requires that a GDTI (253), GCN (255) or
//     GRAI (8003) present carries its optional serial component, as the GS1
//     Barcode Syntax Engine checks (ErrRequiredAI).
//
// It returns the first problem found as an *AIError (Pos is 0: elements have
// no input position; the reason names the element's index) and allocates
// only on error.
func ValidateElements(els []Element) error {
	for i, e := range els {
		a, ok := LookupAI(e.AI)
		if !ok {
			return &AIError{AI: e.AI, Reason: fmt.Sprintf("element %d: unknown AI", i+1), Err: ErrUnknownAI}
		}
		if err := a.validate(e.Value, 0); err != nil {
			err.Reason = fmt.Sprintf("element %d: %s", i+1, err.Reason)
			return err
		}
	}
	for i, e := range els {
		for j := i + 1; j < len(els); j++ {
			if els[j].AI == e.AI && els[j].Value != e.Value {
				return &AIError{AI: e.AI, Reason: fmt.Sprintf("elements %d and %d give different values %q and %q", i+1, j+1, e.Value, els[j].Value), Err: ErrDuplicateAI}
			}
		}
	}
	for i, e := range els {
		a, _ := LookupAI(e.AI)
		for _, x := range a.Ex {
			if j := indexAI(els, x); j >= 0 {
				return &AIError{AI: e.AI, Reason: fmt.Sprintf("element %d must not appear together with AI (%s) (element %d)", i+1, x, j+1), Err: ErrExclusiveAI}
			}
		}
	}
	for i, e := range els {
		a, _ := LookupAI(e.AI)
		for _, group := range a.Req {
			if !reqSatisfied(els, group) {
				return &AIError{AI: e.AI, Reason: fmt.Sprintf("element %d requires %s", i+1, describeReq(group)), Err: ErrRequiredAI}
			}
		}
	}
	if j := indexAI(els, "8030"); j >= 0 {
		for i, e := range els {
			if (e.AI == "253" || e.AI == "255") && len(e.Value) <= 13 || e.AI == "8003" && len(e.Value) <= 14 {
				return &AIError{AI: e.AI, Reason: fmt.Sprintf("element %d has no serial component, which the digital signature (8030) of element %d requires", i+1, j+1), Err: ErrRequiredAI}
			}
		}
	}
	return nil
}

// indexAI returns the index of the first element with AI code, or -1.
func indexAI(els []Element, code string) int {
	for i := range els {
		if els[i].AI == code {
			return i
		}
	}
	return -1
}

// reqSatisfied reports whether one alternative of a req= group is present:
// an alternative is patterns joined by '+', each matched by some element.
func reqSatisfied(els []Element, group []string) bool {
	for _, alt := range group {
		all := true
		for alt != "" && all {
			p := alt
			if k := strings.IndexByte(alt, '+'); k >= 0 {
				p, alt = alt[:k], alt[k+1:]
			} else {
				alt = ""
			}
			found := false
			for i := range els {
				if matchAIPattern(p, els[i].AI) {
					found = true
					break
				}
			}
			all = found
		}
		if all {
			return true
		}
	}
	return false
}

// matchAIPattern reports whether code matches a dictionary pattern, in which
// 'n' stands for any digit ("31nn").
func matchAIPattern(pattern, code string) bool {
	if len(pattern) != len(code) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != 'n' && pattern[i] != code[i] {
			return false
		}
	}
	return true
}

// describeReq renders a req= group for an error: "AI (01) or AI (02)",
// "AI (01) with AI (21)", "an AI matching 31nn".
func describeReq(group []string) string {
	alts := make([]string, len(group))
	for i, alt := range group {
		parts := strings.Split(alt, "+")
		for k, p := range parts {
			if strings.Contains(p, "n") {
				parts[k] = "an AI matching " + p
			} else {
				parts[k] = "AI (" + p + ")"
			}
		}
		alts[i] = strings.Join(parts, " with ")
	}
	return strings.Join(alts, " or ")
}
