package epc

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// Sizes of the binary encodings. SGTIN-198 is 198 bits; as hex it is 50
// digits (the last two bits zero) or, as a tag's EPC memory holds it in
// 16-bit words and readers report it, 52 digits (the last ten bits zero).
const (
	bytes96         = 12
	hex96           = 24
	bits198         = 198
	bytes198        = 25 // ⌈198/8⌉
	bytes198Padded  = 26 // 13 words
	hex198          = 50 // ⌈198/4⌉
	hex198Padded    = 52
	maxBinaryBytes  = bytes198Padded
	hexDigitsUpper  = "0123456789ABCDEF"
	headerSGTIN96   = 0x30
	headerSSCC96    = 0x31
	headerSGTIN198  = 0x36
	serial198Offset = 58 // bit offset of the SGTIN-198 serial
)

// bitbuf is a big-endian bit buffer long enough for the longest supported
// encoding (SGTIN-198 padded to 208 bits) plus 8 spare bytes, so that get
// and put can load and store a whole 64-bit word at any byte offset.
// Bit 0 is the MSB of b[0].
type bitbuf struct {
	b [maxBinaryBytes + 8]byte
}

// get returns the n bits at bit offset off as an unsigned integer.
// REQUIRES: 1 ≤ n and n + off%8 ≤ 64 (true for every field read here:
// the widest, a 40-bit company prefix, starts at bit 14).
func (r *bitbuf) get(off, n int) uint64 {
	w := binary.BigEndian.Uint64(r.b[off>>3:])
	return w << (off & 7) >> (64 - n)
}

// put ORs the low n bits of v into the buffer at bit offset off; the
// target bits must be zero.
// REQUIRES: 1 ≤ n and n + off%8 ≤ 64 (the 58-bit SGTIN head at offset 0,
// 7-bit characters anywhere).
func (r *bitbuf) put(off, n int, v uint64) {
	i := off >> 3
	w := binary.BigEndian.Uint64(r.b[i:])
	w |= (v & (1<<n - 1)) << (64 - n - off&7)
	binary.BigEndian.PutUint64(r.b[i:], w)
}

// hex8 returns the 8 upper-case hex digits of x, most significant first,
// as a big-endian word: the nibbles are spread one per byte, then mapped
// to ASCII with no table and no branch.
func hex8(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000FFFF0000FFFF
	v = (v | v<<8) & 0x00FF00FF00FF00FF
	v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
	letters := (v + 0x0606060606060606) >> 4 & 0x0101010101010101 // 1 in each byte ≥ 10
	return v + 0x3030303030303030 + letters*('A'-'0'-10)
}

// appendHex96 appends the 96 bits hi:lo as 24 upper-case hex digits.
func appendHex96(dst []byte, hi uint32, lo uint64) []byte {
	n := len(dst)
	dst = slices.Grow(dst, hex96)[:n+hex96]
	b := dst[n : n+hex96]
	binary.BigEndian.PutUint64(b[0:], hex8(hi))
	binary.BigEndian.PutUint64(b[8:], hex8(uint32(lo>>32)))
	binary.BigEndian.PutUint64(b[16:], hex8(uint32(lo)))
	return dst
}

// appendHexBytes appends src as upper-case hex.
func appendHexBytes(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	b := dst[n:]
	for len(src) >= 4 {
		binary.BigEndian.PutUint64(b, hex8(binary.BigEndian.Uint32(src)))
		src, b = src[4:], b[8:]
	}
	for i, c := range src {
		b[2*i] = hexDigitsUpper[c>>4]
		b[2*i+1] = hexDigitsUpper[c&15]
	}
	return dst
}

// posUnit says what Error.Pos counts for a binary input.
type posUnit uint8

const (
	unitHexDigit posUnit = iota
	unitBit
)

// pos converts a 0-based bit offset to a 1-based position in the input.
func (u posUnit) pos(bit int) int {
	if u == unitHexDigit {
		return bit/4 + 1
	}
	return bit + 1
}

// knownHeaders names the EPC headers this package recognises but does not
// decode, for error messages (TDS header table).
var knownHeaders = map[byte]string{
	0x00: "an unprogrammed tag",
	0x2C: "GDTI-96", 0x2D: "GSRN-96", 0x2E: "GSRNP-96", 0x2F: "USDOD-96",
	0x32: "SGLN-96", 0x33: "GRAI-96", 0x34: "GIAI-96", 0x35: "GID-96",
	0x37: "GRAI-170", 0x38: "GIAI-202", 0x39: "SGLN-195", 0x3A: "GDTI-113",
	0x3B: "ADI-var", 0x3C: "CPI-96", 0x3D: "CPI-var", 0x3E: "GDTI-174",
	0x3F: "SGCN-96", 0x40: "ITIP-110", 0x41: "ITIP-212",
	0xF7: "SGTIN+", 0xFB: "DSGTIN+", 0xF9: "SSCC+", 0xF2: "SGLN+",
}

