package agrireg

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
)

func TestParsers(t *testing.T) {
	parse := map[string]func(string) (string, error){
		"feed":     FeedLicence,
		"additive": FeedAdditive,
		"fert": func(s string) (string, error) {
			c, tmp, err := Fertiliser(s)
			if tmp {
				c += " temporary"
			}
			return c, err
		},
		"seed": func(s string) (string, error) {
			c, nat, err := Variety(s)
			if nat {
				c += " national"
			}
			return c, err
		},
	}
	for _, tc := range []struct{ kind, in, want, err string }{
		{"feed", "甘饲证（2019）01001", "甘饲证（2019）01001", ""},
		{"feed", " 京饲证(2014)06001 ", "京饲证（2014）06001", ""},
		{"feed", "X饲证（2019）01001", "", "position 1 is not a province"},
		{"feed", "甘饲料（2019）01001", "", "position 3"},
		{"feed", "甘饲证（1919）01001", "", "year"},
		{"feed", "甘饲证（2019）0100", "", "characters, want"},
		{"feed", "甘饲证（2019）010011", "", "end of the number"},
		{"feed", "甘饲证（2019〕01001", "", "closing parenthesis"},
		{"additive", "京饲添字（2014）105001", "京饲添字（2014）105001", ""},
		{"additive", "京饲添字（2014）10500a", "", "digit of the sequence"},
		{"fert", "农肥（2019）准字1234号", "农肥（2019）准字1234号", ""},
		{"fert", "农肥(2019)临字1234号", "农肥（2019）临字1234号 temporary", ""},
		{"fert", "甘农肥（2019）准字12345号", "甘农肥（2019）准字12345号", ""},
		{"fert", "农肥（2019）备字1234号", "", "准 (registration) or 临"},
		{"fert", "农肥（2019）准字123号", "", "digit of the sequence"},
		{"fert", "农肥（2019）准字1234", "", "characters, want"},
		{"fert", "X农肥（2019）准字1234号", "", "province"},
		{"seed", "国审玉20210001", "国审玉20210001 national", ""},
		{"seed", "甘审玉2020012", "甘审玉2020012", ""},
		{"seed", "甘审菜2020012", "", "crop abbreviation"},
		{"seed", "甘审玉2020", "", "characters, want"},
		{"seed", "甘审玉202001234", "", "end of the number"},
		{"seed", "国玉20210001", "", "position 2"},
		{"seed", "", "", "characters, want"},
	} {
		got, err := parse[tc.kind](tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("%s %q: %q, %v; want %q", tc.kind, tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %q: %v, want an error with %q", tc.kind, tc.in, err, tc.err)
		}
		if err != nil && !errors.Is(err, cn.ErrSyntax) && !errors.Is(err, cn.ErrLength) && !errors.Is(err, cn.ErrDate) {
			t.Errorf("%s %q: %v wraps no cn sentinel", tc.kind, tc.in, err)
		}
	}
}

// FuzzParse: no parser panics; each refuses with a cn sentinel, and what
// it accepts parses again to the same canonical text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"甘饲证（2019）01001", "京饲添字(2014)105001", "甘农肥（2019）准字1234号", "国审玉20210001", "甘审玉2020012", "\xff", "甘"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []func(string) (string, error){FeedLicence, FeedAdditive,
			func(s string) (string, error) { c, _, err := Fertiliser(s); return c, err },
			func(s string) (string, error) { c, _, err := Variety(s); return c, err }} {
			c, err := p(s)
			if err != nil {
				if !errors.Is(err, cn.ErrSyntax) && !errors.Is(err, cn.ErrLength) && !errors.Is(err, cn.ErrDate) {
					t.Fatalf("%q: %v wraps no cn sentinel", s, err)
				}
				continue
			}
			if c2, err := p(c); err != nil || c2 != c {
				t.Fatalf("%q → %q → %q, %v", s, c, c2, err)
			}
		}
	})
}
