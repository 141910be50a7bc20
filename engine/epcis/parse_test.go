package epcis

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// doc wraps event objects into an otherwise valid EPCISDocument.
func doc(events ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"example":"http://ns.example.com/epcis/"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-05-01T10:00:00Z",
"epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

// obj is a valid ObjectEvent with extra members spliced in (they may
// override earlier ones only by being refused as duplicates, so tests
// pass members the base lacks).
func obj(extra string) string {
	s := `{"type":"ObjectEvent","eventTime":"2024-05-01T10:00:00.000+08:00","eventTimeZoneOffset":"+08:00"`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

const okObj = `"action":"OBSERVE","epcList":["urn:epc:id:sgtin:0614141.107346.2017"]`

// wantErr is one expected EventError: index, exact path, reason substring.
type wantErr struct {
	index  int
	field  string
	reason string
}

func parseErrs(t *testing.T, src string, opts ParseOptions) []EventError {
	t.Helper()
	d, err := ParseDocument(strings.NewReader(src), opts)
	if err == nil {
		t.Fatalf("accepted, %d events; want errors", len(d.Events))
	}
	var de *DocumentError
	if !errors.As(err, &de) {
		t.Fatalf("error %T %v is not a *DocumentError", err, err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) is false")
	}
	return de.Errors
}

func TestParseErrors(t *testing.T) {
	agg := func(s string) string {
		return `{"type":"AggregationEvent","eventTime":"2024-05-01T10:00:00Z","eventTimeZoneOffset":"+00:00",` + s + `}`
	}
	tf := func(s string) string {
		return `{"type":"TransformationEvent","eventTime":"2024-05-01T10:00:00Z","eventTimeZoneOffset":"+00:00",` + s + `}`
	}
	cases := []struct {
		name string
		src  string
		want []wantErr
	}{
		{"missing action", doc(obj(`"epcList":[]`)), []wantErr{{0, "epcisBody.eventList[0].action", `ObjectEvent requires "action"`}}},
		{"bad EPC at index", doc(obj(`"action":"ADD","epcList":["urn:epc:id:sgtin:0614141.107346.1","urn:epc:id:sgtin:0614141.107346.2","0614141.107346.3"]`)),
			[]wantErr{{0, "epcisBody.eventList[0].epcList[2]", "neither an EPC URN"}}},
		{"duplicate EPC", doc(obj(`"action":"ADD","epcList":["urn:epc:id:sgtin:0614141.107346.1","urn:epc:id:sgtin:0614141.107346.1"]`)),
			[]wantErr{{0, "epcisBody.eventList[0].epcList[1]", "duplicate identifier"}}},
		{"EPC not a string", doc(obj(`"action":"ADD","epcList":[12]`)),
			[]wantErr{{0, "epcisBody.eventList[0].epcList[0]", "must be a string, not a number"}}},
		{"all events reported", doc(obj(okObj), obj(okObj+`,"bizStep":"flying"`), obj(okObj), `{"type":"ObjectEvent","eventTime":"2024-05-01T10:00:00Z","eventTimeZoneOffset":"+15:00",`+okObj+`}`),
			[]wantErr{
				{1, "epcisBody.eventList[1].bizStep", `"flying" is neither a CBV 2.0 bizStep nor a URI`},
				{3, "epcisBody.eventList[3].eventTimeZoneOffset", `"+15:00" is not a time zone offset`},
			}},
		{"CBV namespace, unknown term", doc(obj(okObj + `,"disposition":"https://ref.gs1.org/cbv/Disp-lost"`)),
			[]wantErr{{0, "epcisBody.eventList[0].disposition", "not a CBV 2.0 disposition"}}},
		{"bad eventTime", doc(`{"type":"ObjectEvent","eventTime":"2024-05-01 10:00","eventTimeZoneOffset":"+08:00",` + okObj + `}`),
			[]wantErr{{0, "epcisBody.eventList[0].eventTime", "not an RFC 3339 date-time"}}},
		{"missing times", doc(`{"type":"ObjectEvent",` + okObj + `}`),
			[]wantErr{{0, "epcisBody.eventList[0].eventTime", "is missing"}, {0, "epcisBody.eventList[0].eventTimeZoneOffset", "is missing"}}},
		{"unknown type", doc(`{"type":"RecallEvent","eventTime":"2024-05-01T10:00:00Z","eventTimeZoneOffset":"+00:00"}`),
			[]wantErr{{0, "epcisBody.eventList[0].type", `unknown event type "RecallEvent"`}}},
		{"unknown field", doc(obj(okObj + `,"lotNumber":"L1"`)),
			[]wantErr{{0, "epcisBody.eventList[0].lotNumber", `unknown event field "lotNumber"`}}},
		{"field of another type", doc(obj(okObj + `,"childEPCs":["urn:epc:id:sgtin:0614141.107346.9"]`)),
			[]wantErr{{0, "epcisBody.eventList[0].childEPCs", `ObjectEvent does not have the field "childEPCs"`}}},
		{"ilmd with OBSERVE", doc(obj(okObj + `,"ilmd":{"example:lot":"L1"}`)),
			[]wantErr{{0, "epcisBody.eventList[0].ilmd", "only allowed with action ADD"}}},
		{"aggregation ADD without parent", doc(agg(`"action":"ADD","childEPCs":["urn:epc:id:sgtin:0614141.107346.1"]`)),
			[]wantErr{{0, "epcisBody.eventList[0].parentID", "requires \"parentID\" unless action is OBSERVE"}}},
		{"aggregation without children", doc(agg(`"action":"ADD","parentID":"urn:epc:id:sscc:0614141.1234567890"`)),
			[]wantErr{{0, "epcisBody.eventList[0]", `non-empty "childEPCs" or "childQuantityList"`}}},
		{"transformation with action", doc(tf(`"action":"ADD","inputEPCList":["urn:epc:id:sgtin:0614141.107346.1"],"outputEPCList":["urn:epc:id:sgtin:0614141.107346.2"]`)),
			[]wantErr{{0, "epcisBody.eventList[0].action", `TransformationEvent does not have the field "action"`}}},
		{"transformation ID only", doc(tf(`"transformationID":"urn:epc:id:gdti:0614141.12345.400"`)),
			[]wantErr{{0, "epcisBody.eventList[0]", "requires inputs and outputs"}}},
		{"quantity element", doc(obj(`"action":"ADD","quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":-1},{"epcClass":"urn:epc:class:lgtin:4012345.012345.1","uom":"kg"},{"quantity":2,"lot":"x"}]`)),
			[]wantErr{
				{0, "epcisBody.eventList[0].quantityList[0].quantity", "out of range"},
				{0, "epcisBody.eventList[0].quantityList[1].uom", "not a UN/ECE Rec. 20 code"},
				{0, "epcisBody.eventList[0].quantityList[1].uom", "uom without quantity"},
				{0, "epcisBody.eventList[0].quantityList[2].lot", `unknown field "lot"`},
				{0, "epcisBody.eventList[0].quantityList[2].epcClass", `requires "epcClass"`},
			}},
		{"source and transaction", doc(obj(okObj + `,"sourceList":[{"source":"urn:epc:id:pgln:4012345.00225"}],"bizTransactionList":[{"type":"po"}]`)),
			[]wantErr{
				{0, "epcisBody.eventList[0].sourceList[0].type", `source requires "type"`},
				{0, "epcisBody.eventList[0].bizTransactionList[0].bizTransaction", `requires "bizTransaction"`},
			}},
		{"persistent disposition empty", doc(obj(okObj + `,"persistentDisposition":{}`)),
			[]wantErr{{0, "epcisBody.eventList[0].persistentDisposition", "needs a non-empty set or unset"}}},
		{"readPoint without id", doc(obj(okObj + `,"readPoint":{"example:x":1}`)),
			[]wantErr{{0, "epcisBody.eventList[0].readPoint.id", `readPoint requires "id"`}}},
		{"eventID not a URI", doc(obj(okObj + `,"eventID":"1234"`)),
			[]wantErr{{0, "epcisBody.eventList[0].eventID", "not an absolute URI"}}},
		{"no @context", `{"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-05-01T10:00:00Z","epcisBody":{"eventList":[]}}`,
			[]wantErr{{-1, "@context", "is missing"}}},
		{"foreign @context", strings.Replace(doc(), "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "https://example.com/ctx.jsonld", 1),
			[]wantErr{{-1, "@context", "does not name the EPCIS 2.0 context"}}},
		{"EPCIS 1.2", strings.Replace(doc(), `"schemaVersion":"2.0"`, `"schemaVersion":"1.2"`, 1),
			[]wantErr{{-1, "schemaVersion", `"1.2" is not 2.0`}}},
		{"wrong document type", strings.Replace(doc(), `"type":"EPCISDocument"`, `"type":"EPCISMasterDataDocument"`, 1),
			[]wantErr{{-1, "type", "neither EPCISDocument nor EPCISQueryDocument"}}},
		{"no creationDate", strings.Replace(doc(), `"creationDate":"2024-05-01T10:00:00Z",`, ``, 1),
			[]wantErr{{-1, "creationDate", "is missing"}}},
		{"query document body", strings.Replace(doc(), `"type":"EPCISDocument"`, `"type":"EPCISQueryDocument"`, 1),
			[]wantErr{{-1, "epcisBody", "queryResults.resultsBody.eventList"}}},
		{"query without name", strings.Replace(strings.Replace(doc(), `"type":"EPCISDocument"`, `"type":"EPCISQueryDocument"`, 1),
			`{"eventList":[]}`, `{"queryResults":{"resultsBody":{"eventList":[]}}}`, 1),
			[]wantErr{{-1, "epcisBody.queryResults.queryName", "queryName is missing"}}},
		{"event not an object", doc(`"urn:epc:id:sgtin:0614141.107346.1"`),
			[]wantErr{{0, "epcisBody.eventList[0]", "an event must be an object, not a string"}}},
		{"duplicate member", doc(obj(okObj + `,"bizStep":"shipping","bizStep":"receiving"`)),
			[]wantErr{{0, "epcisBody.eventList[0].bizStep", `duplicate member "bizStep"`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseErrs(t, c.src, ParseOptions{})
			if len(got) != len(c.want) {
				t.Errorf("got %d errors, want %d:\n%s", len(got), len(c.want), listErrs(got))
			}
			for i, w := range c.want {
				if i >= len(got) {
					break
				}
				g := got[i]
				if g.Index != w.index || g.Field != w.field || !strings.Contains(g.Reason, w.reason) {
					t.Errorf("error %d: got {%d %q %q}, want {%d %q …%q…}", i, g.Index, g.Field, g.Reason, w.index, w.field, w.reason)
				}
			}
		})
	}
}

func listErrs(l []EventError) string {
	var b strings.Builder
	for _, e := range l {
		fmt.Fprintf(&b, "  %d %s: %s\n", e.Index, e.Field, e.Reason)
	}
	return b.String()
}

func TestErrorCarriesEventID(t *testing.T) {
	errs := parseErrs(t, doc(obj(`"eventID":"urn:uuid:9f3b","epcList":[]`)), ParseOptions{})
	if len(errs) != 1 || errs[0].EventID != "urn:uuid:9f3b" {
		t.Fatalf("got %s", listErrs(errs))
	}
	want := `event 0 (urn:uuid:9f3b): epcisBody.eventList[0].action: ObjectEvent requires "action"`
	if got := errs[0].Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestFutureSkew(t *testing.T) {
	now := time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC) // event is 2024-05-01T10:00+08:00 = 02:00Z
	src := doc(obj(okObj))
	for _, c := range []struct {
		now  time.Time
		skew time.Duration
		ok   bool
	}{
		{time.Time{}, 0, true},                     // no check
		{now, 0, true},                             // same instant
		{now.Add(-9 * time.Minute), 0, true},       // within the 10 min default
		{now.Add(-11 * time.Minute), 0, false},     // beyond it
		{now.Add(-time.Hour), 2 * time.Hour, true}, // custom skew
	} {
		_, err := ParseDocument(strings.NewReader(src), ParseOptions{Now: c.now, MaxFutureSkew: c.skew})
		if (err == nil) != c.ok {
			t.Errorf("now %v skew %v: err %v, want ok=%v", c.now, c.skew, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "epcisBody.eventList[0].eventTime: eventTime 2024-05-01T10:00:00+08:00 is 11m0s in the future") {
			t.Errorf("error text: %v", err)
		}
	}
}

func TestLimits(t *testing.T) {
	three := `"action":"ADD","epcList":["urn:epc:id:sgtin:0614141.107346.1","urn:epc:id:sgtin:0614141.107346.2","urn:epc:id:sgtin:0614141.107346.3"]`
	cases := []struct {
		name  string
		src   string
		opts  ParseOptions
		field string
	}{
		{"events", doc(obj(okObj), obj(okObj), obj(okObj)), ParseOptions{MaxEvents: 2}, "epcisBody.eventList"},
		{"EPCs", doc(obj(three)), ParseOptions{MaxEPCsPerEvent: 2}, "epcisBody.eventList[0].epcList"},
		{"bytes", doc(obj(three)), ParseOptions{MaxBytes: 100}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDocument(strings.NewReader(c.src), c.opts)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("err %v is not ErrLimit", err)
			}
			var de *DocumentError
			errors.As(err, &de)
			if de.Errors[0].Field != c.field {
				t.Errorf("field %q, want %q (%v)", de.Errors[0].Field, c.field, err)
			}
		})
	}
	_, err := ParseDocument(strings.NewReader(doc(obj(three))), ParseOptions{MaxEPCsPerEvent: 3})
	if err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestMaxErrors(t *testing.T) {
	var evs []string
	for i := 0; i < 5; i++ {
		evs = append(evs, obj(`"epcList":[]`))
	}
	_, err := ParseDocument(strings.NewReader(doc(evs...)), ParseOptions{MaxErrors: 3})
	var de *DocumentError
	if !errors.As(err, &de) || len(de.Errors) != 3 || de.Dropped != 2 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "5 errors") {
		t.Errorf("Error() = %q", err)
	}
}

func TestMalformedJSON(t *testing.T) {
	src := strings.Replace(doc(obj(okObj)), `"OBSERVE"`, `OBSERVE`, 1)
	_, err := ParseDocument(strings.NewReader(src), ParseOptions{})
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("err %v is not ErrSyntax", err)
	}
	if !strings.Contains(err.Error(), "malformed JSON at byte") {
		t.Errorf("error text: %v", err)
	}
	for _, s := range []string{"", "[]", "{", `{"type":"EPCISDocument"} x`} {
		if _, err := ParseDocument(strings.NewReader(s), ParseOptions{}); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestNormalizer(t *testing.T) {
	calls := 0
	norm := func(s string) (string, error) {
		calls++
		if strings.HasSuffix(s, ".bad") {
			return "", fmt.Errorf("serial %q is not issued", s)
		}
		return strings.ToUpper(s), nil
	}
	src := doc(obj(`"action":"ADD","epcList":["urn:epc:id:sgtin:0614141.107346.1","urn:epc:id:sgtin:0614141.107346.bad"],"readPoint":{"id":"geo:22.5,114.0"},"bizLocation":{"id":"urn:epc:id:sgln:0614141.00888.0"}`))
	errs := parseErrs(t, src, ParseOptions{Normalizer: norm})
	if len(errs) != 1 || errs[0].Field != "epcisBody.eventList[0].epcList[1]" || !strings.Contains(errs[0].Reason, "is not issued") {
		t.Fatalf("got %s", listErrs(errs))
	}
	d, err := ParseDocument(strings.NewReader(strings.Replace(src, ".bad", ".2", 1)), ParseOptions{Normalizer: norm})
	if err != nil {
		t.Fatal(err)
	}
	ev := d.Events[0]
	if ev.EPCList[1].Raw != "urn:epc:id:sgtin:0614141.107346.2" || ev.EPCList[1].Canon != "URN:EPC:ID:SGTIN:0614141.107346.2" {
		t.Errorf("EPC %+v", ev.EPCList[1])
	}
	if ev.ReadPoint.ID.Canon != "geo:22.5,114.0" { // not an EPC: checked as a URI, not normalised
		t.Errorf("readPoint %+v", ev.ReadPoint.ID)
	}
	if ev.BizLocation.ID.Canon != "URN:EPC:ID:SGLN:0614141.00888.0" {
		t.Errorf("bizLocation %+v", ev.BizLocation.ID)
	}
}

func TestCBVForms(t *testing.T) {
	for _, s := range []string{"shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "cbv:BizStep-shipping"} {
		b, err := ParseBizStep(s)
		if err != nil || b != BizStepShipping || !b.IsCBV() || b.URI() != "https://ref.gs1.org/cbv/BizStep-shipping" {
			t.Errorf("%q → %q, %v", s, b, err)
		}
	}
	if b, err := ParseBizStep("https://example.com/bizstep/smelting"); err != nil || b.IsCBV() || b.URI() != "https://example.com/bizstep/smelting" {
		t.Errorf("custom: %q %v", b, err)
	}
	for _, s := range []string{"", "smelting", "urn:epcglobal:cbv:bizstep:smelting", "https://ref.gs1.org/cbv/Disp-in_transit", "urn:epcglobal:cbv:disp:in_transit"} {
		if b, err := ParseBizStep(s); err == nil {
			t.Errorf("%q accepted as %q", s, b)
		}
	}
	if d, err := ParseDisposition("https://ref.gs1.org/cbv/Disp-recalled"); err != nil || d != DispRecalled {
		t.Errorf("disposition: %q %v", d, err)
	}
	if bt, err := ParseBizTransactionType("urn:epcglobal:cbv:btt:inv"); err != nil || bt != BTTInv {
		t.Errorf("btt: %q %v", bt, err)
	}
	if st, err := ParseSourceDestType("https://ref.gs1.org/cbv/SDT-owning_party"); err != nil || st != SDTOwningParty {
		t.Errorf("sdt: %q %v", st, err)
	}
	if r, err := ParseErrorReason("urn:epcglobal:cbv:er:did_not_occur"); err != nil || r != ERDidNotOccur {
		t.Errorf("er: %q %v", r, err)
	}
	d, err := ParseDocument(strings.NewReader(doc(obj(okObj+`,"bizStep":"cbv:BizStep-receiving","disposition":"https://ref.gs1.org/cbv/Disp-in_progress"`))), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev := d.Events[0]; ev.BizStep != BizStepReceiving || ev.Disposition != DispInProgress {
		t.Errorf("got %q %q", ev.BizStep, ev.Disposition)
	}
}

func TestIdentifierSyntax(t *testing.T) {
	good := []string{"urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:class:lgtin:4012345.012345.998877",
		"https://id.gs1.org/01/09506000134352/21/1", "http://example.com/01/09506000134352", "URN:EPC:ID:SSCC:0614141.1234567890"}
	bad := []string{"", "0614141.107346.2017", "urn:", "urn:epc", "https://", "https:///01/1", "ftp://x/y", "urn:epc:id:sgtin:0614141 107346",
		"https://id.gs1.org/01/0950600013435\x00"}
	for _, s := range good {
		if err := checkEPC(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range bad {
		if err := checkEPC(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestExtensionsVerbatim(t *testing.T) {
	src := doc(obj(okObj + `,"example:z":{"b": [1, 2.50, "x"], "a": null},"example:a":"first","readPoint":{"id":"urn:epc:id:sgln:0614141.00888.0","example:dock":7}`))
	d, err := ParseDocument(strings.NewReader(src), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ev := d.Events[0]
	if len(ev.Extensions) != 2 || ev.Extensions[0].Key != "example:a" || string(ev.Extensions[1].Value) != `{"b":[1,2.50,"x"],"a":null}` {
		t.Errorf("extensions %q", ev.Extensions)
	}
	if len(ev.ReadPoint.Extensions) != 1 || string(ev.ReadPoint.Extensions[0].Value) != "7" {
		t.Errorf("readPoint extensions %q", ev.ReadPoint.Extensions)
	}
	if ev.Namespaces["example"] != "http://ns.example.com/epcis/" || len(ev.Namespaces) != 1 {
		t.Errorf("namespaces %v", ev.Namespaces)
	}
}

func TestMarshalNamespaceConflict(t *testing.T) {
	a := Event{Type: ObjectEvent, Namespaces: map[string]string{"ext": "https://a.example/"}}
	b := Event{Type: ObjectEvent, Namespaces: map[string]string{"ext": "https://b.example/"}}
	var sb strings.Builder
	if err := MarshalDocument(&sb, []Event{a, b}, nil); err == nil || !strings.Contains(err.Error(), `prefix "ext"`) {
		t.Fatalf("err %v", err)
	}
	if err := MarshalDocument(&sb, []Event{a, a}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), `"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"ext":"https://a.example/"}]`) {
		t.Errorf("context not declared: %s", sb.String())
	}
}

// TestJSONRefusesCBVURNs: the EPCIS 2.0 JSON schema forbids the CBV 1.x
// URN form of CBV values (its vocab-other-uri pattern); the error says
// what to write instead. Business transaction IDs (urn:epcglobal:cbv:bt:…)
// are identifiers, not vocabulary, and stay allowed.
func TestJSONRefusesCBVURNs(t *testing.T) {
	cases := []struct{ member, want string }{
		{`"bizStep":"urn:epcglobal:cbv:bizstep:shipping"`, `bizStep: "urn:epcglobal:cbv:bizstep:shipping": the EPCIS 2.0 JSON schema forbids CBV URN values in JSON; write "shipping" (or https://ref.gs1.org/cbv/BizStep-shipping)`},
		{`"disposition":"urn:epcglobal:cbv:disp:in_transit"`, `disposition: "urn:epcglobal:cbv:disp:in_transit": the EPCIS 2.0 JSON schema forbids`},
		{`"bizStep":"http://ns.gs1.org/cbv/BizStep-shipping"`, `forbids CBV URN values`},
		{`"bizTransactionList":[{"type":"urn:epcglobal:cbv:btt:po","bizTransaction":"urn:epcglobal:cbv:bt:0614141073467:1"}]`, `bizTransactionList[0].type: "urn:epcglobal:cbv:btt:po"`},
		{`"sourceList":[{"type":"urn:epcglobal:cbv:sdt:owning_party","source":"urn:epc:id:pgln:0614141.00000"}]`, `sourceList[0].type`},
		{`"persistentDisposition":{"set":["urn:epcglobal:cbv:disp:recalled"]}`, `persistentDisposition.set[0]`},
		{`"errorDeclaration":{"declarationTime":"2024-01-01T00:00:00Z","reason":"urn:epcglobal:cbv:er:incorrect_data"}`, `errorDeclaration.reason`},
	}
	for _, c := range cases {
		_, err := ParseDocument(strings.NewReader(doc(obj(okObj+","+c.member))), ParseOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.member, err, c.want)
		}
	}
	if _, err := ParseDocument(strings.NewReader(doc(obj(okObj+`,"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:0614141073467:1"}]`))), ParseOptions{}); err != nil {
		t.Errorf("a urn:epcglobal:cbv:bt: transaction ID refused: %v", err)
	}
}

// TestContextProtectedTerms: the EPCIS 2.0 context protects its terms; a
// later inline context may repeat a prefix's definition but not change it
// or redefine another term (JSON-LD 1.1 "protected term redefinition").
func TestContextProtectedTerms(t *testing.T) {
	withCtx := func(extra string) string {
		return strings.Replace(doc(obj(okObj)), `"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"`,
			`"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",`+extra, 1)
	}
	for _, c := range []struct{ ctx, want string }{
		{`{"cbvmda":"urn:epcglobal:cbv:mda"}`, `@context redefines "cbvmda"`},
		{`{"epcList":"https://example.com/list"}`, `@context redefines "epcList"`},
		{`{"type":"@id"}`, `@context redefines "type"`},
	} {
		src := withCtx(c.ctx)
		if !strings.Contains(src, c.ctx) {
			t.Fatalf("test document has no @context array: %s", src)
		}
		if _, err := ParseDocument(strings.NewReader(src), ParseOptions{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.ctx, err)
		}
	}
	if _, err := ParseDocument(strings.NewReader(withCtx(`{"gs1":"https://gs1.org/voc/","example":"https://example.com/"}`)), ParseOptions{}); err != nil {
		t.Errorf("an identical prefix definition refused: %v", err)
	}
}
