package cn

import (
	"fmt"
	"time"
)

const vetName = "vet-drug trace code"

// VetCode is a 24-digit veterinary-drug trace code (兽药追溯码), printed in a
// QR code on each sales unit:
//
//	digits 1-8    production date YYYYMMDD (a real Gregorian date, year ≥ 1)
//	digits 9-13   enterprise code (5 digits)
//	digits 14-24  random part (11 digits)
//
// There is no check digit. The array holds the 24 ASCII digits. The zero
// value is not a valid code. VetCode is comparable and usable as a map key.
type VetCode [24]byte

// ParseVetCode validates a 24-digit veterinary-drug trace code, including
// that its first 8 digits are a calendar date. White space around the code is
// ignored (see the package doc). It allocates nothing when it succeeds.
func ParseVetCode(s string) (VetCode, error) {
	var c VetCode
	t := trim(s)
	if err := checkDigits(vetName, t); err != nil {
		return c, err
	}
	if len(t) != len(c) {
		return c, lengthError(vetName, t, len(c))
	}
	if err := checkDate(vetName, t[:8]); err != nil {
		return c, err
	}
	copy(c[:], t)
	return c, nil
}

// maxRandom11 is the largest 11-digit number.
const maxRandom11 = 99_999_999_999

// NewVetCode builds a veterinary-drug trace code from its production date,
// 5-digit enterprise code and the number formed by its 11 random digits
// (0 ≤ random < 10^11, written with leading zeros).
func NewVetCode(year int, month time.Month, day int, enterprise string, random uint64) (VetCode, error) {
	var c VetCode
	if year > 9999 {
		return c, fmt.Errorf("%w: %s year %d has more than 4 digits", ErrDate, vetName, year)
	}
	if reason := dateReason(year, int(month), day); reason != "" {
		return c, fmt.Errorf("%w: %s date %04d-%02d-%02d: %s", ErrDate, vetName, year, int(month), day, reason)
	}
	if err := checkDigits(vetName+" enterprise code", enterprise); err != nil {
		return c, err
	}
	if len(enterprise) != 5 {
		return c, lengthError(vetName+" enterprise code", enterprise, 5)
	}
	if random > maxRandom11 {
		return c, fmt.Errorf("%w: %s random part %d has more than 11 digits", ErrRange, vetName, random)
	}
	putDigits(c[0:4], uint64(year))
	putDigits(c[4:6], uint64(month))
	putDigits(c[6:8], uint64(day))
	copy(c[8:13], enterprise)
	putDigits(c[13:], random)
	return c, nil
}

// Date returns the production date.
func (c VetCode) Date() (year int, month time.Month, day int) {
	return atoi(c[0:4]), time.Month(atoi(c[4:6])), atoi(c[6:8])
}

// Enterprise returns the 5-digit enterprise code.
func (c VetCode) Enterprise() string { return string(c[8:13]) }

// Random returns the 11 random digits.
func (c VetCode) Random() string { return string(c[13:]) }

// String returns the 24 digits.
func (c VetCode) String() string { return string(c[:]) }

// AppendText appends the 24 digits to dst.
func (c VetCode) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c VetCode) IsZero() bool { return c[0] == 0 }

// checkDate verifies that the 8 ASCII digits in d are a Gregorian calendar
// date YYYYMMDD with year ≥ 1. d is at positions 1-8 of the code.
func checkDate(code, d string) error {
	if reason := dateReason(atoi(d[0:4]), atoi(d[4:6]), atoi(d[6:8])); reason != "" {
		return &FieldError{Code: code, Field: "date", Pos: 1, Len: 8, Value: d, Reason: reason, Err: ErrDate}
	}
	return nil
}

// dateReason says why year y, month m, day d is not a Gregorian calendar
// date with year ≥ 1, or returns "" if it is one.
func dateReason(y, m, d int) string {
	switch {
	case y < 1:
		return "there is no year 0"
	case m < 1 || m > 12:
		return fmt.Sprintf("month %02d is not 01-12", m)
	case d < 1 || d > daysIn(y, m):
		return fmt.Sprintf("day %02d is not 01-%02d in %s %04d", d, daysIn(y, m), time.Month(m), y)
	}
	return ""
}

// daysIn returns the number of days in month m (1-12) of Gregorian year y.
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

// atoi converts ASCII digits, already validated, to an int.
func atoi[S ~string | ~[]byte](s S) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// putDigits writes v into dst as decimal digits with leading zeros, keeping
// the low len(dst) digits.
func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}
