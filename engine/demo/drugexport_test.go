package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// xmlBill is a bill as this test reads the file: every child element of
// a Bill by its name, independently of the exporter's own types.
type xmlBill map[string]string

func (b *xmlBill) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*b = xmlBill{}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			if _, dup := (*b)[t.Name.Local]; dup {
				return errors.New("element " + t.Name.Local + " twice")
			}
			(*b)[t.Name.Local] = v
		case xml.EndElement:
			return nil
		}
	}
}

type xmlUpload struct {
	XMLName xml.Name  `xml:"DrugTraceUpload"`
	API     string    `xml:"api,attr"`
	Org     string    `xml:"org,attr"`
	Bills   []xmlBill `xml:"Bill"`
}

// TestDrugTraceExportDemo: the demo's drug movements exported for the
// maker and the pharmacy, read back from the XML file field by field —
// the maker's printing of 240 boxes and 10 cases (生产入库), its shipment
// of the pallet to the pharmacy (销售出库: the pallet's SSCC stands for
// the 10 case codes on it, with the despatch advice number), the
// pharmacy's receipt (采购入库 from the maker) and its dispensing of one
// box (零售出库); who may export; a bad period.
func TestDrugTraceExportDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	eng, err := engine.Open(dir, &engine.Options{DLBase: "https://tc.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	before := time.Now()
	if _, err := Seed(context.Background(), eng, eng.APIKeys(), dir, "https://tc.test"); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	orgs := map[string]model.Org{}
	for _, o := range eng.Issuance().Orgs() {
		orgs[o.USCC] = o
	}
	maker, pharmacy, lanzhou := orgs["91620503MA72MJ02XD"], orgs["91620502MA72RX05XG"], orgs["91620102MA71LY016E"]
	var drug model.Product
	for _, p := range eng.Issuance().Products(maker.ID) {
		if p.Category == model.CatDrug {
			drug = p
		}
	}
	lot := eng.Issuance().Lots(drug.ID)[0]
	var items, cases model.Block
	for _, b := range eng.Issuance().Blocks(issue.BlockFilter{Product: drug.ID}) {
		switch b.Level {
		case model.LevelItem:
			items = b
		case model.LevelCase:
			cases = b
		}
	}
	codes := func(b model.Block, n uint64) []string {
		var buf bytes.Buffer
		if _, err := eng.Issuance().WriteCodes(context.Background(), &buf, b.ID, issue.StreamOptions{Format: issue.FormatNMPA, Limit: n}); err != nil {
			t.Fatal(err)
		}
		return strings.Fields(buf.String())
	}
	itemCodes, caseCodes := codes(items, 240), codes(cases, 10)
	if len(itemCodes) != 240 || len(caseCodes) != 10 || len(itemCodes[0]) != 20 {
		t.Fatalf("codes: %d items, %d cases, %q", len(itemCodes), len(caseCodes), itemCodes[0])
	}

	from, to := before.AddDate(0, 0, -90), after.AddDate(0, 0, 1)
	export := func(k apikey.Key, org model.Org) (xmlUpload, error) {
		doc, err := eng.DrugTraceExport(k, org.ID, from, to)
		if err != nil {
			return xmlUpload{}, err
		}
		b, err := doc.AppendXML(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			t.Fatalf("no XML declaration: %.80s", b)
		}
		var u xmlUpload
		if err := xml.Unmarshal(b, &u); err != nil {
			t.Fatalf("the file does not parse: %v\n%s", err, b)
		}
		return u, nil
	}
	// at is the demo's time d days and h hours from its seeding (between
	// before and after): the bill's time must lie in that window.
	checkTime := func(what, got string, d, h int) {
		t.Helper()
		tm, err := time.ParseInLocation(time.DateTime, got, cst)
		if err != nil {
			t.Errorf("%s: bill_time %q: %v", what, got, err)
			return
		}
		lo := before.In(cst).AddDate(0, 0, d).Add(time.Duration(h) * time.Hour).Truncate(time.Minute)
		hi := after.In(cst).AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
		if tm.Before(lo) || tm.After(hi) {
			t.Errorf("%s: bill_time %s, want between %s and %s", what, got, lo.Format(time.DateTime), hi.Format(time.DateTime))
		}
	}
	drugList := func(what string, b xmlBill, count int) {
		t.Helper()
		var list []map[string]any
		if err := json.Unmarshal([]byte(b["drug_list_json"]), &list); err != nil || len(list) != 1 {
			t.Errorf("%s: drug_list_json %q: %v", what, b["drug_list_json"], err)
			return
		}
		d := list[0]
		want := map[string]any{"codeCount": float64(count), "commDrugId": "8612345", "physicInfo": drug.NameZH, "pkgSpec": "0.25g×24粒",
			"produceBatchNo": lot.Number, "produceDate": ymdDash(lot.Produced), "exprieDate": ymdDash(lot.Expiry)}
		for k, v := range want {
			if d[k] != v {
				t.Errorf("%s: drug list %s = %v, want %v", what, k, d[k], v)
			}
		}
	}
	fields := func(what string, b xmlBill, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if b[k] != v {
				t.Errorf("%s: %s = %q, want %q", what, k, b[k], v)
			}
		}
	}

	// The maker.
	u, err := export(apikey.Key{Org: maker.ID, Scopes: apikey.ScopeReport}, maker)
	if err != nil {
		t.Fatal(err)
	}
	if u.API != "alibaba.alihealth.drug.kyt.uploadinoutbill" || u.Org != maker.USCC || len(u.Bills) != 3 {
		t.Fatalf("maker's file: api %q org %q, %d bills: %+v", u.API, u.Org, len(u.Bills), u.Bills)
	}
	common := map[string]string{"physic_type": "3", "ref_user_id": maker.USCC, "client_type": "2", "from_user_id": maker.USCC,
		"from_person": maker.Name, "oper_ic_name": maker.Name, "oper_ic_code": "demo"}
	for i, b := range u.Bills[:2] {
		fields("production", b, common)
		n := []int{240, 10}[i]
		want := [][]string{itemCodes, caseCodes}[i]
		fields("production", b, map[string]string{"bill_type": "101", "to_user_id": maker.USCC, "trace_codes": strings.Join(want, ","),
			"qu_receivable": itoa(n), "from_bill_code": b["bill_code"]})
		if !strings.Contains(b["from_address"], "麦积区") {
			t.Errorf("production: from_address %q", b["from_address"])
		}
		checkTime("production", b["bill_time"], -59, i)
		drugList("production", b, n)
	}
	ship := u.Bills[2]
	fields("shipping", ship, common)
	fields("shipping", ship, map[string]string{"bill_type": "201", "to_user_id": pharmacy.USCC, "to_person": pharmacy.Name,
		"trace_codes": strings.Join(caseCodes, ","), "qu_receivable": "10", "from_bill_code": "DRUG-DN-9"})
	if !strings.Contains(ship["to_address"], "秦州区") {
		t.Errorf("shipping: to_address %q", ship["to_address"])
	}
	checkTime("shipping", ship["bill_time"], -58, 0)
	drugList("shipping", ship, 10)
	codesSeen := map[string]bool{}
	for _, b := range u.Bills {
		if codesSeen[b["bill_code"]] || !strings.HasPrefix(b["bill_code"], "TC") {
			t.Errorf("bill_code %q repeated or not ours", b["bill_code"])
		}
		codesSeen[b["bill_code"]] = true
	}

	// The pharmacy: its receipt names no source; the sender is the
	// maker, whose shipment to it named the pallet.
	u, err = export(apikey.Key{Org: pharmacy.ID, Scopes: apikey.ScopeEvents}, pharmacy)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Bills) != 2 {
		t.Fatalf("pharmacy's file: %d bills: %+v", len(u.Bills), u.Bills)
	}
	recv, sale := u.Bills[0], u.Bills[1]
	fields("receiving", recv, map[string]string{"bill_type": "102", "ref_user_id": pharmacy.USCC, "from_user_id": maker.USCC,
		"from_person": maker.Name, "to_user_id": pharmacy.USCC, "to_person": pharmacy.Name, "trace_codes": strings.Join(caseCodes, ","),
		"qu_receivable": "10", "from_bill_code": recv["bill_code"]})
	checkTime("receiving", recv["bill_time"], -57, 0)
	drugList("receiving", recv, 10)
	fields("dispensing", sale, map[string]string{"bill_type": "321", "from_user_id": pharmacy.USCC, "to_user_id": "", "to_person": "",
		"trace_codes": itemCodes[0], "qu_receivable": "1"})
	checkTime("dispensing", sale["bill_time"], -1, 3)
	drugList("dispensing", sale, 1)

	// A shorter period leaves the older movements out.
	doc, err := eng.DrugTraceExport(apikey.Key{Org: pharmacy.ID}, pharmacy.ID, after.AddDate(0, 0, -10), to)
	if err != nil || len(doc.Bills) != 1 || doc.Bills[0].BillType != 321 {
		t.Errorf("last ten days: %+v, %v", doc, err)
	}

	// Who may: the operator and Tianshui's regulators do; Lanzhou's
	// regulator and another organisation do not.
	for _, c := range []struct {
		who string
		k   apikey.Key
		ok  bool
	}{
		{"operator", apikey.Key{Scopes: apikey.ScopeAdmin}, true},
		{"Tianshui city regulator", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620500}, true},
		{"Maiji district regulator", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620503}, true},
		{"Lanzhou regulator", apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620100}, false},
		{"Lanzhou producer", apikey.Key{Org: lanzhou.ID, Scopes: apikey.ScopeAdmin | apikey.ScopeRegulator, Region: 620000}, false},
		{"the pharmacy", apikey.Key{Org: pharmacy.ID, Scopes: apikey.ScopeAdmin}, false},
	} {
		_, err := eng.DrugTraceExport(c.k, maker.ID, from, to)
		if c.ok != (err == nil) || (!c.ok && !errors.Is(err, model.ErrWrongOrg)) {
			t.Errorf("%s: %v", c.who, err)
		}
	}
	if _, err := eng.DrugTraceExport(apikey.Key{Org: maker.ID}, maker.ID, to, from); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "is not before") {
		t.Errorf("reversed period: %v", err)
	}
	if _, err := eng.DrugTraceExport(apikey.Key{Scopes: apikey.ScopeAdmin}, 9999, from, to); !errors.Is(err, model.ErrUnknownOrg) {
		t.Errorf("unknown organisation: %v", err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// ymdDash writes a yyyymmdd date as YYYY-MM-DD.
func ymdDash(d uint32) string {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
