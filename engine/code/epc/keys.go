package epc

import (
	"strings"

	"tracecode/engine/code/gs1"
)

// Key is a GS1 key read from a pure-identity EPC URN of one of the TDS 2.x
// schemes that Identity does not hold — grai, giai, gsrn, gsrnp, gdti, cpi,
// sgcn, pgln, itip, upui, gsin, ginc — or from an EPC pattern URN
// (urn:epc:idpat:…) naming a class: every component but the last fixed,
// the last "*". Elements are its GS1 element strings: the key and its
// serial or qualifiers (GRAI → 8003, GIAI → 8004, GSRN → 8018, GSRNP →
// 8017, GDTI → 253, CPI → 8010 + 8011, SGCN → 255, PGLN → 417, ITIP → 8006
// + 21, UPUI → 01 + 235, GSIN → 402, GINC → 401; a pattern gives the key
// without its serial: sgtin and upui → 01, itip → 8006, grai → 8003, gdti →
// 253, sgcn → 255, cpi → 8010), each validated against the GS1 AI table
// (check digits, character sets, lengths).
type Key struct {
	Scheme   string // the URN's scheme name, "grai"
	Pattern  bool   // from urn:epc:idpat: (a class, no serial)
	CPLen    int    // the GS1 company prefix length, 6–12
	Elements []gs1.Element
}

// keySchemes are the pure-identity schemes ParseKey reads, with their
// component names for errors.
var keySchemes = map[string]string{
	"grai": "CompanyPrefix.AssetType.Serial", "giai": "CompanyPrefix.IndividualAssetReference",
	"gsrn": "CompanyPrefix.ServiceReference", "gsrnp": "CompanyPrefix.ServiceReference",
	"gdti": "CompanyPrefix.DocumentType.Serial", "cpi": "CompanyPrefix.ComponentPartReference.Serial",
	"sgcn": "CompanyPrefix.CouponReference.Serial", "pgln": "CompanyPrefix.PartyReference",
	"itip": "CompanyPrefix.IndicatorItemRef.Piece.Total.Serial", "upui": "CompanyPrefix.IndicatorItemRef.TPX",
	"gsin": "CompanyPrefix.ShipperReference", "ginc": "CompanyPrefix.ConsignmentReference",
}

// patternSchemes are the schemes ParseKey reads as class patterns, with
// how many fixed components come before the final "*".
var patternSchemes = map[string]int{"sgtin": 2, "upui": 2, "grai": 2, "gdti": 2, "sgcn": 2, "cpi": 2, "itip": 4}

// ParseKey parses a pure-identity EPC URN of a scheme listed on Key, or a
// class pattern URN (urn:epc:idpat:sgtin:CP.IR.*), into its GS1 elements.
// Errors are *Error values naming the component and its 1-based position;
// a URN of another scheme is ErrScheme.
func ParseKey(s string) (Key, error) {
	k, err := parseKey(s)
	if err != nil {
		return Key{}, err
	}
	return k, nil
}

