package epcis

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func xmlFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// xmlRefused are the examples refused, with the reason expected.
var xmlRefused = map[string]string{
	// Two events give bizStep https://ref.gs1.org/cbv/Bizstep-sensor_reporting
	// (lower-case "s"): a value in the CBV namespace that is no CBV term,
	// which CBV forbids. The hash reference's copy of this file has it fixed.
	"testdata/xml/WithSensorData/SensorDataExamples.xml": `"https://ref.gs1.org/cbv/Bizstep-sensor_reporting" is in a CBV namespace but not a CBV 2.0 bizStep (line 359)`,
}

// xmlHashQuirks are the reference vectors whose hash differs because the
// reference hashes XML values as text where the JSON-LD form of the same
// event has typed or expanded values, and the model (like the JSON-LD
// form) gives one event one hash whatever its syntax: sensorReport
// booleanValue "true" (the reference's JSON path writes Python's True),
// compact-IRI values ("example:x" with the prefix declared) left
// unexpanded, and an all-digit stringValue the reference reads as a float.
var xmlHashQuirks = map[string]bool{
	"SensorDataExamples.xml#5": true, "SensorDataExamples.xml#6": true, "SensorDataExamples.xml#7": true,
	"SensorDataExamples.xml#8": true, "SensorDataExamples.xml#9": true, "SensorDataExamples.xml#11": true,
}

