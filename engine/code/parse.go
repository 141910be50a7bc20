package code

import (
	"errors"
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/pesticide"
	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/code/shortcode"
)

// Code is a parsed trace code in any format. Format says which syntax it was
// scanned in; the GS1 data it carries (from a Digital Link, element string,
// EPC or bare key) is in Elements, so GTIN, Serial, Lot and friends work
// whatever the syntax. Format-specific values sit in their own fields and
// are zero for other formats.
//
// Strings in Elements may alias the parsed input.
type Code struct {
	Format Format
	// Elements are the GS1 AIs carried, in scan order (for a Digital Link:
	// key, qualifiers, then query attributes). Nil for NMPA, veterinary and
	// short codes, which are not GS1 data.
	Elements []gs1.Element
	// Params are a Digital Link's non-AI query parameters (linkType,
	// context, …) verbatim.
	Params []digitallink.KV
	// EPC is the identity of an EPC URN or EPC hex; it knows the GS1
	// company prefix length.
	EPC epc.Identity
	// Tag is the binary scheme and filter of an EPC hex or tag URN.
	Tag  epc.Tag
	Drug cn.DrugCode
	Vet  cn.VetCode
	// Pest is a pesticide trace code (FormatPesticide); PestURL the trace
	// URL its QR gave before the digits ("" for the bare digits).
	Pest    pesticide.Code
	PestURL string
	Short   shortcode.Code
	USCC    cn.USCC
	// Region is the division of a bare 6- or 9-digit code (FormatRegion).
	Region cn.Region
	// Host is the host of a Digital Link or short-code URL.
	Host string
}

// Options tunes Parse. The zero value is what Parse uses.
type Options struct {
	// AllowLegacyDL accepts GS1 Digital Link URI Syntax 1.2 forms (short
	// GTINs, /gtin/ names). Default false: GS1's reference engine rejects
	// them.
	AllowLegacyDL bool
	// Bare13AsGLN reads a bare 13-digit number as a GLN instead of a
	// GTIN-13. Default false (a scanned EAN-13 is a product).
	Bare13AsGLN bool
}

// Parse detects the format of a scanned string and parses it. Surrounding
// white space (as scanners in keyboard mode add) is ignored. On failure the
// error is an *Error naming the format the input looked like and the
// format parser's precise reason.
func Parse(s string) (Code, error) { return ParseOptions(s, Options{}) }

// ParseOptions is Parse with options.
func ParseOptions(s string, opt Options) (Code, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Code{}, &Error{Err: ErrEmpty}
	}
	f := Detect(s)
	c, err := parseAs(s, f, opt)
	if err != nil {
		return Code{}, &Error{Format: f, Err: err}
	}
	c.Format = f
	return c, nil
}

// Detect returns the format s has the shape of, without validating it
// (FormatUnknown when none). s must already be trimmed.
func Detect(s string) Format {
	switch {
	case hasPrefixFold(s, "https://") || hasPrefixFold(s, "http://"):
		if isShortURL(s) {
			return FormatShort
		}
		if isPesticideURL(s) {
			return FormatPesticide
		}
		return FormatDigitalLink
	case hasPrefixFold(s, "urn:epc:"):
		return FormatEPCURN
	case s[0] == '(':
		return FormatElementString
	case s[0] == ']' || s[0] == '^' || strings.IndexByte(s, 0x1D) >= 0:
		return FormatElementString
	}
	if allDigits(s) {
		switch len(s) {
		case 6, 9:
			// No GS1 key or Chinese trace code has 6 or 9 digits: a
			// division code (620102 城关区, 620102001 a township).
			return FormatRegion
		case 8, 12, 14:
			return FormatGTIN
		case 13:
			return FormatGTIN
		case 18:
			return FormatSSCC
		case 20:
			return FormatNMPA
		case 32:
			// A pesticide trace code starts with its registration kind
			// 1-3; GS1 data of 32 digits that carries a key starts with
			// AI 00 or 01.
			if s[0] >= '1' && s[0] <= '3' {
				return FormatPesticide
			}
		case 24:
			if s[0] == '3' {
				return FormatEPCHex
			}
			return FormatVetDrug
		}
		if len(s) > 14 {
			// Barcode data scanned without a symbology identifier, e.g.
			// "0109520123456788" + "21…" all numeric.
			return FormatElementString
		}
		return FormatUnknown
	}
	if len(s) == 18 && usccShape(s) {
		// 18 characters of the USCC alphabet with a letter in them: an
		// organisation code. (Raw barcode data of AI 91–99 could look the
		// same, but scanners prefix barcode data with a symbology
		// identifier such as ]d2, which routes it above.)
		return FormatUSCC
	}
	if (len(s) == 24 || len(s) == 50 || len(s) == 52) && allHex(s) && s[0] == '3' {
		return FormatEPCHex
	}
	if len(s) >= 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' {
		if _, ok := gs1.MatchAI(s); ok && len(s) > 14 {
			return FormatElementString
		}
	}
	if looksShort(s) {
		return FormatShort
	}
	return FormatUnknown
}

