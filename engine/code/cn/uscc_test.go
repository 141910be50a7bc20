package cn

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

type usccVector struct {
	code   string
	sum    int
	valid  bool
	expect byte // the expected GB 32100 check character of an invalid code
}

func readUSCCVectors(t testing.TB) []usccVector {
	t.Helper()
	f, err := os.Open("testdata/uscc.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []usccVector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		sum, err := strconv.Atoi(f[1])
		if err != nil || len(f) < 3 {
			t.Fatalf("bad line %q", line)
		}
		v := usccVector{code: f[0], sum: sum, valid: f[2] == "valid"}
		if !v.valid {
			v.expect = f[3][0]
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

func TestUSCCVectors(t *testing.T) {
	for _, v := range readUSCCVectors(t) {
		if got := usccSum([]byte(v.code[:17])); got != v.sum {
			t.Errorf("%s: Σ = %d, want %d", v.code, got, v.sum)
		}
		c, err := ParseUSCC(v.code)
		if v.valid {
			if err != nil {
				t.Errorf("ParseUSCC(%s): %v", v.code, err)
			} else if c.String() != v.code {
				t.Errorf("ParseUSCC(%s) = %s", v.code, c)
			}
			continue
		}
		var ce *CheckError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCheck) {
			t.Errorf("ParseUSCC(%s) = %v, want a *CheckError", v.code, err)
			continue
		}
		if ce.Pos != 18 || ce.Got != v.code[17] || ce.Expected != v.expect || ce.Check != "GB 32100 check" {
			t.Errorf("ParseUSCC(%s): %+v, want position 18 expected %c", v.code, ce, v.expect)
		}
	}
}

func TestUSCCWeights(t *testing.T) {
	w := 1
	for i, got := range usccWeights {
		if got != w {
			t.Errorf("weight of position %d = %d, want 3^%d mod 31 = %d", i+1, got, i, w)
		}
		w = w * 3 % 31
	}
}

func TestUSCCParts(t *testing.T) {
	c, err := ParseUSCC("91350100M000100Y43")
	if err != nil {
		t.Fatal(err)
	}
	if c.Dept() != '9' || c.OrgType() != '1' || c.Region().String() != "350100" || c.OrgCode() != "M000100Y4" || c.Check() != '3' {
		t.Errorf("parts: %c %c %s %s %c", c.Dept(), c.OrgType(), c.Region(), c.OrgCode(), c.Check())
	}
	if n, _ := c.Region().Name(Chinese); n != "福州市" {
		t.Errorf("region name %q", n)
	}
}

func TestParseUSCCLowerCaseAndSpace(t *testing.T) {
	c, err := ParseUSCC(" 91350100m000100y43\r\n")
	if err != nil || c.String() != "91350100M000100Y43" {
		t.Fatalf("ParseUSCC(lower case) = %s, %v", c, err)
	}
}

func TestParseUSCCErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pos  int
		char rune
	}{
		{"91350100I000100Y43", 9, 'I'},
		{"91350100M0O0100Y43", 11, 'O'},
		{"9135010OM000100Y43", 8, 'O'},
		{"s1350100M000100Y43", 1, 's'},
		{"91350100M000100Z43", 16, 'Z'},
		{"91350100M000100V43", 16, 'V'},
		{"9135A100M000100Y43", 5, 'A'}, // region digits
		{"91３50100M000100Y43", 3, '３'},
	} {
		_, err := ParseUSCC(tc.in)
		wantCharError(t, err, tc.pos, tc.char)
	}
	for _, in := range []string{"", "91350100M000100Y4", "91350100M000100Y430"} {
		if _, err := ParseUSCC(in); !errors.Is(err, ErrLength) {
			t.Errorf("ParseUSCC(%q) = %v, want ErrLength", in, err)
		}
	}
	_, err := ParseUSCC("91990100M000100Y43")
	wantFieldError(t, err, "province", 3, ErrRegion)
	_, err = ParseUSCC("91330006M000100Y43")
	wantFieldError(t, err, "region", 3, ErrRegion)
}

