package chain

import (
	"strings"
	"testing"

	"tracecode/engine/code"
	"tracecode/engine/epcis"
)

// FuzzForeignKey: the classification of identifiers never panics; a
// GTIN-based code or an SSCC is never foreign; a foreign identifier's key
// is its GS1 element string (the same for its EPC URI and its Digital
// Link) or the identifier itself.
func FuzzForeignKey(f *testing.F) {
	for _, s := range []string{
		"urn:epc:id:grai:4012345.55555.987", "https://id.gs1.org/8003/04012345555554987",
		"urn:epc:id:sgln:4012345.00002.12", "urn:epc:id:gsrn:95252084.000000001", "urn:epc:id:giai:952005385.w2",
		"urn:epc:id:gdti:0614141.12345.006847", "urn:epc:id:cpi:0614141.123ABC.123456789", "urn:epc:id:sgcn:4012345.67890.04711",
		"urn:epc:id:pgln:1234567.89012", "urn:epc:id:itip:4012345.012345.01.02.987", "urn:epc:id:gsrnp:0614141.1234567890",
		"urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB", "urn:epc:id:sgtin:4012345.011111.987", "urn:epc:id:sscc:4012345.0000000001",
		"https://id.gs1.org/01/09520123456788/21/ABC", "urn:example:epcis:id:obj:Q12345.67890.001",
		"http://epcis.example.com/user/vocab/obj/12345.67890", "urn:x:y", "urn:", "https://", "http://a/c/ABCD",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		key, ok := foreignKey(raw)
		if !ok {
			return
		}
		if key == "" {
			t.Fatalf("%q: foreign with an empty key", raw)
		}
		if key != raw && key != epcis.IdentifierKey(raw) {
			t.Fatalf("%q: key %q is neither the identifier nor its element string", raw, key)
		}
		if c, err := code.Parse(raw); err == nil {
			if _, isGTIN := c.GTIN(); isGTIN && c.Elements[0].AI == "01" {
				t.Fatalf("%q: a GTIN-based code taken for foreign", raw)
			}
			if len(c.Elements) > 0 && c.Elements[0].AI == "00" {
				t.Fatalf("%q: an SSCC taken for foreign", raw)
			}
		}
		if strings.HasPrefix(raw, "urn:epc:") {
			if _, err := code.Parse(raw); err != nil {
				t.Fatalf("%q: a malformed EPC URI taken for foreign", raw)
			}
		}
	})
}
