package epcisq

import (
	"bytes"
	"testing"
	"time"

	"tracecode/engine/epcis"
)

// TestNeedsEvent: WD_ and the summary's parameters leave the event
// unparsed; a condition only the event answers parses it.
func TestNeedsEvent(t *testing.T) {
	for _, c := range []struct {
		p    Param
		want bool
	}{
		{Param{Name: "EQ_bizStep", Value: "shipping"}, false},
		{Param{Name: "WD_bizLocation", Value: "330102"}, false},
		{Param{Name: "WD_readPoint", Value: "urn:epc:id:sgln:0614141.00777.0"}, false},
		{Param{Name: "MATCH_anyEPC", Value: "urn:epc:id:sgtin:0614141.107346.2017"}, false},
		{Param{Name: "MATCH_epcClass", Value: "urn:epc:class:lgtin:4012345.012345.998877"}, true},
		{Param{Name: "GE_quantity", Value: "5"}, true},
		{Param{Name: "EQ_transformationID", Value: "urn:x"}, true},
		{Param{Name: "EQ_errorReason", Value: "incorrect_data"}, true},
		{Param{Name: "GE_errorDeclarationTime", Value: "2026-01-01T00:00:00Z"}, true},
		{Param{Name: "EXISTS_https://ns.example.com/epcis#temperature", Value: ""}, true},
	} {
		q, err := Parse([]Param{c.p})
		if err != nil {
			t.Fatalf("%s: %v", c.p.Name, err)
		}
		if q.needsEvent() != c.want {
			t.Errorf("%s: needsEvent %v, want %v", c.p.Name, q.needsEvent(), c.want)
		}
	}
}

// TestStoredEventJSON: the event object of a document MarshalDocument
// wrote with its recordTime; any other document is refused (parsed).
func TestStoredEventJSON(t *testing.T) {
	rt := time.Date(2026, 3, 1, 8, 0, 0, 123e6, time.UTC)
	ev := epcis.Event{Type: epcis.ObjectEvent, EventID: "urn:uuid:1", EventTime: rt.Add(-time.Hour), EventTimeZoneOffset: "+08:00",
		RecordTime: rt, Action: epcis.ActionObserve, BizStep: epcis.BizStepShipping}
	var doc bytes.Buffer
	if err := epcis.MarshalDocument(&doc, []epcis.Event{ev}, &epcis.MarshalOptions{Header: epcis.Header{CreationDate: rt}}); err != nil {
		t.Fatal(err)
	}
	want, err := epcis.AppendEvent(nil, &ev)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := storedEventJSON(doc.Bytes(), rt.UnixMilli())
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("storedEventJSON = %s, %v; want %s", got, ok, want)
	}
	if _, ok := storedEventJSON(doc.Bytes(), rt.UnixMilli()+1); ok {
		t.Error("another recordTime was taken")
	}
	for _, bad := range []string{"", "{}", doc.String()[:doc.Len()-2], `{"@context":["x"]}`,
		string(bytes.Replace(doc.Bytes(), []byte(`"creationDate":"`), []byte(`"creationDate":"x","y":"`), 1))} {
		if _, ok := storedEventJSON([]byte(bad), rt.UnixMilli()); ok {
			t.Errorf("storedEventJSON(%q) took it", bad)
		}
	}
}

// FuzzStoredEventJSON: any bytes as a stored document; a taken event is
// an object inside the document's event list, never a panic.
func FuzzStoredEventJSON(f *testing.F) {
	rt := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var doc bytes.Buffer
	ev := epcis.Event{Type: epcis.ObjectEvent, EventTime: rt, EventTimeZoneOffset: "+08:00", RecordTime: rt, Action: epcis.ActionObserve}
	if err := epcis.MarshalDocument(&doc, []epcis.Event{ev}, &epcis.MarshalOptions{Header: epcis.Header{CreationDate: rt}}); err != nil {
		f.Fatal(err)
	}
	f.Add(doc.Bytes(), rt.UnixMilli())
	f.Add([]byte("{}"), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, recordTime int64) {
		got, ok := storedEventJSON(body, recordTime)
		if !ok {
			return
		}
		if len(got) < 2 || got[0] != '{' || got[len(got)-1] != '}' || !bytes.Contains(body, got) ||
			!bytes.HasPrefix(body, storedHead) || !bytes.HasSuffix(body, storedTail) {
			t.Fatalf("took %q from %q", got, body)
		}
	})
}
