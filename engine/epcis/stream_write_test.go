package epcis

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestDocumentWriter: every example written event by event is the
// document MarshalDocument and MarshalXML write for the whole slice.
func TestDocumentWriter(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	n := 0
	for name, d := range exportSources(t) {
		for _, xml := range []bool{false, true} {
			ns := map[string]string{}
			bad := false
			for i := range d.Events {
				if d.Events[i].Context != nil || AddNamespaces(ns, &d.Events[i], xml) != nil {
					bad = true // events with their own @context: MarshalDocument's case
				}
			}
			if bad {
				continue
			}
			var whole, streamed bytes.Buffer
			marshal := MarshalDocument
			if xml {
				marshal = MarshalXML
			}
			if err := marshal(&whole, d.Events, &MarshalOptions{Header: Header{CreationDate: at}}); err != nil {
				continue // refusals are the marshal tests'
			}
			w, err := NewDocumentWriter(&streamed, xml, Header{CreationDate: at, Namespaces: ns})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i := range d.Events {
				if err := w.Write(&d.Events[i]); err != nil {
					t.Fatalf("%s event %d: %v", name, i, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole.Bytes(), streamed.Bytes()) {
				t.Errorf("%s (xml %v): streamed\n%s\nwant\n%s", name, xml, streamed.Bytes(), whole.Bytes())
			}
			n++
		}
	}
	if n < 150 {
		t.Errorf("only %d documents compared", n)
	}
	// An event with a prefix the header did not declare is refused.
	ev := Event{Type: ObjectEvent, Namespaces: map[string]string{"ex": "https://ex.example/"}}
	w, err := NewDocumentWriter(&bytes.Buffer{}, false, Header{CreationDate: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&ev); err == nil || !strings.Contains(err.Error(), `"ex"`) {
		t.Errorf("undeclared prefix: %v", err)
	}
}
