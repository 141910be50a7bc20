package digitallink

import (
	"slices"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// fuzzSeeds are the standards' own examples plus every URI of the
// reference vectors (added in FuzzParse).
var fuzzSeeds = []string{
	"https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
	"https://example.com/01/12312312312333/22/TEST/10/ABC/21/XYZ",
	"https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
	"https://id.gs1.org/414/9520123456788/254/32a%2Fb",
	"https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987",
	"https://a/custom/stem/01/12312312312333/22/A%20B?linkType=gs1%3Apip&99=A+B#frag",
	"https://a/01/2112345678900",
	"https://a/gtin/12312312312333/lot/ABC/ser/XYZ",
	"https://id.gs1.org/CxFRJydaKI1XgkZCCjA5",
	"https://id.gs1.org/8006/095201234567880102/22/A/10/B/21/C?17=180426&3103=000195",
}

func sortedByAI(els []gs1.Element) []gs1.Element {
	els = slices.Clone(els)
	slices.SortFunc(els, func(a, b gs1.Element) int { return strings.Compare(a.AI, b.AI) })
	return els
}

// FuzzParse: Parse never panics; when it succeeds, the canonical form parses
// back to the same key, qualifiers and attribute set, lists the
// predefined-length attributes first, is its own canonical form, and equals
// what Build makes of the same elements.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	for _, c := range loadVectors(f) {
		if c.Fn == "parseDLuri" {
			f.Add(c.URI, false)
		}
	}
	f.Fuzz(func(t *testing.T, uri string, legacy bool) {
		d, err := ParseOptions(uri, Options{AllowLegacy: legacy})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T is not *Error: %v", uri, err, err)
			}
			return
		}
		canon := d.AppendCanonical(nil, "")
		d2, err := Parse(string(canon))
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", uri, canon, err)
		}
		if d2.Key != d.Key || !slices.Equal(d2.Qualifiers, d.Qualifiers) {
			t.Fatalf("%q → %q: key/qualifiers %v %v, want %v %v", uri, canon, d2.Key, d2.Qualifiers, d.Key, d.Qualifiers)
		}
		if !slices.Equal(sortedByAI(d2.Attrs), sortedByAI(d.Attrs)) {
			t.Fatalf("%q → %q: attrs %v, want %v", uri, canon, d2.Attrs, d.Attrs)
		}
		seenVariable := false
		for _, a := range d2.Attrs {
			e, _ := gs1.LookupAI(a.AI)
			if e.Fixed && seenVariable {
				t.Fatalf("canonical %q lists a predefined-length AI after a variable one", canon)
			}
			seenVariable = seenVariable || !e.Fixed
		}
		if again := d2.AppendCanonical(nil, ""); string(again) != string(canon) {
			t.Fatalf("canonical form is not a fixed point: %q → %q", canon, again)
		}
		built, err := Build("", d.Key, d.Qualifiers, d.Attrs)
		if err != nil || built != string(canon) {
			t.Fatalf("Build of %q = %q, %v; want %q", uri, built, err, canon)
		}
		// String keeps host, stem and non-AI parameters and parses back to
		// the same elements.
		d3, err := Parse(d.String())
		if err != nil {
			t.Fatalf("String() of %q = %q fails: %v", uri, d.String(), err)
		}
		if d3.Host != d.Host || d3.Stem != d.Stem || !slices.Equal(d3.Elements(), d2.Elements()) {
			t.Fatalf("String() of %q = %q parses to %+v", uri, d.String(), d3)
		}
	})
}

// FuzzEscape: Unescape inverts AppendEscape for values without NUL, in the
// path and in the query, and the escaped form holds only unreserved bytes,
// '%' and (query) '+'.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "ABC", "A B+C/D%E&F", "~-._", "\xff\x01", "%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return
		}
		for _, q := range []bool{false, true} {
			esc := AppendEscape(nil, s, q)
			for _, c := range esc {
				if !unreserved[c] && c != '%' && !(q && c == '+') {
					t.Fatalf("AppendEscape(%q, %v) = %q has %q", s, q, esc, c)
				}
			}
			got, err := Unescape(string(esc), q)
			if err != nil || got != s {
				t.Fatalf("Unescape(AppendEscape(%q, %v) = %q) = %q, %v", s, q, esc, got, err)
			}
		}
	})
}

// FuzzDecompress: Decompress never panics; when it succeeds, the long form
// parses, and compressing it (optimised, unoptimised, and with the non-AI
// parameters packed when they can be) decompresses to the same URI.
func FuzzDecompress(f *testing.F) {
	for _, v := range compressedVectors {
		f.Add(v.opt)
		if v.unopt != "" {
			f.Add(v.unopt)
		}
	}
	f.Add("https://example.com/s/CxFRJydaKI1XgkZCCjA5?linkType=gs1:pip&17=251231#top")
	f.Add("https://id.gs1.org/" + onlyLot)
	for _, s := range fuzzSeeds {
		if d, err := Parse(s); err == nil {
			for _, opt := range []CompressOptions{{}, {Unoptimised: true}, {CompressOther: true}} {
				if c, err := d.AppendCompressed(nil, opt); err == nil {
					f.Add(string(c))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, uri string) {
		long, err := Decompress(uri)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Decompress(%q) error %T is not *Error: %v", uri, err, err)
			}
			return
		}
		d, err := Parse(long)
		if err != nil {
			t.Fatalf("Decompress(%q) = %q, which does not parse: %v", uri, long, err)
		}
		opts := []CompressOptions{{}, {Unoptimised: true}}
		if compressible(d) {
			opts = append(opts, CompressOptions{CompressOther: true})
		}
		for _, opt := range opts {
			c, err := Compress(long, opt)
			if err != nil {
				t.Fatalf("Compress(%q, %+v): %v", long, opt, err)
			}
			again, err := Decompress(c)
			if err != nil {
				t.Fatalf("%q → %q → %q (%+v) fails: %v", uri, long, c, opt, err)
			}
			if opt.CompressOther {
				// Packed parameters come back after the AI attributes
				// and re-encoded: compare parsed.
				d2, err := Parse(again)
				if err != nil || d2.Key != d.Key || !slices.Equal(d2.Qualifiers, d.Qualifiers) ||
					!slices.Equal(sortedByAI(d2.Attrs), sortedByAI(d.Attrs)) || !sameParams(d2.Other, d.Other) {
					t.Fatalf("%q → %q → %q → %q, %v", uri, long, c, again, err)
				}
				continue
			}
			if again != long {
				t.Fatalf("%q → %q → %q (%+v) → %q", uri, long, c, opt, again)
			}
		}
	})
}
