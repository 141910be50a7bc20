package shortcode

import (
	"errors"
	"strings"
	"testing"
)

// canonical is what Parse should read s as: hyphens dropped, upper case,
// aliases replaced.
func canonical(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			b.WriteByte(Alphabet[decode[s[i]]-1])
		}
	}
	return b.String()
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"04", "ZZ", "000000000000W", "000000000001Y", "ZZZZZZZZZZZZ4", "028T5CY4TQKFFS", "FZZZZZZZZZZZZ0",
		"o28t5cy4tqkffs", "028T-5CY4-TQKF-FS", "OOOOOOOOOOOIY", "00000000000ly",
		"028T5CY4TQKFFT", "208T5CY4TQKFFS", "G0000000000000", "028TUCY4TQKFFS", "", "-", "028é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrLength) && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrCheck) && !errors.Is(err, ErrRange) {
				t.Fatalf("Parse(%q): error %v wraps no sentinel", s, err)
			}
			return
		}
		text := c.AppendText(nil)
		if want := canonical(s); string(text) != want {
			t.Fatalf("Parse(%q) = %s, want %s", s, text, want)
		}
		c2, err := Parse(string(text))
		if err != nil || c2 != c {
			t.Fatalf("Parse(%q) = %v; its text %s parses to %v, %v", s, c, text, c2, err)
		}
		if c3, err := Encode(c.Value(), c.Len()); err != nil || c3 != c {
			t.Fatalf("Encode(%d, %d) = %v, %v, want %v", c.Value(), c.Len(), c3, err, c)
		}
	})
}

func FuzzEncode(f *testing.F) {
	f.Add(uint64(0), 12)
	f.Add(uint64(1<<60-1), 12)
	f.Add(^uint64(0), 13)
	f.Add(uint64(32), 1)
	f.Fuzz(func(t *testing.T, v uint64, n int) {
		c, err := Encode(v, n)
		if err != nil {
			if n >= 1 && n <= MaxLen && (n == MaxLen || v < 1<<(5*n)) {
				t.Fatalf("Encode(%d, %d): %v", v, n, err)
			}
			return
		}
		text := c.AppendText(nil)
		if len(text) != n+1 {
			t.Fatalf("Encode(%d, %d) = %s", v, n, text)
		}
		c2, err := Parse(string(text))
		if err != nil || c2 != c || c2.Value() != v || c2.Len() != n {
			t.Fatalf("Encode(%d, %d) = %s, parses to %v, %v", v, n, text, c2, err)
		}
	})
}
