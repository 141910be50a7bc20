package gs1

import (
	"errors"
	"reflect"
	"testing"
)

func els(pairs ...string) []Element {
	out := make([]Element, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Element{AI: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// TestStandardsExamples runs the examples of standards.md §2.
func TestStandardsExamples(t *testing.T) {
	tests := []struct {
		hri  string
		want []Element
		scan string // AppendBarcodeData with no identifier
	}{
		{"(01)12345678901231(10)12345", els("01", "12345678901231", "10", "12345"), "01123456789012311012345"},
		{"(10)12345(11)991225", els("10", "12345", "11", "991225"), "1012345\x1d11991225"},
		{"(01)12345678901231(235)XYZ(10)BATCH", els("01", "12345678901231", "235", "XYZ", "10", "BATCH"), "0112345678901231235XYZ\x1d10BATCH"},
		{"(01)12312312312333(10)ABC123(99)TESTING", els("01", "12312312312333", "10", "ABC123", "99", "TESTING"), "011231231231233310ABC123\x1d99TESTING"},
		{"(01)09520123456788(17)201225(10)ABC123(21)12345", els("01", "09520123456788", "17", "201225", "10", "ABC123", "21", "12345"), "01095201234567881720122510ABC123\x1d2112345"},
		// (7003) has a fixed length but is not predefined-length: FNC1 after it.
		{"(01)09520123456788(7003)2012251430(10)A1", els("01", "09520123456788", "7003", "2012251430", "10", "A1"), "010952012345678870032012251430\x1d10A1"},
		// GRAI with its optional serial, GLN with extension.
		{"(8003)09520123456788ABC", els("8003", "09520123456788ABC"), "800309520123456788ABC"},
		{"(414)9520123456788(254)32a", els("414", "9520123456788", "254", "32a"), "414952012345678825432a"},
		{"(00)006141411234567890", els("00", "006141411234567890"), "00006141411234567890"},
	}
	for _, tc := range tests {
		got, err := ParseHRI(tc.hri)
		if err != nil {
			t.Errorf("ParseHRI(%q): %v", tc.hri, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseHRI(%q) = %v, want %v", tc.hri, got, tc.want)
		}
		if s := string(AppendHRI(nil, got)); s != tc.hri {
			t.Errorf("AppendHRI = %q, want %q", s, tc.hri)
		}
		if s := string(AppendBarcodeData(nil, got, "")); s != tc.scan {
			t.Errorf("AppendBarcodeData(%q) = %q, want %q", tc.hri, s, tc.scan)
		}
		for _, id := range []string{"", SymbologyQR, SymbologyDataMatrix, SymbologyGS1128, SymbologyDataBar, SymbologyDotCode} {
			back, err := ParseBarcodeData(id + tc.scan)
			if err != nil || !reflect.DeepEqual(back, tc.want) {
				t.Errorf("ParseBarcodeData(%q) = %v, %v", id+tc.scan, back, err)
			}
		}
	}
	// The QR example as a reader sends it.
	qr := string(AppendBarcodeData(nil, els("01", "12312312312333", "10", "ABC123", "99", "TESTING"), SymbologyQR))
	if qr != "]Q3011231231231233310ABC123\x1d99TESTING" {
		t.Errorf("QR scan data %q", qr)
	}
	if e := (Element{AI: "10", Value: "A(1)"}); e.String() != `(10)A\(1)` {
		t.Errorf("Element.String() = %q", e.String())
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) ([]Element, error)
		in    string
		want  error
		ai    string
		pos   int
		msg   string
	}{
		{"hri day", ParseHRI, "(01)09520123456788(17)201232(10)ABC", ErrInvalid, "17", 27, "gs1: AI (17): day 32 at position 27 is not a valid day"},
		{"hri check digit", ParseHRI, "(01)09520123456789", ErrCheckDigit, "01", 18, "gs1: AI (01): check digit at position 18 is 9, expected 8"},
		{"hri length", ParseHRI, "(10)A(01)0952012345678", ErrLength, "01", 10, "gs1: AI (01): value at position 10 has 13 characters, want 14"},
		{"hri empty", ParseHRI, "(10)A(21)", ErrLength, "21", 10, "gs1: AI (21): value at position 10 is empty"},
		{"hri unknown", ParseHRI, "(89)ABC", ErrUnknownAI, "89", 2, ""},
		{"hri no bracket", ParseHRI, "01095201234567881", ErrSyntax, "", 1, ""},
		{"hri bad ai", ParseHRI, "(10)A(1A)B", ErrSyntax, "", 6, ""},
		{"hri cset82", ParseHRI, "(01)09520123456788(10)AB C", ErrSyntax, "10", 25, "gs1: AI (10): character ' ' at position 25 is not in GS1 CSET 82"},
		{"hri empty input", ParseHRI, "", ErrSyntax, "", 0, ""},
		{"scan day", ParseBarcodeData, "]d201095201234567881720123210ABC", ErrInvalid, "17", 26, "gs1: AI (17): day 32 at position 26 is not a valid day"},
		{"scan check digit", ParseBarcodeData, "]Q30109520123456789", ErrCheckDigit, "01", 19, ""},
		{"scan short fixed", ParseBarcodeData, "]C101095201234567", ErrLength, "01", 6, "gs1: AI (01): value at position 6 has 12 characters, want 14"},
		{"scan unknown", ParseBarcodeData, "]C10109520123456788891234", ErrUnknownAI, "", 20, ""},
		{"scan too long", ParseBarcodeData, "]e0242123456710A", ErrLength, "242", 7, ""},
		{"scan empty", ParseBarcodeData, "]d2", ErrSyntax, "", 0, ""},
		{"scan not gs1", ParseBarcodeData, "]Q1TESTING", ErrSyntax, "", 1, ""},
		{"scan short id", ParseBarcodeData, "]Q", ErrSyntax, "", 1, ""},
		{"caret gs in fixed", ParseBarcodeData, "^011234567890123^", ErrSyntax, "01", 17, ""},
		{"caret literal in scan", ParseBarcodeData, "]C101123123123133^10ABC", ErrSyntax, "01", 18, ""},
	}
	for _, tc := range tests {
		_, err := tc.parse(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %q: error %v, want %v", tc.name, tc.in, err, tc.want)
			continue
		}
		var ae *AIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: %T is not *AIError", tc.name, err)
			continue
		}
		if ae.AI != tc.ai || ae.Pos != tc.pos {
			t.Errorf("%s: %q: AI %q Pos %d, want %q %d (%v)", tc.name, tc.in, ae.AI, ae.Pos, tc.ai, tc.pos, err)
		}
		if tc.msg != "" && err.Error() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, err.Error(), tc.msg)
		}
	}
}

