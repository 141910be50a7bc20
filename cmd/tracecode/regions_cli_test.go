package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCodesParseRegion: a bare 6- or 9-digit code is a division — codes
// parse prints its level and full name (it was "unrecognised"); a USCC's
// region comes with its name; a malformed township code names what is
// wrong and exits 1.
func TestCodesParseRegion(t *testing.T) {
	for _, tc := range []struct {
		in, region, name, level string
	}{
		{"620102", "620102", "甘肃省 兰州市 城关区", "county"},
		{"620102001", "620102001", "甘肃省 兰州市 城关区 酒泉路街道", "township"},
		{"91350100M000100Y43", "350100", "福建省 福州市", ""},
	} {
		r := parseOne(tc.in)
		if !r.OK || r.Region != tc.region || r.RegionName != tc.name || r.Level != tc.level {
			t.Errorf("%s: %+v", tc.in, r)
		}
	}
	if r := parseOne("620102000"); r.OK || r.Format != "region" || !strings.Contains(r.Error, "000 is not a township") {
		t.Errorf("620102000: %+v", r)
	}
	out, _, code := runCLI(t, "", "codes", "parse", "620102001", "620102000")
	var first parsedCode
	if code != 1 || json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first) != nil || first.RegionName != "甘肃省 兰州市 城关区 酒泉路街道" {
		t.Errorf("codes parse: exit %d %q", code, out)
	}
}

// TestOrgListRegionName: org list shows an organisation's region with its
// name at every level (it printed the bare code).
func TestOrgListRegionName(t *testing.T) {
	d := "--data=" + t.TempDir()
	mustCLI(t, "org", "add", d, "--name", "兰州示范乳业", "--region", "620102001")
	if out := mustCLI(t, "org", "list", d); !strings.Contains(out, "620102001 甘肃省 兰州市 城关区 酒泉路街道") {
		t.Errorf("org list: %q", out)
	}
}

// TestResolveRegionName: resolve's producer line names the producer's region
// at every level (it printed the bare code).
func TestResolveRegionName(t *testing.T) {
	d := "--data=" + t.TempDir()
	mustCLI(t, "org", "add", d, "--name", "兰州示范乳业", "--region", "620102", "--gcp", "6923450")
	mustCLI(t, "product", "add", d, "--org", "1", "--gtin", "6923450000014", "--name", "奶粉", "--category", "food")
	codes := strings.Fields(mustCLI(t, "mint", d, "--gtin", "6923450000014", "--lot", "L1", "--count", "1", "--format", "dl"))
	if len(codes) != 1 {
		t.Fatalf("minted %v", codes)
	}
	if out := mustCLI(t, "resolve", d, codes[0]); !strings.Contains(out, "region 620102 甘肃省 兰州市 城关区") {
		t.Errorf("resolve:\n%s", out)
	}
}
