package server

import (
	"strings"
	"testing"
)

// POST /v1/events takes EPCIS XML (2.0 and 1.2) with the same rules as
// JSON: the holder ships, the consignee receives once shipped to, nobody
// else; a malformed document is refused naming the element and line.
func TestCaptureXML(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b := env.key("兰州陇原"), env.key("天水麦积")
	urn := decodeJSON(t, env.get(env.url("fireworks"), "Accept", "application/json"))["code"].(map[string]any)["epcURN"].(string)
	post := func(key, ct, body string) resp {
		t.Helper()
		return env.do("POST", "/v1/events", []byte(body), "Authorization", "Bearer "+key, "Content-Type", ct)
	}
	receive := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-11-20T00:00:00Z">
<EPCISBody><EventList><ObjectEvent><eventTime>2026-11-20T10:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>` + urn + `</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>
<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:inv">urn:epcglobal:cbv:bt:6909876000003:B-INV-X1</bizTransaction></bizTransactionList>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	// B may not receive what nobody shipped to it: XML is no way around
	// the custody rules.
	if r := post(b, "application/xml", receive); r.status != 422 || !strings.Contains(string(r.body), "no standing") {
		t.Fatalf("hostile XML receiving: %d %s", r.status, r.body)
	}
	// A ships it to B in EPCIS 1.2 XML (destinationList inside <extension>).
	ship := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-11-20T00:00:00Z">
<EPCISBody><EventList><ObjectEvent><eventTime>2026-11-20T09:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>` + urn + `</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:desadv">urn:epcglobal:cbv:bt:6901234000003:A-DN-X1</bizTransaction></bizTransactionList>
<extension><destinationList><destination type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:6909876.00000</destination></destinationList></extension>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	if r := post(a, "text/xml; charset=utf-8", ship); r.status != 201 {
		t.Fatalf("A ships in EPCIS 1.2 XML: %d %s", r.status, r.body)
	}
	if r := post(b, "application/xml", receive); r.status != 201 {
		t.Fatalf("B receives in EPCIS 2.0 XML: %d %s", r.status, r.body)
	}
	if r := env.api("GET", "/v1/trace"+env.url("fireworks"), b, ""); r.status != 200 || !strings.Contains(string(r.body), "B-INV-X1") {
		t.Errorf("B's trace after the XML capture: %d %s", r.status, r.body)
	}
	// The same event again is a duplicate, whichever syntax.
	if r := post(b, "application/xml", receive); r.status != 201 || decodeJSON(t, r)["duplicates"] != 1.0 {
		t.Errorf("recapture: %d %s", r.status, r.body)
	}
	bad := strings.Replace(receive, "<action>OBSERVE</action>", "<action>LOOK</action>", 1)
	if r := post(b, "application/xml", bad); r.status != 422 || !strings.Contains(string(r.body), `action \"LOOK\" is not ADD, OBSERVE or DELETE (line 4)`) {
		t.Errorf("bad XML: %d %s", r.status, r.body)
	}
	if r := post(b, "application/xml", "<epcis:EPCISDocument"); r.status != 422 || !strings.Contains(string(r.body), "malformed XML") {
		t.Errorf("malformed XML: %d %s", r.status, r.body)
	}
	if r := post(b, "text/plain", receive); r.status != 415 {
		t.Errorf("text/plain: %d %s", r.status, r.body)
	}
}
