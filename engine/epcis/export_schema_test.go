package epcis

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tracecode/engine/epcis/epcistest"
)

// epcisSchema compiles GS1's EPCIS 2.0 JSON Schema (testdata, offline).
func epcisSchema(t *testing.T) *jsonschema.Schema {
	return epcistest.Schema(t, "testdata/EPCIS-JSON-Schema.json")
}

// TestMarshalDocumentValidatesAgainstSchema writes every example (JSON-LD
// and XML, EPCIS 2.0 and 1.2) as EPCIS 2.0 JSON-LD and validates it
// against GS1's JSON Schema.
func TestMarshalDocumentValidatesAgainstSchema(t *testing.T) {
	sch := epcisSchema(t)
	n := 0
	for name, d := range exportSources(t) {
		skip := false
		for i := range d.Events {
			// The XSD allows persistentDisposition in every event type,
			// the JSON schema only in two (docs/epcis.md).
			if !d.Events[i].PersistentDisposition.IsZero() && allowed[d.Events[i].Type]&fPersistentDisposition == 0 {
				skip = true
			}
		}
		if skip {
			continue
		}
		var out bytes.Buffer
		if err := MarshalDocument(&out, d.Events, &MarshalOptions{Header: d.Header}); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			msg := err.Error()
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
			t.Errorf("%s: the JSON-LD export is outside the EPCIS JSON schema:\n%s", name, msg)
			continue
		}
		n++
	}
	t.Logf("%d exports valid", n)
	// The schema is not a rubber stamp: a URN-form bizStep fails it.
	var bad map[string]any
	_ = json.Unmarshal([]byte(doc(obj(okObj+`,"bizStep":"urn:epcglobal:cbv:bizstep:shipping"`))), &bad)
	if err := sch.Validate(bad); err == nil || !strings.Contains(err.Error(), "bizStep") {
		t.Errorf("the schema accepted a URN bizStep: %v", err)
	}
}
