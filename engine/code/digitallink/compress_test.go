package digitallink

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// compressedVectors are the compressed forms of standards.md §3, from GS1's
// prototype (gs1/GS1DigitalLinkCompressionPrototype@21a894b6,
// compressGS1DigitalLink(u,false,stem,false,true,false)); unopt is the
// form without optimisation codes where the reference gives it.
var compressedVectors = []struct {
	long, opt, unopt string
}{
	{"https://id.gs1.org/01/09520123456788/10/ABC123/21/12345", "https://id.gs1.org/CxFRJydaKI1XgkZCCjA5", "https://id.gs1.org/ARFRJydaKCCNV4JGQgowOQ"},
	{"https://id.gs1.org/01/80614141123458/21/6789", "https://id.gs1.org/DJKi4n23BAjUK", ""},
	{"https://id.gs1.org/00/106141412345678908", "https://id.gs1.org/ABeRcNWtKMPA", ""},
	{"https://id.gs1.org/414/9520123456788", "https://id.gs1.org/QUiok5OtFA", ""},
}

func TestCompressedVectors(t *testing.T) {
	pass, total := 0, 0
	check := func(ok bool, format string, args ...any) {
		total++
		if ok {
			pass++
			return
		}
		t.Errorf(format, args...)
	}
	for _, v := range compressedVectors {
		for _, c := range []string{v.opt, v.unopt} {
			if c == "" {
				continue
			}
			got, err := Decompress(c)
			check(err == nil && got == v.long, "Decompress(%s) = %q, %v; want %s", c, got, err, v.long)
		}
		got, err := Compress(v.long, CompressOptions{})
		check(err == nil && got == v.opt, "Compress(%s) = %q, %v; want %s", v.long, got, err, v.opt)
		if v.unopt != "" {
			got, err := Compress(v.long, CompressOptions{Unoptimised: true})
			check(err == nil && got == v.unopt, "Compress(%s, unoptimised) = %q, %v; want %s", v.long, got, err, v.unopt)
		}
	}
	t.Logf("compressed vectors: %d/%d", pass, total)
}

// roundTrip compresses d (the parse of uri) with opt and checks that the
// decompressed URI parses to the same Digital Link: host, stem, key,
// qualifiers, attributes (as a set) and non-AI parameters (decoded).
func roundTrip(t *testing.T, uri string, d DL, opt CompressOptions) {
	t.Helper()
	c, err := d.AppendCompressed(nil, opt)
	if err != nil {
		t.Errorf("Compress(%s, %+v): %v", uri, opt, err)
		return
	}
	long, err := Decompress(string(c))
	if err != nil {
		t.Errorf("Decompress(%s) of %s: %v", c, uri, err)
		return
	}
	d2, err := Parse(long)
	if err != nil {
		t.Errorf("%s → %s → %s does not parse: %v", uri, c, long, err)
		return
	}
	if d2.Host != d.Host || d2.Stem != d.Stem || d2.Key != d.Key || !slices.Equal(d2.Qualifiers, d.Qualifiers) ||
		!slices.Equal(sortedByAI(d2.Attrs), sortedByAI(d.Attrs)) || !sameParams(d2.Other, d.Other) {
		t.Errorf("%s → %s → %s: got %+v, want %+v", uri, c, long, d2, d)
	}
	if again, err := Decompress(string(c)); err != nil || again != long {
		t.Errorf("Decompress(%s) is not deterministic: %q, %v then %q", c, long, err, again)
	}
}

// sameParams compares non-AI parameters by key and percent-decoded value.
func sameParams(a, b []KV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		va, _ := unescape(a[i].Value, true)
		vb, _ := unescape(b[i].Value, true)
		if a[i].Key != b[i].Key || va != vb {
			return false
		}
	}
	return true
}

// compressible reports whether CompressOther can pack d's parameters.
func compressible(d DL) bool {
	for _, kv := range d.Other {
		if kv.Key == "" || len(kv.Key) > maxCompChars || allDigits(kv.Key) {
			return false
		}
		for i := 0; i < len(kv.Key); i++ {
			if base64Val[kv.Key[i]] == 0xFF {
				return false
			}
		}
		v, bad := unescape(kv.Value, true)
		if _, ok := chooseEncoding(v); !ok || bad >= 0 || len(v) > maxCompChars {
			return false
		}
	}
	return true
}