// TestXMLExamples reads all 37 XML examples of GS1's EPCIS repository:
// event documents, master data documents and capture-job statuses.
func TestXMLExamples(t *testing.T) {
	files := xmlFiles(t, "testdata/xml")
	if len(files) != 37 {
		t.Fatalf("%d XML examples, want 37", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if reason, ok := xmlRefused[filepath.ToSlash(f)]; ok {
			_, err := ParseXML(bytes.NewReader(src), ParseOptions{})
			if err == nil || !strings.Contains(err.Error(), reason) {
				t.Errorf("%s: error %v, want one containing %q", f, err, reason)
			}
			continue
		}
		if bytes.Contains(src, []byte("EPCISCaptureJob")) {
			job, err := ParseCaptureJob(bytes.NewReader(src))
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if job.CaptureID == "" || job.CreatedAt.IsZero() {
				t.Errorf("%s: %+v", f, job)
			}
			continue
		}
		doc, err := ParseXML(bytes.NewReader(src), ParseOptions{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		t.Logf("%s: %s, %d events", f, doc.Header.Type, len(doc.Events))
	}
}

// TestXMLHashVectors: the events of the reference implementation's XML
// inputs (EPCIS 2.0 and 1.2) get its expected event hash IDs.
func TestXMLHashVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/hash/*.xml")
	if len(files) < 15 {
		t.Fatalf("%d XML hash inputs", len(files))
	}
	pass, n := 0, 0
	for _, f := range files {
		hashes := readLines(t, strings.TrimSuffix(f, ".xml")+".hashes")
		if hashes == nil {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ParseXML(bytes.NewReader(src), ParseOptions{})
		if filepath.Base(f) == "SensorDataExamples.xml" {
			// Its event 11 writes ilmd before sensorElementList, against
			// the EPCIS 2.0 XSD's sequence: refused, unless the caller
			// accepts any order.
			if err == nil || !strings.Contains(err.Error(), "<sensorElementList> must come before <ilmd> (EPCIS 2.0 XSD order) (line 333)") {
				t.Errorf("%s: error %v, want the order of event 11 named", f, err)
			}
			doc, err = ParseXML(bytes.NewReader(src), ParseOptions{XMLAnyOrder: true})
		}
		if filepath.Base(f) == "epcisXmlQueryDocHavingEventWithIgnoreFields.xml" {
			// queryName and resultsBody sit under the root, not in
			// EPCISBody/QueryResults: the XSD refuses it, and so do we.
			if err == nil || !strings.Contains(err.Error(), "unknown element <queryName> in EPCISQueryDocument") {
				t.Errorf("%s: error %v, want the misplaced queryName named", f, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(doc.Events) != len(hashes) {
			t.Errorf("%s: %d events, %d hashes", f, len(doc.Events), len(hashes))
			continue
		}
		pre := readLines(t, strings.TrimSuffix(f, ".xml")+".prehashes")
		for i := range doc.Events {
			n++
			got := HashID(&doc.Events[i], doc.Header.HashOptions())
			quirk := xmlHashQuirks[filepath.Base(f)+"#"+strconv.Itoa(i)]
			if got == hashes[i] {
				if quirk {
					t.Errorf("%s event %d matches the reference: remove it from xmlHashQuirks", f, i)
				}
				pass++
				continue
			}
			if quirk {
				continue
			}
			want := ""
			if len(pre) == len(hashes) {
				want = pre[i]
			}
			t.Errorf("%s event %d: hash %s, want %s\n got pre-hash %s\nwant pre-hash %s", f, i, got, hashes[i], PreHash(&doc.Events[i], doc.Header.HashOptions()), want)
		}
	}
	t.Logf("%d of %d XML event hash vectors pass", pass, n)
}

// TestXMLHashExpectedEqual: every event of one file is another XML
// representation (element order, time zones, precision, EPCIS 1.2 layout)
// of one event and gets one hash.
func TestXMLHashExpectedEqual(t *testing.T) {
	files, _ := filepath.Glob("testdata/hash/expected_equal/*.xml")
	if len(files) != 10 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ParseXML(bytes.NewReader(src), ParseOptions{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(doc.Events) < 2 {
			t.Errorf("%s: %d events", f, len(doc.Events))
			continue
		}
		h0 := HashID(&doc.Events[0], nil)
		for i := 1; i < len(doc.Events); i++ {
			if h := HashID(&doc.Events[i], nil); h != h0 {
				t.Errorf("%s: event %d hash %s, event 0 %s\n pre %s\n pre0 %s", f, i, h, h0, PreHash(&doc.Events[i], nil), PreHash(&doc.Events[0], nil))
			}
		}
	}
}

// TestXMLJSONSameEvents: the XML and JSON-LD forms of one document (the
// hash reference's inputs in both syntaxes) give the same events: same
// hash IDs, same identifiers, times and vocabulary.
func TestXMLJSONSameEvents(t *testing.T) {
	files, _ := filepath.Glob("testdata/hash/*.xml")
	pairs := 0
	for _, f := range files {
		jf := strings.TrimSuffix(f, ".xml") + ".jsonld"
		jsrc, err := os.ReadFile(jf)
		if err != nil {
			continue
		}
		xsrc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		xd, err := ParseXML(bytes.NewReader(xsrc), ParseOptions{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		jd, err := ParseDocument(bytes.NewReader(jsrc), ParseOptions{})
		if err != nil {
			t.Errorf("%s: %v", jf, err)
			continue
		}
		pairs++
		if len(xd.Events) != len(jd.Events) {
			t.Errorf("%s: %d XML events, %d JSON events", f, len(xd.Events), len(jd.Events))
			continue
		}
		for i := range xd.Events {
			x, j := &xd.Events[i], &jd.Events[i]
			if hx, hj := HashID(x, xd.Header.HashOptions()), HashID(j, jd.Header.HashOptions()); hx != hj {
				t.Errorf("%s event %d: XML hash %s, JSON hash %s\n xml  %s\n json %s", f, i, hx, hj, PreHash(x, nil), PreHash(j, nil))
			}
			if x.Type != j.Type || !x.EventTime.Equal(j.EventTime) || x.EventTimeZoneOffset != j.EventTimeZoneOffset ||
				x.Action != j.Action || x.BizStep != j.BizStep || x.Disposition != j.Disposition || x.EventID != j.EventID {
				t.Errorf("%s event %d: header fields differ:\n xml  %+v\n json %+v", f, i, x, j)
			}
			if !reflect.DeepEqual(x.EPCList, j.EPCList) || !reflect.DeepEqual(x.ChildEPCs, j.ChildEPCs) ||
				!reflect.DeepEqual(x.QuantityList, j.QuantityList) || !reflect.DeepEqual(x.ParentID, j.ParentID) {
				t.Errorf("%s event %d: identifiers differ", f, i)
			}
		}
	}
	if pairs < 10 {
		t.Fatalf("only %d XML/JSON pairs", pairs)
	}
	t.Logf("%d documents compared", pairs)
}

const xml12Head = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>`

const xml12Tail = `</EventList></EPCISBody></epcis:EPCISDocument>`

// TestXML12Layout: an EPCIS 1.2 document's fields in <extension> and
// <baseExtension>, and its TransformationEvent in the EventList's
// <extension>, read as the EPCIS 2.0 fields they are.
func TestXML12Layout(t *testing.T) {
	src := xml12Head + `<ObjectEvent><eventTime>2024-01-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<baseExtension><eventID>urn:uuid:8f1d6c3e-1a7b-4c1e-9b7f-3c2d1e0f9a8b</eventID></baseExtension>
<epcList/><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
<extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0614141.107346.L1</epcClass><quantity>10</quantity><uom>KGM</uom></quantityElement></quantityList>
<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0614141.00000</source></sourceList>
<ilmd><extension><x:lot xmlns:x="https://x.example/">L1</x:lot></extension></ilmd></extension></ObjectEvent>
<extension><TransformationEvent><eventTime>2024-01-01T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<inputEPCList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></inputEPCList><outputEPCList><epc>urn:epc:id:sgtin:0614141.107346.2</epc></outputEPCList></TransformationEvent></extension>` + xml12Tail
	doc, err := ParseXML(strings.NewReader(src), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Events) != 2 || doc.Events[1].Type != TransformationEvent {
		t.Fatalf("events: %+v", doc.Events)
	}
	ev := doc.Events[0]
	if ev.EventID != "urn:uuid:8f1d6c3e-1a7b-4c1e-9b7f-3c2d1e0f9a8b" || ev.BizStep != "commissioning" || len(ev.QuantityList) != 1 ||
		ev.QuantityList[0].Quantity != 10 || len(ev.SourceList) != 1 || string(ev.ILMD) != `{"x:lot":"L1"}` || ev.Namespaces["x"] != "https://x.example/" {
		t.Fatalf("event: %+v ilmd %s", ev, ev.ILMD)
	}
}

// TestXMLErrors: bad documents are refused with the element, the event
// and the line at fault, and nothing else is returned.
func TestXMLErrors(t *testing.T) {
	ev := func(body string) string {
		return xml12Head + `<ObjectEvent><eventTime>2024-01-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>` + body + `</ObjectEvent>` + xml12Tail
	}
	cases := []struct{ src, want string }{
		{ev(`<epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>MOVE</action>`), `event 0: EPCISBody.EventList[0].action: action "MOVE" is not ADD, OBSERVE or DELETE (line 2)`},
		{ev(`<epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>ADD</action>`), `epcList[1]: duplicate identifier`},
		{ev(`<epcList><epc>not a uri</epc></epcList><action>ADD</action>`), `epcList[0]`},
		{ev(`<epcList/><action>ADD</action><colour>red</colour>`), `unknown element <colour> in ObjectEvent (extensions need a namespace)`},
		{ev(`<epcList/>`), `ObjectEvent requires "action"`},
		{ev(`<epcList/><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:flying</bizStep>`), `bizStep: "urn:epcglobal:cbv:bizstep:flying" is not a CBV 2.0 bizStep (line 2)`},
		{xml12Head + `<QuantityEvent/>` + xml12Tail, `QuantityEvent (EPCIS 1.x, deprecated) is not supported`},
		{xml12Head + `<ObjectEvent>`, `malformed XML`},
		{`<foo/>`, `root element {}foo is not an EPCIS 2.0 or 1.x EPCISDocument`},
		{strings.Replace(xml12Head, `schemaVersion="1.2" `, ``, 1) + xml12Tail, `required attribute schemaVersion is missing`},
		{strings.Replace(xml12Head, `2024-01-01T00:00:00Z`, `yesterday`, 1) + xml12Tail, `creationDate: "yesterday" is not an RFC 3339 date-time`},
		{strings.Replace(ev(`<epcList/><action>ADD</action>`), `<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>`, ``, 1), `required field "eventTimeZoneOffset" is missing`},
		{ev(`<epcList/><action>ADD</action>` + strings.Repeat(`<x:a xmlns:x="https://x.example/">`, 70) + strings.Repeat(`</x:a>`, 70)), `nested more than 64 levels deep`},
	}
	for _, c := range cases {
		doc, err := ParseXML(strings.NewReader(c.src), ParseOptions{})
		if err == nil || doc != nil {
			t.Errorf("accepted:\n%s", c.src)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			var de *DocumentError
			if errors.As(err, &de) {
				t.Errorf("error %v\nwant one containing %q", de.Errors, c.want)
				continue
			}
			t.Errorf("error %v\nwant one containing %q", err, c.want)
		}
	}
	if _, err := ParseXML(strings.NewReader(xml12Head+xml12Tail), ParseOptions{MaxBytes: 50}); !errors.Is(err, ErrLimit) {
		t.Errorf("size limit: %v", err)
	}
}

// TestXMLIdenticalHashIDs: GS1's XML writings of one event (order, typed
// and untyped extensions, CBV URNs) get one hash ID. File 2 also changes
// eventTimeZoneOffset (-06:00 → -05:00), which the CBV 2.0 hash includes,
// as the reference implementation does: it gets another. The seventh
// file, JSON, writes CBV URNs, which the EPCIS 2.0 JSON schema forbids:
// refused, saying what to write.
func TestXMLIdenticalHashIDs(t *testing.T) {
	var first string
	for i := 1; i <= 6; i++ {
		f := "testdata/xml/WithEventHashID/event_with_identical_hash_id_" + strconv.Itoa(i) + ".xml"
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ParseXML(bytes.NewReader(src), ParseOptions{})
		if err != nil || len(doc.Events) != 1 {
			t.Fatalf("%s: %v", f, err)
		}
		h := HashID(&doc.Events[0], nil)
		if i == 2 {
			if h == first {
				t.Errorf("%s: another eventTimeZoneOffset kept the hash", f)
			}
			continue
		}
		if first == "" {
			first = h
		} else if h != first {
			t.Errorf("%s: hash %s, file 1 %s", f, h, first)
		}
	}
	src, err := os.ReadFile("testdata/xml/WithEventHashID/event_with_identical_hash_id_7.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDocument(bytes.NewReader(src), ParseOptions{}); err == nil || !strings.Contains(err.Error(), "forbids CBV URN values in JSON") {
		t.Errorf("file 7: %v", err)
	}
}

// TestXMLSequence: an EPCIS 2.0 event's elements follow the XSD's order,
// extension elements last; EPCIS 1.2 and XMLAnyOrder are not held to it.
func TestXMLSequence(t *testing.T) {
	head := `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:x="https://x.example/" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2024-01-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>`
	tail := `</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	for _, c := range []struct{ body, want string }{
		{`<action>ADD</action><epcList/>`, `<epcList> must come before <action> (EPCIS 2.0 XSD order)`},
		{`<epcList/><action>ADD</action><x:f>1</x:f><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>`, `<bizStep> must come before the extension element <x:f>`},
		{`<epcList/><action>ADD</action><eventID>urn:uuid:1</eventID>`, `<eventID> must come before <action>`},
	} {
		_, err := ParseXML(strings.NewReader(head+c.body+tail), ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.body, err, c.want)
		}
		if _, err := ParseXML(strings.NewReader(head+c.body+tail), ParseOptions{XMLAnyOrder: true}); err != nil {
			t.Errorf("%s with XMLAnyOrder: %v", c.body, err)
		}
	}
	if _, err := ParseXML(strings.NewReader(head+`<epcList/><action>ADD</action><x:f>1</x:f>`+tail), ParseOptions{}); err != nil {
		t.Errorf("in order: %v", err)
	}
}
