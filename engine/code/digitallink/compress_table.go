package digitallink

import (
	"math"
	"math/bits"
	"strings"

	"tracecode/engine/code/gs1"
)

// The tables of the compressed form (GS1 Digital Link 1.1/1.2
// compression). SOURCE: gs1/GS1DigitalLinkCompressionPrototype,
// src/GS1DigitalLinkToolkit.js (Apache-2.0, GS1 AISBL): its tableF (the
// value layout of each AI), tableP (AI length by its first two digits) and
// tableOpt (the optimisation codes). See testdata/SOURCE.md.
//
// The value layouts come from the gs1 table (the GS1 Barcode Syntax
// Dictionary): each component is numeric ('N') or not ('X', 'Y', 'Z' are
// all coded as 'X'), of fixed length (Min == Max and not optional) or
// variable length up to Max. Where the prototype's tableF gives another bit
// layout, compLayoutOverrides carries the prototype's, so that links made
// by the prototype decompress here and ours there. AIs that the prototype
// does not know (03, 235, 417, 43xx, 715–717, 7011, 7040, 7041, 724x–725x,
// 8014, 8030, 804x) use the dictionary layout: a tracecode extension.

// compLayoutOverrides are the prototype's tableF layouts that differ in
// bits from the dictionary's components: "N18" is a fixed numeric of 18
// digits, "X..30" a variable alphanumeric of up to 30 characters.
var compLayoutOverrides = map[string]string{
	"423": "N3 N..12", "425": "N3 N..12", // dictionary: N3 [N3] [N3] [N3] [N3]
	"7003": "N10",                                                                       // N6 N4
	"8001": "N14",                                                                       // N4 N5 N3 N1 N1
	"8003": "N14 X..16",                                                                 // N1 N13 [X..16]
	"8006": "N18",                                                                       // N14 N4
	"8026": "N18",                                                                       // N14 N4
	"8007": "X..24",                                                                     // X..34: the prototype's 5-bit length field
	"8008": "N8 N..4",                                                                   // N6 N2 [N2] [N2]
	"7230": "X..30", "7231": "X..30", "7232": "X..30", "7233": "X..30", "7234": "X..30", // X2 X..28
	"7235": "X..30", "7236": "X..30", "7237": "X..30", "7238": "X..30", "7239": "X..30",
}

// compOpt is one optimisation code of the prototype's tableOpt: the byte
// written in place of the AI digits (two hex nibbles, at least one of them
// A–F, so it cannot be an AI) and the AIs whose values follow, in sorted
// order (the prototype sorts tableOpt's lists in place when it builds its
// reverse table, so both its encoder and decoder use this order).
type compOpt struct {
	code byte
	ais  []string
}

// compOpts is tableOpt in the prototype's order, which decides ties when
// the encoder picks the optimisation that saves most AI digits.
var compOpts = func() []compOpt {
	src := []struct {
		code byte
		ais  string
	}{
		{0x0A, "01 22"}, {0x0B, "01 10"}, {0x0C, "01 21"}, {0x0D, "01 17"}, {0x0E, "01 7003"}, {0x0F, "01 30"},
		{0x1A, "01 10 21 17"}, {0x1B, "01 15"}, {0x1C, "01 11"}, {0x1D, "01 16"}, {0x1E, "01 91"}, {0x1F, "01 10 15"},
		{0x2A, "01 3100"}, {0x2B, "01 3101"}, {0x2C, "01 3102"}, {0x2D, "01 3103"}, {0x2E, "01 3104"}, {0x2F, "01 3105"},
		{0x3A, "01 3200"}, {0x3B, "01 3201"}, {0x3C, "01 3202"}, {0x3D, "01 3203"}, {0x3E, "01 3204"}, {0x3F, "01 3205"},
		{0x9A, "8010 8011"}, {0x9B, "8017 8019"}, {0x9C, "8018 8019"}, {0x9D, "414 254"},
		{0xA0, "01 3920"}, {0xA1, "01 3921"}, {0xA2, "01 3922"}, {0xA3, "01 3923"}, {0xA4, "01 3924"},
		{0xA5, "01 3925"}, {0xA6, "01 3926"}, {0xA7, "01 3927"}, {0xA8, "01 3928"}, {0xA9, "01 3929"},
		{0xC0, "255 3900"}, {0xC1, "255 3901"}, {0xC2, "255 3902"}, {0xC3, "255 3903"}, {0xC4, "255 3904"},
		{0xC5, "255 3905"}, {0xC6, "255 3906"}, {0xC7, "255 3907"}, {0xC8, "255 3908"}, {0xC9, "255 3909"},
		{0xCA, "255 3940"}, {0xCB, "255 3941"}, {0xCC, "255 3942"}, {0xCD, "255 3943"},
	}
	out := make([]compOpt, len(src))
	for i, s := range src {
		ais := strings.Fields(s.ais)
		// JavaScript's default sort: lexical. A handful of entries.
		for a := 1; a < len(ais); a++ {
			for b := a; b > 0 && ais[b] < ais[b-1]; b-- {
				ais[b], ais[b-1] = ais[b-1], ais[b]
			}
		}
		out[i] = compOpt{code: s.code, ais: ais}
	}
	return out
}()

