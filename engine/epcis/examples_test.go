package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// exampleCase is what a GS1 example must parse to. The counts were taken
// from the files with jq, independently of this package: event types in
// order, identifiers in all EPC lists, quantity elements in all quantity
// lists, namespaced extension members at event level.
type exampleCase struct {
	file   string
	types  string // event types without "Event", comma-separated
	epcs   int
	qtys   int
	exts   int
	reject string // "" or "FIELD: reason substring": the example is refused
}

var exampleCases = []exampleCase{
	{"AssociationEvent/AssociationEvent-a.jsonld", "Association", 1, 0, 0, ""},
	{"AssociationEvent/AssociationEvent-b.jsonld", "Association", 1, 0, 0, ""},
	{"AssociationEvent/AssociationEvent-c.jsonld", "Association", 1, 0, 0, ""},
	{"AssociationEvent/AssociationEvent-d.jsonld", "Association", 0, 0, 0, ""},
	{"AssociationEvent/AssociationEvent-e.jsonld", "Association", 0, 2, 0, ""},
	{"AssociationEvent/AssociationEvent-f.jsonld", "Association", 2, 1, 0, ""},
	{"AssociationEvent/AssociationEvent-g.jsonld", "Association", 0, 0, 0, ""},
	// AssociationEvent-h repeats "eventID" in its only event. JSON parsers
	// disagree on which one wins, and an event whose ID is ambiguous cannot
	// be held to account: refused, with the path of the second one.
	{"AssociationEvent/AssociationEvent-h.jsonld", "Association", 2, 0, 0, `epcisBody.eventList[0].eventID: duplicate member "eventID"`},
	{"EPCISQueryDocument.jsonld", "Object,Object", 3, 0, 1, ""},
	{"Example-TransactionEvents-2020_07_03y.jsonld", "Transaction,Transaction", 2, 0, 3, ""},
	{"Example-Type-sourceOrDestination,measurement,bizTransaction.jsonld", "Association", 2, 1, 1, ""},
	{"Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld", "Object,Object", 3, 0, 1, ""},
	{"Example_9.6.1-ObjectEvent.jsonld", "Object,Object", 3, 0, 1, ""},
	{"Example_9.6.1-with-comment.jsonld", "Object,Object", 3, 0, 2, ""},
	{"Example_9.6.2-ObjectEvent.jsonld", "Object", 0, 1, 1, ""},
	{"Example_9.6.3-AggregationEvent.jsonld", "Aggregation", 2, 2, 1, ""},
	{"Example_9.6.4-TransformationEvent.jsonld", "Transformation", 6, 3, 1, ""},
	{"PersistentDisposition-example.jsonld", "Object,Object", 20, 0, 0, ""},
	{"WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld", "Object,Object", 3, 0, 1, ""},
	{"WithDigitalLinkID/Example_9.6.2-ObjectEventWithDigitalLink.jsonld", "Object", 0, 1, 1, ""},
	{"WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld", "Aggregation", 2, 2, 1, ""},
	{"WithDigitalLinkID/Example_9.6.4-TransformationEventWithDigitalLink.jsonld", "Transformation", 6, 3, 1, ""},
	{"WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", "Transformation,Transformation", 4, 4, 0, ""},
	{"WithErrorDeclaration/Example_9.6.1-ObjectEvent-with-error-declaration.jsonld", "Object,Object", 3, 0, 1, ""},
	{"WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld", "Aggregation", 2, 2, 8, ""},
	{"WithFullCombinationOfFields/association_event_all_possible_fields.jsonld", "Association", 2, 2, 8, ""},
	{"WithFullCombinationOfFields/object_event_all_possible_fields.jsonld", "Object", 1, 1, 8, ""},
	{"WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld", "Transaction", 2, 1, 8, ""},
	// Its @context redefines "cbvmda" (urn:epcglobal:cbv:mda, without the
	// final colon), a term the EPCIS context protects: JSON-LD 1.1 safe
	// expansion fails on it, and so does the parser.
	{"WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld", "Transformation", 6, 6, 8, `@context: @context redefines "cbvmda", a protected term of the EPCIS 2.0 context`},
	{"WithSensorData/SensorDataExample1.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample10.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample11.jsonld", "Transaction", 2, 0, 0, ""},
	{"WithSensorData/SensorDataExample12.jsonld", "Transformation", 2, 1, 2, ""},
	{"WithSensorData/SensorDataExample13.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample14.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample15.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample16.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample17.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample1b.jsonld", "Object", 0, 0, 0, ""},
	{"WithSensorData/SensorDataExample2.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample3.jsonld", "Object", 0, 0, 0, ""},
	{"WithSensorData/SensorDataExample4.jsonld", "Object", 0, 1, 0, ""},
	{"WithSensorData/SensorDataExample5.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample6.jsonld", "Object", 1, 1, 0, ""},
	{"WithSensorData/SensorDataExample7.jsonld", "Object", 1, 0, 0, ""},
	{"WithSensorData/SensorDataExample8.jsonld", "Aggregation", 0, 1, 0, ""},
	{"WithSensorData/SensorDataExample9.jsonld", "Object", 1, 0, 0, ""},
}

func exampleFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("testdata/examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".jsonld") {
			files = append(files, strings.TrimPrefix(filepath.ToSlash(p), "testdata/examples/"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestExamplesCovered keeps the table in step with testdata/examples.
func TestExamplesCovered(t *testing.T) {
	inTable := map[string]bool{}
	for _, c := range exampleCases {
		inTable[c.file] = true
	}
	files := exampleFiles(t)
	for _, f := range files {
		if !inTable[f] {
			t.Errorf("%s has no row in exampleCases", f)
		}
	}
	if len(files) != len(exampleCases) || len(files) != 47 {
		t.Errorf("%d files, %d table rows, want 47", len(files), len(exampleCases))
	}
}

func TestExamples(t *testing.T) {
	accepted := 0
	for _, c := range exampleCases {
		t.Run(c.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata/examples", c.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ParseDocument(bytes.NewReader(src), ParseOptions{})
			if c.reject != "" {
				de, ok := err.(*DocumentError)
				if !ok {
					t.Fatalf("want rejection %q, got %v", c.reject, err)
				}
				field, reason, _ := strings.Cut(c.reject, ": ")
				for _, e := range de.Errors {
					if e.Field == field && strings.Contains(e.Reason, reason) {
						return
					}
				}
				t.Fatalf("want error %q, got %v", c.reject, de.Errors)
			}
			if err != nil {
				t.Fatal(err)
			}
			accepted++
			var types []string
			epcs, qtys, exts := 0, 0, 0
			for _, ev := range doc.Events {
				types = append(types, strings.TrimSuffix(string(ev.Type), "Event"))
				epcs += len(ev.EPCList) + len(ev.ChildEPCs) + len(ev.InputEPCList) + len(ev.OutputEPCList)
				qtys += len(ev.QuantityList) + len(ev.ChildQuantityList) + len(ev.InputQuantityList) + len(ev.OutputQuantityList)
				exts += len(ev.Extensions)
			}
			if got := strings.Join(types, ","); got != c.types || epcs != c.epcs || qtys != c.qtys || exts != c.exts {
				t.Errorf("got types %s, %d EPCs, %d quantities, %d extensions; want %s, %d, %d, %d",
					got, epcs, qtys, exts, c.types, c.epcs, c.qtys, c.exts)
			}
			checkRoundTrip(t, src, doc)
		})
	}
	t.Logf("%d of %d examples accepted and round-tripped", accepted, len(exampleCases))
}

// checkRoundTrip marshals doc, compares the output with the source as
// generic JSON (after normalising CBV spellings, time notation and the
// @context to its prefixes), and parses the output again expecting the
// same events.
func checkRoundTrip(t *testing.T, src []byte, doc *Document) {
	t.Helper()
	var out bytes.Buffer
	if err := MarshalDocument(&out, doc.Events, &MarshalOptions{Header: doc.Header}); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	want, got := normalizeJSON(t, src), normalizeJSON(t, out.Bytes())
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", " ")
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("round trip differs as JSON\nwant %s\n got %s", w, g)
	}
	doc2, err := ParseDocument(bytes.NewReader(out.Bytes()), ParseOptions{})
	if err != nil {
		t.Fatalf("reparse: %v\n%s", err, out.Bytes())
	}
	if msg := diffEvents(doc.Events, doc2.Events); msg != "" {
		t.Fatal(msg)
	}
}

// diffEvents compares two event lists field by field ("" when equal).
// Times are compared as instants with their offsets.
func diffEvents(a, b []Event) string {
	if len(a) != len(b) {
		return "event count differs"
	}
	for i := range a {
		x, errX := AppendEvent(nil, &a[i])
		y, errY := AppendEvent(nil, &b[i])
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			return "event " + string(rune('0'+i%10)) + " differs:\n" + string(x) + "\n" + string(y)
		}
		if !reflect.DeepEqual(a[i].Namespaces, b[i].Namespaces) || !sameCanon(a[i], b[i]) {
			return "event namespaces or canonical identifiers differ"
		}
	}
	return ""
}

