package epcis

import (
	"fmt"
	"strings"
)

// Identifier is an EPC, EPC class, parent, location or party identifier as
// received (an EPC URN such as urn:epc:id:sgtin:0614141.107346.2017, or a
// GS1 Digital Link URI such as https://id.gs1.org/01/09506000134352/21/1)
// together with the caller's canonical form of it.
//
// Raw is what MarshalDocument writes back, so export is lossless. Canon is
// what IDNormalizer returned for Raw; without a normaliser Canon == Raw. The
// zero Identifier means "absent".
type Identifier struct {
	Raw   string
	Canon string
}

// IsZero reports whether the identifier is absent.
func (id Identifier) IsZero() bool { return id.Raw == "" }

// String returns the identifier as received.
func (id Identifier) String() string { return id.Raw }

// IDNormalizer maps an identifier as received to the engine's canonical form
// (for example an EPC URN to its GS1 Digital Link, or the reverse), or
// returns an error saying what is wrong with it. It is called once per
// identifier after the syntax check, from one goroutine at a time per
// ParseDocument call. The returned error text becomes EventError.Reason.
type IDNormalizer func(string) (string, error)

// checkEPC is the default identifier check: an EPC URN ("urn:" NID ":" NSS)
// or an http(s) URI with a host, without spaces or characters a URI cannot
// hold. It allocates nothing.
func checkEPC(s string) error {
	if s == "" {
		return fmt.Errorf("empty identifier")
	}
	if err := checkURIChars(s); err != nil {
		return err
	}
	switch {
	case hasPrefixFold(s, "urn:"):
		nid, nss, ok := strings.Cut(s[4:], ":")
		if !ok || nid == "" || nss == "" || len(nid) > 32 {
			return fmt.Errorf("%q is not a URN (urn:NID:NSS)", s)
		}
		return nil
	case hasPrefixFold(s, "https://"), hasPrefixFold(s, "http://"):
		rest := s[strings.IndexByte(s, ':')+3:]
		host, _, _ := strings.Cut(rest, "/")
		if host == "" {
			return fmt.Errorf("%q has no host", s)
		}
		return nil
	}
	return fmt.Errorf("%q is neither an EPC URN (urn:…) nor a GS1 Digital Link URI (http(s)://…)", s)
}

// checkURI checks that s is an absolute URI: a scheme, a colon and a
// non-empty rest, with no character a URI cannot hold.
func checkURI(s string) error {
	if s == "" {
		return fmt.Errorf("empty URI")
	}
	if !isURI(s) {
		return fmt.Errorf("%q is not an absolute URI (scheme:…)", s)
	}
	return checkURIChars(s)
}

// isURI reports whether s starts with an RFC 3986 scheme and a colon
// followed by at least one character, and holds no space or control
// character. A CURIE such as "example:x" passes, as it does in JSON-LD.
func isURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return checkURIChars(s) == nil
}

// checkURIChars rejects bytes that RFC 3986 never allows unescaped: controls,
// space and "<>\^`{|}. Non-ASCII bytes are allowed (IRIs).
//
// Profile (BenchmarkParseDocument/childEPCs=10000): a strings.IndexByte per
// character took a quarter of the parse; the table lookup is ~10× cheaper.
func checkURIChars(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; badURIByte[c] {
			return fmt.Errorf("%q: character %q at position %d is not allowed in a URI", s, c, i+1)
		}
	}
	return nil
}

// badURIByte marks the bytes checkURIChars rejects.
var badURIByte = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range []byte("\"<>\\^`{|}") {
		t[c] = true
	}
	return t
}()

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
