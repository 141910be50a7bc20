package epc

import (
	"tracecode/engine/code/gs1"
)

// Kind says which EPC scheme an Identity holds.
type Kind uint8

// Kinds of EPC this package handles.
const (
	KindNone  Kind = iota // the zero Identity
	KindSGTIN             // urn:epc:id:sgtin, urn:epc:tag:sgtin-96, urn:epc:tag:sgtin-198
	KindSSCC              // urn:epc:id:sscc, urn:epc:tag:sscc-96
	KindSGLN              // urn:epc:id:sgln
	KindLGTIN             // urn:epc:class:lgtin
)

// String returns the scheme name as in pure-identity and class URNs
// ("sgtin", "sscc", "sgln", "lgtin"), or "" for KindNone.
func (k Kind) String() string {
	switch k {
	case KindSGTIN:
		return "sgtin"
	case KindSSCC:
		return "sscc"
	case KindSGLN:
		return "sgln"
	case KindLGTIN:
		return "lgtin"
	}
	return ""
}

// Identity is any EPC this package parses from a URN: an SGTIN, SSCC, SGLN
// or LGTIN, and, when it came from a tag URN (or Tag.Identity), the binary
// scheme and filter value. Use Kind to branch and the typed accessors
// (SGTIN, SSCC, SGLN, LGTIN, Tag) to get the value.
//
// An Identity is a small comparable value (44 bytes, no pointers). Two
// Identities are equal when their text forms are equal; a pure-identity
// URN and the tag URN of the same EPC are not equal (compare their
// AppendURN output, or the typed values, to ignore the tag).
type Identity struct {
	kind   Kind
	scheme Scheme // SchemeNone unless from a tag URN / Tag
	filter uint8  // 0 unless scheme != SchemeNone
	cpLen  uint8
	key    [18]byte // GTIN-14, SSCC-18 or GLN-13 with check digit, left-aligned, zero-filled
	text   Text     // serial (SGTIN), lot (LGTIN), extension (SGLN, empty = none); empty for SSCC
}

// Kind returns which scheme id holds.
func (id Identity) Kind() Kind { return id.kind }

// IsZero reports whether id is the zero Identity.
func (id Identity) IsZero() bool { return id.kind == KindNone }

// Scheme returns the binary scheme of a tag URN, SchemeNone otherwise.
func (id Identity) Scheme() Scheme { return id.scheme }

// IsTag reports whether id came from a tag URN (or a Tag) and so carries a
// scheme and filter.
func (id Identity) IsTag() bool { return id.scheme != SchemeNone }

// Filter returns the filter value of a tag URN, 0 otherwise.
func (id Identity) Filter() uint8 { return id.filter }

// CPLen returns the GS1 company prefix length, 6–12 (0 when zero).
func (id Identity) CPLen() int { return int(id.cpLen) }

// SGTIN returns the SGTIN of a KindSGTIN identity.
func (id Identity) SGTIN() (SGTIN, bool) {
	if id.kind != KindSGTIN {
		return SGTIN{}, false
	}
	g := gs1.GTIN(id.key[:14])
	return SGTIN{gtin: g, serial: id.text, cpLen: id.cpLen, head: sgtinHead(&g, int(id.cpLen))}, true
}

// SSCC returns the SSCC of a KindSSCC identity.
func (id Identity) SSCC() (SSCC, bool) {
	if id.kind != KindSSCC {
		return SSCC{}, false
	}
	return SSCC{sscc: gs1.SSCC(id.key[:18]), cpLen: id.cpLen}, true
}

// SGLN returns the SGLN of a KindSGLN identity.
func (id Identity) SGLN() (SGLN, bool) {
	if id.kind != KindSGLN {
		return SGLN{}, false
	}
	return SGLN{gln: gs1.GLN(id.key[:13]), ext: id.text, cpLen: id.cpLen}, true
}

// LGTIN returns the LGTIN of a KindLGTIN identity.
func (id Identity) LGTIN() (LGTIN, bool) {
	if id.kind != KindLGTIN {
		return LGTIN{}, false
	}
	return LGTIN{gtin: gs1.GTIN(id.key[:14]), lot: id.text, cpLen: id.cpLen}, true
}

// Tag returns the Tag of an identity parsed from a tag URN.
func (id Identity) Tag() (Tag, bool) {
	switch id.scheme {
	case SchemeSGTIN96, SchemeSGTIN198:
		s, _ := id.SGTIN()
		return Tag{scheme: id.scheme, filter: id.filter, sgtin: s}, true
	case SchemeSSCC96:
		c, _ := id.SSCC()
		return Tag{scheme: id.scheme, filter: id.filter, sscc: c}, true
	}
	return Tag{}, false
}

// AppendURN appends the pure-identity URN (urn:epc:id:…) or, for an LGTIN,
// the class URN (urn:epc:class:lgtin:…), dropping any tag scheme and filter.
func (id Identity) AppendURN(dst []byte) []byte {
	switch id.kind {
	case KindSGTIN:
		s, _ := id.SGTIN()
		return s.AppendURN(dst)
	case KindSSCC:
		c, _ := id.SSCC()
		return c.AppendURN(dst)
	case KindSGLN:
		l, _ := id.SGLN()
		return l.AppendURN(dst)
	case KindLGTIN:
		c, _ := id.LGTIN()
		return c.AppendURN(dst)
	}
	return dst
}

// AppendElementString appends the GS1 element string in human-readable
// form: (01)…(21)…, (00)…, (414)…[(254)…] or (01)…(10)….
func (id Identity) AppendElementString(dst []byte) []byte {
	switch id.kind {
	case KindSGTIN:
		s, _ := id.SGTIN()
		return s.AppendElementString(dst)
	case KindSSCC:
		c, _ := id.SSCC()
		return c.AppendElementString(dst)
	case KindSGLN:
		l, _ := id.SGLN()
		return l.AppendElementString(dst)
	case KindLGTIN:
		c, _ := id.LGTIN()
		return c.AppendElementString(dst)
	}
	return dst
}

// AppendText implements encoding.TextAppender: the tag URN if id carries a
// scheme, else the pure-identity or class URN. ParseURN reads it back to an
// equal Identity. The zero Identity appends nothing.
func (id Identity) AppendText(dst []byte) ([]byte, error) {
	if t, ok := id.Tag(); ok {
		return t.AppendTagURN(dst), nil
	}
	return id.AppendURN(dst), nil
}

// MarshalText implements encoding.TextMarshaler (see AppendText).
func (id Identity) MarshalText() ([]byte, error) { return id.AppendText(nil) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseURN.
func (id *Identity) UnmarshalText(b []byte) error {
	v, err := ParseURN(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// String returns the text form (see AppendText).
func (id Identity) String() string {
	b, _ := id.AppendText(nil)
	return string(b)
}
