package category_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/epcis"
)

// TestDateAgreesWithTime checks Date's civil arithmetic against package
// time over four centuries around the epoch, and AddMonths' clamping.
func TestDateAgreesWithTime(t *testing.T) {
	start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 400*366; i += 7 {
		tm := start.AddDate(0, 0, i)
		d := category.DateOf(tm)
		if want := category.Date(tm.Unix() / 86400); tm.Unix() >= 0 && d != want {
			t.Fatalf("%v: date %d, want %d", tm, d, want)
		}
		y, m, dd := d.Civil()
		if y != tm.Year() || m != int(tm.Month()) || dd != tm.Day() {
			t.Fatalf("%v: civil %d-%d-%d", tm, y, m, dd)
		}
		if d.String() != tm.Format(time.DateOnly) {
			t.Fatalf("%v: string %s", tm, d)
		}
	}
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-01-31", 1, "2024-02-29"}, {"2023-01-31", 1, "2023-02-28"}, {"2020-03-01", 60, "2025-03-01"},
		{"2024-02-29", 12, "2025-02-28"}, {"2025-03-31", -1, "2025-02-28"}, {"2025-01-15", -13, "2023-12-15"},
	} {
		d, _ := category.ParseDate(tc.from)
		if got := d.AddMonths(tc.n).String(); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if _, ok := category.ParseDate("2025-02-29"); ok {
		t.Error("ParseDate accepted 2025-02-29")
	}
}

// TestEPCISRoundTrip: category fields travel as tc: extension members of
// an EPCIS 2.0 event and come back the same, whatever prefix a document
// binds to the namespace; members of other namespaces are not taken.
func TestEPCISRoundTrip(t *testing.T) {
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",{"cyl":"` + category.NS + `","ex":"https://example.com/"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T08:00:00+08:00",
"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":["https://id.gs1.org/8003/09520123456788123"],"action":"OBSERVE","bizStep":"inspecting",
"cyl:kind":"fill","cyl:station":"91350100M000100Y43","cyl:weight_kg":6.1,"ex:other":"x"}]}}`
	d, err := epcis.ParseDocument(strings.NewReader(doc), epcis.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kind, fields, ok := category.FromEPCIS(&d.Events[0])
	if !ok || kind != "fill" || fields.Get("station") != "91350100M000100Y43" || fields.Get("weight_kg") != "6.1" || len(fields) != 2 {
		t.Fatalf("read kind %q fields %v ok %v", kind, fields, ok)
	}
	// Written back under the tc prefix and read again.
	ev := epcis.Event{Extensions: category.Extensions(kind, fields), Namespaces: map[string]string{category.Prefix: category.NS}}
	k2, f2, ok := category.FromEPCIS(&ev)
	if !ok || k2 != kind || len(f2) != len(fields) || f2.Get("weight_kg") != "6.1" {
		t.Fatalf("round trip: %q %v", k2, f2)
	}
	for i := 1; i < len(ev.Extensions); i++ {
		if ev.Extensions[i-1].Key >= ev.Extensions[i].Key {
			t.Fatalf("extensions not sorted: %v", ev.Extensions)
		}
	}
	var b bytes.Buffer
	d.Events[0].Extensions = ev.Extensions
	d.Events[0].Namespaces = ev.Namespaces
	if err := epcis.MarshalDocument(&b, d.Events, nil); err != nil {
		t.Fatal(err)
	}
	d2, err := epcis.ParseDocument(&b, epcis.ParseOptions{})
	if err != nil {
		t.Fatalf("exported document does not parse: %v\n%s", err, b.String())
	}
	if k3, f3, ok := category.FromEPCIS(&d2.Events[0]); !ok || k3 != "fill" || f3.Get("station") != "91350100M000100Y43" {
		t.Fatalf("after export: %q %v", k3, f3)
	}
}
