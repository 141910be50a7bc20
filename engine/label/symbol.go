package label

import (
	"errors"
	"fmt"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/ean"
	qrcode "github.com/skip2/go-qrcode"

	"tracecode/engine/label/datamatrix"
)

// Kind is a barcode symbology.
type Kind uint8

// The symbologies.
const (
	QR            Kind = iota + 1 // QR Code, the Digital Link URI (ISO/IEC 18004)
	GS1DataMatrix                 // Data Matrix ECC 200 with FNC1 first: the element string (]d2)
	GS1128                        // Code 128 with FNC1 first: the element string (]C1)
	Code128                       // plain Code 128: the NMPA drug code or another text
	EAN13                         // EAN-13: the product's GTIN-13 (consumer unit, no serial)
	UPCA                          // UPC-A: the product's GTIN-12
	numKinds
)

var kindNames = [numKinds]string{"", "qr", "gs1-datamatrix", "gs1-128", "code128", "ean13", "upca"}

// String returns the kind's template name.
func (k Kind) String() string {
	if k > 0 && k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind reads a kind's template name.
func ParseKind(s string) (Kind, error) {
	for k := QR; k < numKinds; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: barcode kind %q is not one of %s", ErrTemplate, s, strings.Join(kindNames[1:], ", "))
}

// TwoD reports whether k is a matrix symbology.
func (k Kind) TwoD() bool { return k == QR || k == GS1DataMatrix }

// Errors.
var (
	ErrTemplate = errors.New("label: invalid template")
	ErrData     = errors.New("label: code cannot be encoded")
)

// Symbol is an encoded barcode: Cols × Rows modules (Rows = 1 for a
// linear symbol, whose modules are its bars and spaces), without quiet
// zones.
type Symbol struct {
	Kind       Kind
	Rows, Cols int
	Modules    []byte // row by row, 1 dark
	// Quiet is the quiet zone in modules each side needs (ISO/IEC
	// 18004: 4; 16022: 1, GS1 recommends more; Code 128: 10; EAN: 11 left,
	// 7 right, approximated by 11).
	Quiet int
	// Data is the encoded data as a decoder transmits it (GS separators
	// in GS1 symbols), without the symbology identifier.
	Data string
}

// Dark reports whether module (r, c) is dark.
func (s *Symbol) Dark(r, c int) bool { return s.Modules[r*s.Cols+c] != 0 }

// ECLevel is a QR error correction level.
type ECLevel uint8

// The QR levels: recovery of about 7, 15, 25 and 30 % of the codewords.
const (
	ECAuto ECLevel = iota // chosen from the printed size (ECForSize)
	ECL
	ECM
	ECQ
	ECH
)

// ParseECLevel reads "", "L", "M", "Q" or "H".
func ParseECLevel(s string) (ECLevel, error) {
	i := strings.Index("LMQH", s)
	if s == "" || len(s) != 1 || i < 0 {
		if s == "" {
			return ECAuto, nil
		}
		return 0, fmt.Errorf("%w: ec %q is not L, M, Q or H", ErrTemplate, s)
	}
	return ECLevel(i + 1), nil
}

// String returns the level's letter ("" for ECAuto).
func (l ECLevel) String() string {
	if l >= ECL && l <= ECH {
		return string("LMQH"[l-1])
	}
	return ""
}

// ECForSize chooses the QR error correction level for a symbol printed
// sideMM millimetres wide: a small symbol keeps its modules large (L
// below 15 mm, M below 25 mm), a large one spends its room on recovery
// from scuffs and dirt (Q below 40 mm, H above) — the trade GS1's QR
// guidance for Digital Link describes.
func ECForSize(sideMM float64) ECLevel {
	switch {
	case sideMM < 15:
		return ECL
	case sideMM < 25:
		return ECM
	case sideMM < 40:
		return ECQ
	}
	return ECH
}

// SymbolOptions shape an encoding.
type SymbolOptions struct {
	EC    ECLevel          // QR only; ECAuto is M
	Shape datamatrix.Shape // GS1 DataMatrix only
}

// Encode encodes data as kind k. For the GS1 kinds data is barcode data:
// element strings with GS (0x1D) after each variable-length value that
// is not last, no leading FNC1 (the symbol adds it). EAN-13 takes 13
// digits, UPC-A 12, check digit included.
func Encode(k Kind, data string, o SymbolOptions) (*Symbol, error) {
	if data == "" {
		return nil, fmt.Errorf("%w: no %v data", ErrData, k)
	}
	switch k {
	case GS1DataMatrix:
		d, err := datamatrix.Encode([]byte(data), datamatrix.Options{Shape: o.Shape, GS1: true})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrData, err)
		}
		return &Symbol{Kind: k, Rows: d.Rows, Cols: d.Cols, Modules: d.Modules, Quiet: 2, Data: data}, nil
	case QR:
		// skip2/go-qrcode rather than boombuler's qr: a profile of label
		// rendering showed boombuler's mask scoring at 5× skip2's cost
		// (about 10 ms against 2 ms a symbol on a loaded machine).
		lv := map[ECLevel]qrcode.RecoveryLevel{ECAuto: qrcode.Medium, ECL: qrcode.Low, ECM: qrcode.Medium, ECQ: qrcode.High, ECH: qrcode.Highest}[o.EC]
		q, err := qrcode.New(data, lv)
		if err != nil {
			return nil, fmt.Errorf("%w: qr: %w", ErrData, err)
		}
		q.DisableBorder = true
		bm := q.Bitmap()
		s := &Symbol{Kind: k, Rows: len(bm), Cols: len(bm), Quiet: 4, Data: data, Modules: make([]byte, len(bm)*len(bm))}
		for y, row := range bm {
			for x, dark := range row {
				if dark {
					s.Modules[y*s.Cols+x] = 1
				}
			}
		}
		return s, nil
	case GS1128, Code128:
		in := data
		if k == GS1128 {
			if strings.HasPrefix(data, "\x1d") {
				return nil, fmt.Errorf("%w: gs1-128 data starts with a separator", ErrData)
			}
			in = string(code128.FNC1) + strings.ReplaceAll(data, "\x1d", string(code128.FNC1))
		} else if i := strings.IndexFunc(data, func(r rune) bool { return r < 32 || r > 126 }); i >= 0 {
			return nil, fmt.Errorf("%w: code128: byte %d (%q) is not printable ASCII", ErrData, i+1, data[i])
		}
		b, err := code128.Encode(in)
		if err != nil {
			return nil, fmt.Errorf("%w: %v: %w", ErrData, k, err)
		}
		return fromImage(k, b, 10, data), nil
	case EAN13, UPCA:
		n := 13
		if k == UPCA {
			n = 12
		}
		if len(data) != n || strings.Trim(data, "0123456789") != "" {
			return nil, fmt.Errorf("%w: %v takes %d digits, got %q", ErrData, k, n, data)
		}
		in := data
		if k == UPCA {
			in = "0" + data // UPC-A is the EAN-13 symbol of 0 and the 12 digits
		}
		b, err := ean.Encode(in)
		if err != nil {
			return nil, fmt.Errorf("%w: %v: %w", ErrData, k, err)
		}
		return fromImage(k, b, 11, data), nil
	}
	return nil, fmt.Errorf("%w: %v", ErrTemplate, k)
}

// fromImage copies a boombuler symbol's modules (one pixel each).
func fromImage(k Kind, b barcode.Barcode, quiet int, data string) *Symbol {
	r := b.Bounds()
	s := &Symbol{Kind: k, Rows: r.Dy(), Cols: r.Dx(), Quiet: quiet, Data: data}
	s.Modules = make([]byte, s.Rows*s.Cols)
	for y := 0; y < s.Rows; y++ {
		for x := 0; x < s.Cols; x++ {
			if c, _, _, _ := b.At(r.Min.X+x, r.Min.Y+y).RGBA(); c < 0x8000 {
				s.Modules[y*s.Cols+x] = 1
			}
		}
	}
	return s
}
