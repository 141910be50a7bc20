package digitallink

import (
	"fmt"

	"tracecode/engine/code/gs1"
)

// CompressOptions selects how Compress packs a Digital Link. The zero value
// gives the form of GS1's examples: optimisation codes on, non-AI query
// parameters left in the query, the URI's own scheme, host and stem.
type CompressOptions struct {
	// Unoptimised turns off the optimisation codes (a hex byte in place of
	// the AIs of common sequences such as 01+21). Default false: on.
	Unoptimised bool
	// CompressOther packs the non-AI query parameters (linkType, vendor
	// keys) into the segment too, with the prototype's 'F' flag. Keys must
	// be 1–127 base64url characters, not all digits, and percent-decoded
	// values 0–127 7-bit bytes without NUL. Default false: they stay in the query, verbatim.
	CompressOther bool
	// Base replaces the URI's scheme, host and stem ("https://example.com/
	// stem"; trailing slashes dropped). Default "": keep the URI's own, or
	// CanonicalBase for a DL without a host.
	Base string
}

// Compress returns the compressed form of a Digital Link URI (GS1 Digital
// Link 1.1/1.2 compression, as GS1's prototype
// gs1/GS1DigitalLinkCompressionPrototype writes it): base, "/", and one
// base64url segment holding every AI of the URI, then the non-AI
// parameters unless opt.CompressOther. The URI must pass Parse; errors are
// Parse's or an *Error wrapping ErrCompress.
//
// Decompress inverts it: Decompress(Compress(u)) is u in canonical order
// (see AppendDecompressed).
func Compress(uri string, opt CompressOptions) (string, error) {
	d, err := Parse(uri)
	if err != nil {
		return "", err
	}
	var buf [128]byte
	b, err := d.AppendCompressed(buf[:0], opt)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendCompressed appends the compressed form of d to dst (see Compress).
// The element values of d must be valid, as Parse, Build and FromElements
// leave them. It allocates only if dst must grow.
//
// The bit stream, after the prototype (each group most significant bit
// first, 6 bits a base64url character, the last padded with zeros):
//
//	stream  = { optimisation code, values of its AIs } { AI, value } { 'F' non-AI pair }
//	AI      = its digits, 4 bits each              (AIs in lexical order)
//	code    = 8 bits, a hex byte with a nibble A–F (compOpts)
//	value   = per component of the AI's layout:
//	  N fixed n   number in valueBits[n] bits
//	  N up to m   length in bits.Len(m) bits, number in valueBits[length] bits
//	  X fixed n   encoding (3 bits), characters
//	  X up to m   encoding (3 bits), length in bits.Len(m) bits, characters
//	pair    = 1111, key length (7 bits), key in base64url (6 bits a char),
//	          encoding (3 bits), value length (7 bits), characters
//	characters: encDigits a number in valueBits[len] bits; encHexLower and
//	encHexUpper 4 bits, encBase64 6 bits, encASCII 7 bits a character.
func (d DL) AppendCompressed(dst []byte, opt CompressOptions) ([]byte, error) {
	if d.Key.AI == "" {
		return dst, &Error{Err: ErrNoPrimaryKey, Reason: "empty Digital Link"}
	}
	switch {
	case opt.Base != "":
		dst = appendBase(dst, opt.Base)
	case d.Host == "":
		dst = append(dst, CanonicalBase...)
	default:
		dst = append(dst, d.Scheme...)
		dst = append(dst, "://"...)
		dst = append(dst, d.Host...)
		if d.Stem != "" {
			dst = append(dst, '/')
			dst = append(dst, d.Stem...)
		}
	}
	dst = append(dst, '/')

	// The elements, in the lexical order of their AIs.
	var ebuf [24]gs1.Element
	els := append(ebuf[:0], d.Key)
	els = append(els, d.Qualifiers...)
	els = append(els, d.Attrs...)
	for i := 1; i < len(els); i++ {
		for j := i; j > 0 && els[j].AI < els[j-1].AI; j-- {
			els[j], els[j-1] = els[j-1], els[j]
		}
	}
	var done [24]bool
	if len(els) > len(done) {
		return dst, &Error{Err: ErrCompress, Reason: fmt.Sprintf("%d AIs; at most %d can be compressed", len(els), len(done))}
	}

	w := bitWriter{dst: dst}
	// The decoder takes the first primary-key AI of the stream as the key.
	// When an attribute is a primary-key AI too (/8004/…?01=…), the key
	// goes first, outside the optimisations; otherwise the order is the
	// prototype's.
	for _, el := range els {
		if e := lookupAI(el.AI); el.AI != d.Key.AI && e != nil && e.DLPKey != nil {
			k := indexOfEl(els, done[:len(els)], d.Key.AI)
			done[k] = true
			if err := w.writeEl(d.Key); err != nil {
				return dst, err
			}
			break
		}
	}
	if !opt.Unoptimised {
		for {
			best, bestLen := -1, 0
			for i := range compOpts {
				n := 0
				for _, ai := range compOpts[i].ais {
					k := indexOfEl(els, done[:len(els)], ai)
					if k < 0 {
						n = -1
						break
					}
					n += len(ai)
				}
				if n > bestLen {
					best, bestLen = i, n
				}
			}
			if best < 0 {
				break
			}
			o := &compOpts[best]
			w.write(uint64(o.code), 8)
			for _, ai := range o.ais {
				k := indexOfEl(els, done[:len(els)], ai)
				done[k] = true
				if err := w.writeValue(els[k]); err != nil {
					return dst, err
				}
			}
		}
	}
	for k, el := range els {
		if done[k] {
			continue
		}
		if err := w.writeEl(el); err != nil {
			return dst, err
		}
	}
	if opt.CompressOther {
		for _, kv := range d.Other {
			if err := w.writePair(kv); err != nil {
				return dst, err
			}
		}
	}
	dst = w.flush()

	if !opt.CompressOther {
		sep := byte('?')
		for _, kv := range d.Other {
			dst = append(dst, sep)
			sep = '&'
			dst = append(dst, kv.Key...)
			if kv.Value != "" {
				dst = append(dst, '=')
				dst = append(dst, kv.Value...)
			}
		}
	}
	return dst, nil
}

// indexOfEl returns the index of the element of AI ai not yet done, or -1.
func indexOfEl(els []gs1.Element, done []bool, ai string) int {
	for k := range els {
		if !done[k] && els[k].AI == ai {
			return k
		}
	}
	return -1
}

// errCompress is an ErrCompress about the element el.
func errCompress(el gs1.Element, format string, args ...any) *Error {
	return &Error{Segment: el.AI, Err: ErrCompress, Reason: fmt.Sprintf("AI (%s): ", el.AI) + fmt.Sprintf(format, args...)}
}

// writeEl writes the AI of el, 4 bits a digit, and its value.
func (w *bitWriter) writeEl(el gs1.Element) error {
	for i := 0; i < len(el.AI); i++ {
		w.write(uint64(el.AI[i]-'0'), 4)
	}
	return w.writeValue(el)
}

// writeValue writes the value of el in its AI's layout.
func (w *bitWriter) writeValue(el gs1.Element) error {
	num, _ := aiNum(el.AI)
	f := compFormatOf(num)
	if f == nil {
		return errCompress(el, "not in the AI table")
	}
	v := el.Value
	at := 0
	for i := 0; i < int(f.np); i++ {
		p := f.parts[i]
		var s string
		if p.fixed {
			if len(v)-at < int(p.n) {
				return errCompress(el, "value %q is shorter than its layout (%d more characters expected at %d)", v, int(p.n)-(len(v)-at), at+1)
			}
			s = v[at : at+int(p.n)]
		} else {
			s = v[at:]
			if len(s) >= 1<<lengthBits(int(p.n)) {
				return errCompress(el, "%d characters from position %d do not fit the %d-bit length field", len(s), at+1, lengthBits(int(p.n)))
			}
		}
		at += len(s)
		if p.num {
			if !allDigits(s) && s != "" {
				return errCompress(el, "component at position %d of %q is not all digits", at-len(s)+1, v)
			}
			if !p.fixed {
				w.write(uint64(len(s)), uint(lengthBits(int(p.n))))
			}
			w.appendNumber(s, int(valueBits[len(s)]))
			continue
		}
		enc, ok := chooseEncoding(s)
		if !ok {
			return errCompress(el, "value %q is not 7-bit ASCII", v)
		}
		w.write(uint64(enc), 3)
		if !p.fixed {
			w.write(uint64(len(s)), uint(lengthBits(int(p.n))))
		}
		w.writeChars(enc, s)
	}
	if at != len(v) {
		return errCompress(el, "value %q is longer than its layout (%d characters)", v, at)
	}
	return nil
}

// writeChars writes s in encoding enc (chooseEncoding's choice for s).
func (w *bitWriter) writeChars(enc int, s string) {
	switch enc {
	case encDigits:
		w.appendNumber(s, int(valueBits[len(s)]))
	case encHexLower, encHexUpper:
		for i := 0; i < len(s); i++ {
			w.write(uint64(unhex(s[i])), 4)
		}
	case encBase64:
		for i := 0; i < len(s); i++ {
			w.write(uint64(base64Val[s[i]]), 6)
		}
	default:
		for i := 0; i < len(s); i++ {
			w.write(uint64(s[i]), 7)
		}
	}
}

// writePair writes a non-AI query parameter with the 'F' flag.
func (w *bitWriter) writePair(kv KV) error {
	bad := func(reason string) error {
		return &Error{Segment: kv.Key, Err: ErrCompress, Reason: fmt.Sprintf("query parameter %q: %s (CompressOptions.CompressOther false keeps it in the query)", kv.Key, reason)}
	}
	if kv.Key == "" || len(kv.Key) > maxCompChars {
		return bad("key must have 1 to 127 characters")
	}
	if allDigits(kv.Key) {
		return bad("an all-digit key would read back as an AI")
	}
	for i := 0; i < len(kv.Key); i++ {
		if base64Val[kv.Key[i]] == 0xFF {
			return bad("key has a character outside A-Z a-z 0-9 - _")
		}
	}
	v, nul := unescape(kv.Value, true)
	if nul >= 0 {
		return bad("value holds %00")
	}
	if len(v) > maxCompChars {
		return bad("value longer than 127 bytes")
	}
	enc, ok := chooseEncoding(v)
	if !ok {
		return bad("value is not 7-bit ASCII")
	}
	w.write(0xF, 4)
	w.write(uint64(len(kv.Key)), 7)
	for i := 0; i < len(kv.Key); i++ {
		w.write(uint64(base64Val[kv.Key[i]]), 6)
	}
	w.write(uint64(enc), 3)
	w.write(uint64(len(v)), 7)
	w.writeChars(enc, v)
	return nil
}