func errHeader(h byte) *Error {
	reason := "0x" + hex2(h)
	if name, ok := knownHeaders[h]; ok {
		reason += " is " + name + ", which is not supported"
	} else {
		reason += " is not an EPC header this package knows"
	}
	return errf("header", 1, ErrHeader, reason+"; supported: 0x30 SGTIN-96, 0x31 SSCC-96, 0x36 SGTIN-198")
}

// DecodeHex decodes an EPC binary encoding given as hex, the way RFID
// readers report it: either case, no separators, no 0x prefix. The header
// selects the scheme and the length it needs:
//
//	0x30 SGTIN-96   24 digits
//	0x31 SSCC-96    24 digits
//	0x36 SGTIN-198  50 digits (198 bits + 2 zero bits) or 52 digits
//	                (padded to 13 16-bit words, 10 zero bits)
//
// Errors carry the 1-based hex digit position of the fault. DecodeHex does
// not allocate unless it fails.
func DecodeHex(s string) (Tag, error) {
	var b bitbuf
	if len(s) > 2*maxBinaryBytes {
		return Tag{}, errHexLong(s)
	}
	// Two digits per step into the buffer; len(s) ≤ 52 was checked above.
	i := 0
	for ; i+1 < len(s); i += 2 {
		h, l := hexValue[s[i]], hexValue[s[i+1]]
		if h|l < 0 {
			if h < 0 {
				return Tag{}, errHexChar(s, i)
			}
			return Tag{}, errHexChar(s, i+1)
		}
		b.b[i>>1] = byte(h)<<4 | byte(l)
	}
	if i < len(s) {
		h := hexValue[s[i]]
		if h < 0 {
			return Tag{}, errHexChar(s, i)
		}
		b.b[i>>1] = byte(h) << 4
	}
	if len(s) < 2 {
		if len(s) == 0 {
			return Tag{}, errf("hex", 0, ErrLength, "empty")
		}
		return Tag{}, errf("hex", 0, ErrLength, "has 1 digit, too short for the 8-bit header")
	}
	if err := checkHexLen(b.b[0], len(s)); err != nil {
		return Tag{}, err
	}
	t, err := decodeBits(&b, 4*len(s), unitHexDigit)
	if err != nil {
		return Tag{}, err
	}
	return t, nil
}

// errHexLong reports input longer than any supported encoding: its first
// non-hex character if it has one, else what its header needs.
func errHexLong(s string) *Error {
	for i := 0; i < len(s); i++ {
		if hexValue[s[i]] < 0 {
			return errHexChar(s, i)
		}
	}
	return checkHexLen(byte(hexValue[s[0]])<<4|byte(hexValue[s[1]]), len(s))
}

// checkHexLen checks the number of hex digits n against header h.
func checkHexLen(h byte, n int) *Error {
	switch h {
	case headerSGTIN96, headerSSCC96:
		if n != hex96 {
			return errf("hex", 0, ErrLength, "has "+itoa(n)+" digits, want 24 for "+headerName(h))
		}
	case headerSGTIN198:
		if n != hex198 && n != hex198Padded {
			return errf("hex", 0, ErrLength, "has "+itoa(n)+" digits, want 50 or 52 for SGTIN-198")
		}
	default:
		return errHeader(h)
	}
	return nil
}

func errHexChar(s string, i int) *Error {
	reason := "character " + quoteByte(s[i]) + " is not a hex digit"
	if i == 1 && (s[1] == 'x' || s[1] == 'X') && s[0] == '0' {
		reason += "; give the digits without a 0x prefix"
	}
	return errf("hex", i+1, ErrSyntax, reason)
}

// DecodeBinary decodes an EPC binary encoding from raw bytes, as read from
// a tag's EPC memory bank after the PC word: 12 bytes for SGTIN-96 and
// SSCC-96, 25 or 26 bytes for SGTIN-198 (bits after the 198th must be
// zero). Errors carry the 1-based bit position of the fault.
func DecodeBinary(p []byte) (Tag, error) {
	if len(p) == 0 {
		return Tag{}, errf("binary", 0, ErrLength, "empty")
	}
	var err *Error
	switch h := p[0]; h {
	case headerSGTIN96, headerSSCC96:
		if len(p) != bytes96 {
			err = errf("binary", 0, ErrLength, "has "+itoa(len(p))+" bytes, want 12 for "+headerName(h))
		}
	case headerSGTIN198:
		if len(p) != bytes198 && len(p) != bytes198Padded {
			err = errf("binary", 0, ErrLength, "has "+itoa(len(p))+" bytes, want 25 or 26 for SGTIN-198")
		}
	default:
		err = errHeader(h)
	}
	if err != nil {
		return Tag{}, err
	}
	var b bitbuf
	copy(b.b[:], p)
	t, err := decodeBits(&b, 8*len(p), unitBit)
	if err != nil {
		return Tag{}, err
	}
	return t, nil
}