func sameCanon(a, b Event) bool {
	for _, p := range [][2][]Identifier{{a.EPCList, b.EPCList}, {a.ChildEPCs, b.ChildEPCs}, {a.InputEPCList, b.InputEPCList}, {a.OutputEPCList, b.OutputEPCList}} {
		if !reflect.DeepEqual(p[0], p[1]) {
			return false
		}
	}
	return a.ParentID == b.ParentID && a.ReadPoint.ID == b.ReadPoint.ID && a.BizLocation.ID == b.BizLocation.ID
}

// normalizeJSON decodes a document and rewrites what MarshalDocument may
// legitimately spell differently: CBV values (URN/web URI → bare), times
// (same instant and offset, any precision notation), a one-element
// certificationInfo array, and @context (→ its prefix map and URLs).
func normalizeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if c, ok := v["@context"]; ok {
		raw, _ := json.Marshal(c)
		ns, _ := parseContext(raw, false)
		var urls []any
		if l, ok := c.([]any); ok {
			for _, e := range l {
				if s, ok := e.(string); ok {
					urls = append(urls, s)
				}
			}
		}
		v["@context"] = map[string]any{"ns": ns, "urls": urls}
	}
	normTime(v, "creationDate")
	body, _ := v["epcisBody"].(map[string]any)
	list, _ := body["eventList"].([]any)
	if qr, ok := body["queryResults"].(map[string]any); ok {
		rb, _ := qr["resultsBody"].(map[string]any)
		list, _ = rb["eventList"].([]any)
	}
	for _, e := range list {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		normTime(ev, "eventTime")
		normTime(ev, "recordTime")
		normVocab(ev, "bizStep", vocabBizStep)
		normVocab(ev, "disposition", vocabDisp)
		if pd, ok := ev["persistentDisposition"].(map[string]any); ok {
			for _, k := range []string{"set", "unset"} {
				l, _ := pd[k].([]any)
				for i := range l {
					if s, ok := l[i].(string); ok {
						l[i], _ = vocabDisp.normalize(s)
					}
				}
			}
		}
		for k, voc := range map[string]*vocab{"bizTransactionList": vocabBTT, "sourceList": vocabSDT, "destinationList": vocabSDT} {
			l, _ := ev[k].([]any)
			for _, x := range l {
				if m, ok := x.(map[string]any); ok {
					normVocab(m, "type", voc)
				}
			}
		}
		if ed, ok := ev["errorDeclaration"].(map[string]any); ok {
			normTime(ed, "declarationTime")
			normVocab(ed, "reason", vocabErrReasons)
		}
		if l, ok := ev["certificationInfo"].([]any); ok && len(l) == 1 {
			ev["certificationInfo"] = l[0]
		}
	}
	return v
}

func normTime(m map[string]any, k string) {
	if s, ok := m[k].(string); ok {
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			m[k] = tm.Format(time.RFC3339Nano)
		}
	}
}

func normVocab(m map[string]any, k string, v *vocab) {
	if s, ok := m[k].(string); ok {
		if n, err := v.normalize(s); err == nil {
			m[k] = n
		}
	}
}