func TestParseBarcodeDataForms(t *testing.T) {
	want := els("01", "09520123456788", "10", "ABC", "21", "12")
	for _, in := range []string{
		"010952012345678810ABC\x1d2112",
		"\x1d010952012345678810ABC\x1d2112",    // FNC1 in first position as GS
		"^010952012345678810ABC^2112",          // test-vector notation
		"]J1010952012345678810ABC\x1d2112",     // DotCode
		"]e00109520123456788\x1d10ABC\x1d2112", // superfluous GS after (01)
		"]d2010952012345678810ABC\x1d2112\x1d", // trailing GS
	} {
		got, err := ParseBarcodeData(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseBarcodeData(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseBarcodeData("]d20109520123456788\x1d\x1d10ABC"); err == nil {
		t.Error("two separators accepted")
	}
}

func TestValidateElements(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"(01)09520123456788(17)201225(10)ABC123(21)12345", nil},
		{"(01)09520123456788(21)1(01)09520123456788", nil}, // same AI, same value
		{"(01)09520123456788(21)1(21)2", ErrDuplicateAI},
		{"(01)09520123456788(02)09520123456788", ErrExclusiveAI},
		{"(01)09520123456788(3103)000100(3102)001000", ErrExclusiveAI},
		{"(01)09520123456788(21)A(235)B", ErrExclusiveAI},
		{"(10)ABC", ErrRequiredAI},
		{"(21)ABC", ErrRequiredAI},
		{"(254)A1", ErrRequiredAI},
		{"(414)9520123456788(254)A1", nil},
		{"(02)09520123456788(37)12(00)006141411234567890", nil},
		{"(02)09520123456788(37)12", ErrRequiredAI}, // (37) requires (00)
		{"(01)09520123456788(250)X", ErrRequiredAI}, // (250) requires (21) as well
		{"(01)09520123456788(21)S(250)X", nil},
		{"(01)09520123456788(3925)12599", ErrRequiredAI},
		{"(01)09520123456788(3925)12599(3105)000100", nil}, // 31nn
		{"(8030)ABC(01)09520123456788", ErrRequiredAI},     // 01+21
		{"(8030)ABC(01)09520123456788(21)1", nil},
		{"(8030)ABC(8003)09520123456788", ErrRequiredAI}, // GRAI without serial
		{"(8030)ABC(8003)09520123456788S1", nil},
	}
	for _, tc := range tests {
		e, err := ParseHRI(tc.in)
		if err != nil {
			t.Fatalf("ParseHRI(%q): %v", tc.in, err)
		}
		err = ValidateElements(e)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("ValidateElements(%s) = %v, want %v", tc.in, err, tc.want)
		}
	}
	if err := ValidateElements(els("01", "09520123456789")); !errors.Is(err, ErrCheckDigit) {
		t.Errorf("bad check digit: %v", err)
	}
	if err := ValidateElements(els("89", "X")); !errors.Is(err, ErrUnknownAI) {
		t.Errorf("unknown AI: %v", err)
	}
	e, _ := ParseHRI("(01)09520123456788(17)201225(10)ABC123(21)12345")
	if n := testing.AllocsPerRun(100, func() {
		if ValidateElements(e) != nil {
			panic("invalid")
		}
	}); n != 0 {
		t.Errorf("ValidateElements allocates %v times, want 0", n)
	}
}