func parseKey(s string) (Key, *Error) {
	var pattern bool
	var off int
	switch {
	case hasPrefixFold(s, "urn:epc:id:"):
		off = len("urn:epc:id:")
	case hasPrefixFold(s, "urn:epc:idpat:"):
		off, pattern = len("urn:epc:idpat:"), true
	default:
		return Key{}, errf("URN", 1, ErrScheme, "not an EPC identity or pattern URN (urn:epc:id:… or urn:epc:idpat:…)")
	}
	colon := strings.IndexByte(s[off:], ':')
	if colon < 0 {
		return Key{}, errf("URN", off+1, ErrScheme, "no scheme after "+quoteString(s[:off]))
	}
	scheme := strings.ToLower(s[off : off+colon])
	off += colon + 1
	body := s[off:]
	k := Key{Scheme: scheme, Pattern: pattern}
	if pattern {
		n, ok := patternSchemes[scheme]
		if !ok {
			return Key{}, errf("URN", 1, ErrScheme, "pattern scheme "+quoteString(scheme)+" is not supported (sgtin, upui, itip, grai, gdti, sgcn, cpi)")
		}
		comps := strings.Split(body, ".")
		if len(comps) != n+1 || comps[n] != "*" {
			return Key{}, errf("URN", off+1, ErrComponents, "a class pattern has "+itoa(n)+" fixed components and a final \"*\"")
		}
		for i, c := range comps[:n] {
			if c == "*" {
				return Key{}, errf("URN", off+1+strings.Index(body, c), ErrComponents,
					"component "+itoa(i+1)+" is \"*\": only class patterns (every component fixed but the serial) are supported")
			}
		}
		return k.build(s, off, comps[:n])
	}
	if _, ok := keySchemes[scheme]; !ok {
		return Key{}, errf("URN", 1, ErrScheme, "scheme "+quoteString(scheme)+" is not read by ParseKey")
	}
	var comps []string
	switch scheme {
	case "giai", "ginc": // CP.REF, the reference may hold dots
		cp, ref, ok := strings.Cut(body, ".")
		if !ok {
			return Key{}, errf("URN", off+1, ErrComponents, "want 2 components ("+keySchemes[scheme]+")")
		}
		comps = []string{cp, ref}
	case "cpi": // CP.CPREF.SER, the reference has no dots, the serial is numeric
		i, j := strings.IndexByte(body, '.'), strings.LastIndexByte(body, '.')
		if i < 0 || j == i {
			return Key{}, errf("URN", off+1, ErrComponents, "want 3 components ("+keySchemes[scheme]+")")
		}
		comps = []string{body[:i], body[i+1 : j], body[j+1:]}
	default:
		want := strings.Count(keySchemes[scheme], ".") + 1
		comps = strings.SplitN(body, ".", want)
		if len(comps) != want {
			return Key{}, errf("URN", off+1, ErrComponents, "has "+plural(len(comps), "component")+", want "+itoa(want)+" ("+keySchemes[scheme]+")")
		}
	}
	return k.build(s, off, comps)
}

