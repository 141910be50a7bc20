package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// pesticideLayoutOK is an independent reading of the published 32-digit
// pesticide trace code layout (MARA 公告第2579号): 32 ASCII digits; digit 1
// the registration kind 1, 2 or 3; digits 2-7 the last six digits of the
// registration number; digit 8 the production kind 1, 2 or 3; digits 9-11
// the specification; digits 12-32 random. It shares no code with the
// parsers or the minting.
func pesticideLayoutOK(code, reg6 string) bool {
	if len(code) != 32 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return strings.ContainsRune("123", rune(code[0])) && code[1:7] == reg6 && strings.ContainsRune("123", rune(code[7]))
}

// vetLayoutOK is an independent reading of the 24-digit veterinary-drug
// trace code: a real date YYYYMMDD, a 5-digit enterprise code, 11 digits.
func vetLayoutOK(code, date, enterprise string) bool {
	if len(code) != 24 || strings.Trim(code, "0123456789") != "" {
		return false
	}
	if _, err := time.Parse("20060102", code[:8]); err != nil {
		return false
	}
	return code[:8] == date && code[8:13] == enterprise
}

// TestMintSectorSchemes: mint --scheme pesticide|vet-drug prints codes an
// independent implementation of the published layouts accepts, all
// different, that code.Parse / codes parse read back with the right fields.
func TestMintSectorSchemes(t *testing.T) {
	d := "--data=" + t.TempDir()
	var org struct {
		ID uint32 `json:"id"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, "org", "add", d, "--name", "甘肃某农药有限公司", "--json")), &org); err != nil {
		t.Fatal(err)
	}
	orgID := itoa(org.ID)
	var p struct {
		ID uint32 `json:"id"`
	}
	out := mustCLI(t, "product", "add", d, "--org", orgID, "--own-code", "10801231001", "--name", "代森锰锌可湿性粉剂",
		"--category", "pesticide", "--scheme", "pesticide", "--json")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	codes := strings.Fields(mustCLI(t, "mint", d, "--product", itoa(p.ID), "--lot", "P1", "--count", "500", "--format", "pesticide"))
	if len(codes) != 500 {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !pesticideLayoutOK(c, "080123") || !strings.HasPrefix(c, "10801231001") || seen[c] {
			t.Fatalf("pesticide code %s: layout, prefix or duplicate", c)
		}
		seen[c] = true
	}
	r := parseOne(codes[0])
	if r.Format != "pesticide" || !r.OK {
		t.Errorf("codes parse of a minted pesticide code: %+v", r)
	}

	// A product whose own code is not a pesticide prefix cannot take the scheme.
	if _, errOut, code := runCLI(t, "", "product", "add", d, "--org", orgID, "--own-code", "X1", "--name", "n", "--category", "pesticide", "--scheme", "pesticide"); code == 0 || !strings.Contains(errOut, "11-digit prefix") {
		t.Errorf("bad prefix: exit %d %s", code, errOut)
	}

	out = mustCLI(t, "product", "add", d, "--org", orgID, "--own-code", "15001-AMOX", "--name", "阿莫西林可溶性粉",
		"--category", "vet-drug", "--scheme", "vet-drug", "--json")
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	// Without a production date there is no vet-drug code.
	if _, errOut, code := runCLI(t, "", "mint", d, "--product", itoa(p.ID), "--lot", "V0", "--count", "5", "--format", "vet-drug"); code == 0 || !strings.Contains(errOut, "production date") {
		t.Errorf("undated lot: exit %d %s", code, errOut)
	}
	mustCLI(t, "lot", "add", d, "--product", itoa(p.ID), "--lot", "V1", "--produced", "2026-11-20")
	codes = strings.Fields(mustCLI(t, "mint", d, "--product", itoa(p.ID), "--lot", "V1", "--count", "500", "--format", "vet-drug", "--no-create-lot"))
	seen = map[string]bool{}
	for _, c := range codes {
		if !vetLayoutOK(c, "20261120", "15001") || seen[c] {
			t.Fatalf("vet-drug code %s: layout or duplicate", c)
		}
		seen[c] = true
	}
	if len(seen) != 500 {
		t.Fatalf("%d vet-drug codes", len(seen))
	}
	if r := parseOne(codes[0]); r.Format != "vet-drug" || !r.OK || r.VetDate != "2026-11-20" || r.Enterprise != "15001" {
		t.Errorf("codes parse of a minted vet-drug code: %+v", r)
	}
}

func itoa(n uint32) string {
	b, _ := json.Marshal(n)
	return string(b)
}
