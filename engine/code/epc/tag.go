package epc

// Scheme is an EPC binary coding scheme. The zero value, SchemeNone, means
// "no binary encoding" (a pure-identity or class URN).
type Scheme uint8

// Supported binary coding schemes.
const (
	SchemeNone     Scheme = iota
	SchemeSGTIN96         // header 0x30, numeric serial < 2^38
	SchemeSGTIN198        // header 0x36, 1–20 character CSET 82 serial
	SchemeSSCC96          // header 0x31
)

// String returns the scheme's name as in tag URNs ("sgtin-96"), or "" for
// SchemeNone.
func (s Scheme) String() string {
	switch s {
	case SchemeSGTIN96:
		return "sgtin-96"
	case SchemeSGTIN198:
		return "sgtin-198"
	case SchemeSSCC96:
		return "sscc-96"
	}
	return ""
}

// Header returns the scheme's 8-bit EPC header, or 0 for SchemeNone.
func (s Scheme) Header() byte {
	switch s {
	case SchemeSGTIN96:
		return headerSGTIN96
	case SchemeSGTIN198:
		return headerSGTIN198
	case SchemeSSCC96:
		return headerSSCC96
	}
	return 0
}

// Bits returns the length of the scheme's encoding in bits (96 or 198).
func (s Scheme) Bits() int {
	switch s {
	case SchemeSGTIN96, SchemeSSCC96:
		return 96
	case SchemeSGTIN198:
		return bits198
	}
	return 0
}

// Filter values (TDS, filter value tables). The filter is 3 bits, so any
// value 0–7 can be encoded and is decoded as is; the values not listed are
// reserved. For SSCC only 0, 2 and 6 are defined.
const (
	FilterAllOthers uint8 = 0 // all others
	FilterPOSItem   uint8 = 1 // SGTIN: point-of-sale trade item
	FilterFullCase  uint8 = 2 // full case for transport
	FilterInnerPack uint8 = 4 // SGTIN: inner pack trade item grouping for handling
	FilterUnitLoad  uint8 = 6 // unit load
	FilterComponent uint8 = 7 // SGTIN: unit inside a trade item / component not for individual sale
)

// Tag is an EPC as a tag encodes it: a binary coding scheme, a filter value
// and the identity (an SGTIN for SGTIN-96/-198, an SSCC for SSCC-96). It is
// what DecodeHex returns and what a tag URN
// (urn:epc:tag:sgtin-96:F.CP.IR.S) denotes.
//
// A Tag is comparable. A non-zero Tag is always encodable: its constructors
// (SGTIN.Tag96, SGTIN.Tag198, SSCC.Tag96, DecodeHex, DecodeBinary,
// Identity.Tag) check that the identity fits the scheme, so its Append
// methods cannot fail. The zero Tag appends nothing.
type Tag struct {
	scheme Scheme
	filter uint8 // 0..7
	sgtin  SGTIN // set for SchemeSGTIN96 and SchemeSGTIN198
	sscc   SSCC  // set for SchemeSSCC96
}

// Scheme returns the binary coding scheme.
func (t Tag) Scheme() Scheme { return t.scheme }

// Filter returns the filter value, 0–7.
func (t Tag) Filter() uint8 { return t.filter }

// Kind returns KindSGTIN or KindSSCC (KindNone for the zero Tag).
func (t Tag) Kind() Kind {
	switch t.scheme {
	case SchemeSGTIN96, SchemeSGTIN198:
		return KindSGTIN
	case SchemeSSCC96:
		return KindSSCC
	}
	return KindNone
}

// IsZero reports whether t is the zero Tag.
func (t Tag) IsZero() bool { return t.scheme == SchemeNone }

// SGTIN returns the SGTIN of an SGTIN-96 or SGTIN-198 tag.
func (t Tag) SGTIN() (SGTIN, bool) {
	return t.sgtin, t.scheme == SchemeSGTIN96 || t.scheme == SchemeSGTIN198
}

// SSCC returns the SSCC of an SSCC-96 tag.
func (t Tag) SSCC() (SSCC, bool) { return t.sscc, t.scheme == SchemeSSCC96 }

// AppendHex appends the binary encoding as upper-case hex: 24 digits for
// SGTIN-96 and SSCC-96, 52 for SGTIN-198 (padded to 13 16-bit words).
func (t Tag) AppendHex(dst []byte) []byte {
	switch t.scheme {
	case SchemeSGTIN96:
		v, _ := t.sgtin.serial.serial96()
		hi, lo := t.sgtin.bits96(t.filter, v)
		return appendHex96(dst, hi, lo)
	case SchemeSSCC96:
		hi, lo := t.sscc.bits96(t.filter)
		return appendHex96(dst, hi, lo)
	case SchemeSGTIN198:
		var b bitbuf
		t.sgtin.put198(&b, t.filter)
		return appendHexBytes(dst, b.b[:bytes198Padded])
	}
	return dst
}

// AppendBinary appends the binary encoding as bytes: 12 for SGTIN-96 and
// SSCC-96, 26 for SGTIN-198 (198 bits then 10 zero bits).
func (t Tag) AppendBinary(dst []byte) []byte {
	var hi uint32
	var lo uint64
	switch t.scheme {
	case SchemeSGTIN96:
		v, _ := t.sgtin.serial.serial96()
		hi, lo = t.sgtin.bits96(t.filter, v)
	case SchemeSSCC96:
		hi, lo = t.sscc.bits96(t.filter)
	case SchemeSGTIN198:
		var b bitbuf
		t.sgtin.put198(&b, t.filter)
		return append(dst, b.b[:bytes198Padded]...)
	default:
		return dst
	}
	return append(dst,
		byte(hi>>24), byte(hi>>16), byte(hi>>8), byte(hi),
		byte(lo>>56), byte(lo>>48), byte(lo>>40), byte(lo>>32),
		byte(lo>>24), byte(lo>>16), byte(lo>>8), byte(lo))
}

// AppendTagURN appends the tag URN, e.g.
// urn:epc:tag:sgtin-96:3.0614141.812345.6789 or
// urn:epc:tag:sscc-96:3.0614141.1234567890.
func (t Tag) AppendTagURN(dst []byte) []byte {
	if t.scheme == SchemeNone {
		return dst
	}
	dst = append(dst, "urn:epc:tag:"...)
	dst = append(dst, t.scheme.String()...)
	dst = append(dst, ':', '0'+t.filter, '.')
	if t.scheme == SchemeSSCC96 {
		return t.sscc.appendBody(dst)
	}
	return appendGTINURN(dst, "", &t.sgtin.gtin, int(t.sgtin.cpLen), &t.sgtin.serial)
}

// AppendURN appends the pure-identity URN (urn:epc:id:…), which has no
// filter and no scheme.
func (t Tag) AppendURN(dst []byte) []byte {
	switch t.scheme {
	case SchemeSSCC96:
		return t.sscc.AppendURN(dst)
	case SchemeSGTIN96, SchemeSGTIN198:
		return t.sgtin.AppendURN(dst)
	}
	return dst
}

// String returns the tag URN.
func (t Tag) String() string { return string(t.AppendTagURN(nil)) }

// Identity returns t as an Identity that keeps the scheme and filter, so
// that its text form is the tag URN.
func (t Tag) Identity() Identity {
	var id Identity
	switch t.scheme {
	case SchemeSSCC96:
		id = t.sscc.Identity()
	case SchemeSGTIN96, SchemeSGTIN198:
		id = t.sgtin.Identity()
	default:
		return Identity{}
	}
	id.scheme = t.scheme
	id.filter = t.filter
	return id
}
