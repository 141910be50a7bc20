package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExportDrugTraceCLI: export drug-trace writes the producer's and the
// receiver's bills for a drug printed, shipped, received and sold, to a
// file and to standard output, and refuses a missing organisation or a
// bad period.
func TestExportDrugTraceCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "阿莫西林胶囊",
		"--category", "drug", "--drug-id", "8612345", "--scheme", "nmpa")
	// The CSV has every form: the events name the Digital Link, the
	// platform reads the NMPA code.
	var codes, links []string
	for _, row := range strings.Split(strings.TrimSpace(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "3", "--format", "csv")), "\n")[1:] {
		for _, f := range strings.Split(row, ",") {
			switch {
			case strings.HasPrefix(f, "https://"):
				links = append(links, f)
			case len(f) == 20 && strings.HasPrefix(f, "8612345"):
				codes = append(codes, f)
			}
		}
	}
	if len(codes) != 3 || len(links) != 3 {
		t.Fatalf("codes %v, links %v", codes, links)
	}
	mustCLI(t, "org", "add", d, "--name", "兰州医药商贸", "--uscc", "91620102MA71LY016E", "--gcp", "6923456")
	at := time.Now().Add(-2 * time.Hour).UTC()
	mustCLI(t, "commission", d, "--time", at.Format(time.RFC3339), "1:0-2")
	mustCLI(t, "ship", d, "--org", "1", "--to", "2", "--time", at.Add(time.Minute).Format(time.RFC3339),
		"--doc", "desadv=urn:epcglobal:cbv:bt:9520123000003:DN-7", links[0], links[1])
	mustCLI(t, "receive", d, "--org", "2", "--time", at.Add(2*time.Minute).Format(time.RFC3339), links[0], links[1])
	mustCLI(t, "sell", d, "--org", "2", "--time", at.Add(3*time.Minute).Format(time.RFC3339), links[0])

	day := time.Now().In(chinaTime)
	period := []string{"--from", day.AddDate(0, 0, -1).Format(time.DateOnly), "--to", day.Format(time.DateOnly)}
	out := filepath.Join(t.TempDir(), "org1.xml")
	mustCLI(t, append([]string{"export", "drug-trace", d, "--org", "1", "--out", out}, period...)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	producer := string(b)
	for _, want := range []string{"<bill_type>101</bill_type>", "<trace_codes>" + strings.Join(codes, ",") + "</trace_codes>",
		"<bill_type>201</bill_type>", "<trace_codes>" + codes[0] + "," + codes[1] + "</trace_codes>",
		"<to_user_id>91620102MA71LY016E</to_user_id>", "<from_bill_code>DN-7</from_bill_code>"} {
		if !strings.Contains(producer, want) {
			t.Errorf("the producer's file lacks %s:\n%s", want, producer)
		}
	}
	receiver := mustCLI(t, append([]string{"export", "drug-trace", d, "--org", "2"}, period...)...)
	if strings.Count(receiver, "<Bill>") != 2 || !strings.Contains(receiver, "<bill_type>102</bill_type>") ||
		!strings.Contains(receiver, "<bill_type>321</bill_type>") || !strings.Contains(receiver, "<trace_codes>"+codes[0]+"</trace_codes>") {
		t.Errorf("the receiver's file:\n%s", receiver)
	}
	for _, bad := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--from", "2026-01-01", "--to", "2026-01-31"}, "--org"},
		{[]string{"--org", "1", "--to", "2026-01-31"}, "--from is required"},
		{[]string{"--org", "1", "--from", "2026-02-30", "--to", "2026-03-01"}, `--from "2026-02-30"`},
		{[]string{"--org", "9", "--from", "2026-01-01", "--to", "2026-01-31"}, "unknown organisation"},
	} {
		if _, stderr, code := runCLI(t, "", append([]string{"export", "drug-trace", d}, bad.args...)...); code == 0 || !strings.Contains(stderr, bad.msg) {
			t.Errorf("%v: exit %d, stderr %q", bad.args, code, stderr)
		}
	}
}
