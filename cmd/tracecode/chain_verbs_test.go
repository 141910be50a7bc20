package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"tracecode/engine/epcis"
)

// TestEventVerbs drives ship, receive, sell, inspect and destroy end to
// end: custody moves with a shipment once received, only the holder may
// ship, sell or destroy, and --print gives the EPCIS document captured.
func TestEventVerbs(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	items := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "4", "--format", "dl"))
	mustCLI(t, "org", "add", d, "--name", "兰州商贸", "--gcp", "6923456")
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	mustCLI(t, "commission", d, "--time", at, "1:0-3")

	// The document a verb builds: one ObjectEvent, CBV terms, the
	// consignee's PGLN as owning and possessing party.
	out := mustCLI(t, "ship", d, "--org", "1", "--to", "2", "--print", "--doc", "desadv=urn:epcglobal:cbv:bt:9520123000003:DN-1", items[0])
	doc, err := epcis.ParseDocument(strings.NewReader(out), epcis.ParseOptions{})
	if err != nil {
		t.Fatalf("--print gives a document ParseDocument refuses: %v\n%s", err, out)
	}
	ev := doc.Events[0]
	if ev.BizStep != epcis.BizStepShipping || ev.Action != epcis.ActionObserve || ev.Disposition != epcis.DispInTransit ||
		len(ev.DestinationList) != 2 || ev.DestinationList[0].ID.Raw != "urn:epc:id:pgln:6923456.00000" || len(ev.BizTransactionList) != 1 {
		t.Fatalf("ship event: %+v", ev)
	}

	// Hostile: org 2 holds nothing yet, so it cannot ship or sell.
	if _, errOut, code := runCLI(t, "", "ship", d, "--org", "2", "--to", "1", items[0]); code != 1 {
		t.Fatalf("org 2 ships what it does not hold: exit %d %s", code, errOut)
	}
	if o, _, code := runCLI(t, "", "sell", d, "--org", "2", items[0]); code != 1 || !strings.Contains(o, "epcList[0]") {
		t.Fatalf("org 2 sells what it does not hold: exit %d %s", code, o)
	}
	if _, errOut, code := runCLI(t, "", "ship", d, "--org", "1", items[0]); code == 0 || !strings.Contains(errOut, "needs --to") {
		t.Fatalf("ship without --to: exit %d %s", code, errOut)
	}

	mustCLI(t, "ship", d, "--org", "1", "--to", "2", items[0], items[1])
	mustCLI(t, "receive", d, "--org", "2", "--location", "urn:epc:id:sgln:6923456.00001.0", items[0], items[1])
	// Custody moved: the producer may no longer sell, the receiver may.
	if _, _, code := runCLI(t, "", "sell", d, "--org", "1", items[0]); code != 1 {
		t.Fatalf("the producer sells what it shipped away: exit %d", code)
	}
	mustCLI(t, "sell", d, "--org", "2", items[0])
	mustCLI(t, "destroy", d, "--org", "2", items[1])
	mustCLI(t, "inspect", d, "--org", "1", "--disposition", "conformant", "--doc", "testres=urn:epcglobal:cbv:bt:9520123000003:I-1", "(01)09520123456788(21)"+lastSegment(items[2]))
	res := mustCLI(t, "resolve", d, items[0])
	for _, want := range []string{"shipping", "receiving", "retail_selling"} {
		if !strings.Contains(res, want) {
			t.Errorf("the chain of %s lacks %s:\n%s", items[0], want, res)
		}
	}
	if res := mustCLI(t, "resolve", d, items[2]); !strings.Contains(res, "inspecting") {
		t.Errorf("the inspection is missing:\n%s", res)
	}
	// capture takes an EPCIS 1.2 XML file as well: org 2 observes item 3
	// after the producer shipped it and org 2 received it.
	mustCLI(t, "ship", d, "--org", "1", "--to", "2", items[3])
	x := t.TempDir() + "/receive.xml"
	if err := os.WriteFile(x, []byte("\ufeff"+`<?xml version="1.0"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-03-01T00:00:00Z"><EPCISBody><EventList>
<ObjectEvent><eventTime>`+time.Now().UTC().Format(time.RFC3339Nano)+`</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>`+items[3]+`</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustCLI(t, "capture", d, "--org", "2", x); !strings.Contains(out, "applied: 1 record") {
		t.Errorf("capture of an XML file: %s", out)
	}
	var help bytes.Buffer
	rootCmd.SetOut(&help)
	rootCmd.SetArgs([]string{"ship", "--help"})
	if err := rootCmd.Execute(); err != nil || !strings.Contains(help.String(), "tracecode ship --data ./data --org 1 --to 3") {
		t.Errorf("ship --help has no example: %v\n%s", err, help.String())
	}
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }

// TestQuantityOnlyAggregation: an AggregationEvent with only a
// childQuantityList (so many kilograms of a lot on a pallet) is captured,
// from EPCIS 2.0 JSON and from EPCIS 1.2 XML (the list inside
// <extension>), and a hostile organisation's is refused.
func TestQuantityOnlyAggregation(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "散装面粉", "--category", "food")
	mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "2", "--format", "dl")
	mustCLI(t, "org", "add", d, "--name", "兰州商贸", "--gcp", "6923456")
	at := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	dir := t.TempDir()
	jsonDoc := dir + "/agg.jsonld"
	os.WriteFile(jsonDoc, []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T07:00:00Z","epcisBody":{"eventList":[
{"type":"AggregationEvent","eventTime":"`+at+`","eventTimeZoneOffset":"+08:00","parentID":"urn:epc:id:sscc:9520123.3000000001",
"childQuantityList":[{"epcClass":"urn:epc:class:lgtin:9520123.045678.L1","quantity":12.5,"uom":"KGM"}],"action":"ADD","bizStep":"packing"}]}}`), 0o600)
	xmlDoc := dir + "/agg.xml"
	os.WriteFile(xmlDoc, []byte(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-03-01T07:00:00Z">
<EPCISBody><EventList><AggregationEvent><eventTime>`+at+`</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<parentID>urn:epc:id:sscc:9520123.3000000002</parentID><childEPCs/><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
<extension><childQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:9520123.045678.L1</epcClass><quantity>7</quantity><uom>KGM</uom></quantityElement></childQuantityList></extension>
</AggregationEvent></EventList></EPCISBody></epcis:EPCISDocument>`), 0o600)
	if _, _, code := runCLI(t, "", "capture", d, "--org", "2", jsonDoc); code != 1 {
		t.Errorf("another organisation packs the producer's lot: exit %d", code)
	}
	for _, f := range []string{jsonDoc, xmlDoc} {
		if out := mustCLI(t, "capture", d, "--org", "1", f); !strings.Contains(out, "applied: 1 record") {
			t.Errorf("%s: %s", f, out)
		}
	}
}

// TestLotEditCLI: lot edit changes a lot's expiry date with a reason
// (refused without one, and nothing changes), and the change is in the
// lot's history as the command line's.
func TestLotEditCLI(t *testing.T) {
	d := "--data=" + t.TempDir()
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	mustCLI(t, "lot", "add", d, "--gtin", "09520123456788", "--lot", "B1", "--produced", "2026-01-01", "--expiry", "2026-12-31")
	if _, errOut, code := runCLI(t, "", "lot", "edit", d, "--gtin", "09520123456788", "--lot", "B1", "--expiry", "2027-03-31"); code == 0 || !strings.Contains(errOut, "reason") {
		t.Fatalf("a date change without a reason: exit %d %s", code, errOut)
	}
	out := mustCLI(t, "lot", "edit", d, "--gtin", "09520123456788", "--lot", "B1", "--expiry", "2027-03-31", "--origin", "甘肃省兰州市", "--reason", "延长保质期")
	if !strings.Contains(out, "expiry 2027-03-31") || !strings.Contains(out, "origin 甘肃省兰州市") {
		t.Fatalf("lot edit: %s", out)
	}
	if out := mustCLI(t, "lot", "list", d, "--gtin", "09520123456788"); !strings.Contains(out, "2027-03-31") {
		t.Fatalf("lot list after the edit: %s", out)
	}
}
