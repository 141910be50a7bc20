package epc

import (
	"slices"

	"tracecode/engine/code/gs1"
)

// SGTIN is a Serialised Global Trade Item Number as an EPC pure identity:
// a GTIN, a serial (AI 21) and the length of the GS1 company prefix inside
// the GTIN, which the URN and the binary encodings need to split the GTIN.
//
//	URN:     urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial
//	GTIN-14: Indicator CompanyPrefix ItemRef CheckDigit
//
// An SGTIN is comparable and usable as a map key; two SGTINs are equal when
// their URNs are equal. It holds no filter value: the filter belongs to a
// tag encoding (see Tag, AppendHex96), not to the identity.
//
// Invariants of a non-zero SGTIN: the GTIN is 14 digits with a correct check
// digit; the serial is 1–20 CSET 82 characters; the company prefix length is
// 6–12. The zero SGTIN is invalid; its Append methods append nothing or
// return ErrZero.
type SGTIN struct {
	gtin   gs1.GTIN
	serial Text
	cpLen  uint8
	// head is bits 11–57 of the binary encodings (partition, company
	// prefix, indicator + item reference), derived from gtin and cpLen when
	// the SGTIN is built. Caching it saves AppendHex96 parsing 13 digits
	// per call (about a quarter of its instructions, measured with
	// cachegrind); being derived, it does not change equality.
	head uint64
}

// SGTINFromGTIN builds an SGTIN from a GTIN, a raw serial (AI 21 value, not
// %-escaped) and the GS1 company prefix length (6–12 digits; it is not
// recorded in the GTIN, so the caller must know it). It checks the GTIN's
// digits and check digit and that the serial is 1–20 CSET 82 characters.
func SGTINFromGTIN(g gs1.GTIN, serial string, cpLen int) (SGTIN, error) {
	t, err := ParseText("serial", serial)
	if err != nil {
		return SGTIN{}, err
	}
	return sgtinFromText(g, t, cpLen)
}

func sgtinFromText(g gs1.GTIN, serial Text, cpLen int) (SGTIN, error) {
	if err := checkCPLen(cpLen); err != nil {
		return SGTIN{}, err
	}
	if err := checkKey("GTIN", g[:]); err != nil {
		return SGTIN{}, err
	}
	return SGTIN{gtin: g, serial: serial, cpLen: uint8(cpLen), head: sgtinHead(&g, cpLen)}, nil
}

// sgtinHead computes SGTIN.head from a valid GTIN and company prefix length.
func sgtinHead(g *gs1.GTIN, cpLen int) uint64 {
	p := 12 - cpLen
	cpv := digitsValue(g[1 : 1+cpLen])
	ir := uint64(g[0]-'0')*pow10[12-cpLen] + digitsValue(g[1+cpLen:13])
	return uint64(p)<<44 | cpv<<sgtinPartitions[p].refBits | ir
}

// checkKey checks that key is all digits with a correct GS1 check digit.
// It allocates only on error.
func checkKey(name string, key []byte) *Error {
	if key[0] == 0 {
		return errf(name, 0, ErrZero, "is the zero value (not set)")
	}
	for i, c := range key {
		if c < '0' || c > '9' {
			return errf(name, i+1, ErrSyntax, "character "+quoteByte(c)+" is not a digit")
		}
	}
	n := len(key) - 1
	// string(key[:n]) does not escape (CheckDigit keeps no reference), so
	// the conversion uses a stack buffer.
	cd, err := gs1.CheckDigit(string(key[:n]))
	if err != nil {
		return &Error{Field: name, Reason: err.Error(), Err: err}
	}
	if key[n] != cd {
		err := &gs1.CheckDigitError{Key: name, Got: key[n], Expected: cd}
		return &Error{Field: name, Pos: n + 1, Reason: "check digit is " + string(key[n]) + ", expected " + string(cd), Err: err}
	}
	return nil
}

