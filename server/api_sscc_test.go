package server

import (
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// TestPalletBlockRoute: a pallet block minted through the API is an sscc
// block naming its first and last SSCC; its codes stream as (00) element
// strings, short codes are refused naming the forms it has; a minted,
// empty pallet's page says so rather than "no printing record".
func TestPalletBlockRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	lz := env.key("兰州陇原")
	cd, _ := gs1.CheckDigit("0690123400011") // the demo's infant formula: items, cases, pallets
	r := env.api("POST", "/v1/blocks", lz, `{"gtin":"0690123400011`+string(cd)+`","level":"pallet","count":3}`)
	out := decodeJSON(t, r)
	first, _ := out["firstSSCC"].(string)
	if r.status != 201 || out["scheme"] != "sscc" || out["level"] != "pallet" || len(first) != 18 || out["lastSSCC"] == nil {
		t.Fatalf("pallet block: %d %s", r.status, r.body)
	}
	if _, err := gs1.ParseSSCC(first); err != nil || !strings.HasPrefix(first, "06901234") {
		t.Fatalf("first SSCC %q: %v", first, err)
	}
	codesURL, _ := out["codes"].(string)
	if r := env.api("GET", codesURL+"?format=element&limit=1", lz, ""); r.status != 200 || strings.TrimSpace(string(r.body)) != "(00)"+first {
		t.Errorf("element codes: %d %q, want (00)%s", r.status, r.body, first)
	}
	if r := env.api("GET", codesURL+"?format=short", lz, ""); r.status != 409 || !strings.Contains(string(r.body), "epc-hex") {
		t.Errorf("short codes of an sscc block: %d %s", r.status, r.body)
	}
	page := env.get("/00/"+first+"?lang=en", "Accept", "text/html")
	if page.status != 200 || !strings.Contains(string(page.body), "nothing has been packed into it yet") {
		t.Errorf("empty pallet page: %d\n%s", page.status, page.body)
	}
}
