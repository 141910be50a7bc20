package epcis

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHashSumMatchesPreHash holds HashSum's direct pre-hash string to
// PreHash's, byte for byte, on every event of the hash vectors, the GS1
// examples and hand-made events in the shapes a line sends (several EPCs
// out of order, quantities, persistent dispositions, padded values,
// compact IRIs); and HashSum's digest to HashID's.
func TestHashSumMatchesPreHash(t *testing.T) {
	var evs []*Event
	for _, v := range loadHashVectors(t) {
		evs = append(evs, v.ev)
	}
	for _, pat := range []string{"testdata/examples/*.jsonld", "testdata/examples/*/*.jsonld"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			r, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseDocument(r, ParseOptions{})
			r.Close()
			if err != nil {
				continue // the examples of errors
			}
			for i := range d.Events {
				evs = append(evs, &d.Events[i])
			}
		}
	}
	src := doc(
		obj(okObj),
		obj(`"action":"OBSERVE","epcList":["urn:epc:id:sgtin:4012345.011111.9","https://id.gs1.org/01/04012345111118/21/2","urn:epc:id:sgtin:4012345.011111.1"],"bizStep":"https://ref.gs1.org/cbv/BizStep-shipping","disposition":"in_transit","readPoint":{"id":"urn:epc:id:sgln:4012345.00001.0"},"bizLocation":{"id":"https://id.gs1.org/414/4012345000016/254/7"}`),
		obj(`"action":"ADD","quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200.50,"uom":"KGM"},{"epcClass":"urn:epc:class:lgtin:4012345.012345.1"},{"epcClass":"urn:epc:idpat:sgtin:4012345.012345.*","quantity":3}],"persistentDisposition":{"set":["recalled","completeness_verified"],"unset":["active"]}`),
		`{"type":"AggregationEvent","eventTime":"2019-10-21T11:00:30.000001+02:00","eventTimeZoneOffset":"+02:00","parentID":"urn:epc:id:sscc:4012345.0000000001","childEPCs":["urn:epc:id:sgtin:4012345.011111.3","urn:epc:id:sgtin:4012345.011111.2"],"action":"ADD","bizStep":"packing"}`,
		`{"type":"TransformationEvent","eventTime":"2019-10-21T11:00:30Z","eventTimeZoneOffset":"+00:00","inputEPCList":["urn:epc:id:sgtin:4012345.011111.4"],"outputEPCList":["urn:epc:id:sgtin:4012345.011111.5"],"transformationID":"urn:uuid:9b2b5b6e-2a8f-4b1e-9b6e-0e1c0a4b7c11","bizStep":"commissioning"}`,
	)
	d, err := ParseDocument(strings.NewReader(src), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fastOnes := 0
	for i := range d.Events {
		evs = append(evs, &d.Events[i])
	}
	// Twice over, so that the shared Hasher's memo answers the second
	// pass.
	evs = append(evs, evs...)
	var shared Hasher
	for i, ev := range evs {
		if got, want := shared.Sum(ev, nil), sha256.Sum256([]byte(PreHash(ev, nil))); got != want {
			t.Errorf("event %d: a shared Hasher's Sum %x, want %x", i, got, want)
		}
		want := PreHash(ev, nil)
		if fast, ok := appendPreHashFast(nil, ev); ok {
			fastOnes++
			if string(fast) != want {
				t.Errorf("event %d (%s): HashSum's pre-hash\n%s\nPreHash\n%s", i, ev.Type, fast, want)
			}
		}
		sum, _ := HashSum(ev, nil, nil)
		if got, want := sum, sha256.Sum256([]byte(want)); got != want {
			t.Errorf("event %d: HashSum %x, want %x", i, got, want)
		}
		if d, err := HashDigest(HashID(ev, nil)); err != nil || d != sum {
			t.Errorf("event %d: HashSum %x, HashID's digest %x (%v)", i, sum, d, err)
		}
	}
	if fastOnes < 16 {
		t.Errorf("only %d of %d events took the direct path; the test covers too little", fastOnes, len(evs))
	}
}
