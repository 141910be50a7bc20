package epc

import (
	"tracecode/engine/code/gs1"
)

// SSCC is a Serial Shipping Container Code as an EPC pure identity: the
// 18-digit SSCC and the length of the GS1 company prefix inside it.
//
//	URN:     urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef
//	SSCC-18: Extension CompanyPrefix SerialRef CheckDigit
//
// An SSCC is comparable; two are equal when their URNs are equal. It holds
// no filter value (see Tag). Invariants of a non-zero SSCC: 18 digits with a
// correct check digit; company prefix length 6–12. The zero SSCC is invalid.
type SSCC struct {
	sscc  gs1.SSCC
	cpLen uint8
}

// SSCCFromGS1 builds an SSCC from a GS1 SSCC and its company prefix length
// (6–12), checking digits and check digit.
func SSCCFromGS1(c gs1.SSCC, cpLen int) (SSCC, error) {
	if err := checkCPLen(cpLen); err != nil {
		return SSCC{}, err
	}
	if err := checkKey("SSCC", c[:]); err != nil {
		return SSCC{}, err
	}
	return SSCC{sscc: c, cpLen: uint8(cpLen)}, nil
}

// GS1 returns the 18-digit SSCC.
func (c SSCC) GS1() gs1.SSCC { return c.sscc }

// CPLen returns the GS1 company prefix length, 6–12 (0 for the zero SSCC).
func (c SSCC) CPLen() int { return int(c.cpLen) }

// IsZero reports whether c is the zero SSCC.
func (c SSCC) IsZero() bool { return c.cpLen == 0 }

// AppendURN appends urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef.
// It appends nothing for the zero SSCC.
func (c SSCC) AppendURN(dst []byte) []byte {
	if c.cpLen == 0 {
		return dst
	}
	dst = append(dst, "urn:epc:id:sscc:"...)
	return c.appendBody(dst)
}

func (c SSCC) appendBody(dst []byte) []byte {
	cp := 1 + int(c.cpLen)
	dst = append(dst, c.sscc[1:cp]...)
	dst = append(dst, '.', c.sscc[0])
	return append(dst, c.sscc[cp:17]...)
}

// String returns the pure-identity URN.
func (c SSCC) String() string { return string(c.AppendURN(nil)) }

// AppendElementString appends (00)SSCC.
func (c SSCC) AppendElementString(dst []byte) []byte {
	if c.cpLen == 0 {
		return dst
	}
	dst = append(dst, "(00)"...)
	return append(dst, c.sscc[:]...)
}

// Identity returns c as an Identity of kind KindSSCC.
func (c SSCC) Identity() Identity {
	if c.cpLen == 0 {
		return Identity{}
	}
	id := Identity{kind: KindSSCC, cpLen: c.cpLen}
	copy(id.key[:], c.sscc[:])
	return id
}

// Tag96 returns the SSCC-96 tag encoding of c with the given filter value
// (0–7; TDS defines 0 all others, 2 full case for transport, 6 unit load).
func (c SSCC) Tag96(filter uint8) (Tag, error) {
	if err := c.check(filter); err != nil {
		return Tag{}, err
	}
	return Tag{scheme: SchemeSSCC96, filter: filter, sscc: c}, nil
}

func (c SSCC) check(filter uint8) *Error {
	if c.cpLen == 0 {
		return errf("SSCC", 0, ErrZero, "encoding the zero SSCC")
	}
	if filter > 7 {
		return errFilter(filter)
	}
	return nil
}

// AppendHex96 appends the SSCC-96 encoding of c as 24 upper-case hex
// digits. It fails only for filter > 7 or the zero SSCC.
func (c SSCC) AppendHex96(dst []byte, filter uint8) ([]byte, error) {
	if err := c.check(filter); err != nil {
		return dst, err
	}
	hi, lo := c.bits96(filter)
	return appendHex96(dst, hi, lo), nil
}

// bits96 returns the SSCC-96 encoding as its first 32 and last 64 bits.
//
//	header 8 | filter 3 | partition 3 | company prefix | ext+serial ref | reserved 24 (zero)
//	         |<---------------------- 58 bits ------------->|
func (c SSCC) bits96(filter uint8) (hi uint32, lo uint64) {
	cp := int(c.cpLen)
	p := 12 - cp
	pt := &ssccPartitions[p]
	cpv := digitsValue(c.sscc[1 : 1+cp])
	sr := uint64(c.sscc[0]-'0')*pow10[16-cp] + digitsValue(c.sscc[1+cp:17])
	v := uint64(filter)<<61 | uint64(p)<<58 | cpv<<pt.refBits | sr // 64 bits after the header
	return 0x31<<24 | uint32(v>>40), v << 24
}

// ssccGS1 builds the SSCC from binary fields already range-checked.
func ssccGS1(cp, sr uint64, cpDigits int) gs1.SSCC {
	var c gs1.SSCC
	var srDigits [11]byte
	n := 17 - cpDigits
	putDigits(srDigits[:n], sr)
	c[0] = srDigits[0]
	putDigits(c[1:1+cpDigits], cp)
	copy(c[1+cpDigits:17], srDigits[1:n])
	c[17], _ = gs1.CheckDigit(string(c[:17]))
	return c
}