// WithSerial returns s with its serial replaced by serial (raw, 1–20 CSET 82
// characters). It is the cheap way to mint many SGTINs of one GTIN.
func (s SGTIN) WithSerial(serial string) (SGTIN, error) {
	if s.cpLen == 0 {
		return SGTIN{}, errf("SGTIN", 0, ErrZero, "WithSerial on the zero SGTIN")
	}
	t, err := ParseText("serial", serial)
	if err != nil {
		return SGTIN{}, err
	}
	s.serial = t
	return s, nil
}

// GTIN returns the 14-digit GTIN.
func (s SGTIN) GTIN() gs1.GTIN { return s.gtin }

// Serial returns the raw serial.
func (s SGTIN) Serial() Text { return s.serial }

// CPLen returns the GS1 company prefix length, 6–12 (0 for the zero SGTIN).
func (s SGTIN) CPLen() int { return int(s.cpLen) }

// IsZero reports whether s is the zero SGTIN.
func (s SGTIN) IsZero() bool { return s.cpLen == 0 }

// AppendURN appends the pure-identity URN
// urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial, the serial
// %-escaped. It allocates only if dst lacks capacity (at most 17+15+60
// bytes are appended).
func (s SGTIN) AppendURN(dst []byte) []byte {
	if s.cpLen == 0 {
		return dst
	}
	return appendGTINURN(dst, "urn:epc:id:sgtin:", &s.gtin, int(s.cpLen), &s.serial)
}

// appendGTINURN appends prefix, then CompanyPrefix.IndicatorItemRef.Text
// of the GTIN g: the body of SGTIN, LGTIN and SGTIN tag URNs. The fixed
// part (prefix, 13 digits, two dots) is written after one capacity check.
func appendGTINURN(dst []byte, prefix string, g *gs1.GTIN, cpLen int, t *Text) []byte {
	n := len(dst)
	m := len(prefix) + 15
	dst = slices.Grow(dst, m)[:n+m]
	b := dst[n+copy(dst[n:], prefix) : n+m]
	copy(b, g[1:1+cpLen])
	b[cpLen] = '.'
	b[cpLen+1] = g[0]
	copy(b[cpLen+2:], g[1+cpLen:13])
	b[14] = '.'
	return t.AppendEscaped(dst)
}

// String returns the pure-identity URN.
func (s SGTIN) String() string { return string(s.AppendURN(nil)) }

// AppendElementString appends the GS1 element string in human-readable
// form, (01)GTIN(21)Serial, the serial raw.
func (s SGTIN) AppendElementString(dst []byte) []byte {
	if s.cpLen == 0 {
		return dst
	}
	dst = append(dst, "(01)"...)
	dst = append(dst, s.gtin[:]...)
	dst = append(dst, "(21)"...)
	return s.serial.AppendRaw(dst)
}

// Identity returns s as an Identity of kind KindSGTIN.
func (s SGTIN) Identity() Identity {
	if s.cpLen == 0 {
		return Identity{}
	}
	id := Identity{kind: KindSGTIN, cpLen: s.cpLen, text: s.serial}
	copy(id.key[:], s.gtin[:])
	return id
}

// Tag96 returns the SGTIN-96 tag encoding of s with the given filter value
// (0–7). It fails when the serial is not encodable in 38 bits: not all
// digits, a leading zero, or ≥ 2^38.
func (s SGTIN) Tag96(filter uint8) (Tag, error) {
	if _, err := s.check96(filter); err != nil {
		return Tag{}, err
	}
	return Tag{scheme: SchemeSGTIN96, filter: filter, sgtin: s}, nil
}

// Tag198 returns the SGTIN-198 tag encoding of s with the given filter
// value (0–7). Every valid SGTIN is SGTIN-198 encodable.
func (s SGTIN) Tag198(filter uint8) (Tag, error) {
	if err := s.checkCommon(filter); err != nil {
		return Tag{}, err
	}
	return Tag{scheme: SchemeSGTIN198, filter: filter, sgtin: s}, nil
}

