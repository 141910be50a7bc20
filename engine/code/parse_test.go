package code

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/gs1"
)

// parseCase is one scanned string and what Parse must make of it. Empty
// expectation fields are not checked.
type parseCase struct {
	in      string
	format  Format
	gtin    string
	sscc    string
	serial  string
	lot     string
	expiry  string
	hri     string // canonical element string
	dl      string // canonical Digital Link on https://id.gs1.org
	epcURN  string // with cpLen
	epcHex  string // with cpLen, filter 1 unless the input is a tag
	cpLen   int
	errPart string // non-empty: Parse must fail with an error containing this
}

var parseCases = []parseCase{
	// GS1 General Specifications / standards.md §2 examples.
	{in: "(01)09520123456788(17)201225(10)ABC123(21)12345", format: FormatElementString,
		gtin: "09520123456788", serial: "12345", lot: "ABC123", expiry: "201225",
		hri: "(01)09520123456788(17)201225(10)ABC123(21)12345",
		dl:  "https://id.gs1.org/01/09520123456788/10/ABC123/21/12345?17=201225"},
	{in: "]Q3011231231231233310ABC123\x1d99TESTING", format: FormatElementString,
		gtin: "12312312312333", lot: "ABC123", hri: "(01)12312312312333(10)ABC123(99)TESTING"},
	{in: "]d2010952012345678810ABC\x1d2112345", format: FormatElementString,
		gtin: "09520123456788", lot: "ABC", serial: "12345"},
	{in: "  (00)106141412345678908\r\n", format: FormatElementString, sscc: "106141412345678908",
		dl: "https://id.gs1.org/00/106141412345678908", cpLen: 7, epcURN: "urn:epc:id:sscc:0614141.1234567890",
		epcHex: "3134257BF4499602D2000000"},
	// Digital Link (standards.md §3).
	{in: "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426", format: FormatDigitalLink,
		gtin: "09520123456788", lot: "ABC1", serial: "12345", expiry: "180426",
		dl: "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"},
	{in: "https://example.com/01/12312312312333/22/TEST/10/ABC/21/XYZ", format: FormatDigitalLink,
		gtin: "12312312312333", lot: "ABC", serial: "XYZ"},
	{in: "https://id.gs1.org/01/09520123456788/21/12345/10/ABC123", format: FormatDigitalLink, errPart: "order"},
	{in: "https://id.gs1.org/01/09520123456789", format: FormatDigitalLink, errPart: "expected 8"},
	// Compressed Digital Link (standards.md §3): decompressed, then parsed.
	{in: "https://id.gs1.org/CxFRJydaKI1XgkZCCjA5", format: FormatDigitalLink,
		gtin: "09520123456788", lot: "ABC123", serial: "12345",
		dl: "https://id.gs1.org/01/09520123456788/10/ABC123/21/12345"},
	{in: "https://id.gs1.org/ABeRcNWtKMPA", format: FormatDigitalLink, sscc: "106141412345678908"},
	{in: "https://id.gs1.org/ARFTJydaKCCNV4JGQgowOQ", format: FormatDigitalLink, errPart: "check digit is 4, expected 7"},
	{in: "https://id.gs1.org/CxFRJydaKI1X", format: FormatDigitalLink, errPart: "ends inside the value of AI (10)"},
	// EPC (standards.md §4, TDS Annex E.3).
	{in: "3074257BF7194E4000001A85", format: FormatEPCHex, gtin: "80614141123458", serial: "6789",
		epcURN: "urn:epc:id:sgtin:0614141.812345.6789", epcHex: "3074257BF7194E4000001A85",
		dl: "https://id.gs1.org/01/80614141123458/21/6789"},
	{in: "3034257bf468d480000007e1", format: FormatEPCHex, gtin: "10614141073464", serial: "2017",
		epcURN: "urn:epc:id:sgtin:0614141.107346.2017"},
	{in: "urn:epc:id:sgtin:0614141.812345.6789", format: FormatEPCURN, gtin: "80614141123458", serial: "6789",
		epcHex: "3034257BF7194E4000001A85"}, // pure identity has no filter: 1 (POS) is used
	{in: "urn:epc:id:sscc:4012345.0000000111", format: FormatEPCURN, sscc: "040123450000001112",
		epcHex: "3134F4E4E40000006F000000"},
	{in: "3874257BF7194E4000001A85", format: FormatEPCHex, errPart: "header"},
	// Bare keys (standards.md §1).
	{in: "9520123456788", format: FormatGTIN, gtin: "09520123456788"},
	{in: "96385074", format: FormatGTIN, gtin: "00000096385074"},
	{in: "036000291452", format: FormatGTIN, gtin: "00036000291452"},
	{in: "80614141123458", format: FormatGTIN, gtin: "80614141123458", cpLen: 7},
	{in: "09520123456789", format: FormatGTIN, errPart: "check digit is 9, expected 8"},
	{in: "006141411234567890", format: FormatSSCC, sscc: "006141411234567890"},
	{in: "006141411234567891", format: FormatSSCC, errPart: "expected 0"},
	// GTIN + serial to EPC with a company prefix length.
	{in: "(01)80614141123458(21)6789", format: FormatElementString, cpLen: 7,
		epcURN: "urn:epc:id:sgtin:0614141.812345.6789", epcHex: "3034257BF7194E4000001A85"},
	// China.
	{in: "83012345678901234567", format: FormatNMPA, serial: "5678901234567"},
	{in: "202401150012312345678901", format: FormatVetDrug, serial: "12345678901"},
	{in: "202413150012312345678901", format: FormatVetDrug, errPart: "month"},
	// Pesticide trace codes (公告第2579号): bare, behind a trace URL, and
	// one whose production kind is 4. 32 digits from AI 01 stay GS1 data.
	{in: "10801231001123456789012345678901", format: FormatPesticide, serial: "123456789012345678901"},
	{in: "https://www.icama.cn/trace?code=21412341003000000000000000000042", format: FormatPesticide, serial: "000000000000000000042"},
	{in: "11234564001000000000000000000001", format: FormatPesticide, errPart: `production kind "4" at positions 8-8`},
	{in: "https://x.cn/t/10801231001123456789012345678901a", format: FormatDigitalLink, errPart: "no primary key"},
	{in: "01095201234567882112345678901234", format: FormatElementString, gtin: "09520123456788", serial: "12345678901234",
		hri: "(01)09520123456788(21)12345678901234", dl: "https://id.gs1.org/01/09520123456788/21/12345678901234"},
	{in: "91350100M000100Y43", format: FormatUSCC},
	{in: "91350200M000000510", format: FormatUSCC, errPart: "D"},
	{in: "620102", format: FormatRegion},
	{in: " 620102001\n", format: FormatRegion},
	{in: "620102000", format: FormatRegion, errPart: "000 is not a township"},
	{in: "660102", format: FormatRegion, errPart: "province"},
	// Garbage.
	{in: "", errPart: "empty"},
	{in: "hello world", errPart: "unrecognised"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		c, err := Parse(tc.in)
		if tc.errPart != "" {
			if err == nil {
				t.Errorf("Parse(%q) = %+v, want error containing %q", tc.in, c, tc.errPart)
				continue
			}
			if !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("Parse(%q) error %q does not contain %q", tc.in, err, tc.errPart)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("Parse(%q) error %T is not *code.Error", tc.in, err)
			} else if tc.format != FormatUnknown && ce.Format != tc.format {
				t.Errorf("Parse(%q) error format %v, want %v", tc.in, ce.Format, tc.format)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if c.Format != tc.format {
			t.Errorf("Parse(%q).Format = %v, want %v", tc.in, c.Format, tc.format)
		}
		if c.Format == FormatRegion && c.Region.String() != strings.TrimSpace(tc.in) {
			t.Errorf("Parse(%q).Region = %v", tc.in, c.Region)
		}
		check := func(what, got, want string) {
			if want != "" && got != want {
				t.Errorf("Parse(%q) %s = %q, want %q", tc.in, what, got, want)
			}
		}
		g, _ := c.GTIN()
		if tc.gtin != "" {
			check("GTIN", g.String(), tc.gtin)
		}
		k, _ := c.SSCC()
		if tc.sscc != "" {
			check("SSCC", k.String(), tc.sscc)
		}
		check("serial", c.Serial(), tc.serial)
		check("lot", c.Lot(), tc.lot)
		check("expiry", c.Expiry(), tc.expiry)
		if tc.hri != "" {
			b, err := c.AppendElementString(nil)
			if err != nil {
				t.Errorf("Parse(%q).AppendElementString: %v", tc.in, err)
			}
			check("element string", string(b), tc.hri)
		}
		if tc.dl != "" {
			b, err := c.AppendDigitalLink(nil, "")
			if err != nil {
				t.Errorf("Parse(%q).AppendDigitalLink: %v", tc.in, err)
			}
			check("digital link", string(b), tc.dl)
		}
		if tc.epcURN != "" {
			b, err := c.AppendEPCURN(nil, tc.cpLen)
			if err != nil {
				t.Errorf("Parse(%q).AppendEPCURN: %v", tc.in, err)
			}
			check("EPC URN", string(b), tc.epcURN)
		}
		if tc.epcHex != "" {
			b, err := c.AppendEPCHex(nil, tc.cpLen, 1)
			if err != nil {
				t.Errorf("Parse(%q).AppendEPCHex: %v", tc.in, err)
			}
			check("EPC hex", string(b), tc.epcHex)
		}
	}
}

func TestEPCNeedsCompanyPrefixLength(t *testing.T) {
	c, err := Parse("(01)80614141123458(21)6789")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendEPCURN(nil, 0); !errors.Is(err, ErrNeedCPLen) {
		t.Fatalf("AppendEPCURN without cpLen: err = %v, want ErrNeedCPLen", err)
	}
}

// TestCanonicalFormsAgree converts every successfully parsed GS1 case to its
// element string and Digital Link and parses those back: all three must
// carry the same GS1 data.
func TestCanonicalFormsAgree(t *testing.T) {
	for _, tc := range parseCases {
		c, err := Parse(tc.in)
		if err != nil || c.Elements == nil {
			continue
		}
		want := elementSet(c.Elements)
		hri, _ := c.AppendElementString(nil)
		dl, err := c.AppendDigitalLink(nil, "https://scan.example.cn")
		forms := []string{string(hri)}
		if err == nil {
			forms = append(forms, string(dl))
		}
		for _, f := range forms {
			c2, err := Parse(f)
			if err != nil {
				t.Errorf("%q → %q does not parse: %v", tc.in, f, err)
				continue
			}
			if got := elementSet(c2.Elements); got != want {
				t.Errorf("%q → %q carries %s, want %s", tc.in, f, got, want)
			}
		}
	}
}

func elementSet(els []gs1.Element) string {
	m := map[string]string{}
	keys := []string{}
	for _, e := range els {
		if _, ok := m[e.AI]; !ok {
			keys = append(keys, e.AI)
		}
		m[e.AI] = e.Value
	}
	// Order-insensitive: sort keys.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("(" + k + ")" + m[k])
	}
	return b.String()
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) error %T is not *code.Error", s, err)
			}
			return
		}
		if c.Format == FormatPesticide {
			// The 32 digits alone parse to the same code.
			c2, err := Parse(c.Pest.String())
			if err != nil || c2.Format != FormatPesticide || c2.Pest != c.Pest || c2.Serial() != c.Serial() {
				t.Fatalf("Parse(%q) = pesticide %s, its digits parse to %v, %v", s, c.Pest, c2.Pest, err)
			}
		}
		if c.Elements == nil {
			return
		}
		hri, err := c.AppendElementString(nil)
		if err != nil {
			t.Fatalf("Parse(%q) ok but AppendElementString: %v", s, err)
		}
		c2, err := Parse(string(hri))
		if err != nil {
			t.Fatalf("Parse(%q) ok, its element string %q does not parse: %v", s, hri, err)
		}
		if elementSet(c2.Elements) != elementSet(c.Elements) {
			t.Fatalf("Parse(%q) = %v, element string %q parses to %v", s, c.Elements, hri, c2.Elements)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"format=digital-link", "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"},
		{"format=element-string", "(01)09520123456788(17)201225(10)ABC123(21)12345"},
		{"format=barcode-data", "]d2010952012345678810ABC\x1d2112345"},
		{"format=epc-hex", "3074257BF7194E4000001A85"},
		{"format=epc-urn", "urn:epc:id:sgtin:0614141.812345.6789"},
		{"format=gtin", "09520123456788"},
		{"format=nmpa", "83012345678901234567"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Parse(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCompressedSameCode: scanning a compressed Digital Link gives the same
// Code as scanning its long form.
func TestCompressedSameCode(t *testing.T) {
	for _, c := range []struct{ long, compressed string }{
		{"https://id.gs1.org/01/09520123456788/10/ABC123/21/12345", "https://id.gs1.org/CxFRJydaKI1XgkZCCjA5"},
		{"https://id.gs1.org/01/09520123456788/10/ABC123/21/12345", "https://id.gs1.org/ARFRJydaKCCNV4JGQgowOQ"},
		{"https://id.gs1.org/01/80614141123458/21/6789", "https://id.gs1.org/DJKi4n23BAjUK"},
		{"https://id.gs1.org/00/106141412345678908", "https://id.gs1.org/ABeRcNWtKMPA"},
		{"https://id.gs1.org/414/9520123456788", "https://id.gs1.org/QUiok5OtFA"},
		{"https://brand.example/s/01/09520123456788/21/X1?17=251231&linkType=gs1%3Apip", ""},
	} {
		if c.compressed == "" {
			s, err := digitallink.Compress(c.long, digitallink.CompressOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c.compressed = s
		}
		want, err := Parse(c.long)
		if err != nil {
			t.Fatalf("Parse(%s): %v", c.long, err)
		}
		got, err := Parse(c.compressed)
		if err != nil {
			t.Errorf("Parse(%s): %v", c.compressed, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %+v, want %+v (Parse of %s)", c.compressed, got, want, c.long)
		}
	}
}
