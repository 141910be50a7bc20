package epcis

import (
	"strings"

	"tracecode/engine/code"
)

// IdentifierKey is the form in which identifiers are compared: a GS1 key
// (an EPC URI or a GS1 Digital Link of any scheme code.Parse reads) as
// its element string, "(8003)04012345555554987", so that the URI and the
// Digital Link of one key are one; any other identifier as given.
func IdentifierKey(raw string) string {
	c, err := code.Parse(raw)
	if err != nil || len(c.Elements) == 0 {
		return raw
	}
	var b strings.Builder
	for _, el := range c.Elements {
		b.WriteString("(")
		b.WriteString(el.AI)
		b.WriteString(")")
		b.WriteString(el.Value)
	}
	return b.String()
}
