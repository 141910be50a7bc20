package gs1

import (
	"errors"
	"reflect"
	"testing"
)

// Seeds: the examples of standards.md §2 and a few edge cases.
var fuzzHRISeeds = []string{
	"(01)09520123456788(17)201225(10)ABC123(21)12345",
	"(01)12345678901231(10)12345",
	"(10)12345(11)991225",
	"(01)12345678901231(235)XYZ(10)BATCH",
	"(01)12312312312333(10)ABC123(99)TESTING",
	"(10)12345\\(11)991225",
	"(8003)09520123456788ABC(7003)2012251430",
	"(414)9520123456788(254)32a(8030)AB=",
	"(01)09520123456789",
	"(17)201232",
	"(",
	"(1A)1",
	"",
}

var fuzzScanSeeds = []string{
	"]Q3011231231231233310ABC123\x1d99TESTING",
	"]d201095201234567881720122510ABC123\x1d2112345",
	"]C10112345678901231235XYZ\x1d10BATCH",
	"]e00109520123456788\x1d10ABC\x1d",
	"^0112345678901231^991234",
	"^242123456^10ABC123",
	"\x1d010952012345678810A",
	"]Q1TESTING",
	"]",
	"^",
	"01",
}

func FuzzParseHRI(f *testing.F) {
	for _, s := range fuzzHRISeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e1, err := ParseHRI(s)
		if err != nil {
			var ae *AIError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseHRI(%q): error %T is not *AIError", s, err)
			}
			if ae.Pos < 0 || ae.Pos > len(s)+1 { // len(s)+1: the end of the input, where a value is missing
				t.Fatalf("ParseHRI(%q): Pos %d outside the input", s, ae.Pos)
			}
			return
		}
		out := AppendHRI(nil, e1)
		e2, err := ParseHRI(string(out))
		if err != nil {
			t.Fatalf("ParseHRI(%q) ok, but its formatting %q does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(e1, e2) {
			t.Fatalf("round trip of %q: %v then %v", s, e1, e2)
		}
		if out2 := AppendHRI(nil, e2); string(out2) != string(out) {
			t.Fatalf("formatting not stable: %q then %q", out, out2)
		}
		// The same elements survive the barcode-data form too.
		e3, err := ParseBarcodeData(string(AppendBarcodeData(nil, e1, SymbologyDataMatrix)))
		if err != nil || !reflect.DeepEqual(e1, e3) {
			t.Fatalf("barcode-data round trip of %q: %v, %v", s, e3, err)
		}
	})
}

func FuzzParseBarcodeData(f *testing.F) {
	for _, s := range fuzzScanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e1, err := ParseBarcodeData(s)
		if err != nil {
			var ae *AIError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseBarcodeData(%q): error %T is not *AIError", s, err)
			}
			if ae.Pos < 0 || ae.Pos > len(s)+1 { // len(s)+1: the end of the input, where a value is missing
				t.Fatalf("ParseBarcodeData(%q): Pos %d outside the input", s, ae.Pos)
			}
			return
		}
		for _, id := range []string{"", SymbologyGS1128} {
			out := AppendBarcodeData(nil, e1, id)
			e2, err := ParseBarcodeData(string(out))
			if err != nil {
				t.Fatalf("ParseBarcodeData(%q) ok, but its formatting %q does not parse: %v", s, out, err)
			}
			if !reflect.DeepEqual(e1, e2) {
				t.Fatalf("round trip of %q via %q: %v then %v", s, out, e1, e2)
			}
			if out2 := AppendBarcodeData(nil, e2, id); string(out2) != string(out) {
				t.Fatalf("formatting not stable: %q then %q", out, out2)
			}
		}
		e3, err := ParseHRI(string(AppendHRI(nil, e1)))
		if err != nil || !reflect.DeepEqual(e1, e3) {
			t.Fatalf("HRI round trip of %q: %v, %v", s, e3, err)
		}
	})
}
