package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCodesParseSector: codes parse reads the national sector codes with
// their fields, reports their errors with the field and position, and
// lists a second valid reading of a shared shape.
func TestCodesParseSector(t *testing.T) {
	for _, tc := range []struct {
		in, format string
		ok         bool
		field      string // a field name and value that must be there: "county=620502"
		errHas     string
	}{
		{in: "162050200000001", format: "ear-tag", ok: true, field: "county=620502"},
		{in: "1 62 001 000123", format: "cylinder", ok: true, field: "filler=001"},
		{in: "162001000123", format: "cylinder", ok: true, field: "province=620000"},
		{in: "7 62 001 000123", format: "cylinder", errHas: `variety "7" at positions 1-1`},
		{in: "3110108902020A0001", format: "elevator-device", ok: true, field: "maker=10890"},
		{in: "10801231001123456789012345678901", format: "pesticide", ok: true, field: "spec=001"},
		{in: "11234564001000000000000000000001", format: "pesticide", errHas: `production kind "4" at positions 8-8`},
		{in: "SC10562010200012", format: "sc-licence", ok: true, field: "category=105"},
		{in: "SC10599010200012", format: "sc-licence", errHas: `region "990102" at positions 6-11`},
		{in: "（甘）LS〔2022〕12", format: "fireworks-licence", ok: true, field: "kind=LS"},
		{in: "国药准字Z62020001", format: "drug-approval", ok: true, field: "source=62"},
		{in: "PD20080123", format: "pesticide-reg", ok: true, field: "year=2008"},
		{in: "陇薯7号\n甘肃种业\nA1\nhttps://x.cn/s", format: "seed-qr", ok: true, field: "unit id=A1"},
		{in: "202301150001212345678901", format: "vet-drug", ok: true},
		{in: "202313150001212345678901", format: "vet-drug", errHas: `date "20231315" at positions 1-8: month 13`},
		{in: "陇薯7号\n甘肃种业\nA1234567890123456789012\nhttps://x.cn/s", format: "seed-qr", errHas: `unit id "A1234567890123456789012" at positions 11-33`},
		{in: "陇薯7号\n甘肃种业\nA1\nftp://x", format: "seed-qr", errHas: `trace URL "ftp://x"`},
		{in: "https://www.icama.cn/t/10801231001123456789012345678901", format: "pesticide", ok: true, field: "registration=080123"},
		{in: "41412341002000000000000000000001", format: "pesticide", errHas: `registration kind "4" at positions 1-1`},
		{in: "SC1056201020001", format: "sc-licence", errHas: "has 15 characters, want 16"},
	} {
		r := parseOne(tc.in)
		if r.Format != tc.format || r.OK != tc.ok {
			t.Errorf("%q: format %s ok %v (%s), want %s ok %v", tc.in, r.Format, r.OK, r.Error, tc.format, tc.ok)
			continue
		}
		if tc.errHas != "" && !strings.Contains(r.Error, tc.errHas) {
			t.Errorf("%q: error %q does not name %q", tc.in, r.Error, tc.errHas)
		}
		if tc.field != "" {
			name, value, _ := strings.Cut(tc.field, "=")
			found := false
			for _, f := range r.Fields {
				found = found || (f.Name == name && f.Value == value)
			}
			if !found {
				t.Errorf("%q: fields %v lack %s", tc.in, r.Fields, tc.field)
			}
		}
	}
	// A pesticide code is a trace code (its random part the serial) with
	// its fields named; a vet-drug code gives its date and enterprise.
	if r := parseOne("10801231001123456789012345678901"); r.Serial != "123456789012345678901" || len(r.Also) != 0 {
		t.Errorf("pesticide: %+v", r)
	}
	if r := parseOne("202301150001212345678901"); r.VetDate != "2023-01-15" || r.Enterprise != "00012" || r.Serial != "12345678901" {
		t.Errorf("vet-drug: %+v", r)
	}
	// An ear tag of no species: the 15 digits are read as GS1 data, and
	// the ear tag's error is named beside it.
	if r := parseOne("562050200000001"); r.OK || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], `ear tag: species "5" at positions 1-1`) {
		t.Errorf("ear tag of species 5: %+v", r)
	}
	// 20 digits: an NMPA drug code, and also an elevator registration code.
	r := parseOne("31106201022019110001")
	if r.Format != "nmpa" || len(r.Also) != 1 || r.Also[0].Format != "elevator-reg" || r.Also[0].Fields[1].Note != "甘肃省 兰州市 城关区" {
		t.Errorf("20 digits: %+v", r)
	}
}

func TestCodesParseAs(t *testing.T) {
	out, _, code := runCLI(t, "", "codes", "parse", "--as", "elevator-rescue", "620011", "96a33")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 2 {
		t.Fatalf("exit %d, output %q", code, out)
	}
	var a, b parsedCode
	if json.Unmarshal([]byte(lines[0]), &a) != nil || json.Unmarshal([]byte(lines[1]), &b) != nil {
		t.Fatalf("output %q", out)
	}
	if !a.OK || a.Format != "elevator-rescue" || a.Canonical != "620011" {
		t.Errorf("620011: %+v", a)
	}
	if b.OK || !strings.Contains(b.Error, "position 3") {
		t.Errorf("96a33: %+v", b)
	}
	out, _, code = runCLI(t, "", "codes", "parse", "--as", "nope", "1")
	if code != 1 || !strings.Contains(out, "sector format") {
		t.Errorf("--as nope: exit %d %q", code, out)
	}
}

// TestCodesParseSectorErrors: the elevator registration code, the
// equipment code and the cylinder registration code name the field and
// position at fault; a cylinder sequence past 999999 takes letters.
func TestCodesParseSectorErrors(t *testing.T) {
	for _, c := range []struct {
		as, in string
		ok     bool
		has    string
	}{
		{"elevator-reg", "31109901022019110001", false, `region "990102" at positions 5-10`},
		{"elevator-reg", "31106201022019130001", false, `month "13" at positions 15-16`},
		{"elevator-device", "31101089020A0A0001", false, "position 12"},
		{"elevator-device", "31101089020200001", false, "want 18"},
		{"elevator-device", "3110108902020A0001", true, `"sequence","value":"A0001"`},
		{"cylinder", "1 62 001 A00123", true, `"sequence","value":"A00123"`},
		{"cylinder", "1 99 001 000123", false, "province"},
	} {
		out, _, _ := runCLI(t, "", "codes", "parse", "--as", c.as, c.in)
		var r parsedCode
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
			t.Fatalf("%s %q: %q: %v", c.as, c.in, out, err)
		}
		text := r.Error
		if c.ok {
			text = out
		}
		if r.OK != c.ok || r.Format != c.as || !strings.Contains(text, c.has) {
			t.Errorf("%s %q: %s, want ok %v and %q", c.as, c.in, out, c.ok, c.has)
		}
	}
}
