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
	pestCodes, pestProduct := codes, p.ID

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

	// Scanned back, each code resolves to its product, block and counter
	// (lookup) and on the scan answer (resolve) — the pesticide code bare
	// and behind its trace URL.
	for _, tc := range []struct {
		code, lot string
		product   uint32
		counter   uint64
	}{
		{pestCodes[7], "P1", pestProduct, 7}, {"https://www.icama.cn/t/" + pestCodes[499], "P1", pestProduct, 499},
		{codes[0], "V1", p.ID, 0}, {codes[321], "V1", p.ID, 321},
	} {
		var lk struct {
			OK      bool           `json:"ok"`
			Product *lookupProduct `json:"product"`
			Lot     string         `json:"lot"`
			Block   uint64         `json:"block"`
			Counter *uint64        `json:"counter"`
		}
		out := mustCLI(t, "lookup", d, tc.code)
		if err := json.Unmarshal([]byte(out), &lk); err != nil {
			t.Fatalf("%s: %v\n%s", tc.code, err, out)
		}
		if !lk.OK || lk.Product == nil || lk.Product.ID != tc.product || lk.Counter == nil || *lk.Counter != tc.counter || lk.Block == 0 || lk.Lot != tc.lot {
			t.Errorf("lookup %s: %s", tc.code, out)
		}
		var res struct {
			Status string `json:"status"`
			Lot    struct {
				Number string `json:"number"`
			} `json:"lot"`
		}
		out = mustCLI(t, "resolve", d, "--json", tc.code)
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Status != "not_printed" || res.Lot.Number != tc.lot {
			t.Errorf("resolve %s: %v %s", tc.code, err, out)
		}
	}
	// A random part changed, a production date not the lot's: not issued.
	fake := pestCodes[0][:31] + string('0'+(pestCodes[0][31]-'0'+1)%10)
	vetOtherDay := "20261121" + codes[0][8:]
	for _, c := range []string{fake, vetOtherDay} {
		if out, _, code := runCLI(t, "", "resolve", d, "--json", c); code == 0 || !strings.Contains(out, `"not_genuine"`) {
			t.Errorf("resolve %s: exit %d %s", c, code, out)
		}
	}
}

func itoa(n uint32) string {
	b, _ := json.Marshal(n)
	return string(b)
}
