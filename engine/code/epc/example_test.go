package epc_test

import (
	"fmt"

	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
)

// A printing line: one GTIN, a new serial per code, the EPC URN and the
// SGTIN-96 hex appended to one reused buffer.
func ExampleSGTIN_WithSerial() {
	g, _ := gs1.ParseGTIN("80614141123458")
	base, err := epc.SGTINFromGTIN(g, "1", 7) // 7-digit company prefix 0614141
	if err != nil {
		panic(err)
	}
	buf := make([]byte, 0, 128)
	for _, serial := range []string{"6789", "6790"} {
		s, err := base.WithSerial(serial)
		if err != nil {
			panic(err)
		}
		buf = s.AppendURN(buf[:0])
		buf = append(buf, ' ')
		if buf, err = s.AppendHex96(buf, 3); err != nil {
			panic(err)
		}
		fmt.Println(string(buf))
	}
	// Output:
	// urn:epc:id:sgtin:0614141.812345.6789 3074257BF7194E4000001A85
	// urn:epc:id:sgtin:0614141.812345.6790 3074257BF7194E4000001A86
}

// A reader reports the EPC bank in hex; the header selects the scheme.
func ExampleDecodeHex() {
	tag, err := epc.DecodeHex("3674257BF6B7A659B2C2BF100000000000000000000000000000")
	if err != nil {
		panic(err)
	}
	s, _ := tag.SGTIN()
	fmt.Println(tag.Scheme(), tag.Filter())
	fmt.Println(tag)
	fmt.Println(s)
	fmt.Println(string(s.AppendElementString(nil)))
	// Output:
	// sgtin-198 3
	// urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb
	// urn:epc:id:sgtin:0614141.712345.32a%2Fb
	// (01)70614141123451(21)32a/b
}

// EPCIS identifiers: branch on the kind, get the GS1 key.
func ExampleParseURN() {
	for _, u := range []string{
		"urn:epc:id:sscc:0614141.1234567890",
		"urn:epc:id:sgln:0614141.07346.1234",
		"urn:epc:class:lgtin:4012345.012345.998877",
		"urn:epc:id:sgtin:0614141.812345",
	} {
		id, err := epc.ParseURN(u)
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch id.Kind() {
		case epc.KindSSCC:
			c, _ := id.SSCC()
			fmt.Println("SSCC", c.GS1())
		case epc.KindSGLN:
			l, _ := id.SGLN()
			fmt.Println("GLN", l.GLN(), "extension", l.Extension())
		default:
			fmt.Println(id.Kind(), string(id.AppendElementString(nil)))
		}
	}
	// Output:
	// SSCC 106141412345678908
	// GLN 0614141073467 extension 1234
	// lgtin (01)04012345123456(10)998877
	// epc: URN at position 18: has 2 components, want 3 (CompanyPrefix.IndicatorItemRef.Serial)
}
