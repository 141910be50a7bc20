package engine

import (
	"bytes"
	"encoding/csv"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcis/epcistest"
	"tracecode/engine/export"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// TestExportEPCIS: the bulk export of an organisation is the events its
// keys see over the time range, in one document that validates against
// GS1's JSON Schema (JSON-LD) and query-less EPCIS XSD (XML) and reads
// back to the same events.
func TestExportEPCIS(t *testing.T) {
	f := queryFixture(t)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	sch := epcistest.Schema(t, filepath.Join("epcis", "testdata", "EPCIS-JSON-Schema.json"))
	for _, c := range []struct {
		org  uint32
		want []string // bizSteps, in event time order
	}{
		{f.orgA, []string{"inspecting", "shipping", "receiving"}},
		{f.orgB, []string{"shipping", "receiving", "inspecting"}},
	} {
		for _, xml := range []bool{false, true} {
			var out bytes.Buffer
			n, err := f.e.Exports().EPCIS(&out, c.org, from, to, xml)
			if err != nil || n != len(c.want) {
				t.Fatalf("org %d xml %v: %d %v", c.org, xml, n, err)
			}
			parse := epcis.ParseDocument
			if xml {
				parse = epcis.ParseXML
				epcistest.ValidateXML(t, filepath.Join("epcis", "testdata", "xsd", "EPCglobal-epcis-2_0.xsd"), map[string][]byte{"export": out.Bytes()})
			} else if err := epcistest.ValidateJSON(sch, out.Bytes()); err != nil {
				t.Errorf("org %d: JSON-LD export outside the schema: %v", c.org, err)
			}
			d, err := parse(bytes.NewReader(out.Bytes()), epcis.ParseOptions{})
			if err != nil {
				t.Fatalf("org %d xml %v: %v", c.org, xml, err)
			}
			var got []string
			for _, ev := range d.Events {
				got = append(got, string(ev.BizStep))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("org %d xml %v: %v, want %v", c.org, xml, got, c.want)
			}
		}
	}
	// The range bounds the events: nothing before the fixture's day.
	var out bytes.Buffer
	if n, err := f.e.Exports().EPCIS(&out, f.orgA, from.Add(-48*time.Hour), from, false); err != nil || n != 0 {
		t.Errorf("empty range: %d %v", n, err)
	}
	if _, err := f.e.Exports().EPCIS(&out, 999, from, to, false); !errors.Is(err, model.ErrUnknownOrg) {
		t.Errorf("unknown organisation: %v", err)
	}
}

// TestExportFSMA: the sortable spreadsheet has one row per lot of each
// critical tracking event — A's shipment of two items of lot L1 to B and
// B's receiving of them — and leaves the inspections out.
func TestExportFSMA(t *testing.T) {
	f := queryFixture(t)
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	n, err := f.e.Exports().FSMA(&out, f.orgB, from, to)
	if err != nil || n != 2 {
		t.Fatalf("rows %d %v\n%s", n, err, out.String())
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], export.FSMAColumns) {
		t.Fatalf("header %v", recs[0])
	}
	col := func(row []string, name string) string { return row[slices.Index(export.FSMAColumns, name)] }
	for i, want := range []struct{ cte, date, to, from string }{
		{"Shipping", "2026-03-01", "urn:epc:id:pgln:6901234.00000", ""},
		{"Receiving", "2026-03-01", "", ""},
	} {
		row := recs[i+1]
		if col(row, "Critical Tracking Event") != want.cte || col(row, "Event Date (UTC)") != want.date ||
			col(row, "Traceability Lot Code") != "(01)"+testGTIN+"(10)L1" || col(row, "TLC Lot") != "L1" ||
			col(row, "Quantity") != "2" || col(row, "Unit of Measure") != "each" ||
			col(row, "Product Description") != "Infant formula" || col(row, "Subsequent Recipient / Ship-To") != want.to ||
			!strings.HasPrefix(col(row, "EPCIS Event ID"), "ni:///sha-256;") || col(row, "TLC Source (Assigned By)") == "" {
			t.Errorf("row %d: %q", i+1, row)
		}
	}
}

// TestMayExport: an organisation's records are exported by its own keys,
// a regulator covering its region and the operator; not by another
// organisation or a regulator elsewhere.
func TestMayExport(t *testing.T) {
	e := openTest(t, "")
	o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "甲", Region: "620102"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		k  apikey.Key
		ok bool
	}{
		{apikey.Key{Org: o.ID, Scopes: apikey.ScopeEvents}, true},
		{apikey.Key{Scopes: apikey.ScopeAdmin}, true},
		{apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620100}, true},
		{apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620102}, true},
		{apikey.Key{Org: o.ID + 1, Scopes: apikey.ScopeEvents | apikey.ScopeAdmin}, false},
		{apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620500}, false},
		{apikey.Key{Scopes: apikey.ScopeEvents}, false},
	} {
		err := e.Exports().MayExport(c.k, o.ID)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, model.ErrWrongOrg)) {
			t.Errorf("%+v: %v, want allowed %v", c.k, err, c.ok)
		}
	}
}
