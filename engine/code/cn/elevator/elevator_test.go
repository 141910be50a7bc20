package elevator

import (
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(kind, in string) string {
	switch kind {
	case "reg":
		c, err := ParseRegCode(in)
		if err != nil {
			return fieldtest.Error(err)
		}
		y, m := c.Registered()
		zh, en := KindName(c[0])
		return fmt.Sprintf("ok %s\nclass %s (%s, %s)\nregion %s %s\nregistered %04d-%02d\nsequence %s\nelevator %v",
			c, c.Class(), zh, en, c.Region(), c.Region().FullName(cn.Chinese), y, int(m), c.Sequence(), c.IsElevator())
	case "device":
		c, err := ParseDeviceCode(in)
		if err != nil {
			return fieldtest.Error(err)
		}
		zh, en := KindName(c[0])
		return fmt.Sprintf("ok %s\nvariety %s (%s, %s)\nmaker %s national %v\nyear %d\nsequence %s",
			c, c.Variety(), zh, en, c.Maker(), c.NationalLicence(), c.Year(), c.Sequence())
	case "rescue":
		r, err := ParseRescueID(in)
		if err != nil {
			return fieldtest.Error(err)
		}
		return "ok " + r.String()
	}
	return "unknown kind " + kind
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

// TestErrorsNamePositions checks the field and 1-based position each
// rejection names.
func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
		device    bool
	}{
		{"31106201022019110001", "", 0, false},
		{"3110620102201911000A", "char", 20, false},
		{"01106201022019110001", "class", 1, false},
		{"31109901022019110001", "region", 5, false},
		{"31106201021949110001", "year", 11, false},
		{"31106201022019130001", "month", 15, false},
		{"311010890202000001", "", 0, true},
		{"31101089020200000A", "char", 18, true},
		{"3110108902020!0001", "char", 14, true},
		{"311099890202000001", "licensing authority", 5, true},
		{"311010890180000001", "year", 10, true},
		{"011010890202000001", "variety", 1, true},
	} {
		var err error
		if tc.device {
			_, err = ParseDeviceCode(tc.in)
		} else {
			_, err = ParseRegCode(tc.in)
		}
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted, want an error at %s %d", tc.in, tc.field, tc.pos)
			continue
		}
		if f, p := fieldtest.Position(err); f != tc.field || p != tc.pos {
			t.Errorf("%s: error %v names %s at %d, want %s at %d", tc.in, err, f, p, tc.field, tc.pos)
		}
		if !fieldtest.WrapsSentinel(err) {
			t.Errorf("%s: %v wraps no cn sentinel", tc.in, err)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() {
		a, _ := ParseRegCode("31106201022019110001\r\n")
		b, _ := ParseDeviceCode("3110108902020A0001")
		r, _ := ParseRescueID("62001")
		sink = a.IsZero() || b.IsZero() || r.IsZero()
	}); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

func FuzzParseRegCode(f *testing.F) {
	for _, s := range []string{"21603101012006010101", "31106201022019110001", " 31106201022019110001\n", "3110620102201913000", "０1106201022019110001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseRegCode(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		c2, err := ParseRegCode(string(c.AppendText(nil)))
		if err != nil || c2 != c || c.String() != strings.TrimSpace(s) {
			t.Fatalf("%q: round trip %v %v", s, c2, err)
		}
		if c.Class()+c.Region().String()+fmt.Sprintf("%04d%02d", year(c), month(c))+c.Sequence() != c.String() {
			t.Fatalf("%s: fields do not make up the code", c)
		}
	})
}

func year(c RegCode) int  { y, _ := c.Registered(); return y }
func month(c RegCode) int { _, m := c.Registered(); return int(m) }

func FuzzParseDeviceCode(f *testing.F) {
	for _, s := range []string{"311010890202000001", "3110108902020A0001", "21506289020199999", "3110108902020a0001", "3110 10890 2020 00001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseDeviceCode(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		c2, err := ParseDeviceCode(string(c.AppendText(nil)))
		if err != nil || c2 != c || !strings.EqualFold(c.String(), strings.TrimSpace(s)) {
			t.Fatalf("%q: round trip %v %v", s, c2, err)
		}
		if c.Variety()+c.Maker()+fmt.Sprint(c.Year())+c.Sequence() != c.String() {
			t.Fatalf("%s: fields do not make up the code", c)
		}
	})
}

func FuzzParseRescueID(f *testing.F) {
	for _, s := range []string{"62001", "620011", "6200", "62a01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRescueID(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if r2, err := ParseRescueID(r.String()); err != nil || r2 != r {
			t.Fatalf("%q: round trip %v %v", s, r2, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.Run("kind=reg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseRegCode("31106201022019110001"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kind=device", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseDeviceCode("3110108902020A0001"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
