package category

import (
	"time"

	"tracecode/engine/code/cn"
)

// Date is a calendar date as days since 1970-01-01 (the proleptic
// Gregorian calendar). Date arithmetic is integer arithmetic: no time
// zones, no allocation. The zero value is 1970-01-01; NoDate (-1 << 31)
// means none.
type Date int32

// NoDate is the Date of nothing recorded.
const NoDate Date = -1 << 31

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return MakeDate(y, int(m), d)
}

// MakeDate returns the date y-m-d (m 1-12; days past the month's end roll
// over, as time.Date does).
func MakeDate(y, m, d int) Date {
	// Howard Hinnant's days_from_civil.
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 719468)
}

// Civil returns the year, month and day of d.
func (d Date) Civil() (y, m, day int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, day
}

// AddMonths returns d plus n months, clamped to the last day of the target
// month (2024-01-31 + 1 month = 2024-02-29): an inspection due "one period
// later" falls in that month.
func (d Date) AddMonths(n int) Date {
	y, m, day := d.Civil()
	t := y*12 + (m - 1) + n
	ny, nm := t/12, t%12+1
	if t < 0 && t%12 != 0 {
		ny, nm = (t-11)/12, (t%12+12)%12+1
	}
	if last := daysIn(ny, nm); day > last {
		day = last
	}
	return MakeDate(ny, nm, day)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return NoDate, false
	}
	return DateOf(t), true
}

// String returns YYYY-MM-DD ("" for NoDate).
func (d Date) String() string {
	if d == NoDate {
		return ""
	}
	y, m, day := d.Civil()
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func checkRegion(v string) error {
	_, err := cn.ParseRegion(v)
	return err
}

func checkUSCC(v string) error {
	_, err := cn.ParseUSCC(v)
	return err
}
