package cn

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDrugCode(t *testing.T) {
	for _, tc := range []struct {
		in, want, product, serial string
		msfx                      bool
	}{
		{"81234560000000000012", "81234560000000000012", "8123456", "0000000000012", true},
		{"\t 81234560000000000012\r\n", "81234560000000000012", "8123456", "0000000000012", true},
		{"\u300012345678901234567890", "12345678901234567890", "1234567", "8901234567890", false},
	} {
		c, err := ParseDrugCode(tc.in)
		if err != nil {
			t.Fatalf("ParseDrugCode(%q): %v", tc.in, err)
		}
		if c.String() != tc.want || c.ProductID() != tc.product || c.Serial() != tc.serial || c.IsMaShangFangXin() != tc.msfx {
			t.Errorf("ParseDrugCode(%q) = %s product %s serial %s msfx %v, want %s %s %s %v",
				tc.in, c, c.ProductID(), c.Serial(), c.IsMaShangFangXin(), tc.want, tc.product, tc.serial, tc.msfx)
		}
		if string(c.AppendText([]byte("x"))) != "x"+tc.want {
			t.Errorf("AppendText of %s", c)
		}
	}
}

func TestParseDrugCodeErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pos  int
		char rune
	}{
		{"8123A560000000000012", 5, 'A'},
		{"81234560000000000012X", 21, 'X'},
		{"8１234560000000000012", 2, '１'},         // full-width digit from an input method
		{"8123456 0000000000012", 8, ' '},        // inner space is not forgiven
		{"81234560-000000000012", 9, '-'},        // nor a hyphen
		{"\xff1234560000000000012", 1, '\uFFFD'}, // invalid UTF-8
		{"药品81234560000000000", 1, '药'},
	} {
		_, err := ParseDrugCode(tc.in)
		wantCharError(t, err, tc.pos, tc.char)
	}
	for _, in := range []string{"", "   ", "8123456000000000001", "812345600000000000123"} {
		if _, err := ParseDrugCode(in); !errors.Is(err, ErrLength) {
			t.Errorf("ParseDrugCode(%q) = %v, want ErrLength", in, err)
		}
	}
	_, err := ParseDrugCode("8１234560000000000012")
	if !strings.Contains(err.Error(), "full-width") {
		t.Errorf("error %q does not say full-width", err)
	}
}

func TestNewDrugCode(t *testing.T) {
	c, err := NewDrugCode("8123456", 12)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != "81234560000000000012" {
		t.Fatalf("NewDrugCode = %s", c)
	}
	if c, err := NewDrugCode("1234567", maxSerial13); err != nil || c.Serial() != "9999999999999" {
		t.Fatalf("NewDrugCode(max) = %s, %v", c, err)
	}
	if _, err := NewDrugCode("1234567", maxSerial13+1); !errors.Is(err, ErrRange) {
		t.Errorf("serial 10^13: %v, want ErrRange", err)
	}
	if _, err := NewDrugCode("123456", 1); !errors.Is(err, ErrLength) {
		t.Errorf("6-digit product: %v, want ErrLength", err)
	}
	_, err = NewDrugCode("12E4567", 1)
	wantCharError(t, err, 3, 'E')
	if !(DrugCode{}).IsZero() || c.IsZero() {
		t.Error("IsZero")
	}
}
