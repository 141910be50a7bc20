package epc

import (
	"strings"

	"tracecode/engine/code/gs1"
)

// urnScheme is one URN prefix ParseURN accepts.
type urnScheme struct {
	prefix string
	kind   Kind
	scheme Scheme
}

var urnSchemes = [...]urnScheme{
	{"urn:epc:id:sgtin:", KindSGTIN, SchemeNone},
	{"urn:epc:id:sscc:", KindSSCC, SchemeNone},
	{"urn:epc:id:sgln:", KindSGLN, SchemeNone},
	{"urn:epc:class:lgtin:", KindLGTIN, SchemeNone},
	{"urn:epc:tag:sgtin-96:", KindSGTIN, SchemeSGTIN96},
	{"urn:epc:tag:sgtin-198:", KindSGTIN, SchemeSGTIN198},
	{"urn:epc:tag:sscc-96:", KindSSCC, SchemeSSCC96},
}

const supportedURNs = "supported: urn:epc:id:sgtin, urn:epc:id:sscc, urn:epc:id:sgln, urn:epc:class:lgtin, urn:epc:tag:sgtin-96, urn:epc:tag:sgtin-198, urn:epc:tag:sscc-96 (and, through ParseKey, urn:epc:id:grai, giai, gsrn, gsrnp, gdti, cpi, sgcn, pgln, itip, upui, gsin, ginc and class patterns urn:epc:idpat:sgtin, upui, itip, grai, gdti, sgcn, cpi)"

// ParseURN parses an EPC URN of one of these forms (TDS §6, §12):
//
//	urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial
//	urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef
//	urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension   (Extension 0 = none)
//	urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot
//	urn:epc:tag:sgtin-96:Filter.CompanyPrefix.IndicatorItemRef.Serial
//	urn:epc:tag:sgtin-198:Filter.CompanyPrefix.IndicatorItemRef.Serial
//	urn:epc:tag:sscc-96:Filter.CompanyPrefix.ExtensionSerialRef
//
// The company prefix length (6–12) is the length of the CompanyPrefix
// component, and the reference after it must make the key whole (13 digits
// for GTIN, 17 for SSCC, 12 for GLN, check digit excluded). Serial, lot and
// extension are %-escaped CSET 82 (see Text.AppendEscaped); since '.' is a
// CSET 82 character, everything after the last fixed component belongs to
// them. The "urn:epc:…:scheme:" prefix is matched case-insensitively; the
// rest is case-sensitive. A tag URN's serial must fit its scheme (SGTIN-96:
// numeric, no leading zero, < 2^38).
//
// Errors carry the 1-based character position of the fault. ParseURN does
// not allocate unless it fails.
func ParseURN(s string) (Identity, error) {
	id, err := parseURN(s)
	if err != nil {
		return Identity{}, err
	}
	return id, nil
}

func parseURN(s string) (Identity, *Error) {
	for i := range urnSchemes {
		u := &urnSchemes[i]
		if strings.HasPrefix(s, u.prefix) {
			return parseBody(s, len(u.prefix), u)
		}
	}
	for i := range urnSchemes { // the prefix is case-insensitive; rare
		u := &urnSchemes[i]
		if len(s) >= len(u.prefix) && strings.EqualFold(s[:len(u.prefix)], u.prefix) {
			return parseBody(s, len(u.prefix), u)
		}
	}
	return Identity{}, errUnknownURN(s)
}

func errUnknownURN(s string) *Error {
	const epc = "urn:epc:"
	if len(s) >= len(epc) && strings.EqualFold(s[:len(epc)], epc) {
		// Name the type and scheme, e.g. urn:epc:id:grai or urn:epc:idpat:sgtin.
		name := s
		if i := strings.IndexByte(s[len(epc):], ':'); i >= 0 {
			j := len(epc) + i + 1
			if k := strings.IndexByte(s[j:], ':'); k >= 0 {
				name = s[:j+k]
			}
		}
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		return errf("URN", 1, ErrScheme, quoteString(name)+" is not supported; "+supportedURNs)
	}
	return errf("URN", 1, ErrScheme, "not an EPC URN, want urn:epc:id:…, urn:epc:tag:… or urn:epc:class:…")
}

// quoteString quotes s for an error message, escaping non-printables.
func quoteString(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b = append(b, c)
		} else {
			b = append(b, '\\', 'x', hexDigitsUpper[c>>4], hexDigitsUpper[c&15])
		}
	}
	return string(append(b, '"'))
}

