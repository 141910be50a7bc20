package cn

import (
	"errors"
	"testing"
	"time"
)

func TestParseVetCode(t *testing.T) {
	for _, tc := range []struct {
		in       string
		y        int
		m        time.Month
		d        int
		ent, rnd string
	}{
		{"202301150001212345678901", 2023, time.January, 15, "00012", "12345678901"},
		{" 202402290001200000000000\n", 2024, time.February, 29, "00012", "00000000000"}, // leap year
		{"200002299999999999999999", 2000, time.February, 29, "99999", "99999999999"},    // 2000 is a leap year
		{"000112310000000000000000", 1, time.December, 31, "00000", "00000000000"},
	} {
		c, err := ParseVetCode(tc.in)
		if err != nil {
			t.Fatalf("ParseVetCode(%q): %v", tc.in, err)
		}
		y, m, d := c.Date()
		if y != tc.y || m != tc.m || d != tc.d || c.Enterprise() != tc.ent || c.Random() != tc.rnd {
			t.Errorf("ParseVetCode(%q) = %d-%d-%d %s %s", tc.in, y, m, d, c.Enterprise(), c.Random())
		}
		if got := string(c.AppendText(nil)); got != c.String() || len(got) != 24 {
			t.Errorf("AppendText = %q", got)
		}
	}
}

func TestParseVetCodeErrors(t *testing.T) {
	for _, in := range []string{
		"202302290001212345678901", // 2023 is not a leap year
		"210002290001212345678901", // 2100 is not a leap year
		"202313010001212345678901", // month 13
		"202300100001212345678901", // month 0
		"202304310001212345678901", // 31 April
		"202301000001212345678901", // day 0
		"000001010001212345678901", // year 0
	} {
		_, err := ParseVetCode(in)
		wantFieldError(t, err, "date", 1, ErrDate)
	}
	_, err := ParseVetCode("2023011500012123456789O1")
	wantCharError(t, err, 23, 'O')
	for _, in := range []string{"20230115000121234567890", "2023011500012123456789012", ""} {
		if _, err := ParseVetCode(in); !errors.Is(err, ErrLength) {
			t.Errorf("ParseVetCode(%q) = %v, want ErrLength", in, err)
		}
	}
}

func TestNewVetCode(t *testing.T) {
	c, err := NewVetCode(2023, time.January, 15, "00012", 12345678901)
	if err != nil || c.String() != "202301150001212345678901" {
		t.Fatalf("NewVetCode = %s, %v", c, err)
	}
	for _, tc := range []struct {
		y   int
		m   time.Month
		d   int
		ent string
		rnd uint64
		err error
	}{
		{2023, time.February, 29, "00012", 1, ErrDate},
		{0, time.January, 1, "00012", 1, ErrDate},
		{10000, time.January, 1, "00012", 1, ErrDate},
		{2023, 13, 1, "00012", 1, ErrDate},
		{2023, time.January, 1, "0001", 1, ErrLength},
		{2023, time.January, 1, "0001A", 1, ErrSyntax},
		{2023, time.January, 1, "00012", maxRandom11 + 1, ErrRange},
	} {
		if _, err := NewVetCode(tc.y, tc.m, tc.d, tc.ent, tc.rnd); !errors.Is(err, tc.err) {
			t.Errorf("NewVetCode(%d, %d, %d, %q, %d) = %v, want %v", tc.y, tc.m, tc.d, tc.ent, tc.rnd, err, tc.err)
		}
	}
}

// TestDateReasonAgreesWithTime checks the calendar against package time
// for every day of four centuries (including 1900, 2000, 2100).
func TestDateReasonAgreesWithTime(t *testing.T) {
	for y := 1899; y <= 2301; y++ {
		for m := 1; m <= 12; m++ {
			for d := 0; d <= 32; d++ {
				tt := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
				real := tt.Day() == d && tt.Month() == time.Month(m)
				if got := dateReason(y, m, d) == ""; got != real {
					t.Fatalf("dateReason(%d, %d, %d) valid=%v, time says %v", y, m, d, got, real)
				}
			}
		}
	}
}
