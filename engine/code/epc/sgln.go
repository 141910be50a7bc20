package epc

import (
	"tracecode/engine/code/gs1"
)

// SGLN is a GLN with an optional GLN extension (AI 254) as an EPC pure
// identity, the form EPCIS uses for readPoint and bizLocation.
//
//	URN:    urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension
//	GLN-13: CompanyPrefix LocationRef CheckDigit
//
// LocationRef has 12 − company-prefix-length digits, so it is empty for a
// 12-digit prefix ("urn:epc:id:sgln:012345678901..0"). Extension "0" in the
// URN means "no extension" (TDS), so an SGLN without extension and one with
// AI 254 = "0" are the same EPC; this type stores both as no extension.
//
// Invariants of a non-zero SGLN: 13 digits with a correct check digit;
// extension empty or 1–20 CSET 82 characters other than "0"; company prefix
// length 6–12. The zero SGLN is invalid.
type SGLN struct {
	gln   gs1.GLN
	ext   Text
	cpLen uint8
}

// SGLNFromGLN builds an SGLN from a GLN, a raw extension ("" or "0" for
// none) and the company prefix length (6–12).
func SGLNFromGLN(l gs1.GLN, ext string, cpLen int) (SGLN, error) {
	var t Text
	if ext != "" && ext != "0" {
		var err error
		if t, err = ParseText("extension", ext); err != nil {
			return SGLN{}, err
		}
	}
	return sglnFromText(l, t, cpLen)
}

func sglnFromText(l gs1.GLN, ext Text, cpLen int) (SGLN, error) {
	if err := checkCPLen(cpLen); err != nil {
		return SGLN{}, err
	}
	if err := checkKey("GLN", l[:]); err != nil {
		return SGLN{}, err
	}
	if ext.n == 1 && ext.b[0] == '0' {
		ext = Text{}
	}
	return SGLN{gln: l, ext: ext, cpLen: uint8(cpLen)}, nil
}

// GLN returns the 13-digit GLN.
func (l SGLN) GLN() gs1.GLN { return l.gln }

// Extension returns the raw GLN extension; empty when there is none.
func (l SGLN) Extension() Text { return l.ext }

// CPLen returns the GS1 company prefix length, 6–12 (0 for the zero SGLN).
func (l SGLN) CPLen() int { return int(l.cpLen) }

// IsZero reports whether l is the zero SGLN.
func (l SGLN) IsZero() bool { return l.cpLen == 0 }

// AppendURN appends urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension,
// the extension %-escaped, "0" when there is none.
func (l SGLN) AppendURN(dst []byte) []byte {
	if l.cpLen == 0 {
		return dst
	}
	dst = append(dst, "urn:epc:id:sgln:"...)
	cp := int(l.cpLen)
	dst = append(dst, l.gln[:cp]...)
	dst = append(dst, '.')
	dst = append(dst, l.gln[cp:12]...)
	dst = append(dst, '.')
	if l.ext.n == 0 {
		return append(dst, '0')
	}
	return l.ext.AppendEscaped(dst)
}

// String returns the pure-identity URN.
func (l SGLN) String() string { return string(l.AppendURN(nil)) }

// AppendElementString appends (414)GLN, followed by (254)Extension when
// there is one.
func (l SGLN) AppendElementString(dst []byte) []byte {
	if l.cpLen == 0 {
		return dst
	}
	dst = append(dst, "(414)"...)
	dst = append(dst, l.gln[:]...)
	if l.ext.n > 0 {
		dst = append(dst, "(254)"...)
		dst = l.ext.AppendRaw(dst)
	}
	return dst
}

// Identity returns l as an Identity of kind KindSGLN.
func (l SGLN) Identity() Identity {
	if l.cpLen == 0 {
		return Identity{}
	}
	id := Identity{kind: KindSGLN, cpLen: l.cpLen, text: l.ext}
	copy(id.key[:], l.gln[:])
	return id
}

// LGTIN is a GTIN with a batch/lot number (AI 10) as an EPC class, the form
// EPCIS quantity lists use.
//
//	URN: urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot
//
// Invariants of a non-zero LGTIN: valid GTIN-14; lot 1–20 CSET 82
// characters; company prefix length 6–12. The zero LGTIN is invalid.
type LGTIN struct {
	gtin  gs1.GTIN
	lot   Text
	cpLen uint8
}

// LGTINFromGTIN builds an LGTIN from a GTIN, a raw lot and the company
// prefix length (6–12).
func LGTINFromGTIN(g gs1.GTIN, lot string, cpLen int) (LGTIN, error) {
	t, err := ParseText("lot", lot)
	if err != nil {
		return LGTIN{}, err
	}
	s, err := sgtinFromText(g, t, cpLen)
	if err != nil {
		return LGTIN{}, err
	}
	return LGTIN{gtin: s.gtin, lot: s.serial, cpLen: s.cpLen}, nil
}

// GTIN returns the 14-digit GTIN.
func (c LGTIN) GTIN() gs1.GTIN { return c.gtin }

// Lot returns the raw batch/lot.
func (c LGTIN) Lot() Text { return c.lot }

// CPLen returns the GS1 company prefix length, 6–12 (0 for the zero LGTIN).
func (c LGTIN) CPLen() int { return int(c.cpLen) }

// IsZero reports whether c is the zero LGTIN.
func (c LGTIN) IsZero() bool { return c.cpLen == 0 }

// AppendURN appends urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot,
// the lot %-escaped.
func (c LGTIN) AppendURN(dst []byte) []byte {
	if c.cpLen == 0 {
		return dst
	}
	return appendGTINURN(dst, "urn:epc:class:lgtin:", &c.gtin, int(c.cpLen), &c.lot)
}

// String returns the class URN.
func (c LGTIN) String() string { return string(c.AppendURN(nil)) }

// AppendElementString appends (01)GTIN(10)Lot.
func (c LGTIN) AppendElementString(dst []byte) []byte {
	if c.cpLen == 0 {
		return dst
	}
	dst = append(dst, "(01)"...)
	dst = append(dst, c.gtin[:]...)
	dst = append(dst, "(10)"...)
	return c.lot.AppendRaw(dst)
}

// Identity returns c as an Identity of kind KindLGTIN.
func (c LGTIN) Identity() Identity {
	if c.cpLen == 0 {
		return Identity{}
	}
	id := Identity{kind: KindLGTIN, cpLen: c.cpLen, text: c.lot}
	copy(id.key[:], c.gtin[:])
	return id
}
