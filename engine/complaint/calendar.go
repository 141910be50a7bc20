package complaint

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"strings"
	"time"
)

// Calendar is a working-day calendar: Monday to Friday are working days
// except its holidays, and its workdays (调休: working Saturdays and
// Sundays) are working days too.
type Calendar struct {
	days map[int32]bool // yyyymmdd → true: working, false: holiday
	// Loc is the clock days are counted in.
	Loc *time.Location
}

//go:embed calendars/*.txt
var calendarFiles embed.FS

// DefaultCalendar returns China's calendar for 2026 and 2027
// (calendars/cn-2026.txt, cn-2027.txt, which name their sources) in China
// Standard Time.
func DefaultCalendar() *Calendar {
	c := &Calendar{days: map[int32]bool{}, Loc: time.FixedZone("CST", 8*3600)}
	for _, f := range []string{"calendars/cn-2026.txt", "calendars/cn-2027.txt"} {
		b, err := calendarFiles.ReadFile(f)
		if err != nil {
			panic("BUG: " + err.Error())
		}
		if err := c.Parse(b); err != nil {
			panic("BUG: " + f + ": " + err.Error())
		}
	}
	return c
}

// NewCalendar returns an empty calendar (weekends only) in loc.
func NewCalendar(loc *time.Location) *Calendar {
	return &Calendar{days: map[int32]bool{}, Loc: loc}
}

// Parse adds the days of a calendar file: one day a line, "yyyy-mm-dd
// holiday|workday [note]"; blank lines and lines starting with # are
// skipped. An error names the line; on error nothing is added.
func (c *Calendar) Parse(b []byte) error {
	add := map[int32]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 4096)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return fmt.Errorf("%w: calendar line %d: want \"yyyy-mm-dd holiday|workday [note]\"", ErrInvalid, n)
		}
		t, err := time.Parse("2006-01-02", f[0])
		if err != nil || t.Year() < 1990 || t.Year() > 2200 {
			return fmt.Errorf("%w: calendar line %d: date %q: want yyyy-mm-dd between 1990 and 2200", ErrInvalid, n, truncate(f[0], 40))
		}
		d := dayNum(t)
		switch f[1] {
		case "holiday":
			add[d] = false
		case "workday":
			if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return fmt.Errorf("%w: calendar line %d: %s is a %s, already a working day", ErrInvalid, n, f[0], wd)
			}
			add[d] = true
		default:
			return fmt.Errorf("%w: calendar line %d: kind %q: want holiday or workday", ErrInvalid, n, truncate(f[1], 40))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: calendar line %d: %v", ErrInvalid, n+1, err)
	}
	for d, w := range add {
		c.days[d] = w
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func dayNum(t time.Time) int32 { return int32(t.Year()*10000 + int(t.Month())*100 + t.Day()) }

// Working reports whether the day of t (in c's clock) is a working day.
func (c *Calendar) Working(t time.Time) bool {
	t = t.In(c.Loc)
	if w, ok := c.days[dayNum(t)]; ok {
		return w
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Deadline returns the end (24:00, in c's clock) of the n-th working day
// after the day of t: the day of receipt does not count (n ≥ 1).
func (c *Calendar) Deadline(t time.Time, n int) time.Time {
	d := t.In(c.Loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.Loc)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.Working(d) {
			n--
		}
	}
	return d.AddDate(0, 0, 1)
}

// Days returns the calendar's explicit days as file lines, sorted (for
// tests and the round trip of Parse).
func (c *Calendar) Days() []string {
	out := make([]string, 0, len(c.days))
	for d, w := range c.days {
		k := "holiday"
		if w {
			k = "workday"
		}
		out = append(out, fmt.Sprintf("%04d-%02d-%02d %s", d/10000, d/100%100, d%100, k))
	}
	sortStrings(out)
	return out
}
