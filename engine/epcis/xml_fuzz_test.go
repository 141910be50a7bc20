package epcis

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseXML checks that no input panics, and that a document ParseXML
// accepts exports as EPCIS 2.0 XML that ParseXML reads back, and as JSON-LD
// that ParseDocument accepts, with events of the same hash IDs. Seeds: the GS1 XML examples and the hash reference's XML
// inputs (EPCIS 2.0 and 1.2).
func FuzzParseXML(f *testing.F) {
	for _, pat := range []string{"testdata/xml/*.xml", "testdata/xml/*/*.xml", "testdata/hash/*.xml", "testdata/hash/expected_equal/*.xml"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := ParseOptions{MaxEvents: 1000, MaxEPCsPerEvent: 10000}
		d1, err := ParseXML(bytes.NewReader(src), opts)
		if err != nil || d1.Header.Type == TypeEPCISMasterDataDocument {
			return
		}
		// XML → XML: MarshalXML's output reads back to the same events.
		var xout bytes.Buffer
		if err := MarshalXML(&xout, d1.Events, &MarshalOptions{Header: d1.Header}); err == nil {
			d3, err := ParseXML(bytes.NewReader(xout.Bytes()), opts)
			if err != nil {
				t.Fatalf("the XML export does not parse: %v\n%s", err, xout.Bytes())
			}
			for i := range d1.Events {
				if HashID(&d1.Events[i], nil) != HashID(&d3.Events[i], nil) {
					t.Fatalf("event %d: hash changed across the XML export:\n%s\n%s", i, PreHash(&d1.Events[i], nil), PreHash(&d3.Events[i], nil))
				}
			}
		}
		for i := range d1.Events {
			// The XSD allows persistentDisposition in every event type,
			// the JSON schema only in two: such events have no JSON form.
			if !d1.Events[i].PersistentDisposition.IsZero() && allowed[d1.Events[i].Type]&fPersistentDisposition == 0 {
				return
			}
		}
		var out bytes.Buffer
		if err := MarshalDocument(&out, d1.Events, &MarshalOptions{Header: d1.Header}); err != nil {
			t.Fatalf("marshal: %v", err)
		}
		d2, err := ParseDocument(bytes.NewReader(out.Bytes()), opts)
		if err != nil {
			t.Fatalf("the JSON-LD export does not parse: %v\n%s", err, out.Bytes())
		}
		if len(d2.Events) != len(d1.Events) {
			t.Fatalf("%d events, %d after export", len(d1.Events), len(d2.Events))
		}
		for i := range d1.Events {
			if HashID(&d1.Events[i], nil) != HashID(&d2.Events[i], nil) {
				t.Fatalf("event %d: hash changed across the export:\n%s\n%s", i, PreHash(&d1.Events[i], nil), PreHash(&d2.Events[i], nil))
			}
		}
	})
}
