package engine

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/chain"
)

// TestSectorPrivateInLedger: a private field sent in a captured event (a
// fireworks buyer's identity number) is hashed in the ledger's copy too:
// no stored byte holds it in the clear, the EPCIS query returns the
// hash, the store verifies, and the same document sent again is a
// duplicate.
func TestSectorPrivateInLedger(t *testing.T) {
	w := newSectorAlertWorld(t)
	w.register("fireworks", 0, category.Record{})
	const id = "620102199001011234"
	sell := map[string]string{"quantity": "1", "licence": "（甘）LS〔2022〕12", "buyer_name": "张三", "buyer_id": id}
	if err := w.event("fireworks", 0, w.day(3, 2, 9), "sell", sell); err != nil {
		t.Fatal(err)
	}
	d := dump(t, w.e)
	if strings.Contains(d, hex.EncodeToString([]byte(id))) {
		t.Fatal("the identity number is stored in the clear")
	}
	op := apikey.Key{ID: 1, Scopes: apikey.ScopeEvents | apikey.ScopeAdmin}
	res, err := w.e.Queries().Events(op, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Events {
		kind, fields, ok := category.FromEPCIS(&f.Event)
		if !ok || kind != "sell" {
			continue
		}
		found = true
		if fields["buyer_id"] != category.Hash(id) || fields["buyer_name"] != "张三" {
			t.Errorf("queried sale fields %v", fields)
		}
	}
	if !found {
		t.Fatalf("the sale is not in the query answer (%d events)", len(res.Events))
	}
	if err := w.e.Issuance().Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	// Sent again, clear text and all: the same event.
	var sb strings.Builder
	sb.WriteString(`{"type":"ObjectEvent","eventTime":"` + w.day(3, 2, 9).Format("2006-01-02T15:04:05-07:00") +
		`","eventTimeZoneOffset":"+08:00","epcList":["` + w.code(w.blocks["fireworks"], 0) + `"],"action":"OBSERVE","tc:kind":"sell"`)
	for _, k := range []string{"buyer_id", "buyer_name", "licence", "quantity"} {
		sb.WriteString(`,"tc:` + k + `":"` + sell[k] + `"`)
	}
	sb.WriteString("}")
	rec, err := w.e.Reports().CaptureJSON(context.Background(), strings.NewReader(sectorDoc(sb.String())), &chain.CaptureOptions{Org: w.orgA, Credential: "key:test"})
	if err != nil || rec.Duplicates != 1 {
		t.Fatalf("the same sale again: %+v %v", rec, err)
	}
}

// TestPrivateFieldsAgree: a field private in one profile's event kind is
// private in every profile that declares it for that kind (the ledger's
// copy hashes by kind and field name before it knows the item's
// profile).
func TestPrivateFieldsAgree(t *testing.T) {
	priv := category.PrivateFields()
	for _, p := range category.Profiles() {
		for _, s := range p.Events() {
			for _, f := range s.Fields {
				if priv[s.Kind][f.Name] && !f.Private {
					t.Errorf("%s %s.%s is not private, another profile's %s.%s is", p.Name(), s.Kind, f.Name, s.Kind, f.Name)
				}
			}
		}
	}
}
