package label

import (
	"fmt"
	"strings"
)

// Code is what one label prints: the forms of one issued code, as the
// engine formats them (never re-typed), and its product's names.
type Code struct {
	Offset uint64 // the code's position in its block
	Serial string // AI (21) value, NMPA serial or short code
	DL     string // GS1 Digital Link URI, "" if the block has none
	HRI    string // element string, (01)…(21)…, "" if none
	GS     string // barcode data: the element string with GS separators
	NMPA   string // 20-digit NMPA drug code, "" if none
	Short  string // short-code URL, "" if none
	GTIN   string // the product's GTIN-14, "" if none
	Lot    string // lot number, "" if none
	Expiry string // expiry as YYMMDD, "" if none
	SSCC   string // 18-digit SSCC of a logistic unit, "" if none
	NameZH string // product name in Chinese
	NameEN string // product name in English
}

// Field is a part of a Code a template prints or encodes.
type Field uint8

// The fields.
const (
	FieldNone Field = iota
	FieldSerial
	FieldDL
	FieldHRI
	FieldGS
	FieldNMPA
	FieldShort
	FieldGTIN
	FieldGTIN13 // the GTIN-14 without its leading 0 (EAN-13)
	FieldGTIN12 // the GTIN-14 without its two leading 0s (UPC-A)
	FieldLot
	FieldExpiry // YYMMDD in a barcode, YYYY-MM-DD as text
	FieldSSCC
	FieldNameZH
	FieldNameEN
	numFields
)

var fieldNames = [numFields]string{"", "serial", "dl", "hri", "gs", "nmpa", "short", "gtin", "gtin13", "gtin12", "lot", "expiry", "sscc", "nameZH", "nameEN"}

// String returns the field's template name.
func (f Field) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("field(%d)", uint8(f))
}

// ParseField reads a field's template name.
func ParseField(s string) (Field, error) {
	for f := FieldSerial; f < numFields; f++ {
		if fieldNames[f] == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: field %q is not one of %s", ErrTemplate, s, strings.Join(fieldNames[1:], ", "))
}

// Value returns field f of c ("" when c has none). text asks for the
// human-readable form (the expiry as a date).
func (c *Code) Value(f Field, text bool) string {
	switch f {
	case FieldSerial:
		return c.Serial
	case FieldDL:
		return c.DL
	case FieldHRI:
		return c.HRI
	case FieldGS:
		return c.GS
	case FieldNMPA:
		return c.NMPA
	case FieldShort:
		return c.Short
	case FieldGTIN:
		return c.GTIN
	case FieldGTIN13:
		if len(c.GTIN) == 14 && c.GTIN[0] == '0' {
			return c.GTIN[1:]
		}
	case FieldGTIN12:
		if len(c.GTIN) == 14 && c.GTIN[:2] == "00" {
			return c.GTIN[2:]
		}
	case FieldLot:
		return c.Lot
	case FieldExpiry:
		if text && len(c.Expiry) == 6 {
			// GS1 dates are YYMMDD in 2000–2099 for expiry within 50 years;
			// the engine issues no other.
			return "20" + c.Expiry[:2] + "-" + c.Expiry[2:4] + "-" + c.Expiry[4:]
		}
		return c.Expiry
	case FieldSSCC:
		return c.SSCC
	case FieldNameZH:
		return c.NameZH
	case FieldNameEN:
		return c.NameEN
	}
	return ""
}

// defaultData is the field a kind encodes when the template names none.
func defaultData(k Kind) Field {
	switch k {
	case QR:
		return FieldDL
	case GS1DataMatrix, GS1128:
		return FieldGS
	case Code128:
		return FieldNMPA
	case EAN13:
		return FieldGTIN13
	case UPCA:
		return FieldGTIN12
	}
	return FieldNone
}

// dataFields lists the fields kind k may encode.
func dataFields(k Kind) []Field {
	switch k {
	case QR:
		return []Field{FieldDL, FieldShort, FieldNMPA, FieldHRI}
	case GS1DataMatrix, GS1128:
		return []Field{FieldGS, FieldSSCC}
	case Code128:
		return []Field{FieldNMPA, FieldSerial}
	case EAN13:
		return []Field{FieldGTIN13}
	case UPCA:
		return []Field{FieldGTIN12}
	}
	return nil
}

// barcodeData returns what kind k encodes from field f of c.
func barcodeData(k Kind, f Field, c *Code) string {
	if f == FieldSSCC && c.SSCC != "" {
		return "00" + c.SSCC
	}
	return c.Value(f, false)
}
