package datamatrix

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	bdm "github.com/boombuler/barcode/datamatrix"
	"github.com/makiuchi-d/gozxing/datamatrix/decoder"
)

// decode reads s back with gozxing's Data Matrix decoder (an independent
// implementation): the text and the symbology identifier (]d1, or ]d2 for
// GS1).
func decode(t testing.TB, s *Symbol) (string, string) {
	t.Helper()
	img := make([][]bool, s.Rows)
	for r := range img {
		img[r] = make([]bool, s.Cols)
		for c := range img[r] {
			img[r][c] = s.Dark(r, c)
		}
	}
	res, err := decoder.NewDecoder().DecodeBoolMap(img)
	if err != nil {
		t.Fatalf("%d×%d symbol does not decode: %v", s.Rows, s.Cols, err)
	}
	text, sym := res.GetText(), fmt.Sprintf("]d%d", res.GetSymbologyModifier())
	if sym == "]d2" {
		// gozxing transmits the leading FNC1 as a GS too; the symbology
		// identifier is what says GS1.
		text = strings.TrimPrefix(text, "\x1d")
	}
	return text, sym
}

func TestGS1RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		data   string
		shape  Shape
		rows   int
		cols   int
		leadCW byte
	}{
		// A GTIN and a 13-character serial: 1 FNC1 + 8 + 1 + (AI 21) 1 + serial.
		// FNC1, eight digit pairs, the pair 21, A B C 12 3 D E F 45 67: 20
		// codewords.
		{"010952012345678821ABC123DEF4567", Square, 20, 20, cwFNC1},
		{"010952012345678821ABC123DEF4567", Rectangle, 12, 36, cwFNC1},
		{"010952012345678821ABC123DEF4567", Any, 20, 20, cwFNC1},
		// GTIN, expiry, lot (variable, so FNC1 follows), serial.
		{"0109520123456788172612251OLOT42\x1d2112345678901", Square, 22, 22, cwFNC1},
		{"0109520123456788", Square, 16, 16, cwFNC1},
		{"0109520123456788", Rectangle, 8, 32, cwFNC1},
		{"01", Rectangle, 8, 18, cwFNC1},
	} {
		s, err := Encode([]byte(tc.data), Options{Shape: tc.shape, GS1: true})
		if err != nil {
			t.Fatalf("%q %v: %v", tc.data, tc.shape, err)
		}
		if s.Rows != tc.rows || s.Cols != tc.cols {
			t.Errorf("%q %v: %d×%d, want the smallest that fits, %d×%d", tc.data, tc.shape, s.Rows, s.Cols, tc.rows, tc.cols)
		}
		if s.Codewords[0] != tc.leadCW {
			t.Errorf("%q: first codeword %d, want FNC1 (232)", tc.data, s.Codewords[0])
		}
		text, sym := decode(t, s)
		if text != tc.data || sym != "]d2" {
			t.Errorf("%q %v: decoded %q with %s, want the data with ]d2", tc.data, tc.shape, text, sym)
		}
	}
}

// Every size, filled to capacity, decodes: the placement's corner cases
// (each corner pattern belongs to some sizes) and the interleaving of the
// multi-block sizes (144×144's uneven blocks included).
func TestEverySizeDecodes(t *testing.T) {
	for _, sz := range sizes {
		// Digit pairs fill one codeword each; an odd tail adds one letter.
		data := strings.Repeat("12", sz.data)
		s, err := Encode([]byte(data), Options{Shape: Any})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rows*s.Cols > sz.rows*sz.cols {
			t.Errorf("%d digits: %d×%d chosen, %d×%d holds them", len(data), s.Rows, s.Cols, sz.rows, sz.cols)
		}
		sh := Square
		if !sz.square {
			sh = Rectangle
		}
		s, err = Encode([]byte(data), Options{Shape: sh})
		if err != nil {
			t.Fatal(err)
		}
		if s.Rows != sz.rows || s.Cols != sz.cols {
			t.Fatalf("%d digits as %v: %d×%d, want %d×%d", len(data), sh, s.Rows, s.Cols, sz.rows, sz.cols)
		}
		if text, sym := decode(t, s); text != data || sym != "]d1" {
			t.Errorf("%d×%d: decoded %d bytes (%s), want %d", sz.rows, sz.cols, len(text), sym, len(data))
		}
		// One more codeword does not fit: the next size up.
		if s2, err := Encode([]byte(data+"A"), Options{Shape: sh}); err == nil && s2.Rows*s2.Cols <= sz.rows*sz.cols {
			t.Errorf("%d×%d holds %d codewords but took %d", sz.rows, sz.cols, sz.data, sz.data+1)
		}
	}
}

