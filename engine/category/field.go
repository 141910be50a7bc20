package category

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tracecode/engine/code"
)

// ErrInvalid is wrapped by every validation error of this package and of
// the profiles.
var ErrInvalid = errors.New("category: invalid")

// Text is a text in Chinese and English.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In returns the text in language lang ("zh" or "en"; anything else is
// Chinese).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Kind is the type of a field's value.
type Kind uint8

// The field kinds. Values are always held as text; the kind says how the
// text must read.
const (
	KindText    Kind = iota + 1 // free text (MaxLen characters, default 200)
	KindInt                     // a decimal integer within [Min, Max] (see FieldSpec)
	KindDecimal                 // a decimal number within [Min, Max] (see FieldSpec)
	KindDate                    // a calendar date 2006-01-02
	KindTime                    // an RFC 3339 time with offset
	KindEnum                    // one of Enum
	KindBool                    // true or false
	KindCode                    // a national code of format Code (validated by its parser)
	KindRegion                  // a GB/T 2260 code or 9-digit township code
	KindUSCC                    // an 18-character unified social credit code
	KindList                    // a comma-separated list of texts (each ≤ MaxLen)
)

var kindNames = [...]string{"", "text", "int", "decimal", "date", "time", "enum", "bool", "code", "region", "uscc", "list"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// FieldSpec declares one field of master data or of an event.
type FieldSpec struct {
	// Name is the field's key: the JSON member and, in EPCIS, the local
	// name of the extension member in NS ("medium" → "tc:medium").
	Name     string
	Label    Text
	Kind     Kind
	Required bool
	// Enum lists the allowed values of a KindEnum field.
	Enum []string
	// Code is the format of a KindCode field.
	Code code.SectorFormat
	// Min and Max bound a KindInt or KindDecimal field when Max ≥ Min and
	// either is non-zero (Min = Max = 16: exactly 16).
	Min, Max float64
	// MaxLen bounds a text or list element in characters (0: 200).
	MaxLen int
	// Private fields (an agent's identity number, a buyer's) are kept
	// hashed by the engine and never shown on public pages.
	Private bool
}

// bounded reports whether Min and Max bound the field.
func (f *FieldSpec) bounded() bool { return f.Max >= f.Min && (f.Max != 0 || f.Min != 0) }

// Record holds field values by name, as text.
type Record map[string]string

// Get returns the value of field name ("" if absent).
func (r Record) Get(name string) string { return r[name] }

// Has reports whether field name has a non-empty value.
func (r Record) Has(name string) bool { return r[name] != "" }

// Float returns a decimal field's value.
func (r Record) Float(name string) (float64, bool) {
	v, err := strconv.ParseFloat(r[name], 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// Int returns an integer field's value.
func (r Record) Int(name string) (int64, bool) {
	v, err := strconv.ParseInt(r[name], 10, 64)
	return v, err == nil
}

// Time returns a time field's value.
func (r Record) Time(name string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, r[name])
	return t, err == nil
}

// Date returns a date field's value as a Date.
func (r Record) Date(name string) (Date, bool) {
	return ParseDate(r[name])
}

// Bool returns a bool field's value (false when absent).
func (r Record) Bool(name string) bool { return r[name] == "true" }

// List returns a list field's elements.
func (r Record) List(name string) []string {
	v := r[name]
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// FieldError is a field that is missing or whose value is wrong.
type FieldError struct {
	Scope  string // "product", "item", or the event kind
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("category: %s field %q: %s", e.Scope, e.Field, e.Reason)
	}
	return fmt.Sprintf("category: %s field %q = %q: %s", e.Scope, e.Field, e.Value, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Errf returns a *FieldError: the helper profiles use for their own checks.
func Errf(scope, field, value, format string, args ...any) error {
	return &FieldError{Scope: scope, Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// validate checks rec against specs in scope and returns every problem
// joined (errors.Join), unknown fields included: a field the profile does
// not declare is refused, so a typo does not pass silently.
func validate(scope string, specs []FieldSpec, rec Record) error {
	var errs []error
	for _, f := range specs {
		v, ok := rec[f.Name]
		if !ok || v == "" {
			if f.Required {
				errs = append(errs, &FieldError{Scope: scope, Field: f.Name, Reason: "is required (" + f.Label.ZH + ", " + f.Label.EN + ")"})
			}
			continue
		}
		if err := checkValue(scope, &f, v); err != nil {
			errs = append(errs, err)
		}
	}
	var unknown []string
	for k := range rec {
		if !slices.ContainsFunc(specs, func(f FieldSpec) bool { return f.Name == k }) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		errs = append(errs, &FieldError{Scope: scope, Field: k, Reason: "is not a field of this category (see docs/categories.md)"})
	}
	return errors.Join(errs...)
}

// checkValue checks one value against its spec.
func checkValue(scope string, f *FieldSpec, v string) error {
	bad := func(format string, args ...any) error {
		return &FieldError{Scope: scope, Field: f.Name, Value: v, Reason: fmt.Sprintf(format, args...)}
	}
	maxLen := f.MaxLen
	if maxLen == 0 {
		maxLen = 200
	}
	if !utf8.ValidString(v) {
		return bad("is not UTF-8")
	}
	switch f.Kind {
	case KindText:
		if n := utf8.RuneCountInString(v); n > maxLen {
			return bad("has %d characters, at most %d", n, maxLen)
		}
		if strings.TrimSpace(v) == "" {
			return bad("is blank")
		}
	case KindList:
		for i, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" || utf8.RuneCountInString(p) > maxLen {
				return bad("element %d is empty or longer than %d characters", i+1, maxLen)
			}
		}
	case KindInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return bad("is not an integer")
		}
		if f.bounded() && (float64(n) < f.Min || float64(n) > f.Max) {
			return bad("is outside %g to %g", f.Min, f.Max)
		}
	case KindDecimal:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return bad("is not a decimal number")
		}
		if f.bounded() && (x < f.Min || x > f.Max) {
			return bad("is outside %g to %g", f.Min, f.Max)
		}
	case KindDate:
		if _, ok := ParseDate(v); !ok {
			return bad("is not a date YYYY-MM-DD")
		}
	case KindTime:
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return bad("is not an RFC 3339 time with offset (2026-02-01T08:00:00+08:00)")
		}
	case KindEnum:
		if !slices.Contains(f.Enum, v) {
			return bad("is not one of %s", strings.Join(f.Enum, ", "))
		}
	case KindBool:
		if v != "true" && v != "false" {
			return bad("is not true or false")
		}
	case KindCode:
		if r := code.ParseSectorAs(v, f.Code); r.Err != nil {
			return &FieldError{Scope: scope, Field: f.Name, Value: v, Reason: r.Err.Error()}
		}
	case KindRegion:
		if err := checkRegion(v); err != nil {
			return &FieldError{Scope: scope, Field: f.Name, Value: v, Reason: err.Error()}
		}
	case KindUSCC:
		if err := checkUSCC(v); err != nil {
			return &FieldError{Scope: scope, Field: f.Name, Value: v, Reason: err.Error()}
		}
	default:
		return bad("has an undefined kind %v", f.Kind)
	}
	return nil
}
