package seedqr

import (
	"fmt"
	"testing"

	"tracecode/engine/code/cn/internal/fieldtest"
)

func run(_, in string) string {
	l, err := Parse(in)
	if err != nil {
		return fieldtest.Error(err)
	}
	return fmt.Sprintf("ok\nvariety %s\nproducer %s\nunit %s\nurl %s", l.Variety, l.Producer, l.Unit, l.URL)
}

func TestGolden(t *testing.T) { fieldtest.Golden(t, "testdata/golden.txt", run) }

func TestErrorsNamePositions(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		pos       int
	}{
		{"陇薯7号\n\nA1\nhttps://x.cn/s", "producer", 6},
		{"陇薯7号\n甘肃种业\nA-1\nhttps://x.cn/s", "char", 12},
		{"陇薯7号\n甘肃种业\nA1\nftp://x.cn/s", "trace URL", 14},
		{"陇薯7号\n甘肃种业\nA1\nhttps://x.cn/s\nmore", "char", 28},
		{"陇薯7号\n甘肃种业\n123456789012345678901\nhttps://x.cn/s", "unit id", 11},
	} {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("%q: accepted", tc.in)
			continue
		}
		if f, p := fieldtest.Position(err); f != tc.field || p != tc.pos || !fieldtest.WrapsSentinel(err) {
			t.Errorf("%q: error %v names %s at %d, want %s at %d", tc.in, err, f, p, tc.field, tc.pos)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"陇薯7号\n甘肃某种业有限公司\nA20260001\nhttps://www.zzcx.cn/t/A20260001", "a\r\nb\r\nc\r\nhttp://x", "a\nb\nc", "a\n\nc\nhttp://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			if !fieldtest.WrapsSentinel(err) {
				t.Fatalf("%q: error %v wraps no sentinel", s, err)
			}
			return
		}
		if l2, err := Parse(l.String()); err != nil || l2 != l {
			t.Fatalf("%q: %q parses to %v %v", s, l.String(), l2, err)
		}
	})
}
