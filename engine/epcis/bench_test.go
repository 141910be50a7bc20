package epcis

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// objectEventsDoc is a document of n ObjectEvents shaped like a line's
// shipping reports: two EPCs, CBV step and disposition, read point,
// business location and a business transaction each.
func objectEventsDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-05-01T10:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventTime":"2024-05-01T10:%02d:%02d.123+08:00","eventTimeZoneOffset":"+08:00",`+
			`"epcList":["urn:epc:id:sgtin:0614141.107346.%d","urn:epc:id:sgtin:0614141.107346.%d"],"action":"OBSERVE",`+
			`"bizStep":"shipping","disposition":"in_transit","readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"},`+
			`"bizLocation":{"id":"urn:epc:id:sgln:0614141.07346.0"},"bizTransactionList":[{"type":"po","bizTransaction":"http://transaction.acme.com/po/%d"}]}`,
			i/60%60, i%60, 2*i, 2*i+1, i)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// aggregationDoc is one AggregationEvent packing n items into a pallet.
func aggregationDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-05-01T10:00:00Z","epcisBody":{"eventList":[`)
	b.WriteString(`{"type":"AggregationEvent","eventTime":"2024-05-01T10:00:00Z","eventTimeZoneOffset":"+08:00","parentID":"urn:epc:id:sscc:0614141.1234567890","childEPCs":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"urn:epc:id:sgtin:0614141.107346.%d"`, 100000000+i)
	}
	b.WriteString(`],"action":"ADD","bizStep":"packing","disposition":"in_progress","readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"}}]}}`)
	return []byte(b.String())
}

func BenchmarkParseDocument(b *testing.B) {
	for _, c := range []struct {
		name         string
		src          []byte
		events, epcs int
	}{
		{"events=1000", objectEventsDoc(1000), 1000, 2000},
		{"childEPCs=10000", aggregationDoc(10000), 1, 10000},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.src)))
			r := bytes.NewReader(c.src)
			for b.Loop() {
				r.Reset(c.src)
				if _, err := ParseDocument(r, ParseOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(c.events*b.N)/sec, "events/s")
			b.ReportMetric(float64(c.epcs*b.N)/sec, "EPCs/s")
		})
	}
}

func BenchmarkMarshalDocument(b *testing.B) {
	// events=1 is what capture does for every event it stores (the
	// stored body is a one-event document).
	for _, n := range []int{1, 1000} {
		d, err := ParseDocument(bytes.NewReader(objectEventsDoc(n)), ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := MarshalDocument(&buf, d.Events, &MarshalOptions{Header: d.Header}); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkHashID(b *testing.B) {
	d, err := ParseDocument(bytes.NewReader(objectEventsDoc(1)), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		HashID(&d.Events[0], nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