// componentsWant describes the components a URN scheme needs, for errors.
func componentsWant(u *urnScheme) string {
	var names string
	switch u.kind {
	case KindSGTIN:
		names = "CompanyPrefix.IndicatorItemRef.Serial"
	case KindSSCC:
		names = "CompanyPrefix.ExtensionSerialRef"
	case KindSGLN:
		names = "CompanyPrefix.LocationRef.Extension"
	case KindLGTIN:
		names = "CompanyPrefix.IndicatorItemRef.Lot"
	}
	if u.scheme != SchemeNone {
		names = "Filter." + names
	}
	return itoa(strings.Count(names, ".")+1) + " (" + names + ")"
}

// parseBody parses what follows the prefix; off is the prefix length.
func parseBody(s string, off int, u *urnScheme) (Identity, *Error) {
	id := Identity{kind: u.kind, scheme: u.scheme}
	body := s[off:]
	// Split into fixed components (all digit strings) and the free-text
	// tail. Tag URNs have a leading filter component.
	fixed := 2 // CompanyPrefix, Ref; then the text, except for SSCC
	hasText := u.kind != KindSSCC
	if u.scheme != SchemeNone {
		fixed++
	}
	var comps [3]string
	var pos [3]int // 1-based positions of the fixed components; the text starts at p+1
	p := off
	for i := 0; i < fixed; i++ {
		j := strings.IndexByte(body, '.')
		last := i == fixed-1 && !hasText
		if last {
			if j >= 0 {
				return Identity{}, errf("URN", p+j+1, ErrComponents, "unexpected '.': want "+componentsWant(u)+" components")
			}
			j = len(body)
		} else if j < 0 {
			return Identity{}, errf("URN", off+1, ErrComponents, "has "+plural(i+1, "component")+", want "+componentsWant(u))
		}
		comps[i], pos[i] = body[:j], p+1
		if j < len(body) {
			body = body[j+1:]
			p += j + 1
		} else {
			body = ""
			p += j
		}
	}
	c := comps[:fixed]
	if u.scheme != SchemeNone {
		f := c[0]
		if len(f) != 1 || f[0] < '0' || f[0] > '7' {
			return Identity{}, errf("filter", pos[0], ErrFilter, quoteString(f)+" is not a filter value 0 to 7")
		}
		id.filter = f[0] - '0'
		c = c[1:]
		pos[0], pos[1] = pos[1], pos[2]
	}
	cp, ref := c[0], c[1]
	if err := checkDigitsComponent("company prefix", cp, pos[0]); err != nil {
		return Identity{}, err
	}
	if len(cp) < MinCPLen || len(cp) > MaxCPLen {
		return Identity{}, errf("company prefix", pos[0], ErrCompanyPrefix, "has "+plural(len(cp), "digit")+", want 6 to 12")
	}
	id.cpLen = uint8(len(cp))
	var refName string
	var keyLen int // key digits without check digit
	switch u.kind {
	case KindSGTIN, KindLGTIN:
		refName, keyLen = "item reference", 13
	case KindSSCC:
		refName, keyLen = "serial reference", 17
	case KindSGLN:
		refName, keyLen = "location reference", 12
	}
	if len(ref) > 0 {
		if err := checkDigitsComponent(refName, ref, pos[1]); err != nil {
			return Identity{}, err
		}
	}
	if want := keyLen - len(cp); len(ref) != want {
		return Identity{}, errf(refName, pos[1], ErrLength, "has "+plural(len(ref), "digit")+", want "+itoa(want)+" with a "+itoa(len(cp))+"-digit company prefix")
	}
	// Assemble the key: GTIN/SSCC put the first reference digit (indicator
	// or extension) in front of the company prefix; GLN does not.
	k := id.key[:keyLen+1]
	if u.kind == KindSGLN {
		copy(k, cp)
		copy(k[len(cp):], ref)
	} else {
		k[0] = ref[0]
		copy(k[1:], cp)
		copy(k[1+len(cp):], ref[1:])
	}
	cd, _ := gs1.CheckDigit(string(k[:keyLen])) // all digits: cannot fail
	k[keyLen] = cd
	if !hasText {
		return id, nil
	}
	field := "serial"
	switch u.kind {
	case KindSGLN:
		field = "extension"
	case KindLGTIN:
		field = "lot"
	}
	t, err := unescape(field, body, p+1)
	if err != nil {
		return Identity{}, err
	}
	if u.kind == KindSGLN && t.n == 1 && t.b[0] == '0' {
		t = Text{}
	}
	if u.scheme == SchemeSGTIN96 {
		if _, why := t.serial96(); why != "" {
			return Identity{}, errf("serial", p+1, ErrSerial, why)
		}
	}
	id.text = t
	return id, nil
}

// checkDigitsComponent checks that a numeric URN component is non-empty
// and all digits.
func checkDigitsComponent(field, c string, pos int) *Error {
	if c == "" {
		return errf(field, pos, ErrLength, "empty")
	}
	if i := allDigits(c); i >= 0 {
		return errf(field, pos+i, ErrSyntax, "character "+quoteByte(c[i])+" is not a digit")
	}
	return nil
}
