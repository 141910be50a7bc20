package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// foreignSteps runs one query as key k and returns its events' bizSteps.
func foreignSteps(t *testing.T, e *Engine, k apikey.Key, params ...string) []string {
	t.Helper()
	var ps []epcisq.Param
	for i := 0; i+1 < len(params); i += 2 {
		ps = append(ps, epcisq.Param{Name: params[i], Value: params[i+1]})
	}
	res, err := e.Queries().Events(k, ps)
	if err != nil {
		t.Fatalf("query %v: %v", params, err)
	}
	var out []string
	for _, f := range res.Events {
		out = append(out, string(f.Event.BizStep))
	}
	return out
}

// TestCaptureForeignIdentifiers: identifiers this store does not issue (a
// returnable crate's GRAI, an asset's GIAI, a location's SGLN as parent,
// another URN namespace, a user vocabulary URI) are captured with the
// event, change no item state and are found by the MATCH_ parameters,
// in their EPC URI and Digital Link forms alike; the store's own codes in
// the same event are applied as usual.
func TestCaptureForeignIdentifiers(t *testing.T) {
	f := newFixture(t)
	f.commission(f.items, 0, 9)
	item := f.code(f.items, 1)
	grai := "urn:epc:id:grai:4012345.55555.987"
	graiDL := "https://id.gs1.org/8003/04012345555554987"
	giai := "urn:epc:id:giai:952005385.w2"
	sensor := "urn:example:sensor:SN-42"
	vocab := "http://epcis.example.com/user/vocab/obj/12345.67890"
	// Another company's item (its GS1 company prefix is no
	// organisation's here), as an EPC URI and as a Digital Link, and
	// another company's lot as a quantity.
	other := "urn:epc:id:sgtin:4012345.011111.987"
	otherDL := "https://id.gs1.org/01/04012345111118/21/987"
	otherLot := "urn:epc:class:lgtin:4012345.011111.L7"
	load := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q,%q,%q,%q],"quantityList":[{"epcClass":%q,"quantity":5}],"action":"OBSERVE","bizStep":"loading"}`, item, grai, vocab, other, otherLot)
	assoc := fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T10:01:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":[%q],"action":"ADD","bizStep":"assembling"}`, graiDL, sensor)
	tx := fmt.Sprintf(`{"type":"TransactionEvent","eventTime":"2026-03-01T10:02:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":"urn:epc:id:sgln:9520123.00001.0","epcList":[%q],"action":"ADD","bizStep":"accepting",
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:9520123000003:PO-1"}]}`, giai)
	// The crate observed with an item in it: the crate is no container
	// of this store, so the observation records no containment.
	crate := fmt.Sprintf(`{"type":"AggregationEvent","eventTime":"2026-03-01T10:03:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":[%q],"action":"OBSERVE","bizStep":"arriving"}`, grai, item)
	rec, err := f.capture(f.orgA, doc(load, assoc, tx, crate))
	if err != nil || rec.Records != 4 {
		t.Fatalf("capture: %+v %v", rec, err)
	}
	// Packing into the crate is refused: containment needs a container
	// of this store.
	pack := strings.Replace(strings.Replace(crate, `"OBSERVE"`, `"ADD"`, 1), "arriving", "packing", 1)
	if _, err := f.capture(f.orgA, doc(pack)); err == nil {
		t.Error("packing into another company's crate was accepted")
	}
	// No state: the item is commissioned as before, nothing was packed
	// into or associated with the crate.
	c, err := f.e.Resolve(item)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != resolve.StatusActive {
		t.Errorf("item status %v (%s), want active", c.Status, c.Reason)
	}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	for _, c := range []struct {
		params []string
		want   []string
	}{
		{[]string{"MATCH_epc", grai}, []string{"loading"}},
		{[]string{"MATCH_epc", graiDL}, []string{"loading"}}, // the same GRAI as a Digital Link
		{[]string{"MATCH_parentID", grai}, []string{"assembling", "arriving"}},
		{[]string{"MATCH_anyEPC", graiDL}, []string{"loading", "assembling", "arriving"}},
		{[]string{"MATCH_epc", sensor}, []string{"assembling"}}, // a child of an association
		{[]string{"MATCH_epc", vocab}, []string{"loading"}},
		{[]string{"MATCH_epc", giai}, []string{"accepting"}},
		{[]string{"MATCH_parentID", "urn:epc:id:sgln:9520123.00001.0"}, []string{"accepting"}},
		{[]string{"MATCH_anyEPC", "urn:epc:id:grai:4012345.55555.988"}, nil}, // another crate
		{[]string{"MATCH_inputEPC", grai}, nil},
		{[]string{"MATCH_epc", item}, []string{"loading", "arriving"}},
		{[]string{"MATCH_epc", otherDL}, []string{"loading"}},
		{[]string{"MATCH_epcClass", otherLot}, []string{"loading"}},
		{[]string{"MATCH_anyEPC", grai + "|" + giai, "EQ_bizStep", "accepting"}, []string{"accepting"}},
	} {
		for _, k := range []apikey.Key{op, a} {
			if got := foreignSteps(t, f.e, k, c.params...); !slices.Equal(got, c.want) {
				t.Errorf("key %d, %v: got %v, want %v", k.ID, c.params, got, c.want)
			}
		}
	}
	// Capturing the same document again: duplicates, nothing indexed twice.
	rec, err = f.capture(f.orgA, doc(load, assoc, tx, crate))
	if err != nil || rec.Duplicates != 4 {
		t.Fatalf("capture again: %+v %v", rec, err)
	}
	all := []string{"loading", "assembling", "arriving"}
	if got := foreignSteps(t, f.e, op, "MATCH_anyEPC", grai); !slices.Equal(got, all) {
		t.Errorf("after the duplicate capture: %v", got)
	}
	f.e = reopen(t, f.e)
	if got := foreignSteps(t, f.e, op, "MATCH_anyEPC", grai); !slices.Equal(got, all) {
		t.Errorf("after reopening: %v", got)
	}
}

