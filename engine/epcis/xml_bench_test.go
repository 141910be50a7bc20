package epcis

import (
	"bytes"
	"testing"
)

// BenchmarkParseXML reads the objectEventsDoc events written as EPCIS 2.0
// XML (MarshalXML), beside BenchmarkParseDocument's JSON of the same events.
func BenchmarkParseXML(b *testing.B) {
	d, err := ParseDocument(bytes.NewReader(objectEventsDoc(1000)), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var src bytes.Buffer
	if err := MarshalXML(&src, d.Events, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("events=1000", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(src.Len()))
		r := bytes.NewReader(src.Bytes())
		for b.Loop() {
			r.Reset(src.Bytes())
			if _, err := ParseXML(r, ParseOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkMarshalXML writes 1,000 ObjectEvents as EPCIS 2.0 XML.
func BenchmarkMarshalXML(b *testing.B) {
	d, err := ParseDocument(bytes.NewReader(objectEventsDoc(1000)), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("events=1000", func(b *testing.B) {
		b.ReportAllocs()
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			if err := MarshalXML(&out, d.Events, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
	})
}
