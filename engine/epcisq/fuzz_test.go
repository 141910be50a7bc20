package epcisq

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any parameter list parses or is refused with a ParamError
// naming one of its parameters; never a panic.
func FuzzParse(f *testing.F) {
	f.Add("EQ_bizStep", "shipping|receiving", "GE_eventTime", "2026-03-01T00:00:00Z")
	f.Add("MATCH_epc", "urn:epc:id:sgtin:9520123.012345.1", "perPage", "2")
	f.Add("EQ_source_owning_party", "urn:epc:id:pgln:9520123.00000", "orderBy", "eventTime")
	f.Add("EQ_bizTransaction_po", "urn:epcglobal:cbv:bt:9520123000007:1", "EXISTS_errorDeclaration", "")
	f.Add("eventType", "ObjectEvent|", "maxEventCount", "-1")
	f.Add("WD_bizLocation", "620102|urn:epc:id:sgln:9520123.00001.0", "WD_readPoint", "620102001")
	f.Add("MATCH_epcClass", "urn:epc:idpat:sgtin:9520123.045678.*", "MATCH_anyEPCClass", "urn:epc:class:lgtin:9520123.045678.L1")
	f.Add("MATCH_inputEPCClass", "https://id.gs1.org/01/09520123456788/10/L1", "GE_quantity", "2.5")
	f.Add("EQ_quantity", "1e3", "LT_quantity", "NaN")
	f.Add("EQ_transformationID", "urn:epc:id:gdti:9520123.00001.T7", "EQ_correctiveEventID", "urn:uuid:1|urn:uuid:2")
	f.Add("EQ_https://example.cn/epcis/#grade", "A|B", "EXISTS_http://ns.example.com/epcis#myField", "")
	f.Add("EQ_errorReason", "incorrect_data|https://ref.gs1.org/cbv/ER-did_not_occur", "GE_errorDeclarationTime", "2026-03-01T00:00:00Z")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string) {
		ps := []Param{{n1, v1}, {n2, v2}}
		q, err := Parse(ps)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) || !errors.Is(err, ErrQueryParameter) {
				t.Fatalf("%v: error %v is not a ParamError", ps, err)
			}
			if pe.Name != n1 && pe.Name != n2 && pe.Name != "maxEventCount" {
				t.Fatalf("%v: error names %q", ps, pe.Name)
			}
			return
		}
		if q.PerPage < 1 || q.PerPage > MaxPerPage {
			t.Fatalf("%v: perPage %d", ps, q.PerPage)
		}
		for _, qc := range q.ev.Quantities {
			if !(qc.v >= 0) {
				t.Fatalf("%v: quantity %v", ps, qc.v)
			}
		}
		for _, l := range [][]string{q.BizSteps, q.ReadPoints, q.MatchEPC, q.EventIDs, q.ev.TransformationIDs, q.ev.CorrectiveIDs, q.ev.ErrorReasons} {
			for _, v := range l {
				if v == "" || strings.Contains(v, "|") {
					t.Fatalf("%v: value %q", ps, v)
				}
			}
		}
	})
}

// FuzzPageToken: a page token decodes only as the token it was, and any
// other string is refused as a ParamError, never a panic.
func FuzzPageToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	d := Digest("key:1", []Param{{"perPage", "1"}})
	good := encodeToken(key, d, token{returned: 3, driver: driverTime, last: []byte{0x98, 1, 2, 3}})
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Add(good[:len(good)-1])
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := decodeToken(key, d, s)
		if err != nil {
			if !errors.Is(err, ErrQueryParameter) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if again := encodeToken(key, d, tok); again != s {
			t.Fatalf("%q decodes to %+v, which encodes as %q", s, tok, again)
		}
	})
}

func TestTokenRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	d := Digest("key:1", []Param{{"perPage", "1"}, {"nextPageToken", "x"}})
	if d != Digest("key:1", []Param{{"perPage", "1"}}) {
		t.Error("the digest depends on the page token")
	}
	if d == Digest("key:2", []Param{{"perPage", "1"}}) {
		t.Error("the digest does not depend on the caller")
	}
	in := token{returned: 7, driver: driverSet, last: []byte{0, 0, 0, 0, 0, 0, 0, 9}}
	out, err := decodeToken(key, d, encodeToken(key, d, in))
	if err != nil || out.returned != 7 || out.driver != driverSet || string(out.last) != string(in.last) {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	if _, err := decodeToken([]byte("another key of thirty-two bytes!"), d, encodeToken(key, d, in)); err == nil {
		t.Error("a token signed with another key decodes")
	}
}

// FuzzDecodeNamed: any stored named-query value decodes or is refused
// as corrupt, never a panic; a decoded one encodes to a value that decodes
// the same (varints may have been written longer than needed).
func FuzzDecodeNamed(f *testing.F) {
	n := NamedQuery{Owner: "org:1", Name: "q", Created: 1700000000000, Creator: "key:1",
		Params: []Param{{"EQ_bizStep", "shipping|receiving"}, {"perPage", "5"}}}
	f.Add(n.appendValue(nil))
	f.Add([]byte{1})
	f.Add([]byte{2, 0})
	f.Fuzz(func(t *testing.T, v []byte) {
		k := namedKey("org:1", "q")
		got, err := decodeNamed(k, v)
		if err != nil {
			return
		}
		again, err := decodeNamed(k, got.appendValue(nil))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("%x decodes to %+v, whose encoding decodes to %+v (%v)", v, got, again, err)
		}
	})
}