// boombuler/barcode's encoder (ASCII encodation, squares only) must give
// the same modules as ours for the square sizes: two implementations
// agree bit for bit.
func TestSameModulesAsBoombuler(t *testing.T) {
	for _, data := range []string{"A", "tracecode", "0109520123456788", strings.Repeat("HELLO world 42 ", 20), strings.Repeat("9", 1000)} {
		s, err := Encode([]byte(data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := bdm.Encode(data)
		if err != nil {
			t.Fatal(err)
		}
		bounds := b.Bounds()
		if bounds.Dx() != s.Cols || bounds.Dy() != s.Rows {
			t.Fatalf("%q: %d×%d, boombuler %d×%d", data, s.Rows, s.Cols, bounds.Dy(), bounds.Dx())
		}
		for r := 0; r < s.Rows; r++ {
			for c := 0; c < s.Cols; c++ {
				cr, _, _, _ := b.At(c, r).RGBA()
				if (cr == 0) != s.Dark(r, c) {
					t.Fatalf("%q: module (%d,%d) differs", data, r, c)
				}
			}
		}
	}
}

func TestExtendedASCII(t *testing.T) {
	data := []byte("caf\xe9 \x80\xff")
	s, err := Encode(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(s.Codewords, []byte{cwUpperShift, 0xe9 - 127}) {
		t.Errorf("codewords %v: no Upper Shift for 0xE9", s.Codewords)
	}
	if text, _ := decode(t, s); text != string(data) {
		t.Errorf("decoded %q", text)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		data string
		o    Options
		want error
	}{
		{"", Options{}, ErrInput},
		{"\x1d01", Options{GS1: true}, ErrInput},
		{"x", Options{Shape: 7}, ErrInput},
		{strings.Repeat("A", 1559), Options{}, ErrTooLong},
		{strings.Repeat("A", 50), Options{Shape: Rectangle}, ErrTooLong},
	} {
		if _, err := Encode([]byte(tc.data), tc.o); !errors.Is(err, tc.want) {
			t.Errorf("%.20q %+v: %v, want %v", tc.data, tc.o, err, tc.want)
		}
	}
	if _, err := ParseShape("round"); !errors.Is(err, ErrInput) {
		t.Errorf("ParseShape(round): %v", err)
	}
}

// FuzzEncode: any data either is refused with an error or encodes into a
// symbol that an independent decoder reads back to the same bytes.
func FuzzEncode(f *testing.F) {
	f.Add([]byte("010952012345678821ABC123DEF4567"), true, uint8(0))
	f.Add([]byte("0109520123456788172612251OLOT42\x1d2112345678901"), true, uint8(2))
	f.Add([]byte("https://id.gs1.org/01/09520123456788/21/X"), false, uint8(1))
	f.Add([]byte("\x00\xff\x1d99"), false, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, gs1 bool, shape uint8) {
		s, err := Encode(data, Options{Shape: Shape(shape % 4), GS1: gs1})
		if err != nil {
			if !errors.Is(err, ErrInput) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		text, sym := decode(t, s)
		if text != string(data) {
			t.Fatalf("decoded %q, want %q", text, data)
		}
		if (sym == "]d2") != gs1 {
			t.Fatalf("symbology %s with GS1 %v", sym, gs1)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	data := []byte("0109520123456788172612251OLOT42\x1d2112345678901")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(data, Options{GS1: true}); err != nil {
			b.Fatal(err)
		}
	}
}