// TestParseUSCCWhichCheck changes characters of a valid code and checks that
// the error names the check (or checks) that failed.
func TestParseUSCCWhichCheck(t *testing.T) {
	// Only the GB 32100 check character is wrong.
	_, err := ParseUSCC("91350100M000100Y4A")
	wantChecks(t, err, check{18, 'A', '3'})

	// Only the organisation-code check character is wrong; the GB 32100 check
	// of the changed body happens to be computed below and must fail too
	// unless the new body still sums right.
	body := []byte("91350100M000100Y5")
	want18 := usccCheck(body)
	_, err = ParseUSCC(string(body) + string(want18))
	wantChecks(t, err, check{17, '5', '4'})

	// A typo in the organisation code breaks both checks.
	_, err = ParseUSCC("91350100M000200Y43")
	org := orgCheck([]byte("M000200Y"))
	all := usccCheck([]byte("91350100M000200Y4"))
	wantChecks(t, err, check{17, '4', org}, check{18, '3', all})
}

type check struct {
	pos           int
	got, expected byte
}

func wantChecks(t *testing.T, err error, want ...check) {
	t.Helper()
	var got []check
	var collect func(error)
	collect = func(e error) {
		var ce *CheckError
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				collect(e)
			}
		} else if errors.As(e, &ce) {
			got = append(got, check{ce.Pos, ce.Got, ce.Expected})
		}
	}
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	collect(err)
	if len(got) != len(want) {
		t.Fatalf("error %v: checks %v, want %v", err, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("error %v: checks %v, want %v", err, got, want)
		}
	}
	for _, c := range want {
		if !strings.Contains(err.Error(), "expected "+string(c.expected)) {
			t.Errorf("error %q does not name the expected character %c", err, c.expected)
		}
	}
}

func TestNewUSCC(t *testing.T) {
	for _, v := range readUSCCVectors(t) {
		if !v.valid {
			continue
		}
		var r Region
		if v.code[2:8] != "100000" {
			var err error
			if r, err = ParseRegion(v.code[2:8]); err != nil {
				t.Fatal(err)
			}
		}
		c, err := NewUSCC(v.code[0], v.code[1], r, strings.ToLower(v.code[8:16]))
		if err != nil || c.String() != v.code {
			t.Errorf("NewUSCC(%s) = %s, %v", v.code, c, err)
		}
	}
	// The national level.
	c, err := NewUSCC('1', '1', Region{}, "00000000")
	if err != nil {
		t.Fatal(err)
	}
	if c2, err := ParseUSCC(c.String()); err != nil || c2 != c || !c2.Region().IsZero() {
		t.Errorf("national-level USCC %s: %v", c, err)
	}
	_, err = NewUSCC('I', '1', Region{}, "00000000")
	wantCharError(t, err, 1, 'I')
	_, err = NewUSCC('1', 'O', Region{}, "00000000")
	wantCharError(t, err, 2, 'O')
	_, err = NewUSCC('1', '1', Region{}, "000S0000")
	wantCharError(t, err, 12, 'S')
	if _, err = NewUSCC('1', '1', Region{}, "0000000"); !errors.Is(err, ErrLength) {
		t.Errorf("7-char organisation code: %v", err)
	}
}

// TestOrgCheckXAndZero covers the two special cases of the GB 11714 check:
// 11 − (Σ mod 11) = 10 → X, = 11 → 0.
func TestOrgCheckXAndZero(t *testing.T) {
	seen := map[byte]bool{}
	for n := 0; n < 100; n++ {
		b := []byte("0000000" + strconv.Itoa(n%10))
		b[6] = byte('0' + n/10)
		c := orgCheck(b)
		seen[c] = true
		sum := int(b[6]-'0')*4 + int(b[7]-'0')*2
		want := map[int]byte{10: 'X', 11: '0'}[11-sum%11]
		if want == 0 {
			want = byte('0' + 11 - sum%11)
		}
		if c != want {
			t.Fatalf("orgCheck(%s) = %c, want %c", b, c, want)
		}
	}
	if !seen['X'] || !seen['0'] {
		t.Errorf("X and 0 not both reached: %v", seen)
	}
}
