package epc

import (
	"flag"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

var seedFlag = flag.Uint64("seed", 0, "seed for the randomised round-trip tests (0: fixed default)")

// testRand returns a seeded generator and logs the seed so that a failure
// can be replayed with -seed.
func testRand(t *testing.T) *rand.Rand {
	seed := *seedFlag
	if seed == 0 {
		seed = 20260401
	}
	t.Logf("seed %d (replay with -seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// withCheckDigit appends the GS1 check digit to body.
func withCheckDigit(t *testing.T, body string) string {
	cd, err := gs1.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(cd)
}

func randGTIN(t *testing.T, r *rand.Rand, allNines bool) gs1.GTIN {
	body := randDigits(r, 13)
	if allNines {
		body = strings.Repeat("9", 13)
	}
	g, err := gs1.ParseGTIN(withCheckDigit(t, body))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func randText(r *rand.Rand) string {
	n := 1 + r.IntN(MaxTextLen)
	b := make([]byte, n)
	for i := range b {
		b[i] = cset82[r.IntN(len(cset82))]
	}
	return string(b)
}

func randSerial96(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return "0"
	case 1:
		return strconv.FormatUint(1<<38-1, 10)
	}
	return strconv.FormatUint(r.Uint64N(1<<38), 10)
}

// checkTagRoundTrip checks hex, binary and tag URN round trips of tag.
func checkTagRoundTrip(t *testing.T, tag Tag) {
	t.Helper()
	h := string(tag.AppendHex(nil))
	d, err := DecodeHex(h)
	if err != nil || d != tag {
		t.Fatalf("DecodeHex(%s) = %v, %v; want %v", h, d, err, tag)
	}
	if d, err := DecodeHex(strings.ToLower(h)); err != nil || d != tag {
		t.Fatalf("DecodeHex(lower %s) = %v, %v", h, d, err)
	}
	if d, err := DecodeBinary(tag.AppendBinary(nil)); err != nil || d != tag {
		t.Fatalf("DecodeBinary(%s) = %v, %v", h, d, err)
	}
	// the partition field is 12 − company prefix length
	p := int(unhex(h[2])&1)<<2 | int(unhex(h[3]))>>2
	var cpLen int
	if s, ok := tag.SGTIN(); ok {
		cpLen = s.CPLen()
	} else if c, ok := tag.SSCC(); ok {
		cpLen = c.CPLen()
	}
	if p != 12-cpLen {
		t.Fatalf("%s: partition %d for a %d-digit company prefix", h, p, cpLen)
	}
	tu := tag.String()
	id, err := ParseURN(tu)
	if err != nil {
		t.Fatalf("ParseURN(%s): %v", tu, err)
	}
	if got, ok := id.Tag(); !ok || got != tag {
		t.Fatalf("ParseURN(%s).Tag() = %v, %v; want %v", tu, got, ok, tag)
	}
	if id != tag.Identity() {
		t.Fatalf("ParseURN(%s) = %v, want %v", tu, id, tag.Identity())
	}
	pu := string(tag.AppendURN(nil))
	pid, err := ParseURN(pu)
	if err != nil || string(pid.AppendURN(nil)) != pu {
		t.Fatalf("ParseURN(%s) = %v, %v", pu, pid, err)
	}
}

// TestSGTINRoundTripAllPartitions encodes random and extreme SGTINs for
// every company prefix length (partitions 0–6) and filter value, and checks
// that every representation decodes back to the same value.
func TestSGTINRoundTripAllPartitions(t *testing.T) {
	r := testRand(t)
	for cpLen := MinCPLen; cpLen <= MaxCPLen; cpLen++ {
		for filter := uint8(0); filter <= 7; filter++ {
			for i := 0; i < 40; i++ {
				g := randGTIN(t, r, i == 0) // i == 0: largest company prefix and item reference
				s96, err := SGTINFromGTIN(g, randSerial96(r), cpLen)
				if err != nil {
					t.Fatal(err)
				}
				tag, err := s96.Tag96(filter)
				if err != nil {
					t.Fatalf("%v.Tag96(%d): %v", s96, filter, err)
				}
				checkTagRoundTrip(t, tag)
				h, err := s96.AppendHex96(nil, filter)
				if err != nil || string(h) != string(tag.AppendHex(nil)) {
					t.Fatalf("AppendHex96 = %s, %v", h, err)
				}
				if tag, err = s96.Tag198(filter); err != nil {
					t.Fatal(err)
				}
				checkTagRoundTrip(t, tag)

				s198, err := s96.WithSerial(randText(r))
				if err != nil {
					t.Fatal(err)
				}
				if tag, err = s198.Tag198(filter); err != nil {
					t.Fatal(err)
				}
				checkTagRoundTrip(t, tag)
				if got, _ := tag.SGTIN(); got.GTIN() != g || got.Serial() != s198.Serial() || got.CPLen() != cpLen {
					t.Fatalf("decoded SGTIN %v, want %v", got, s198)
				}
			}
		}
	}
}

func TestSSCCRoundTripAllPartitions(t *testing.T) {
	r := testRand(t)
	for cpLen := MinCPLen; cpLen <= MaxCPLen; cpLen++ {
		for filter := uint8(0); filter <= 7; filter++ {
			for i := 0; i < 40; i++ {
				body := randDigits(r, 17)
				if i == 0 {
					body = strings.Repeat("9", 17)
				}
				c, err := gs1.ParseSSCC(withCheckDigit(t, body))
				if err != nil {
					t.Fatal(err)
				}
				s, err := SSCCFromGS1(c, cpLen)
				if err != nil {
					t.Fatal(err)
				}
				tag, err := s.Tag96(filter)
				if err != nil {
					t.Fatal(err)
				}
				checkTagRoundTrip(t, tag)
				if got, _ := tag.SSCC(); got.GS1() != c {
					t.Fatalf("decoded %v, want %v", got, s)
				}
			}
		}
	}
}

// TestURNRoundTrip checks ParseURN(AppendURN(x)) == x for random SGLN and
// LGTIN values of every company prefix length, with escaped characters.
func TestURNRoundTrip(t *testing.T) {
	r := testRand(t)
	for cpLen := MinCPLen; cpLen <= MaxCPLen; cpLen++ {
		for i := 0; i < 200; i++ {
			l, err := gs1.ParseGLN(withCheckDigit(t, randDigits(r, 12)))
			if err != nil {
				t.Fatal(err)
			}
			ext := randText(r)
			if i == 0 {
				ext = ""
			}
			sg, err := SGLNFromGLN(l, ext, cpLen)
			if err != nil {
				t.Fatal(err)
			}
			lg, err := LGTINFromGTIN(randGTIN(t, r, false), randText(r), cpLen)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []Identity{sg.Identity(), lg.Identity()} {
				u := id.String()
				got, err := ParseURN(u)
				if err != nil || got != id {
					t.Fatalf("ParseURN(%s) = %v, %v; want %v", u, got, err, id)
				}
			}
		}
	}
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ raw, urn string }{
		{`"`, "%22"}, {`%`, "%25"}, {`&`, "%26"}, {`/`, "%2F"}, {`<`, "%3C"}, {`>`, "%3E"}, {`?`, "%3F"},
		{`!'()*+,-.:;=_`, `!'()*+,-.:;=_`},
		{`AZaz09`, `AZaz09`},
	} {
		txt, err := ParseText("serial", tc.raw)
		if err != nil {
			t.Fatalf("ParseText(%q): %v", tc.raw, err)
		}
		if got := string(txt.AppendEscaped(nil)); got != tc.urn {
			t.Errorf("escape %q = %q, want %q", tc.raw, got, tc.urn)
		}
		for _, in := range []string{tc.urn, lowerEscapes(tc.urn)} {
			back, uerr := unescape("serial", in, 1)
			if uerr != nil || back != txt {
				t.Errorf("unescape(%q) = %q, %v", in, back, uerr)
			}
		}
	}
	// every CSET 82 character survives a URN round trip, alone and in a
	// 20-character serial
	g := randGTIN(t, testRand(t), false)
	for i := 0; i < len(cset82); i++ {
		for _, serial := range []string{cset82[i : i+1], strings.Repeat(cset82[i:i+1], 20)} {
			s, err := SGTINFromGTIN(g, serial, 7)
			if err != nil {
				t.Fatal(err)
			}
			id, err := ParseURN(s.String())
			if got, _ := id.SGTIN(); err != nil || got != s {
				t.Fatalf("ParseURN(%s) = %v, %v", s, got, err)
			}
		}
	}
	// and no other byte is accepted
	for c := 0; c < 256; c++ {
		if strings.IndexByte(cset82, byte(c)) >= 0 {
			continue
		}
		if _, err := ParseText("serial", string([]byte{byte(c)})); err == nil {
			t.Errorf("ParseText accepted byte 0x%02X", c)
		}
	}
}

// lowerEscapes lower-cases the hex digits of %-escapes.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = strings.ToLower(string(b[i+1]))[0]
			b[i+2] = strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

// TestZeroValues checks that the zero values are harmless: they append
// nothing and refuse to encode.
func TestZeroValues(t *testing.T) {
	var s SGTIN
	if b := s.AppendURN(nil); len(b) != 0 {
		t.Errorf("zero SGTIN AppendURN = %q", b)
	}
	if _, err := s.AppendHex96(nil, 0); err == nil {
		t.Error("zero SGTIN AppendHex96 succeeded")
	}
	if _, err := s.Tag198(0); err == nil {
		t.Error("zero SGTIN Tag198 succeeded")
	}
	if _, err := s.WithSerial("1"); err == nil {
		t.Error("zero SGTIN WithSerial succeeded")
	}
	var c SSCC
	if _, err := c.AppendHex96(nil, 0); err == nil {
		t.Error("zero SSCC AppendHex96 succeeded")
	}
	var tag Tag
	if tag.String() != "" || len(tag.AppendHex(nil)) != 0 || len(tag.AppendBinary(nil)) != 0 || !tag.Identity().IsZero() {
		t.Error("zero Tag appends something")
	}
	var id Identity
	if id.String() != "" || id.Kind() != KindNone {
		t.Error("zero Identity formats as something")
	}
	if _, ok := id.Tag(); ok {
		t.Error("zero Identity has a Tag")
	}
}

// TestIdentityText checks the encoding.Text* methods used by JSON.
func TestIdentityText(t *testing.T) {
	for _, u := range []string{
		"urn:epc:id:sgtin:0614141.812345.6789",
		"urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb",
		"urn:epc:id:sgln:0614141.07346.1234",
	} {
		var id Identity
		if err := id.UnmarshalText([]byte(u)); err != nil {
			t.Fatal(err)
		}
		b, err := id.MarshalText()
		if err != nil || string(b) != u {
			t.Errorf("MarshalText = %s, %v; want %s", b, err, u)
		}
	}
	var id Identity
	if err := id.UnmarshalText([]byte("urn:epc:id:sgtin:1")); err == nil {
		t.Error("UnmarshalText accepted a bad URN")
	}
}

// TestSerial96 checks the SWAR serial parser against strconv for every
// length, with and without a non-digit at each position.
func TestSerial96(t *testing.T) {
	r := testRand(t)
	check := func(s string) {
		t.Helper()
		txt, err := ParseText("serial", s)
		if err != nil {
			t.Fatal(err)
		}
		got, why := txt.serial96()
		want, perr := strconv.ParseUint(s, 10, 64)
		ok := perr == nil && want < 1<<38 && (len(s) == 1 || s[0] != '0')
		if ok != (why == "") || (ok && got != want) {
			t.Fatalf("serial96(%q) = %d, %q; want %d, ok=%v", s, got, why, want, ok)
		}
	}
	for n := 1; n <= 20; n++ {
		for i := 0; i < 300; i++ {
			s := []byte(randDigits(r, n))
			if i%3 == 0 {
				s[r.IntN(n)] = cset82[r.IntN(len(cset82))]
			}
			check(string(s))
		}
		check(strings.Repeat("9", n))
		check("1" + strings.Repeat("0", n-1))
	}
	for _, s := range []string{"0", "274877906943", "274877906944", "99999999", "100000000", "/", ":", "0/", "1:"} {
		check(s)
	}
}
