package code

import (
	"errors"
	"fmt"

	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
)

// AI returns the value of the first element with the given AI.
func (c *Code) AI(ai string) (string, bool) {
	for _, e := range c.Elements {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// GTIN returns the GTIN (AI 01) the code carries.
func (c *Code) GTIN() (gs1.GTIN, bool) {
	v, ok := c.AI("01")
	if !ok {
		return gs1.GTIN{}, false
	}
	g, err := gs1.ParseGTIN(v)
	return g, err == nil
}

// SSCC returns the SSCC (AI 00) the code carries.
func (c *Code) SSCC() (gs1.SSCC, bool) {
	v, ok := c.AI("00")
	if !ok {
		return gs1.SSCC{}, false
	}
	k, err := gs1.ParseSSCC(v)
	return k, err == nil
}

// GLN returns the location GLN (AI 414) the code carries.
func (c *Code) GLN() (gs1.GLN, bool) {
	v, ok := c.AI("414")
	if !ok {
		return gs1.GLN{}, false
	}
	l, err := gs1.ParseGLN(v)
	return l, err == nil
}

// Serial returns the item serial: AI (21) for GS1 data, the 13 digits after
// the drug identification code for an NMPA code, the 11 random digits of a
// veterinary-drug code, the 21 random digits of a pesticide trace code.
func (c *Code) Serial() string {
	switch c.Format {
	case FormatNMPA:
		return c.Drug.Serial()
	case FormatVetDrug:
		return c.Vet.Random()
	case FormatPesticide:
		return c.Pest.Random()
	}
	v, _ := c.AI("21")
	return v
}

// Lot returns the batch/lot number, AI (10).
func (c *Code) Lot() string { v, _ := c.AI("10"); return v }

// Expiry returns the expiry date, AI (17), as YYMMDD.
func (c *Code) Expiry() string { v, _ := c.AI("17"); return v }

// CPLen returns the GS1 company prefix length when the code itself says it
// (EPC forms), else 0.
func (c *Code) CPLen() int { return c.EPC.CPLen() }

// ErrNeedCPLen is returned by EPC conversions of codes that do not carry the
// GS1 company prefix length: the caller must supply it.
var ErrNeedCPLen = errors.New("code: EPC conversion needs the GS1 company prefix length (6–12 digits)")

// AppendElementString appends the human-readable element string
// "(01)…(21)…".
func (c *Code) AppendElementString(dst []byte) ([]byte, error) {
	if c.Elements == nil {
		return dst, errNoGS1
	}
	return gs1.AppendHRI(dst, c.Elements), nil
}

// AppendBarcodeData appends the element strings as barcode data: FNC1 as GS
// (0x1D) after variable-length AIs, prefixed with symbologyID (e.g. "]d2"
// for GS1 DataMatrix, "" for none).
func (c *Code) AppendBarcodeData(dst []byte, symbologyID string) ([]byte, error) {
	if c.Elements == nil {
		return dst, errNoGS1
	}
	return gs1.AppendBarcodeData(dst, c.Elements, symbologyID), nil
}

// AppendDigitalLink appends the canonical GS1 Digital Link URI on base (e.g.
// "https://id.gs1.org"; "" means that).
func (c *Code) AppendDigitalLink(dst []byte, base string) ([]byte, error) {
	if c.Elements == nil {
		return dst, errNoGS1
	}
	d, err := digitallink.FromElements(c.Elements)
	if err != nil {
		return dst, err
	}
	return d.AppendCanonical(dst, base), nil
}

// Identity returns the EPC identity of the code: its own for EPC forms,
// otherwise built from the GS1 key with the given company prefix length
// (an SGTIN needs GTIN and serial; an SSCC; an SGLN). cpLen is ignored when
// the code carries its own.
func (c *Code) Identity(cpLen int) (epc.Identity, error) {
	if !c.EPC.IsZero() {
		return c.EPC, nil
	}
	if c.Elements == nil {
		return epc.Identity{}, errNoGS1
	}
	if cpLen == 0 {
		return epc.Identity{}, ErrNeedCPLen
	}
	if g, ok := c.GTIN(); ok {
		serial, ok := c.AI("21")
		if !ok {
			lot, ok := c.AI("10")
			if !ok {
				return epc.Identity{}, fmt.Errorf("code: a GTIN without serial (21) or lot (10) has no EPC")
			}
			l, err := epc.LGTINFromGTIN(g, lot, cpLen)
			return l.Identity(), err
		}
		s, err := epc.SGTINFromGTIN(g, serial, cpLen)
		return s.Identity(), err
	}
	if k, ok := c.SSCC(); ok {
		s, err := epc.SSCCFromGS1(k, cpLen)
		return s.Identity(), err
	}
	if l, ok := c.GLN(); ok {
		ext, _ := c.AI("254")
		s, err := epc.SGLNFromGLN(l, ext, cpLen)
		return s.Identity(), err
	}
	return epc.Identity{}, fmt.Errorf("code: no GS1 key with an EPC form (01+21, 00, 414)")
}

// AppendEPCURN appends the EPC pure-identity URN.
func (c *Code) AppendEPCURN(dst []byte, cpLen int) ([]byte, error) {
	id, err := c.Identity(cpLen)
	if err != nil {
		return dst, err
	}
	if id.IsTag() {
		// A tag URN's identity: print the pure-identity form.
		switch id.Kind() {
		case epc.KindSGTIN:
			s, _ := id.SGTIN()
			return s.AppendURN(dst), nil
		case epc.KindSSCC:
			s, _ := id.SSCC()
			return s.AppendURN(dst), nil
		}
	}
	return id.AppendURN(dst), nil
}

// AppendEPCHex appends the RFID binary encoding in hex: SGTIN-96 when the
// serial fits (numeric, no leading zero, < 2^38), else SGTIN-198; SSCC-96
// for an SSCC. filter is the TDS filter value (1 = point-of-sale item).
func (c *Code) AppendEPCHex(dst []byte, cpLen int, filter uint8) ([]byte, error) {
	if !c.Tag.IsZero() {
		return c.Tag.AppendHex(dst), nil
	}
	id, err := c.Identity(cpLen)
	if err != nil {
		return dst, err
	}
	var t epc.Tag
	switch id.Kind() {
	case epc.KindSGTIN:
		s, _ := id.SGTIN()
		t, err = s.Tag96(filter)
		if err != nil {
			t, err = s.Tag198(filter)
		}
	case epc.KindSSCC:
		s, _ := id.SSCC()
		t, err = s.Tag96(filter)
	default:
		return dst, fmt.Errorf("code: %s has no binary tag encoding here", id.Kind())
	}
	if err != nil {
		return dst, err
	}
	return t.AppendHex(dst), nil
}
