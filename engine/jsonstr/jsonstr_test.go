package jsonstr

import (
	"encoding/json"
	"testing"
)

// TestAppendMatchesEncodingJSON checks Append against encoding/json, which
// also escapes <, >, & and U+2028/U+2029 and replaces invalid UTF-8.
func TestAppendMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\ncr\r\x01", "<a&b>", "杭州\u2028x\u2029", "bad\xffutf8", "\x7f"} {
		want, _ := json.Marshal(s)
		if got := string(Append(nil, s)); got != string(want) {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
		if got := string(Append(nil, []byte(s))); got != string(want) {
			t.Errorf("Append([]byte %q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("杭州<x>\"\\\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(Append(nil, s), &back); err != nil {
			t.Fatalf("Append(%q) is not valid JSON: %v", s, err)
		}
		want, _ := json.Marshal(s)
		if string(Append(nil, s)) != string(want) {
			t.Fatalf("Append(%q) differs from encoding/json", s)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for i := 0; i < b.N; i++ {
		buf = Append(buf[:0], "杭州之江食品有限公司 · Zhijiang <Foods> & Co.")
	}
}