// compOptIndex maps an optimisation code byte to 1 + its index in
// compOpts; 0 if the byte is not one.
var compOptIndex [256]uint8

// compPart is one component of a value layout.
type compPart struct {
	num   bool  // digits, coded as a binary number; else a 3-bit encoding and characters
	fixed bool  // n characters exactly, no length field; else up to n, with a length field of bits.Len(n) bits
	n     uint8 // the fixed length or the maximum length
}

// compFormat is the value layout of one AI.
type compFormat struct {
	ai    *gs1.AI
	parts [5]compPart
	np    uint8
}

var (
	compFormats []compFormat
	// compIndex maps an AI number (aiNum) to 1 + its index in compFormats.
	compIndex [11100]uint16
	// compPrefixLen gives the AI length (2–4) for the first two digits of
	// the AIs of the table, 0 for none (the prototype's tableP).
	compPrefixLen [100]uint8
	// valueBits[n] is the number of bits of an n-digit number: the
	// prototype's ceil(n·log2(10) + 0.01); n = 0 takes 1 bit.
	valueBits [maxCompChars + 1]uint16
)

// maxCompChars bounds a value in the compressed form: the 7-bit length of
// non-AI values (AI values are at most 90).
const maxCompChars = 127

func init() {
	for n := range valueBits {
		valueBits[n] = uint16(math.Ceil(float64(n)*math.Log(10)/math.Log(2) + 0.01))
	}
	for i, o := range compOpts {
		compOptIndex[o.code] = uint8(i + 1)
	}
	ais := gs1.AIs()
	compFormats = make([]compFormat, 0, len(ais))
	for i := range ais {
		a := &ais[i]
		f := compFormat{ai: a}
		if s, ok := compLayoutOverrides[a.Code]; ok {
			for _, p := range strings.Fields(s) {
				f.parts[f.np] = parseLayout(p)
				f.np++
			}
		} else {
			if len(a.Components) > len(f.parts) {
				panic("BUG: digitallink: too many components in AI " + a.Code)
			}
			for _, c := range a.Components {
				f.parts[f.np] = compPart{num: c.Charset == 'N', fixed: c.Min == c.Max && !c.Optional, n: uint8(c.Max)}
				f.np++
			}
		}
		num, ok := aiNum(a.Code)
		if !ok {
			panic("BUG: digitallink: bad AI code " + a.Code)
		}
		compFormats = append(compFormats, f)
		compIndex[num] = uint16(len(compFormats))
		compPrefixLen[int(a.Code[0]-'0')*10+int(a.Code[1]-'0')] = uint8(len(a.Code))
	}
}

// parseLayout reads "N18", "N..12" or "X..30".
func parseLayout(s string) compPart {
	p := compPart{num: s[0] == 'N', fixed: !strings.HasPrefix(s[1:], "..")}
	n := 0
	for _, c := range strings.TrimPrefix(s[1:], "..") {
		n = n*10 + int(c-'0')
	}
	p.n = uint8(n)
	return p
}

// compFormatOf returns the layout of the AI number num, or nil.
func compFormatOf(num uint16) *compFormat {
	if int(num) >= len(compIndex) || compIndex[num] == 0 {
		return nil
	}
	return &compFormats[compIndex[num]-1]
}

// lengthBits is the width of the length field of a component of at most
// max characters: the prototype's ceil(log2(max) + 0.01), which is the bit
// length of max.
func lengthBits(max int) int { return bits.Len(uint(max)) }

// The value encodings of alphanumeric components (3 bits).
const (
	encDigits   = 0 // a binary number of valueBits[n] bits
	encHexLower = 1 // 4 bits a character, 0-9 a-f
	encHexUpper = 2 // 4 bits a character, 0-9 A-F
	encBase64   = 3 // 6 bits a character, the URI-safe base64 alphabet
	encASCII    = 4 // 7 bits a character
)

// base64URL is the alphabet of the compressed segment and of encBase64.
const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// base64Val maps a byte to its 6-bit value in base64URL, or 0xFF.
var base64Val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < len(base64URL); i++ {
		t[base64URL[i]] = byte(i)
	}
	return t
}()

// chooseEncoding picks the prototype's encoding of an alphanumeric value:
// digits, else upper-case hex, else lower-case hex, else base64url, else
// 7-bit ASCII (also for ""). ok is false if a byte is not 7-bit.
func chooseEncoding(v string) (enc int, ok bool) {
	if v == "" {
		return encASCII, true
	}
	digit, upper, lower, b64 := true, true, true, true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 {
			return 0, false
		}
		isDigit := '0' <= c && c <= '9'
		digit = digit && isDigit
		upper = upper && (isDigit || 'A' <= c && c <= 'F')
		lower = lower && (isDigit || 'a' <= c && c <= 'f')
		b64 = b64 && base64Val[c] != 0xFF
	}
	switch {
	case digit:
		return encDigits, true
	case upper:
		return encHexUpper, true
	case lower:
		return encHexLower, true
	case b64:
		return encBase64, true
	}
	return encASCII, true
}