// build turns the components into elements and validates them.
func (k Key) build(s string, off int, comps []string) (Key, *Error) {
	pos := make([]int, len(comps)) // 1-based position of each component
	p := off + 1
	for i, c := range comps {
		pos[i] = p
		p += len(c) + 1
	}
	cp := comps[0]
	if allDigits(cp) >= 0 || len(cp) < 6 || len(cp) > 12 {
		return Key{}, errf("company prefix", pos[0], ErrCompanyPrefix, "company prefix "+quoteString(cp)+" must be 6–12 digits")
	}
	k.CPLen = len(cp)
	digits := func(i, total int, name string) (string, *Error) {
		c := comps[i]
		if allDigits(c) >= 0 {
			return "", errf(name, pos[i], ErrSyntax, name+" "+quoteString(c)+" must be digits")
		}
		if len(cp)+len(c) != total {
			return "", errf(name, pos[i], ErrLength, "company prefix and "+name+" must have "+itoa(total)+" digits together, not "+itoa(len(cp)+len(c)))
		}
		return c, nil
	}
	text := func(i int, name string) (string, *Error) {
		v, err := unescapeURN(comps[i], pos[i], name)
		return v, err
	}
	withCheck := func(body string) string {
		d, _ := gs1.CheckDigit(body)
		return body + string(d)
	}
	gtin := func(i int) (string, *Error) {
		ir, err := digits(i, 13, "item reference")
		if err != nil {
			return "", err
		}
		return withCheck(ir[:1] + cp + ir[1:]), nil
	}
	var els []gs1.Element
	add := func(ai, v string) { els = append(els, gs1.Element{AI: ai, Value: v}) }
	var err *Error
	switch k.Scheme {
	case "sgtin":
		var g string
		if g, err = gtin(1); err == nil {
			add("01", g)
		}
	case "grai":
		var at string
		if at, err = digits(1, 12, "asset type"); err == nil {
			v := "0" + withCheck(cp+at)
			if len(comps) > 2 {
				var ser string
				if ser, err = text(2, "serial"); err == nil {
					v += ser
				}
			}
			add("8003", v)
		}
	case "giai", "ginc":
		var ref string
		if ref, err = text(1, "reference"); err == nil {
			ai := "8004"
			if k.Scheme == "ginc" {
				ai = "401"
			}
			add(ai, cp+ref)
		}
	case "gsrn", "gsrnp":
		var sr string
		if sr, err = digits(1, 17, "service reference"); err == nil {
			ai := "8018"
			if k.Scheme == "gsrnp" {
				ai = "8017"
			}
			add(ai, withCheck(cp+sr))
		}
	case "gsin":
		var sr string
		if sr, err = digits(1, 16, "shipper reference"); err == nil {
			add("402", withCheck(cp+sr))
		}
	case "gdti", "sgcn":
		var ref string
		if ref, err = digits(1, 12, "document type"); err == nil {
			v := withCheck(cp + ref)
			if len(comps) > 2 {
				var ser string
				if ser, err = text(2, "serial"); err == nil {
					v += ser
				}
			}
			ai := "253"
			if k.Scheme == "sgcn" {
				ai = "255"
			}
			add(ai, v)
		}
	case "pgln":
		var pr string
		if pr, err = digits(1, 12, "party reference"); err == nil {
			add("417", withCheck(cp+pr))
		}
	case "cpi":
		var ref string
		if ref, err = text(1, "component/part reference"); err == nil {
			add("8010", cp+ref)
			if len(comps) > 2 {
				ser := comps[2]
				if allDigits(ser) >= 0 || ser == "" || (len(ser) > 1 && ser[0] == '0') {
					err = errf("serial", pos[2], ErrSyntax, "CPI serial "+quoteString(ser)+" must be digits without a leading zero")
				} else {
					add("8011", ser)
				}
			}
		}
	case "itip":
		var g string
		if g, err = gtin(1); err == nil {
			pp, tt := comps[2], comps[3]
			if len(pp) != 2 || len(tt) != 2 || allDigits(pp+tt) >= 0 {
				err = errf("piece", pos[2], ErrSyntax, "piece and total must be 2 digits each")
			} else {
				add("8006", g+pp+tt)
				if len(comps) > 4 {
					var ser string
					if ser, err = text(4, "serial"); err == nil {
						add("21", ser)
					}
				}
			}
		}
	case "upui":
		var g string
		if g, err = gtin(1); err == nil {
			add("01", g)
			if len(comps) > 2 {
				var tpx string
				if tpx, err = text(2, "TPX"); err == nil {
					add("235", tpx)
				}
			}
		}
	}
	if err != nil {
		return Key{}, err
	}
	if verr := gs1.ValidateElements(els); verr != nil {
		return Key{}, errf("URN", off+1, ErrSyntax, verr.Error())
	}
	k.Elements = els
	return k, nil
}

// unescapeURN decodes the %-escapes of a URN component (TDS §6: '%', '/',
// and characters a URN cannot hold are written %XX).
func unescapeURN(c string, pos int, field string) (string, *Error) {
	if c == "" {
		return "", errf(field, pos, ErrLength, field+" is empty")
	}
	if strings.IndexByte(c, '%') < 0 {
		if i := strings.IndexByte(c, '/'); i >= 0 {
			return "", errf(field, pos+i, ErrSyntax, "'/' must be written %2F in a URN")
		}
		return c, nil
	}
	b := make([]byte, 0, len(c))
	for i := 0; i < len(c); i++ {
		switch c[i] {
		case '%':
			if i+2 >= len(c) || unhex(c[i+1]) < 0 || unhex(c[i+2]) < 0 {
				return "", errf(field, pos+i, ErrSyntax, "bad %-escape: want %XX with two hex digits")
			}
			b = append(b, byte(unhex(c[i+1])<<4|unhex(c[i+2])))
			i += 2
		case '/':
			return "", errf(field, pos+i, ErrSyntax, "'/' must be written %2F in a URN")
		default:
			b = append(b, c[i])
		}
	}
	return string(b), nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
