package cn

import (
	"errors"
	"strings"
	"testing"
)

// wrapsSentinel reports whether err wraps one of the package's sentinels.
func wrapsSentinel(err error) bool {
	for _, s := range []error{ErrLength, ErrSyntax, ErrCheck, ErrDate, ErrRegion, ErrRange} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// roundTrip checks parse → format → parse identity and that the canonical
// text is the trimmed input (upper-cased when fold is set).
func roundTrip[T comparable](t *testing.T, in string, fold bool, v T, text []byte, parse func(string) (T, error)) {
	t.Helper()
	v2, err := parse(string(text))
	if err != nil {
		t.Fatalf("%q parsed to %s, which does not parse: %v", in, text, err)
	}
	if v2 != v {
		t.Fatalf("%q parsed to %v, its text %s parses to %v", in, v, text, v2)
	}
	want := strings.TrimSpace(in)
	if fold {
		want = strings.ToUpper(want)
	}
	if string(text) != want {
		t.Fatalf("%q: canonical text %q, want %q", in, text, want)
	}
}

func FuzzParseDrugCode(f *testing.F) {
	for _, s := range []string{"81234560000000000012", "\u300012345678901234567890\r\n", "8123A560000000000012", "８1234560000000000012", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseDrugCode(s)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		roundTrip(t, s, false, c, c.AppendText(nil), ParseDrugCode)
		if c.ProductID()+c.Serial() != c.String() {
			t.Fatalf("%s: parts %s + %s", c, c.ProductID(), c.Serial())
		}
	})
}

func FuzzParseVetCode(f *testing.F) {
	for _, s := range []string{"202301150001212345678901", "202402290001212345678901", "202302290001212345678901", "000001010001212345678901", " 99991231999999999999999\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseVetCode(s)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		roundTrip(t, s, false, c, c.AppendText(nil), ParseVetCode)
		y, m, d := c.Date()
		if dateReason(y, int(m), d) != "" {
			t.Fatalf("%s: date %d-%d-%d accepted", c, y, m, d)
		}
	})
}

func FuzzParseUSCC(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91110108551385082Q", "91440300708461136T", "51610700305332460K", "112302070019030687",
		"91350200M000000510", "91350128M00000019A", "91350100m000100y43", "91350100M000200Y43", "111000000000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseUSCC(s)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		roundTrip(t, s, true, c, c.AppendText(nil), ParseUSCC)
		if c2, err := NewUSCC(c.Dept(), c.OrgType(), c.Region(), c.OrgCode()[:8]); err != nil || c2 != c {
			t.Fatalf("%s: NewUSCC from its parts = %s, %v", c, c2, err)
		}
	})
}

func FuzzParseRegion(f *testing.F) {
	for _, s := range []string{"110000", "110101", "330100", "330106", "350100", "440300", "429004", "100000", "330006", "3301O6", " 820000\n",
		"620102001", "441900003", "620000001", "620102000", "620102999", "62010200", "６20102001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRegion(s)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		roundTrip(t, s, false, r, r.AppendText(nil), ParseRegion)
		p, c := r.Province(), r.City()
		if !p.Contains(r) || (r.Level() != LevelProvince && !c.Contains(r)) || !r.Contains(r) {
			t.Fatalf("%s: province %s / city %s / itself does not contain it", r, p, c)
		}
		if r.Level() != LevelProvince && r.Contains(p) {
			t.Fatalf("%s contains its province %s", r, p)
		}
		if par := r.Parent(); r.Level() != LevelProvince && (!par.Contains(r) || par.Level() >= r.Level() || r.Contains(par)) {
			t.Fatalf("%s: parent %s does not hold it", r, par)
		}
		if path := r.AppendPath(nil); path[len(path)-1] != r || !path[0].Contains(r) {
			t.Fatalf("%s: path %v", r, path)
		}
		for _, c := range r.Children() {
			if c.Parent() != r {
				t.Fatalf("%s: child %s has parent %s", r, c, c.Parent())
			}
		}
	})
}
