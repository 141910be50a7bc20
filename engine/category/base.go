package category

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"tracecode/engine/code"
	"tracecode/engine/model"
)

// Base holds a profile's declarations; a profile embeds it and adds its
// Facts and Rules (and checks). Its methods implement the declarative half
// of Profile.
type Base struct {
	ID       string
	Cat      model.Category
	Label    Text
	Product  []FieldSpec
	Item     []FieldSpec
	EventSet []EventSpec
	Formats  []code.SectorFormat
}

// Name implements Profile.
func (b *Base) Name() string { return b.ID }

// Category implements Profile.
func (b *Base) Category() model.Category { return b.Cat }

// Title implements Profile.
func (b *Base) Title() Text { return b.Label }

// ProductFields implements Profile.
func (b *Base) ProductFields() []FieldSpec { return b.Product }

// ItemFields implements Profile.
func (b *Base) ItemFields() []FieldSpec { return b.Item }

// Events implements Profile.
func (b *Base) Events() []EventSpec { return b.EventSet }

// Codes implements Profile.
func (b *Base) Codes() []code.SectorFormat { return b.Formats }

// T is shorthand for a Text.
func T(zh, en string) Text { return Text{ZH: zh, EN: en} }

// F declares a field: name, labels, kind, required.
func F(name, zh, en string, k Kind, required bool) FieldSpec {
	return FieldSpec{Name: name, Label: T(zh, en), Kind: k, Required: required}
}

// Enum declares a required-or-not enum field.
func Enum(name, zh, en string, required bool, values ...string) FieldSpec {
	return FieldSpec{Name: name, Label: T(zh, en), Kind: KindEnum, Required: required, Enum: values}
}

// Num declares a decimal field within [min, max].
func Num(name, zh, en string, required bool, min, max float64) FieldSpec {
	return FieldSpec{Name: name, Label: T(zh, en), Kind: KindDecimal, Required: required, Min: min, Max: max}
}

// CodeField declares a field holding a national code of format f.
func CodeField(name, zh, en string, f code.SectorFormat, required bool) FieldSpec {
	return FieldSpec{Name: name, Label: T(zh, en), Kind: KindCode, Code: f, Required: required}
}

// Private marks a field private (kept hashed, never public).
func Private(f FieldSpec) FieldSpec { f.Private = true; return f }

// Pub returns a public fact.
func Pub(key string, label, value Text, status string) Fact {
	return Fact{Key: key, Label: label, Value: value, Status: status, Public: true}
}

// Same returns a Text with one value in both languages (a number, a code).
func Same(v string) Text { return Text{ZH: v, EN: v} }

// Intervals reads a list field of "target=days" pairs ("apple=21,
// cabbage=7"): a pesticide's safety intervals per crop, a veterinary
// drug's withdrawal periods per species.
func Intervals(r Record, field string) (map[string]int, error) {
	out := map[string]int{}
	for _, p := range r.List(field) {
		k, v, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 0 || n > 3650 || strings.TrimSpace(k) == "" {
			return nil, Errf("product", field, p, "is not target=days (days 0-3650)")
		}
		out[strings.TrimSpace(k)] = n
	}
	return out, nil
}

// SafeAfter is the end of the interval that the latest use of an input on
// a lot imposes: before it, the lot may not be harvested or slaughtered.
type SafeAfter struct {
	Time    time.Time // the first instant it is safe (zero: nothing used)
	Input   string    // the input whose use sets it
	Target  string
	Days    int
	OffList bool // the input is not registered for the target: Days is the default
}

// IntervalRule describes how a profile reads use records: the event kind
// of a use, the field naming the input (a key of History.Inputs or a
// national trace code: History.Input), the field naming the target (crop
// or species), the input product's field of intervals, and the interval
// taken when the input is not registered for the target (off-label use).
type IntervalRule struct {
	UseKind, InputField, TargetField, IntervalsField string
	DefaultDays                                      int
}

// SafeAfter computes when the interval after the latest relevant use ends,
// over the uses in h recorded before at.
func (ir IntervalRule) SafeAfter(h *History, at time.Time) SafeAfter {
	var s SafeAfter
	for i := range h.Events {
		e := &h.Events[i]
		if e.Kind != ir.UseKind || e.Time.After(at) {
			continue
		}
		input, target := e.Fields.Get(ir.InputField), e.Fields.Get(ir.TargetField)
		days, off := ir.DefaultDays, true
		if iv, err := Intervals(h.Input(input), ir.IntervalsField); err == nil {
			if d, ok := iv[target]; ok {
				days, off = d, false
			}
		}
		end := e.Time.AddDate(0, 0, days)
		if end.After(s.Time) {
			s = SafeAfter{Time: end, Input: input, Target: target, Days: days, OffList: off}
		}
	}
	return s
}

// Inside reports whether at falls inside the interval s.
func (s SafeAfter) Inside(at time.Time) bool { return !s.Time.IsZero() && at.Before(s.Time) }

// Describe says in words what s is.
func (s SafeAfter) Describe(what Text) Text {
	off := ""
	offEN := ""
	if s.OffList {
		off, offEN = "(该投入品未登记用于此对象,按默认间隔)", " (not registered for this target: the default interval)"
	}
	return T(fmt.Sprintf("%s:%s 用于 %s 后 %d 天,%s 前不得采收或屠宰%s", what.ZH, s.Input, s.Target, s.Days, s.Time.Format("2006-01-02 15:04"), off),
		fmt.Sprintf("%s: %s used on %s, %d days, not before %s%s", what.EN, s.Input, s.Target, s.Days, s.Time.Format("2006-01-02 15:04"), offEN))
}
