package epc

import (
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds adds the hex and URN inputs of testdata/vectors.txt and the
// error cases of testdata/errors.txt.
func fuzzSeeds(f *testing.F, wantHex bool) {
	vs := readVectors(f)
	for _, v := range vs {
		if wantHex {
			for _, h := range append([]string{v.hex}, v.hexin...) {
				if h != "" {
					f.Add(h)
				}
			}
		} else {
			for _, u := range append([]string{v.urn, v.tag}, v.urnin...) {
				if u != "" {
					f.Add(u)
				}
			}
		}
	}
	for _, s := range []string{"", "30", "36", "31", "3674257BF6B7A640", "urn:epc:", "urn:epc:tag:sgtin-96:", "urn:epc:id:sgln:012345678901..0"} {
		f.Add(s)
	}
}

// checkErr checks that err is an *Error whose position lies inside the
// input (or just past its end) and that wraps something.
func checkErr(t *testing.T, in string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is %T, want *epc.Error", in, err, err)
	}
	if e.Pos < 0 || e.Pos > len(in)+1 {
		t.Fatalf("%q: error position %d outside the input: %v", in, e.Pos, err)
	}
	if e.Err == nil {
		t.Fatalf("%q: error wraps nothing: %v", in, err)
	}
}

// FuzzDecodeHex: no panic; a decoded tag re-encodes to hex that decodes to
// the same tag and re-encodes to the same bytes; the tag URN agrees.
func FuzzDecodeHex(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, in string) {
		tag, err := DecodeHex(in)
		if err != nil {
			checkErr(t, in, err)
			return
		}
		h := string(tag.AppendHex(nil))
		tag2, err := DecodeHex(h)
		if err != nil {
			t.Fatalf("DecodeHex(%q) ok, but its re-encoding %s fails: %v", in, h, err)
		}
		if tag2 != tag {
			t.Fatalf("DecodeHex(%q) = %v; re-encoded %s decodes to %v", in, tag, h, tag2)
		}
		if h2 := string(tag2.AppendHex(nil)); h2 != h {
			t.Fatalf("hex not stable: %s then %s", h, h2)
		}
		// the input differs from the canonical hex only in case and, for
		// SGTIN-198, the two trailing zero digits of the padded form
		if !strings.EqualFold(in, h) && !strings.EqualFold(in+"00", h) {
			t.Fatalf("DecodeHex(%q) accepted a non-canonical encoding (canonical %s)", in, h)
		}
		id, err := ParseURN(tag.String())
		if err != nil {
			t.Fatalf("ParseURN(%s): %v", tag, err)
		}
		if got, _ := id.Tag(); got != tag {
			t.Fatalf("tag URN %s parses to %v, want %v", tag, got, tag)
		}
	})
}

// FuzzParseURN: no panic; a parsed URN formats to a URN that parses to the
// same value and formats to the same text; tag URNs survive a trip through
// hex.
func FuzzParseURN(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, in string) {
		id, err := ParseURN(in)
		if err != nil {
			checkErr(t, in, err)
			return
		}
		text := id.String()
		id2, err := ParseURN(text)
		if err != nil {
			t.Fatalf("ParseURN(%q) ok, but its text %s fails: %v", in, text, err)
		}
		if id2 != id {
			t.Fatalf("ParseURN(%q) = %v; its text %s parses to %v", in, id, text, id2)
		}
		if text2 := id2.String(); text2 != text {
			t.Fatalf("text not stable: %s then %s", text, text2)
		}
		if tag, ok := id.Tag(); ok {
			h := string(tag.AppendHex(nil))
			back, err := DecodeHex(h)
			if err != nil || back != tag {
				t.Fatalf("tag %s -> %s -> %v, %v", tag, h, back, err)
			}
		}
	})
}
