package digitallink

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// TestErrorChain: a user can tell what went wrong with errors.Is/As, down
// to gs1's expected check digit.
func TestErrorChain(t *testing.T) {
	_, err := Parse("https://id.gs1.org/01/09520123456789")
	var e *Error
	if !errors.As(err, &e) || e.Pos != 36 || e.Segment != "09520123456789" {
		t.Fatalf("Parse: %#v, want *Error at 36", err)
	}
	var cd *gs1.CheckDigitError
	if !errors.Is(err, ErrValue) || !errors.Is(err, gs1.ErrCheckDigit) || !errors.As(err, &cd) || cd.Expected != '8' {
		t.Fatalf("error chain of %v lacks ErrValue / gs1.ErrCheckDigit / expected digit 8", err)
	}
	if !strings.Contains(err.Error(), "position 36") || !strings.Contains(err.Error(), "expected 8") {
		t.Errorf("message %q does not say where and what", err)
	}

	_, err = Parse("https://id.gs1.org/GS1CxFRJydaKI1XgkZCCjA5")
	if !errors.Is(err, ErrCompressed) || !errors.Is(err, ErrNoPrimaryKey) {
		t.Errorf("compressed: %v should be ErrCompressed and ErrNoPrimaryKey", err)
	}
	if !strings.Contains(err.Error(), "Decompress gives the long form") {
		t.Errorf("compressed: message %q", err)
	}

	if _, err := Unescape("AB%00", false); !errors.Is(err, ErrEncoding) || err.(*Error).Pos != 3 {
		t.Errorf("Unescape(AB%%00) = %v, want ErrEncoding at 3", err)
	}
	_, err = Build("", gs1.Element{AI: "01", Value: "09520123456788"}, nil, []gs1.Element{{AI: "21", Value: "1"}})
	if !errors.Is(err, ErrQualifierInQuery) || err.(*Error).Pos != 0 || err.(*Error).Segment != "21" {
		t.Errorf("Build with (21) as attribute: %v", err)
	}
}

func TestAccessors(t *testing.T) {
	d, err := Parse("HTTPS://Brand.Example:8443/a/b/01/09520123456788/21/S%2F1?linkType=gs1%3Apip&17=180426&context=x&99=A#top")
	if err != nil {
		t.Fatal(err)
	}
	if d.Scheme != "https" || d.Host != "Brand.Example:8443" || d.Stem != "a/b" {
		t.Errorf("scheme/host/stem = %q %q %q", d.Scheme, d.Host, d.Stem)
	}
	want := []gs1.Element{{AI: "01", Value: "09520123456788"}, {AI: "21", Value: "S/1"}, {AI: "17", Value: "180426"}, {AI: "99", Value: "A"}}
	if got := d.Elements(); !slices.Equal(got, want) {
		t.Errorf("Elements = %v, want %v", got, want)
	}
	if got := d.LinkType(); got != "gs1:pip" {
		t.Errorf("LinkType = %q", got)
	}
	if got, want := d.String(), "https://Brand.Example:8443/a/b/01/09520123456788/21/S%2F1?17=180426&99=A&linkType=gs1%3Apip&context=x"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := string(d.AppendCanonical(nil, "")), "https://id.gs1.org/01/09520123456788/21/S%2F1?17=180426&99=A"; got != want {
		t.Errorf("AppendCanonical = %q, want %q", got, want)
	}
	if got, want := string(d.AppendCanonicalWithParams([]byte("x "), "http://r/")), "x http://r/01/09520123456788/21/S%2F1?17=180426&99=A&linkType=gs1%3Apip&context=x"; got != want {
		t.Errorf("AppendCanonicalWithParams = %q, want %q", got, want)
	}
	// The query-only AIs follow the predefined-length ones in canonical
	// order; Build and FromElements agree.
	built, err := Build("", d.Key, d.Qualifiers, d.Attrs)
	if err != nil || built != string(d.AppendCanonical(nil, "")) {
		t.Errorf("Build = %q, %v", built, err)
	}
	fe, err := FromElements(slices.Concat(d.Attrs, d.Qualifiers, []gs1.Element{d.Key}))
	if err != nil || fe.String() != built {
		t.Errorf("FromElements = %q, %v; want %q", fe.String(), err, built)
	}
	var zero DL
	if got := string(zero.AppendCanonical(nil, "")); got != CanonicalBase {
		t.Errorf("zero DL canonical = %q", got)
	}
}

// TestBadURIChar: the offset of the first byte outside the URI character
// set, in either the 8-byte stride or the tail, and nothing for a clean
// URI; it allocates nothing.
func TestBadURIChar(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", -1},
		{"/01/09520123456788/10/AB%22C", -1},
		{"https://r/01/09520123456788?17=180426&x=[y]", -1},
		{`/01/09520123456788/10/A"B`, 23},
		{`"`, 0},
		{"/10/A B", 5},
		{"/10/ABCD\x7f", 8},
		{"/10/AB\xc3\xa9", 6},
		{"/10/AB{C}", 6},
	} {
		if got := BadURIChar(c.s); got != c.want {
			t.Errorf("BadURIChar(%q) = %d, want %d", c.s, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { BadURIChar(benchURI) }); n != 0 {
		t.Errorf("BadURIChar allocates %v times, want 0", n)
	}
}

// TestAppendUnescape: the same decoding as Unescape, appended to dst;
// dst unchanged and the offset of a %00; no allocation when dst has room.
func TestAppendUnescape(t *testing.T) {
	for _, c := range []struct {
		s     string
		query bool
	}{
		{"ABC", false}, {"A%2FB", false}, {"A%2fb%7E", false}, {"A+B", false}, {"A+B", true},
		{"A%2", false}, {"%", false}, {"%zz", true}, {"%E4%B8%AD", false},
	} {
		want, err := Unescape(c.s, c.query)
		if err != nil {
			t.Fatal(err)
		}
		got, bad := AppendUnescape([]byte("x"), c.s, c.query)
		if bad != -1 || string(got) != "x"+want {
			t.Errorf("AppendUnescape(x, %q, %v) = %q, %d, want %q, -1", c.s, c.query, got, bad, "x"+want)
		}
	}
	if got, bad := AppendUnescape([]byte("x"), "AB%00C", false); bad != 2 || string(got) != "x" {
		t.Errorf("AppendUnescape of a %%00 = %q, %d, want \"x\", 2", got, bad)
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { AppendUnescape(buf[:0], "AB%2FC%20D+E", true) }); n != 0 {
		t.Errorf("AppendUnescape allocates %v times with room in dst, want 0", n)
	}
}