// TestCompressRoundTripVectors: every valid Digital Link of the reference
// engine's vectors and of the .NET port's vectors compresses and
// decompresses to itself, with and without optimisation codes, and with
// the non-AI parameters packed when they can be.
func TestCompressRoundTripVectors(t *testing.T) {
	var uris []string
	var opts []Options
	for _, c := range loadVectors(t) {
		if c.Fn != "parseDLuri" || !c.ShouldSucceed {
			continue
		}
		opt, skip := vectorOptions(c)
		if skip != "" {
			continue
		}
		uris, opts = append(uris, c.URI), append(opts, opt)
	}
	b, err := os.ReadFile(dotnetFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Tables []dotnetTable }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, tab := range f.Tables {
		for _, row := range tab.Rows {
			if u := row["digitalLink"]; u != "" {
				uris, opts = append(uris, u), append(opts, Options{AllowLegacy: true})
			}
		}
	}
	n, packed := 0, 0
	for i, u := range uris {
		d, err := ParseOptions(u, opts[i])
		if err != nil {
			continue // an invalid vector, or one outside this package (see the vector tests)
		}
		n++
		roundTrip(t, u, d, CompressOptions{})
		roundTrip(t, u, d, CompressOptions{Unoptimised: true})
		if len(d.Other) > 0 && compressible(d) {
			packed++
			roundTrip(t, u, d, CompressOptions{CompressOther: true})
		}
	}
	if n < 250 {
		t.Errorf("only %d valid vectors round-tripped", n)
	}
	t.Logf("round trips: %d valid vector URIs × {optimised, unoptimised}, %d with packed parameters", n, packed)
}

// TestCompressEdgeCases: hand-made links for the parts of the format the
// vectors do not reach.
func TestCompressEdgeCases(t *testing.T) {
	for _, u := range []string{
		// non-AI keys, linkType, custom stems, percent-encoded values
		"https://example.com/01/09520123456788/21/A%2FB%25C?linkType=gs1%3Apip&thngId=xyz&flag",
		"https://brand.example/a/b/c/01/09520123456788/10/abc-1_2/21/ff00ab?17=251231&3103=000195&99=A%2BB",
		"http://a/01/09520123456788/22/CPV/10/L1/21/S1?11=240101&13=240102&15=240103&16=240104&30=0012&91=%21%22",
		// leading zeros: a numeric lot and a variable-length number
		"https://id.gs1.org/01/09520123456788/10/007?30=00000001&242=000001",
		// every alphanumeric encoding: digits, lower hex, upper hex, base64url, 7-bit
		"https://id.gs1.org/01/09520123456788/10/0123/21/abcdef?240=ABCDEF&241=Abc-_z&250=a.b%2Fc%3Fd",
		// optional components present and absent
		"https://id.gs1.org/253/9520123456788",
		"https://id.gs1.org/253/9520123456788ABC%2F1",
		"https://id.gs1.org/255/9520123456788",
		"https://id.gs1.org/255/9520123456788000000000042?3900=123",
		"https://id.gs1.org/8003/09520123456788XYZ",
		"https://id.gs1.org/8006/095201234567880102/10/L?7003=2412311530&8008=24123115",
		"https://id.gs1.org/01/09520123456788?7007=240101&7230=EMxyz",
		"https://id.gs1.org/01/09520123456788?7007=240101241231&423=250380",
		"https://id.gs1.org/414/9520123456788/254/32a%2Fb",
		"https://id.gs1.org/8010/9520123%23-%2FX/8011/123",
		"https://id.gs1.org/8017/095201234567800015/8019/12",
		"https://id.gs1.org/8004/9520123ABC",
		"https://id.gs1.org/00/106141412345678908?02=09520123456788&37=25&10=ABC123",
		// AIs newer than the prototype (the dictionary layout)
		"https://id.gs1.org/01/09520123456788/235/TPX1?7240=ABC&4330=000150",
		"HTTPS://ID.GS1.ORG/01/09520123456788/21/X",
	} {
		d, err := Parse(u)
		if err != nil {
			t.Errorf("Parse(%s): %v", u, err)
			continue
		}
		roundTrip(t, u, d, CompressOptions{})
		roundTrip(t, u, d, CompressOptions{Unoptimised: true})
		if compressible(d) {
			roundTrip(t, u, d, CompressOptions{CompressOther: true})
		}
	}

	// A compressed link with its own query: AI attributes join the
	// decoded ones, other parameters pass through.
	got, err := Decompress("https://example.com/s/CxFRJydaKI1XgkZCCjA5?linkType=gs1:pip&17=251231#top")
	want := "https://example.com/s/01/09520123456788/10/ABC123/21/12345?17=251231&linkType=gs1:pip"
	if err != nil || got != want {
		t.Errorf("Decompress with a query = %q, %v; want %s", got, err, want)
	}
	// Packed parameters come back percent-encoded.
	c, err := Compress("https://a/01/09520123456788?linkType=gs1%3Apip&k=a+b", CompressOptions{CompressOther: true})
	if err != nil || strings.Contains(c, "?") {
		t.Fatalf("Compress with CompressOther = %q, %v", c, err)
	}
	if got, err := Decompress(c); err != nil || got != "https://a/01/09520123456788?linkType=gs1%3Apip&k=a+b" {
		t.Errorf("Decompress(%s) = %q, %v", c, got, err)
	}
	if _, err := Compress("https://a/01/09520123456788?link.type=x", CompressOptions{CompressOther: true}); !errors.Is(err, ErrCompress) {
		t.Errorf("Compress of key link.type with CompressOther: %v, want ErrCompress", err)
	}
	// Base overrides the URI's own.
	if c, err := Compress("https://a/x/01/80614141123458/21/6789", CompressOptions{Base: "https://id.gs1.org/"}); err != nil || c != "https://id.gs1.org/DJKi4n23BAjUK" {
		t.Errorf("Compress with Base = %q, %v", c, err)
	}
}

