package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChainCLI drives the chain commands end to end, each invocation a
// fresh process (see runCLI).
func TestChainCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉",
		"--category", "food", "--levels", "item,case,pallet", "--level-gtin", "case=19520123456785")
	items := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "40", "--format", "dl"))
	cases := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "4", "--level", "case", "--format", "dl"))
	if len(items) != 40 || len(cases) != 4 {
		t.Fatalf("minted %d items, %d cases", len(items), len(cases))
	}
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	mustCLI(t, "commission", d, "--time", at, "1:0-39", "2:0-3")
	mustCLI(t, "pack", d, "--time", at, "--parent", cases[0], "1:0-9")
	// A rejected report: exit 1, every offending code named, JSON errors.
	out, _, code := runCLI(t, "", "pack", d, "--json", "--parent", cases[1], "1:8-11")
	var rej struct {
		OK     bool `json:"ok"`
		Errors []struct {
			Field, Code, Reason string
		} `json:"errors"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &rej) != nil || rej.OK || len(rej.Errors) != 2 ||
		!strings.Contains(rej.Errors[0].Reason, "already packed") {
		t.Fatalf("rejected pack: exit %d, %s", code, out)
	}
	// Pack with a file into an SSCC, capture a shipping document.
	packs := filepath.Join(t.TempDir(), "packs.txt")
	os.WriteFile(packs, []byte("# parent children\n(00)395201230000000012 "+cases[0]+"\n"), 0o644)
	mustCLI(t, "pack", d, "--time", at, "--file", packs)
	doc := filepath.Join(t.TempDir(), "ship.jsonld")
	os.WriteFile(doc, []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T07:00:00Z","epcisBody":{"eventList":[
{"type":"ObjectEvent","eventTime":"`+time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)+`","eventTimeZoneOffset":"+08:00",
"epcList":["urn:epc:id:sscc:9520123.3000000001"],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",
"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901234.00000"}]}]}}`), 0o644)
	if out := mustCLI(t, "capture", d, "--org", "1", doc); !strings.Contains(out, "applied: 1 record") {
		t.Fatalf("capture: %s", out)
	}
	// A temperature logger associated with the SSCC: shown, not packed.
	assoc := filepath.Join(t.TempDir(), "assoc.jsonld")
	os.WriteFile(assoc, []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T07:00:00Z","epcisBody":{"eventList":[
{"type":"AssociationEvent","eventTime":"`+time.Now().Add(-2*time.Minute).UTC().Format(time.RFC3339)+`","eventTimeZoneOffset":"+08:00",
"parentID":"urn:epc:id:sscc:9520123.3000000001","childEPCs":["urn:epc:id:giai:9520123.LOGGER-1"],"action":"ADD"}]}}`), 0o644)
	mustCLI(t, "capture", d, "--org", "1", assoc)
	if out := mustCLI(t, "resolve", d, "(00)395201230000000012"); !strings.Contains(out, "urn:epc:id:giai:9520123.LOGGER-1") || !strings.Contains(out, "Contains     1 codes") {
		t.Errorf("the SSCC does not show its logger, or counts it as contents:\n%s", out)
	}
	// Resolve, readable and JSON.
	text := mustCLI(t, "resolve", d, items[3])
	for _, want := range []string{"IN-TRANSIT", "Held by", "Packaging    item → case", "SSCC 395201230000000012", "shipping", "Timeline"} {
		if !strings.Contains(text, want) {
			t.Errorf("resolve output lacks %q:\n%s", want, text)
		}
	}
	var chain struct {
		Status      string `json:"status"`
		Containment []struct {
			Code, Level string
		} `json:"containment"`
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, "resolve", d, "--json", items[3])), &chain); err != nil || chain.Status != "in_transit" ||
		len(chain.Containment) != 2 || chain.Containment[1].Level != "pallet" || len(chain.Events) != 5 { // the association on the SSCC too
		t.Fatalf("resolve --json: %+v %v", chain, err)
	}
	if _, _, code := runCLI(t, "", "resolve", d, "https://id.gs1.org/01/09520123456788/21/AZZZZZZZZZZZZ"); code != 1 {
		t.Fatalf("resolving a forged code exits %d, want 1", code)
	}
	// Forward trace and recall.
	var tr struct {
		Recipients []struct{ Kind, ID string } `json:"recipients"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, "trace", d, "--gtin", "09520123456788", "--lot", "L1", "--json")), &tr); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range tr.Recipients {
		found = found || (r.Kind == "party" && r.ID == "urn:epc:id:pgln:6901234.00000")
	}
	if !found {
		t.Fatalf("trace recipients %+v lack the shipment's destination", tr.Recipients)
	}
	if out := mustCLI(t, "recall", d, "--lot", "09520123456788:L1", "--reason", "test"); !strings.Contains(out, "Forward trace of lot L1") {
		t.Fatalf("recall: %s", out)
	}
	if !strings.Contains(mustCLI(t, "resolve", d, items[3]), "RECALLED") {
		t.Fatal("recalled item does not resolve as recalled")
	}
	if out := mustCLI(t, "resolve", d, "(00)395201230000000012"); !strings.Contains(out, "CONTAINS-RECALLED") {
		t.Fatalf("an SSCC holding recalled items: %s", out)
	}
	// Lifting needs a reason; then the items resolve as before the recall.
	if _, _, code := runCLI(t, "", "lift-recall", d, "--lot", "09520123456788:L1"); code == 0 {
		t.Fatal("lift-recall without --reason succeeded")
	}
	mustCLI(t, "lift-recall", d, "--lot", "09520123456788:L1", "--reason", "retest passed", "--regulator", "SAMR")
	if out := mustCLI(t, "resolve", d, items[3]); !strings.Contains(out, "IN-TRANSIT") {
		t.Fatalf("after the lift: %s", out)
	}
	// Unpack all, void, decommission, then verify the whole store.
	mustCLI(t, "unpack", d, "--parent", "(00)395201230000000012", "--all")
	if out, _, code := runCLI(t, "", "void", d, "1:0-0", "--json"); code != 1 || !strings.Contains(out, "decommission it instead") {
		t.Fatalf("voiding a commissioned code: exit %d %s", code, out)
	}
	mustCLI(t, "decommission", d, items[20])
	// A block holding printed codes is neither released nor voided.
	for _, args := range [][]string{{"blocks", "release", d, "1", "--from", "0"}, {"blocks", "void", d, "1", "--note", "roll lost"}} {
		if out, _, code := runCLI(t, "", args...); code != 1 || !strings.Contains(out, "commissioned (printed)") {
			t.Fatalf("%s of a printed block: exit %d %s", args[1], code, out)
		}
	}
	if out := mustCLI(t, "verify", d); !strings.Contains(out, "OK: no problem found") {
		t.Fatalf("verify: %s", out)
	}
}
