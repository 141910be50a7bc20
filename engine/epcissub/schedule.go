package epcissub

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a subscription's query schedule (EPCIS 2.0 §8.2.5.3, the
// REST binding's query-schedule): each field lists the values at which
// the query runs — a number, a range "lo-hi" (or "[lo-hi]"), or a
// comma-separated list of them. An empty field means every value, except
// Second, which means 0 (a schedule fires at most once a minute unless
// it names seconds). Times are in the engine's time zone.
type Schedule struct {
	Second     string `json:"second,omitzero"`
	Minute     string `json:"minute,omitzero"`
	Hour       string `json:"hour,omitzero"`
	DayOfMonth string `json:"dayOfMonth,omitzero"`
	Month      string `json:"month,omitzero"`
	DayOfWeek  string `json:"dayOfWeek,omitzero"` // 1 Monday … 7 Sunday
}

// IsZero reports whether no field is set (no schedule).
func (s Schedule) IsZero() bool { return s == Schedule{} }

// fields are a schedule's sets of allowed values, bit i set: value i.
type fields struct {
	sec, min, hour uint64
	dom, month     uint64
	dow            uint64
}

// compile checks and reads s.
func (s Schedule) compile() (fields, error) {
	var f fields
	var err error
	for _, c := range [...]struct {
		name   string
		v      string
		lo, hi int
		empty  uint64
		dst    *uint64
	}{
		{"second", s.Second, 0, 59, 1, &f.sec},
		{"minute", s.Minute, 0, 59, 1<<60 - 1, &f.min},
		{"hour", s.Hour, 0, 23, 1<<24 - 1, &f.hour},
		{"dayOfMonth", s.DayOfMonth, 1, 31, (1<<32 - 1) &^ 1, &f.dom},
		{"month", s.Month, 1, 12, (1<<13 - 1) &^ 1, &f.month},
		{"dayOfWeek", s.DayOfWeek, 1, 7, (1<<8 - 1) &^ 1, &f.dow},
	} {
		if c.v == "" {
			*c.dst = c.empty
			continue
		}
		if *c.dst, err = parseField(c.name, c.v, c.lo, c.hi); err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseField reads one field: values and ranges, comma-separated.
func parseField(name, v string, lo, hi int) (uint64, error) {
	if len(v) > 200 {
		return 0, fmt.Errorf("%w: schedule.%s: %d characters, more than 200", ErrInvalid, name, len(v))
	}
	var set uint64
	for part := range strings.SplitSeq(v, ",") {
		p := strings.TrimSpace(part)
		if strings.HasPrefix(p, "[") && strings.HasSuffix(p, "]") {
			p = p[1 : len(p)-1]
		}
		a, b, isRange := strings.Cut(p, "-")
		x, err1 := strconv.Atoi(a)
		y := x
		var err2 error
		if isRange {
			y, err2 = strconv.Atoi(b)
		}
		switch {
		case err1 != nil || err2 != nil:
			return 0, fmt.Errorf("%w: schedule.%s=%q: %q is not a number or a range lo-hi", ErrInvalid, name, v, part)
		case x < lo || y > hi || x > y:
			return 0, fmt.Errorf("%w: schedule.%s=%q: %q is outside %d-%d", ErrInvalid, name, v, part, lo, hi)
		}
		for i := x; i <= y; i++ {
			set |= 1 << i
		}
	}
	return set, nil
}

// Check reports a malformed field, naming it.
func (s Schedule) Check() error {
	_, err := s.compile()
	return err
}

// Next returns the first time after t at which s fires, in loc; ok is
// false when none comes within five years (31 February).
func (s Schedule) Next(t time.Time, loc *time.Location) (time.Time, bool) {
	f, err := s.compile()
	if err != nil {
		return time.Time{}, false
	}
	has := func(set uint64, v int) bool { return set&(1<<v) != 0 }
	t = t.In(loc).Truncate(time.Second).Add(time.Second)
	end := t.AddDate(5, 0, 0)
	for t.Before(end) {
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		switch {
		case !has(f.month, int(t.Month())) || !has(f.dom, t.Day()) || !has(f.dow, wd):
			y, m, d := t.Date()
			t = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		case !has(f.hour, t.Hour()):
			y, m, d := t.Date()
			t = time.Date(y, m, d, t.Hour()+1, 0, 0, 0, loc)
		case !has(f.min, t.Minute()):
			y, m, d := t.Date()
			t = time.Date(y, m, d, t.Hour(), t.Minute()+1, 0, 0, loc)
		case !has(f.sec, t.Second()):
			t = t.Add(time.Second)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}