// TestCaptureForeignHostile: a foreign identifier gives no other
// organisation access. B, querying the GRAI that A's events name, sees
// none of them, and the same GRAI in an event of B's own shows B only its
// own event.
func TestCaptureForeignHostile(t *testing.T) {
	f := newFixture(t)
	grai := "urn:epc:id:grai:4012345.55555.987"
	ev := func(step string) string {
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":%q}`, grai, step)
	}
	if _, err := f.capture(f.orgA, doc(ev("loading"))); err != nil {
		t.Fatal(err)
	}
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	for _, name := range []string{"MATCH_anyEPC", "MATCH_epc"} {
		if got := foreignSteps(t, f.e, b, name, grai); len(got) != 0 {
			t.Errorf("B sees A's events through %s=%s: %v", name, grai, got)
		}
	}
	if _, err := f.capture(f.orgB, doc(ev("unloading"))); err != nil {
		t.Fatal(err)
	}
	if got := foreignSteps(t, f.e, b, "MATCH_anyEPC", grai); !slices.Equal(got, []string{"unloading"}) {
		t.Errorf("B: %v, want its own event only", got)
	}
	if got := foreignSteps(t, f.e, a, "MATCH_anyEPC", grai); !slices.Equal(got, []string{"loading"}) {
		t.Errorf("A: %v, want its own event only", got)
	}
}

