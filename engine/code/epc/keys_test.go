package epc

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// keyVectors: the TDS 2.x URN examples of each scheme, and the GS1 keys
// and class patterns of the event hash reference's epcisDocWithAllGS1Keys,
// whose expected values are the Digital Links in its pre-hash
// (engine/epcis/testdata/hash/epcisDocWithAllGS1Keys.prehashes:
// 8003/0401234566666387, 253/401234555555498, 255/4012345999990,
// 8018/401234598765400000, 8003/04012345666663, 253/4012345555554).
var keyVectors = []struct{ urn, hri string }{
	{"urn:epc:id:grai:0614141.12345.400", "(8003)00614141123452400"},
	{"urn:epc:id:grai:4012345.66666.87", "(8003)0401234566666387"},
	{"urn:epc:id:giai:0614141.32a%2Fb", "(8004)061414132a/b"},
	{"urn:epc:id:giai:4012345.AAbb", "(8004)4012345AAbb"},
	{"urn:epc:id:gsrn:0614141.1234567890", "(8018)061414112345678902"},
	{"urn:epc:id:gsrn:4012345.9876540000", "(8018)401234598765400000"},
	{"urn:epc:id:gsrnp:0614141.1234567890", "(8017)061414112345678902"},
	{"urn:epc:id:gdti:0614141.12345.400", "(253)0614141123452400"},
	{"urn:epc:id:gdti:4012345.55555.98", "(253)401234555555498"},
	{"urn:epc:id:cpi:0614141.123ABC.123456789", "(8010)0614141123ABC(8011)123456789"},
	{"urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345", "(8010)06141415PQ7/Z43(8011)12345"},
	{"urn:epc:id:sgcn:4012345.67890.04711", "(255)401234567890104711"},
	{"urn:epc:id:pgln:0614141.12345", "(417)0614141123452"},
	{"urn:epc:id:itip:4012345.012345.01.02.987", "(8006)040123451234560102(21)987"},
	{"urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB", "(01)01234567894560(235)51qIgY)<&Jp3*j7'SDB"},
	{"urn:epc:id:gsin:4012345.999987654", "(402)40123459999876541"},
	{"urn:epc:id:ginc:4012345.333", "(401)4012345333"},
	{"urn:epc:idpat:sgtin:4054739.099914.*", "(01)04054739999148"},
	{"urn:epc:idpat:grai:4012345.66666.*", "(8003)04012345666663"},
	{"urn:epc:idpat:gdti:4012345.55555.*", "(253)4012345555554"},
	{"urn:epc:idpat:sgcn:4012345.99999.*", "(255)4012345999990"},
	{"urn:epc:idpat:itip:4012345.012345.01.02.*", "(8006)040123451234560102"},
	{"urn:epc:idpat:cpi:4012345.ABC.*", "(8010)4012345ABC"},
	{"urn:epc:idpat:upui:4012345.012345.*", "(01)04012345123456"},
}

func TestParseKeyVectors(t *testing.T) {
	for _, v := range keyVectors {
		k, err := ParseKey(v.urn)
		if err != nil {
			t.Errorf("%s: %v", v.urn, err)
			continue
		}
		if got := string(gs1.AppendHRI(nil, k.Elements)); got != v.hri {
			t.Errorf("%s: %s, want %s", v.urn, got, v.hri)
		}
		if k.Pattern != strings.HasPrefix(v.urn, "urn:epc:idpat:") {
			t.Errorf("%s: Pattern %v", v.urn, k.Pattern)
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	cases := []struct {
		urn  string
		err  error
		want string
	}{
		{"urn:epc:id:grai:0614141.1234.400", ErrLength, "company prefix and asset type must have 12 digits together, not 11"},
		{"urn:epc:id:grai:061A141.12345.400", ErrCompanyPrefix, "must be 6–12 digits"},
		{"urn:epc:id:gsrn:0614141", ErrComponents, "want 2 (CompanyPrefix.ServiceReference)"},
		{"urn:epc:id:giai:0614141.a/b", ErrSyntax, "'/' must be written %2F"},
		{"urn:epc:id:giai:0614141.a%2", ErrSyntax, "bad %-escape"},
		{"urn:epc:id:cpi:0614141.ABC.0123", ErrSyntax, "without a leading zero"},
		{"urn:epc:id:itip:4012345.012345.1.02.987", ErrSyntax, "piece and total must be 2 digits each"},
		{"urn:epc:idpat:sgtin:4054739.*.*", ErrComponents, "only class patterns"},
		{"urn:epc:idpat:sscc:4054739.*", ErrScheme, "pattern scheme \"sscc\" is not supported"},
		{"urn:epc:id:usdod:CAGE.1", ErrScheme, "scheme \"usdod\" is not read"},
		{"urn:epc:id:giai:0614141." + strings.Repeat("x", 30), ErrSyntax, "8004"},
	}
	for _, c := range cases {
		_, err := ParseKey(c.urn)
		if err == nil || !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %v containing %q", c.urn, err, c.err, c.want)
		}
	}
}

// FuzzParseKey: no input panics; an accepted URN gives valid elements.
func FuzzParseKey(f *testing.F) {
	for _, v := range keyVectors {
		f.Add(v.urn)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		if len(k.Elements) == 0 || gs1.ValidateElements(k.Elements) != nil || k.CPLen < 6 || k.CPLen > 12 {
			t.Fatalf("%q: accepted with %+v", s, k)
		}
	})
}
