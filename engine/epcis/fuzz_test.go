package epcis

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseDocument checks that no input panics, and that an accepted
// document survives parse → marshal → parse with equal events and that
// marshalling again gives the same bytes. Seeds: the GS1 examples, the
// hash vectors and small hand-made documents.
func FuzzParseDocument(f *testing.F) {
	for _, pat := range []string{"testdata/examples/*.jsonld", "testdata/examples/*/*.jsonld", "testdata/hash/*.jsonld"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(doc(obj(okObj))))
	f.Add([]byte(doc(obj(`"action":"ADD","quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":1e-7,"uom":"KGM"}],"ilmd":{"example:x":[1,{"a":"b"}]},"@context":{"ex2":"https://e2.example/"},"ex2:y":"z"`))))
	f.Fuzz(func(t *testing.T, src []byte) {
		d1, err := ParseDocument(bytes.NewReader(src), ParseOptions{MaxEvents: 1000, MaxEPCsPerEvent: 10000})
		if err != nil {
			return
		}
		var out1 bytes.Buffer
		if err := MarshalDocument(&out1, d1.Events, &MarshalOptions{Header: d1.Header}); err != nil {
			t.Fatalf("marshal: %v", err)
		}
		d2, err := ParseDocument(bytes.NewReader(out1.Bytes()), ParseOptions{MaxEvents: 1000, MaxEPCsPerEvent: 10000})
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, out1.Bytes())
		}
		if msg := diffEvents(d1.Events, d2.Events); msg != "" {
			t.Fatal(msg)
		}
		var out2 bytes.Buffer
		if err := MarshalDocument(&out2, d2.Events, &MarshalOptions{Header: d2.Header}); err != nil {
			t.Fatalf("marshal again: %v", err)
		}
		if !bytes.Equal(out1.Bytes(), out2.Bytes()) {
			t.Fatalf("marshal not stable:\n%s\n%s", out1.Bytes(), out2.Bytes())
		}
		for i := range d1.Events {
			if HashID(&d1.Events[i], nil) != HashID(&d2.Events[i], nil) {
				t.Fatalf("event %d: hash changed across the round trip", i)
			}
			if fast, ok := appendPreHashFast(nil, &d1.Events[i]); ok && string(fast) != PreHash(&d1.Events[i], nil) {
				t.Fatalf("event %d: HashSum's pre-hash\n%s\ndiffers from PreHash's\n%s", i, fast, PreHash(&d1.Events[i], nil))
			}
		}
	})
}