func headerName(h byte) string {
	switch h {
	case headerSGTIN96:
		return "SGTIN-96"
	case headerSSCC96:
		return "SSCC-96"
	case headerSGTIN198:
		return "SGTIN-198"
	}
	return "0x" + hex2(h)
}

// decodeBits decodes nbits bits of r whose header and length the caller has
// checked.
func decodeBits(r *bitbuf, nbits int, u posUnit) (Tag, *Error) {
	header := byte(r.get(0, 8))
	filter := uint8(r.get(8, 3))
	p := int(r.get(11, 3))
	if p == 7 {
		return Tag{}, errf("partition", u.pos(11), ErrPartition, "7 is reserved, want 0 to 6")
	}
	switch header {
	case headerSSCC96:
		pt := &ssccPartitions[p]
		cp, sr, err := decodeRefs(r, pt, p, "serial reference", u)
		if err != nil {
			return Tag{}, err
		}
		if v := r.get(72, 24); v != 0 {
			return Tag{}, errf("reserved bits", u.pos(72), ErrReserved, "the last 24 bits of SSCC-96 are 0x"+strconv.FormatUint(v, 16)+", want zero")
		}
		c := SSCC{sscc: ssccGS1(cp, sr, int(pt.cpDigits)), cpLen: pt.cpDigits}
		return Tag{scheme: SchemeSSCC96, filter: filter, sscc: c}, nil
	}
	pt := &sgtinPartitions[p]
	cp, ir, err := decodeRefs(r, pt, p, "item reference", u)
	if err != nil {
		return Tag{}, err
	}
	s := SGTIN{gtin: sgtinGTIN(cp, ir, int(pt.cpDigits)), cpLen: pt.cpDigits, head: uint64(p)<<44 | cp<<pt.refBits | ir}
	if header == headerSGTIN96 {
		v := r.get(58, 38)
		s.serial.n = uint8(len(strconv.AppendUint(s.serial.b[:0], v, 10)))
		return Tag{scheme: SchemeSGTIN96, filter: filter, sgtin: s}, nil
	}
	if err := decodeSerial198(r, &s.serial, u); err != nil {
		return Tag{}, err
	}
	if v := r.get(bits198, nbits-bits198); v != 0 {
		return Tag{}, errf("padding", u.pos(bits198), ErrReserved, "bits after the 198th are not zero")
	}
	return Tag{scheme: SchemeSGTIN198, filter: filter, sgtin: s}, nil
}

// decodeRefs reads the company prefix and the reference after it, checking
// each has no more decimal digits than the partition allows.
func decodeRefs(r *bitbuf, pt *partition, p int, refName string, u posUnit) (cp, ref uint64, err *Error) {
	cp = r.get(14, int(pt.cpBits))
	if cp >= pow10[pt.cpDigits] {
		return 0, 0, errf("company prefix", u.pos(14), ErrRange,
			"value "+strconv.FormatUint(cp, 10)+" has more than the "+itoa(int(pt.cpDigits))+" digits partition "+itoa(p)+" allows")
	}
	off := 14 + int(pt.cpBits)
	ref = r.get(off, int(pt.refBits))
	if ref >= pow10[pt.refDigits] {
		return 0, 0, errf(refName, u.pos(off), ErrRange,
			"value "+strconv.FormatUint(ref, 10)+" has more than the "+itoa(int(pt.refDigits))+" digits partition "+itoa(p)+" allows")
	}
	return cp, ref, nil
}

// decodeSerial198 reads the 20 7-bit characters of an SGTIN-198 serial: the
// serial ends at the first zero character, and every character after it
// must be zero too.
func decodeSerial198(r *bitbuf, t *Text, u posUnit) *Error {
	n := 0
	for i := 0; i < MaxTextLen; i++ {
		off := serial198Offset + 7*i
		c := byte(r.get(off, 7))
		if n < i {
			if c != 0 {
				return errf("serial", u.pos(off), ErrSerial, "non-zero character "+quoteByte(c)+" after the serial's terminating zero")
			}
			continue
		}
		if c == 0 {
			continue
		}
		if class[c]&clsCSet82 == 0 {
			return errf("serial", u.pos(off), ErrSyntax, "character "+quoteByte(c)+" is not in GS1 CSET 82")
		}
		if class[c]&clsURN == 0 {
			t.esc = true
		}
		t.b[n] = c
		n++
	}
	if n == 0 {
		return errf("serial", u.pos(serial198Offset), ErrSerial, "empty (first character is zero)")
	}
	t.n = uint8(n)
	return nil
}
