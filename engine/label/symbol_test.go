package label

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/label/datamatrix"
)

// sample is an issued code as the engine formats it.
var sample = Code{
	Offset: 7,
	Serial: "7KQ2M9XB4TC1W",
	DL:     "https://id.example.cn/01/09520123456788/10/LOT42/21/7KQ2M9XB4TC1W",
	HRI:    "(01)09520123456788(17)261225(10)LOT42(21)7KQ2M9XB4TC1W",
	GS:     "0109520123456788172612251" + "0LOT42\x1d217KQ2M9XB4TC1W",
	NMPA:   "81234560012345678901",
	GTIN:   "09520123456788",
	Lot:    "LOT42",
	Expiry: "261225",
	SSCC:   "395201230000000012",
	NameZH: "婴幼儿配方奶粉",
	NameEN: "Infant formula",
}

// Every symbology decodes with zbar to exactly the data it was given,
// GS1-128 with zbar's GS1 modifier (FNC1 first: ]C1) and plain Code 128
// without.
func TestSymbolsDecodeWithZbar(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		kind     Kind
		data     string
		zbarType string
		want     string
		gs1      bool
	}{
		{QR, sample.DL, "QR-Code", sample.DL, false},
		{QR, "https://t.example.cn/c/7KQ2M9XB4TC1", "QR-Code", "https://t.example.cn/c/7KQ2M9XB4TC1", false},
		{GS1128, sample.GS, "CODE-128", sample.GS, true},
		{GS1128, "00395201230000000012", "CODE-128", "00395201230000000012", true},
		{Code128, sample.NMPA, "CODE-128", sample.NMPA, false},
		{Code128, "7KQ2M9XB4TC1W", "CODE-128", "7KQ2M9XB4TC1W", false},
		{EAN13, "9520123456788", "EAN-13", "9520123456788", false},
		{UPCA, "036000291452", "UPC-A", "036000291452", false},
	} {
		s, err := Encode(tc.kind, tc.data, SymbolOptions{})
		if err != nil {
			t.Fatalf("%v %q: %v", tc.kind, tc.data, err)
		}
		got := zbar(t, symbolPNG(t, dir, s, 3, 90), "-Supca.enable")
		if len(got) != 1 {
			t.Fatalf("%v %q: zbar found %d symbols", tc.kind, tc.data, len(got))
		}
		g := got[0]
		if g.Type != tc.zbarType || g.Data.Text != tc.want || (g.Modifiers == "GS1") != tc.gs1 {
			t.Errorf("%v %q: zbar read %s %q modifiers %q, want %s %q (GS1 %v)", tc.kind, tc.data, g.Type, g.Data.Text, g.Modifiers, tc.zbarType, tc.want, tc.gs1)
		}
	}
}

// GS1 DataMatrix decodes with libdmtx to the element string with FNC1
// first (]d2), square and rectangular, and its first codeword is FNC1.
func TestGS1DataMatrixDecodesWithLibdmtx(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		data  string
		shape datamatrix.Shape
	}{
		{sample.GS, datamatrix.Square},
		{sample.GS, datamatrix.Rectangle},
		{"0109520123456788", datamatrix.Square},
		{"01095201234567882112345678901234567890", datamatrix.Any},
		{"0109520123456788" + "10" + strings.Repeat("A", 20) + "\x1d" + "21" + strings.Repeat("Z", 20) + "\x1d" + "240" + "PART-7", datamatrix.Square},
	} {
		s, err := Encode(GS1DataMatrix, tc.data, SymbolOptions{Shape: tc.shape})
		if err != nil {
			t.Fatal(err)
		}
		if tc.shape == datamatrix.Rectangle && s.Rows == s.Cols {
			t.Errorf("%q: rectangle asked, %d×%d made", tc.data, s.Rows, s.Cols)
		}
		texts, cws := dmtx(t, symbolPNG(t, dir, s, 4, 0), 1)
		if len(texts) != 1 || texts[0] != "\x1d"+tc.data {
			t.Errorf("%q %v (%d×%d): libdmtx read %q, want FNC1 then the data", tc.data, tc.shape, s.Rows, s.Cols, texts)
		}
		if len(cws) == 0 || cws[0] != 232 {
			t.Errorf("%q: codewords %v do not start with FNC1 (232)", tc.data, cws)
		}
	}
}

func TestEncodeRefusesBadData(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		data string
	}{
		{QR, ""},
		{EAN13, "952012345678"},    // 12 digits
		{EAN13, "9520123456789"},   // bad check digit
		{UPCA, "03600029145A"},     // a letter
		{Code128, "caf\u00e9"},     // not ASCII
		{GS1128, "\x1d0109520123"}, // a leading separator
		{GS1DataMatrix, strings.Repeat("9", 3200)},
	} {
		if _, err := Encode(tc.kind, tc.data, SymbolOptions{}); !errors.Is(err, ErrData) {
			t.Errorf("%v %.20q: %v, want ErrData", tc.kind, tc.data, err)
		}
	}
}

func TestECForSize(t *testing.T) {
	for _, tc := range []struct {
		mm   float64
		want ECLevel
	}{{10, ECL}, {15, ECM}, {24.9, ECM}, {28, ECQ}, {60, ECH}} {
		if got := ECForSize(tc.mm); got != tc.want {
			t.Errorf("ECForSize(%g) = %v, want %v", tc.mm, got, tc.want)
		}
	}
	// A larger level makes a larger symbol of the same data.
	l, _ := Encode(QR, sample.DL, SymbolOptions{EC: ECL})
	h, _ := Encode(QR, sample.DL, SymbolOptions{EC: ECH})
	if h.Cols <= l.Cols {
		t.Errorf("QR at H is %d modules, at L %d", h.Cols, l.Cols)
	}
}