// TestCaptureForeignForgery: a code of a kind this store issues (an SGTIN,
// a GTIN Digital Link, an SSCC) is never a foreign identifier — one that
// was never issued is refused, whatever its company prefix — and a
// malformed EPC URI or Digital Link is refused rather than taken for a
// foreign identifier. Nothing is written.
func TestCaptureForeignForgery(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		id   string
		want error
	}{
		{"urn:epc:id:sgtin:9520123.045678.ZZZZ99", model.ErrNeverIssued},             // own company prefix, never issued
		{"https://id.gs1.org/01/" + testGTIN + "/21/ZZZZ99", model.ErrNeverIssued},   // the same as a Digital Link
		{"urn:epc:id:sgtin:9520123.099999.1", model.ErrUnknownProduct},               // own company prefix, no such product
		{"urn:epc:id:sgtin:4012345.01111X.987", model.ErrBadCode},                    // another company's, malformed
		{"urn:epc:id:grai:4012345.55555", model.ErrBadCode},                          // a GRAI without its serial
		{"https://id.gs1.org/01/12345678901234/21/1", model.ErrBadCode},              // a bad check digit
		{"urn:epc:id:sgtin:9520123.01234X.1", model.ErrBadCode},                      // not an SGTIN
		{"urn:x:" + strings.Repeat("y", 600), model.ErrBadCode},                      // not a URN (one-letter namespace)
		{"urn:example:" + strings.Repeat("y", 600), errors.New("indexed up to 512")}, // too long to index
	} {
		ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"loading"}`, c.id)
		rec, err := f.capture(f.orgA, doc(ev))
		if err == nil {
			t.Errorf("%s: captured (%+v), want refused", c.id, rec)
			continue
		}
		t.Logf("%.60s: %v", c.id, err)
		if !errors.Is(err, c.want) && !strings.Contains(err.Error(), c.want.Error()) {
			t.Errorf("%s: %v, want %v", c.id, err, c.want)
		}
	}
	if got := foreignSteps(t, f.e, apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}); len(got) != 0 {
		t.Errorf("refused captures wrote events: %v", got)
	}
}

// TestCaptureDeclarationUnheld: an error declaration of an event this
// store does not hold is captured as a record with no effect, answered
// to EXISTS_errorDeclaration and EQ_errorReason and found by its codes;
// the declared event captured afterwards is a duplicate of it and is not
// applied; another organisation's codes need the standing an observation
// of them needs.
func TestCaptureDeclarationUnheld(t *testing.T) {
	f := newFixture(t)
	f.commission(f.items, 0, 9)
	item := f.code(f.items, 1)
	body := fmt.Sprintf(`"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"DELETE","bizStep":"destroying","disposition":"destroyed"`, item)
	decl := `{` + body + `,"errorDeclaration":{"declarationTime":"2026-03-01T09:30:00+08:00","reason":"did_not_occur"}}`
	rec, err := f.capture(f.orgA, doc(decl))
	if err != nil || rec.Records != 1 {
		t.Fatalf("capture: %+v %v", rec, err)
	}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, ps := range [][]string{{"EXISTS_errorDeclaration", ""}, {"EQ_errorReason", "did_not_occur"}, {"MATCH_epc", item}} {
		if got := foreignSteps(t, f.e, op, ps...); !slices.Equal(got, []string{"destroying"}) {
			t.Errorf("%v: %v, want the declaration", ps, got)
		}
	}
	// The declared event, arriving later: a duplicate, not applied.
	rec, err = f.capture(f.orgA, doc(`{`+body+`}`))
	if err != nil || rec.Duplicates != 1 || rec.Records != 0 {
		t.Fatalf("the declared event: %+v %v", rec, err)
	}
	c, err := f.e.Resolve(item)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != resolve.StatusActive {
		t.Errorf("item status %v (%s), want active: the destroying was declared not to have happened", c.Status, c.Reason)
	}
	// B declares an error in an event about A's item it never held.
	other := strings.Replace(decl, "09:00:00", "09:05:00", 1)
	if _, err := f.capture(f.orgB, doc(other)); !errors.Is(err, model.ErrWrongOrg) {
		t.Errorf("B's declaration about A's item: %v, want ErrWrongOrg", err)
	}
}

// TestCaptureMasterDataDocument: a document of master data only is
// accepted with nothing applied and its vocabulary elements counted as
// ignored; an empty event list without master data is still refused.
func TestCaptureMasterDataDocument(t *testing.T) {
	f := newFixture(t)
	md := `<?xml version="1.0" encoding="UTF-8"?>
<epcismd:EPCISMasterDataDocument xmlns:epcismd="urn:epcglobal:epcis-masterdata:xsd:2" schemaVersion="2.0" creationDate="2026-03-01T07:00:00Z">
<EPCISBody><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation"><VocabularyElementList>
<VocabularyElement id="urn:epc:id:sgln:9520123.00001.0"><attribute id="urn:epcglobal:cbv:mda#name">Plant 1</attribute></VocabularyElement>
<VocabularyElement id="urn:epc:id:sgln:9520123.00002.0"/>
</VocabularyElementList></Vocabulary></VocabularyList></EPCISBody></epcismd:EPCISMasterDataDocument>`
	rec, err := f.e.Reports().CaptureXML(t.Context(), strings.NewReader(md), &chain.CaptureOptions{Org: f.orgA, Credential: "key:test"})
	if err != nil || rec.Records != 0 || rec.VocabularyIgnored != 2 {
		t.Fatalf("master data: %+v %v", rec, err)
	}
	if _, err := f.capture(f.orgA, doc()); err == nil || !strings.Contains(err.Error(), "no events") {
		t.Errorf("an empty document: %v, want refused (no events)", err)
	}
}