func (s *SGTIN) checkCommon(filter uint8) *Error {
	if s.cpLen == 0 {
		return errf("SGTIN", 0, ErrZero, "encoding the zero SGTIN")
	}
	if filter > 7 {
		return errFilter(filter)
	}
	return nil
}

// check96 validates s for SGTIN-96 and returns the numeric serial.
func (s *SGTIN) check96(filter uint8) (uint64, *Error) {
	if err := s.checkCommon(filter); err != nil {
		return 0, err
	}
	v, why := s.serial.serial96()
	if why != "" {
		return 0, errf("serial", 0, ErrSerial, why)
	}
	return v, nil
}

func errFilter(f uint8) *Error {
	return errf("filter", 0, ErrFilter, itoa(int(f))+" does not fit in 3 bits, want 0 to 7")
}

// AppendHex96 appends the SGTIN-96 encoding of s with the given filter as
// 24 upper-case hex digits, as RFID readers report it. It fails (appending
// nothing) when the serial is not SGTIN-96 encodable or filter > 7. It
// allocates only if dst lacks capacity.
//
// This is the printing-line hot path: the 58 bits before the serial are
// computed with integer arithmetic, no bit buffer.
func (s SGTIN) AppendHex96(dst []byte, filter uint8) ([]byte, error) {
	serial, err := s.check96(filter)
	if err != nil {
		return dst, err
	}
	hi, lo := s.bits96(filter, serial)
	return appendHex96(dst, hi, lo), nil
}

// bits96 returns the SGTIN-96 encoding as its first 32 and last 64 bits.
//
//	header 8 | filter 3 | partition 3 | company prefix | item ref | serial 38
//	         |<-------------------- 44 bits -------->|
func (s *SGTIN) bits96(filter uint8, serial uint64) (hi uint32, lo uint64) {
	head := s.head58(0x30, filter)
	return uint32(head >> 26), head<<38 | serial
}

// head58 returns the first 58 bits shared by SGTIN-96 and SGTIN-198:
// header, filter, partition, company prefix, indicator + item reference.
func (s *SGTIN) head58(header byte, filter uint8) uint64 {
	return uint64(header)<<50 | uint64(filter)<<47 | s.head
}

// AppendHex198 appends the SGTIN-198 encoding of s with the given filter as
// 52 upper-case hex digits: the 198 bits followed by 10 zero bits, filling
// the 13 16-bit words of a tag's EPC memory (the form in TDS Annex E).
func (s SGTIN) AppendHex198(dst []byte, filter uint8) ([]byte, error) {
	if err := s.checkCommon(filter); err != nil {
		return dst, err
	}
	var b bitbuf
	s.put198(&b, filter)
	return appendHexBytes(dst, b.b[:bytes198Padded]), nil
}

// put198 writes the SGTIN-198 bits into b.
//
//	header 8 | filter 3 | partition 3 | company prefix + item ref 44 |
//	serial 140 = 20 × 7-bit ASCII, zero-filled after the last character
func (s *SGTIN) put198(b *bitbuf, filter uint8) {
	b.put(0, 58, s.head58(0x36, filter))
	for i := 0; i < int(s.serial.n); i++ {
		b.put(58+7*i, 7, uint64(s.serial.b[i]))
	}
}

// sgtinGTIN builds the GTIN from binary fields already range-checked:
// cp < 10^cpDigits, ir < 10^(13−cpDigits).
func sgtinGTIN(cp, ir uint64, cpDigits int) gs1.GTIN {
	var g gs1.GTIN
	var irDigits [7]byte
	n := 13 - cpDigits
	putDigits(irDigits[:n], ir)
	g[0] = irDigits[0]
	putDigits(g[1:1+cpDigits], cp)
	copy(g[1+cpDigits:13], irDigits[1:n])
	g[13], _ = gs1.CheckDigit(string(g[:13]))
	return g
}
