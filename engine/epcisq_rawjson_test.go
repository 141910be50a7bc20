package engine

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
)

// TestGS1ExamplesRawJSON: for every stored example event, the query
// document written from the stored JSON (epcisq.RawJSON, MarshalJSON)
// is the one marshalled from the parsed events, compared as JSON values;
// Found.Parsed reads the raw event back to the same event.
func TestGS1ExamplesRawJSON(t *testing.T) {
	docs := loadGS1Docs(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: "SimpleEventQuery",
		CreationDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}
	raws, events := 0, 0
	for i := range docs {
		d := &docs[i]
		if _, refused := gs1CaptureRefused[d.path]; refused {
			continue
		}
		t.Run(d.path, func(t *testing.T) {
			set := []gs1Doc{*d}
			if pre, ok := gs1Prereq[d.path]; ok {
				j := slices.IndexFunc(docs, func(x gs1Doc) bool { return x.path == pre })
				set = append(set, docs[j])
			}
			e, org := gs1Store(t, set)
			for k := len(set) - 1; k >= 0; k-- {
				if _, err := captureGS1(e, org, &set[k]); err != nil {
					t.Fatalf("capture %s: %v", set[k].path, err)
				}
			}
			params := []epcisq.Param{{Name: "perPage", Value: "1000"}}
			parsed, err := e.Queries().Events(op, params)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := e.Queries().Events(op, params, epcisq.RawJSON)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw.Events) != len(parsed.Events) {
				t.Fatalf("%d raw events, %d parsed", len(raw.Events), len(parsed.Events))
			}
			var want, got bytes.Buffer
			evs := make([]epcis.Event, len(parsed.Events))
			for k := range parsed.Events {
				evs[k] = parsed.Events[k].Event
				if raw.Events[k].Raw != nil {
					raws++
				}
			}
			events += len(evs)
			if err := epcis.MarshalDocument(&want, evs, opts); err != nil {
				t.Fatal(err)
			}
			if err := epcisq.MarshalJSON(&got, raw.Events, opts); err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "query document", got.Bytes(), want.Bytes())
			// Parsed reads a raw event back as the parsed one.
			back, err := epcisq.Parsed(raw.Events)
			if err != nil {
				t.Fatal(err)
			}
			want.Reset()
			got.Reset()
			if err := epcis.MarshalDocument(&got, back, opts); err != nil {
				t.Fatal(err)
			}
			if err := epcis.MarshalDocument(&want, evs, opts); err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "Parsed", got.Bytes(), want.Bytes())
		})
	}
	if raws == 0 && !t.Failed() {
		t.Errorf("none of %d events was written from its stored JSON", events)
	}
	t.Logf("%d of %d events written from their stored JSON", raws, events)
}

// sameJSON fails t when got and want are not the same JSON value.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s differs:\n got %s\nwant %s", what, strings.TrimSpace(string(got)), strings.TrimSpace(string(want)))
	}
}