// TestDecompressErrors: bad input is an *Error that names the problem and
// its position.
func TestDecompressErrors(t *testing.T) {
	for _, c := range []struct {
		uri      string
		sentinel error
		pos      int
		reason   string
	}{
		{"https://id.gs1.org/CxFRJyd KI1XgkZCCjA5", ErrCharacter, 27, ""},
		{"https://id.gs1.org/CxFRJyd*KI1XgkZCCjA5", ErrBadCompressed, 27, "not a base64url character"},
		{"https://id.gs1.org/CxFRJyd.KI1XgkZCCjA5", ErrBadCompressed, 27, "not a base64url character"},
		{"https://id.gs1.org/", ErrBadCompressed, 19, "no compressed segment"},
		{"ftp://id.gs1.org/CxFRJydaKI1XgkZCCjA5", ErrScheme, 1, ""},
		{"https://id.gs1.org/CxFRJydaKI1X", ErrBadCompressed, 30, "ends inside the value of AI (10) (6 characters of 4 bits) (bit 63"},
		{"https://id.gs1.org/CxFRJy", ErrBadCompressed, 21, "ends inside the value of AI (01) (bit 8"},
		{"https://id.gs1.org/EMjQ", ErrBadCompressed, 22, "encoding 6 of AI (10) is not defined"},
		{"https://id.gs1.org/BkFRJydaKI1XgkZCCjA5", ErrUnknownAI, 20, "no GS1 AI starts with 06"},
		{"https://id.gs1.org/vxFRJydaKI1XgkZCCjA5", ErrBadCompressed, 20, "hex code BF"},
		// bit 15 of the GTIN flipped: a bad check digit after decoding
		{"https://id.gs1.org/ARFTJydaKCCNV4JGQgowOQ", ErrValue, 20, "check digit"},
		// 10 twice
		{"https://id.gs1.org/CxFRJydaKI1XgkZCCjA5?10=X", ErrDuplicateAI, 41, "also in the compressed data"},
		// no primary key: only AI (10)
		{"https://id.gs1.org/" + onlyLot, ErrNoPrimaryKey, 20, "no GS1 Digital Link primary key"},
	} {
		_, err := Decompress(c.uri)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, c.sentinel) || e.Pos != c.pos || !strings.Contains(e.Reason, c.reason) {
			t.Errorf("Decompress(%s) = %v (pos %d); want %v at %d with %q", c.uri, err, posOf(e), c.sentinel, c.pos, c.reason)
			continue
		}
		t.Logf("%s: %v", c.uri, err)
	}
}

// onlyLot is a stream holding AI (10) "A" and no primary key.
var onlyLot = func() string {
	var w bitWriter
	w.write(0x10, 8)
	w.write(encBase64, 3)
	w.write(1, 5)
	w.write(0, 6)
	return string(w.flush())
}()

func posOf(e *Error) int {
	if e == nil {
		return -1
	}
	return e.Pos
}

// TestCompressTables checks the layout table against facts of the
// prototype it must agree with.
func TestCompressTables(t *testing.T) {
	for _, c := range []struct {
		n, bits int
	}{{0, 1}, {1, 4}, {6, 20}, {13, 44}, {14, 47}, {18, 60}, {20, 67}, {90, 299}} {
		if got := int(valueBits[c.n]); got != c.bits {
			t.Errorf("valueBits[%d] = %d, want %d", c.n, got, c.bits)
		}
	}
	for m, want := range map[int]int{1: 1, 2: 2, 8: 4, 16: 5, 20: 5, 24: 5, 30: 5, 34: 6, 90: 7} {
		if got := lengthBits(m); got != want {
			t.Errorf("lengthBits(%d) = %d, want %d", m, got, want)
		}
	}
	for _, o := range compOpts {
		for _, ai := range o.ais {
			if num, _ := aiNum(ai); compFormatOf(num) == nil {
				t.Errorf("optimisation %02X names AI (%s), which is not in the table", o.code, ai)
			}
		}
		if o.code>>4 <= 9 && o.code&15 <= 9 {
			t.Errorf("optimisation code %02X reads as an AI", o.code)
		}
	}
	if got := compOpts[compOptIndex[0x1A]-1].ais; !slices.Equal(got, []string{"01", "10", "17", "21"}) {
		t.Errorf("optimisation 1A = %v, want the sorted 01 10 17 21", got)
	}
}