// parseCompressed tries a Digital Link that Parse refused (with perr) for
// want of a primary key as a compressed Digital Link: its long form, parsed.
// The scan of a compressed link thus gives the same Code as the long form.
// If it does not decompress, the error is perr, or the decompressor's when
// Parse already said the link looked compressed.
func parseCompressed(s string, perr error) (digitallink.DL, error) {
	if !errors.Is(perr, digitallink.ErrNoPrimaryKey) && !errors.Is(perr, digitallink.ErrCompressed) {
		return digitallink.DL{}, perr
	}
	long, err := digitallink.Decompress(s)
	if err != nil {
		if errors.Is(perr, digitallink.ErrCompressed) {
			return digitallink.DL{}, err
		}
		return digitallink.DL{}, perr
	}
	return digitallink.Parse(long)
}

func parseAs(s string, f Format, opt Options) (Code, error) {
	var c Code
	switch f {
	case FormatDigitalLink:
		d, err := digitallink.ParseOptions(s, digitallink.Options{AllowLegacy: opt.AllowLegacyDL})
		if err != nil {
			if d, err = parseCompressed(s, err); err != nil {
				return c, err
			}
		}
		c.Elements = d.Elements()
		c.Params = d.Other
		c.Host = d.Host
	case FormatElementString:
		var els []gs1.Element
		var err error
		if s[0] == '(' {
			els, err = gs1.ParseHRI(s)
		} else {
			els, err = gs1.ParseBarcodeData(s)
		}
		if err != nil {
			return c, err
		}
		if err := gs1.ValidateElements(els); err != nil {
			return c, err
		}
		c.Elements = els
	case FormatEPCURN:
		id, err := epc.ParseURN(s)
		if errors.Is(err, epc.ErrScheme) {
			// The other TDS 2.x identity schemes (GRAI, GIAI, GSRN, GDTI,
			// CPI, SGCN, PGLN, ITIP, UPUI…) and class patterns carry GS1
			// keys without an Identity: their elements are the code.
			k, kerr := epc.ParseKey(s)
			if kerr == nil {
				c.Elements = k.Elements
				return c, nil
			}
			if !errors.Is(kerr, epc.ErrScheme) {
				return c, kerr
			}
		}
		if err != nil {
			return c, err
		}
		c.EPC = id
		if t, ok := id.Tag(); ok {
			c.Tag = t
		}
		c.Elements = elementsOfEPC(id)
	case FormatEPCHex:
		t, err := epc.DecodeHex(s)
		if err != nil {
			return c, err
		}
		c.Tag = t
		c.EPC = t.Identity()
		c.Elements = elementsOfEPC(c.EPC)
	case FormatGTIN:
		if len(s) == 13 && opt.Bare13AsGLN {
			l, err := gs1.ParseGLN(s)
			if err != nil {
				return c, err
			}
			c.Elements = []gs1.Element{{AI: "414", Value: l.String()}}
			return c, nil
		}
		g, err := gs1.ParseGTIN(s)
		if err != nil {
			return c, err
		}
		c.Elements = []gs1.Element{{AI: "01", Value: g.String()}}
	case FormatSSCC:
		k, err := gs1.ParseSSCC(s)
		if err != nil {
			return c, err
		}
		c.Elements = []gs1.Element{{AI: "00", Value: k.String()}}
	case FormatNMPA:
		d, err := cn.ParseDrugCode(s)
		if err != nil {
			return c, err
		}
		c.Drug = d
	case FormatVetDrug:
		v, err := cn.ParseVetCode(s)
		if err != nil {
			return c, err
		}
		c.Vet = v
	case FormatPesticide:
		q, err := pesticide.ParseQR(s)
		if err != nil {
			return c, err
		}
		c.Pest, c.PestURL = q.Code, q.URL
	case FormatUSCC:
		u, err := cn.ParseUSCC(s)
		if err != nil {
			return c, err
		}
		c.USCC = u
	case FormatRegion:
		r, err := cn.ParseRegion(s)
		if err != nil {
			return c, err
		}
		c.Region = r
	case FormatShort:
		text, host := s, ""
		if i := strings.Index(s, "://"); i >= 0 {
			rest := s[i+3:]
			slash := strings.IndexByte(rest, '/')
			host = rest[:slash]
			text = rest[strings.LastIndex(rest, "/c/")+3:]
			if q := strings.IndexAny(text, "?#"); q >= 0 {
				text = text[:q]
			}
		}
		sc, err := shortcode.Parse(text)
		if err != nil {
			return c, err
		}
		c.Short, c.Host = sc, host
	default:
		return c, ErrUnknownFormat
	}
	return c, nil
}