func TestOrderForBarcode(t *testing.T) {
	e := els("10", "A", "21", "B", "01", "09520123456788", "7003", "2012251430", "17", "201225")
	OrderForBarcode(e)
	want := els("01", "09520123456788", "17", "201225", "10", "A", "21", "B", "7003", "2012251430")
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("OrderForBarcode = %v, want %v", e, want)
	}
	if s := string(AppendBarcodeData(nil, e, "")); s != "01095201234567881720122510A\x1d21B\x1d70032012251430" {
		t.Errorf("ordered barcode data %q", s)
	}
}

const typicalHRI = "(01)09520123456788(17)201225(10)ABC123(21)12345"

func BenchmarkParseHRI(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalHRI)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseHRI(typicalHRI); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBarcodeData(b *testing.B) {
	in := string(AppendBarcodeData(nil, els("01", "09520123456788", "17", "201225", "10", "ABC123", "21", "12345"), SymbologyDataMatrix))
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseBarcodeData(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendHRI(b *testing.B) {
	e := els("01", "09520123456788", "17", "201225", "10", "ABC123", "21", "12345")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendHRI(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendBarcodeData(b *testing.B) {
	e := els("01", "09520123456788", "17", "201225", "10", "ABC123", "21", "12345")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendBarcodeData(buf[:0], e, SymbologyDataMatrix)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkValidateElements(b *testing.B) {
	e := els("01", "09520123456788", "17", "201225", "10", "ABC123", "21", "12345")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := ValidateElements(e); err != nil {
			b.Fatal(err)
		}
	}
}
