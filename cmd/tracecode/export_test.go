package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine/epcis"
	"tracecode/engine/epcis/epcistest"
)

// TestExportCommands: export epcis writes the organisation's events as a
// document valid against GS1's schemas (JSON-LD and XML), export fsma its
// shipment and receipt as spreadsheet rows; bad flags are refused.
func TestExportCommands(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	items := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "3", "--format", "dl"))
	mustCLI(t, "org", "add", d, "--name", "兰州商贸", "--gcp", "6923456")
	at := time.Now().Add(-time.Hour).UTC()
	mustCLI(t, "commission", d, "--time", at.Format(time.RFC3339), "1:0-2")
	mustCLI(t, "ship", d, "--org", "1", "--to", "2", items[0], items[1])
	mustCLI(t, "receive", d, "--org", "2", items[0], items[1])
	mustCLI(t, "inspect", d, "--org", "1", items[2])
	from, to := at.Add(-time.Hour).Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	dir := t.TempDir()
	sch := epcistest.Schema(t, filepath.Join("..", "..", "engine", "epcis", "testdata", "EPCIS-JSON-Schema.json"))
	for _, format := range []string{"json", "xml"} {
		out := filepath.Join(dir, "org2."+format)
		mustCLI(t, "export", "epcis", d, "--org", "2", "--from", from, "--to", to, "--format", format, "--out", out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		parse := epcis.ParseDocument
		if format == "xml" {
			parse = epcis.ParseXML
			epcistest.ValidateXML(t, filepath.Join("..", "..", "engine", "epcis", "testdata", "xsd", "EPCglobal-epcis-2_0.xsd"), map[string][]byte{"export": b})
		} else if err := epcistest.ValidateJSON(sch, b); err != nil {
			t.Errorf("JSON-LD export outside the schema: %v", err)
		}
		doc, err := parse(strings.NewReader(string(b)), epcis.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Organisation 2 sees the shipment to it and its receipt, not the
		// producer's inspection of an item it never held.
		var steps []string
		for _, ev := range doc.Events {
			steps = append(steps, string(ev.BizStep))
		}
		if strings.Join(steps, ",") != "shipping,receiving" {
			t.Errorf("%s export of org 2: %v", format, steps)
		}
	}
	out := mustCLI(t, "export", "fsma", d, "--org", "1", "--from", from, "--to", to, "--out", "-")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][0] != "Shipping" || recs[2][0] != "Receiving" || recs[1][3] != "(01)09520123456788(10)L1" || recs[1][7] != "2" {
		t.Errorf("fsma: %q", recs)
	}
	for _, bad := range [][]string{
		{"--org", "1", "--from", "yesterday", "--to", to, "--out", "-"},
		{"--org", "1", "--from", to, "--to", from, "--out", "-"},
		{"--org", "1", "--from", from, "--to", to, "--out", "-", "--format", "csv"},
		{"--org", "9", "--from", from, "--to", to, "--out", "-"},
		{"--from", from, "--to", to, "--out", "-"},
	} {
		if _, _, code := runCLI(t, "", append([]string{"export", "epcis", d}, bad...)...); code == 0 {
			t.Errorf("export epcis %v: exit 0", bad)
		}
	}
}