// isPesticideURL reports whether URL s ends in the 32 digits of a
// pesticide trace code after '/' or '=' (its QR): no Digital Link ends in
// 32 digits (a GS1 serial or lot has at most 20 characters).
func isPesticideURL(s string) bool {
	n := len(s)
	if n < 33+len("http://") || (s[n-33] != '/' && s[n-33] != '=') || s[n-32] < '1' || s[n-32] > '3' {
		return false
	}
	return allDigits(s[n-32:])
}

// elementsOfEPC gives the GS1 element strings of an EPC identity.
func elementsOfEPC(id epc.Identity) []gs1.Element {
	switch id.Kind() {
	case epc.KindSGTIN:
		s, _ := id.SGTIN()
		return []gs1.Element{{AI: "01", Value: s.GTIN().String()}, {AI: "21", Value: s.Serial().String()}}
	case epc.KindSSCC:
		s, _ := id.SSCC()
		return []gs1.Element{{AI: "00", Value: s.GS1().String()}}
	case epc.KindSGLN:
		l, _ := id.SGLN()
		els := []gs1.Element{{AI: "414", Value: l.GLN().String()}}
		if !l.Extension().IsZero() && l.Extension().String() != "0" {
			els = append(els, gs1.Element{AI: "254", Value: l.Extension().String()})
		}
		return els
	case epc.KindLGTIN:
		l, _ := id.LGTIN()
		return []gs1.Element{{AI: "01", Value: l.GTIN().String()}, {AI: "10", Value: l.Lot().String()}}
	}
	return nil
}

// errNoGS1 is returned by conversions of codes that carry no GS1 data.
var errNoGS1 = errors.New("code: not GS1 data (NMPA, veterinary-drug, pesticide and short codes have no GS1 form)")

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9') && !(c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isShortURL reports whether a URL's path is /c/{code} (optionally under a
// stem): our short-code URLs, which are not Digital Links.
func isShortURL(s string) bool {
	i := strings.Index(s, "://")
	rest := s[i+3:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return false
	}
	path := rest[slash:]
	if q := strings.IndexAny(path, "?#"); q >= 0 {
		path = path[:q]
	}
	j := strings.LastIndex(path, "/c/")
	return j >= 0 && strings.IndexByte(path[j+3:], '/') < 0 && len(path) > j+3
}

// looksShort reports whether s has the shape of a bare short code:
// Crockford base-32 characters, optionally grouped with hyphens.
func looksShort(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			continue
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			n++
		default:
			return false
		}
	}
	return n >= 8 && n <= 16
}

// usccShape reports whether s uses only the unified social credit code
// alphabet (digits and upper-case letters other than I, O, S, V, Z).
func usccShape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if c < 'A' || c > 'Y' || c == 'I' || c == 'O' || c == 'S' || c == 'V' {
			return false
		}
	}
	return true
}
