package engine

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/store"
)

// TestTransactionEvent: a purchase order bound to a pallet reaches the
// items inside it (through containment) and a loose item directly.
func TestTransactionEvent(t *testing.T) {
	f := supply(t)
	pallet, loose := f.code(f.pallets, 0), f.code(f.items, 50)
	txn := fmt.Sprintf(`{"type":"TransactionEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"bizStep":"shipping","parentID":%q,"epcList":[%q],
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000003:PO-77"},{"type":"inv","bizTransaction":"urn:epcglobal:cbv:bt:9520123000003:INV-9"}]}`,
		pallet, loose)
	if _, err := f.capture(f.orgA, doc(txn)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code string
		via  resolve.Via
	}{{f.code(f.items, 3), resolve.ViaContainer}, {loose, resolve.ViaSelf}, {pallet, resolve.ViaSelf}} {
		c, err := f.e.Resolve(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(c.Timeline, func(en resolve.Entry) bool { return en.Event.EventType == "TransactionEvent" })
		if i < 0 || c.Timeline[i].Via != tc.via || len(c.Timeline[i].Event.BizTx) != 2 || c.Timeline[i].Event.BizTx[0].Type != "po" {
			t.Errorf("%s: timeline %+v lacks the transaction via %v", tc.code, c.Timeline, tc.via)
		}
		if i >= 0 && !slices.ContainsFunc(c.Timeline[i].Event.BizTx, func(p ledger.Pair) bool { return strings.Contains(p.ID, "PO-77") }) {
			t.Errorf("%s: the timeline lacks the purchase order", tc.code)
		}
	}
	// Unbinding (DELETE) and a transaction naming a code never issued.
	bad := `{"type":"TransactionEvent","eventTime":"2026-03-01T13:30:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000003:PO-78"}],"epcList":["urn:epc:id:sgtin:9520123.045678.A1"]}`
	_, err := f.capture(f.orgA, doc(bad))
	wantErrs(t, err, ie{model.ErrNeverIssued, "A1"})
	del := strings.Replace(strings.Replace(txn, `"ADD"`, `"DELETE"`, 1), "13:00", "14:00", 1)
	// Only the holder binds or unbinds: B holds neither code.
	_, err = f.capture(f.orgB, doc(del))
	wantErrs(t, err, ie{model.ErrWrongOrg, pallet}, ie{model.ErrWrongOrg, loose})
	if _, err := f.capture(f.orgA, doc(del)); err != nil {
		t.Fatal(err)
	}
}

// TestAssociationEvent: a temperature logger and a valve (asset
// identifiers) and an item are associated with a pallet; the pallet shows
// them, nothing is packed, the contents inherit the event; ADD twice,
// DELETE of what is not associated and an association of assets only are
// refused.
func TestAssociationEvent(t *testing.T) {
	f := supply(t)
	pallet, item := f.code(f.pallets, 0), f.code(f.items, 60)
	logger, valve := "urn:epc:id:giai:9520123.LOGGER-1", "https://id.gs1.org/8004/9520123VALVE7"
	assoc := func(at, action, parent string, children ...string) string {
		return fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T%s:00+08:00","eventTimeZoneOffset":"+08:00","action":%q,
"bizStep":"assembling","parentID":%q,"childEPCs":[%s]}`, at, action, parent, quoteList(children))
	}
	if _, err := f.capture(f.orgA, doc(assoc("13:00", "ADD", pallet, logger, valve, item))); err != nil {
		t.Fatal(err)
	}
	c, err := f.e.Resolve(pallet)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range c.Associations {
		got = append(got, a.Child)
	}
	if len(got) != 3 || !slices.Contains(got, logger) || !slices.Contains(got, valve) {
		t.Fatalf("associations %q", got)
	}
	if c.Inside != 22 || len(c.Children) != 1 {
		t.Errorf("the association changed the contents: inside %d, children %+v", c.Inside, c.Children)
	}
	if len(c.Associations) == 0 || c.Associations[0].Child == "" {
		t.Errorf("the chain lacks the associations: %+v", c.Associations)
	}
	ci, _ := f.e.Resolve(item)
	if len(ci.Parents) != 0 {
		t.Errorf("an associated item got a parent: %+v", ci.Parents)
	}
	if !slices.ContainsFunc(ci.Timeline, func(en resolve.Entry) bool {
		return en.Event.EventType == "AssociationEvent" && en.Via == resolve.ViaSelf
	}) {
		t.Error("the associated item's timeline lacks the association")
	}
	c3, _ := f.e.Resolve(f.code(f.items, 3))
	if !slices.ContainsFunc(c3.Timeline, func(en resolve.Entry) bool {
		return en.Event.EventType == "AssociationEvent" && en.Via == resolve.ViaContainer
	}) {
		t.Error("an item on the pallet does not inherit the association event")
	}
	// Refusals, nothing applied.
	_, err = f.capture(f.orgA, doc(assoc("13:10", "ADD", pallet, logger)))
	wantErrs(t, err, ie{chain.ErrHasParent, logger})
	_, err = f.capture(f.orgA, doc(assoc("13:20", "DELETE", pallet, "urn:epc:id:giai:9520123.OTHER")))
	wantErrs(t, err, ie{chain.ErrNotChild, "OTHER"})
	// An association of asset identifiers only: recorded (its
	// identifiers are foreign, found by MATCH_), associating nothing.
	if rec, err := f.capture(f.orgA, doc(assoc("13:30", "ADD", "urn:epc:id:grai:9520123.55555.1", logger))); err != nil || rec.Records != 1 {
		t.Fatalf("association of assets only: %+v %v", rec, err)
	}
	// DELETE one, then all.
	if _, err := f.capture(f.orgA, doc(assoc("14:00", "DELETE", pallet, logger))); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.e.Resolve(pallet); len(c.Associations) != 2 {
		t.Errorf("after deleting the logger: %+v", c.Associations)
	}
	all := fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T15:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"DELETE","parentID":%q}`, pallet)
	if _, err := f.capture(f.orgA, doc(all)); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.e.Resolve(pallet); len(c.Associations) != 0 {
		t.Errorf("after deleting all: %+v", c.Associations)
	}
	// Reopened: the flag that gates the lookup is reloaded.
	if _, err := f.capture(f.orgA, doc(assoc("16:00", "ADD", pallet, valve))); err != nil {
		t.Fatal(err)
	}
	f.e = reopen(t, f.e)
	if c, _ := f.e.Resolve(pallet); len(c.Associations) != 1 {
		t.Errorf("after reopening: %+v", c.Associations)
	}
}

// TestCaptureGS1AssociationExamples: the GS1 AssociationEvent examples
// associate assets of other organisations (GRAI, GIAI, SGLN, sensors):
// captured with those as foreign identifiers, nothing associated, the
// events found by the asset; the example that repeats "eventID" is
// refused by the parser, nothing applied.
func TestCaptureGS1AssociationExamples(t *testing.T) {
	f := newFixture(t)
	files, _ := filepath.Glob(filepath.Join("epcis", "testdata", "examples", "AssociationEvent", "*.jsonld"))
	files = append(files, filepath.Join("epcis", "testdata", "examples", "Example-TransactionEvents-2020_07_03y.jsonld"))
	if len(files) < 2 {
		t.Fatal("no examples")
	}
	captured := 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := f.e.Reports().CaptureJSON(t.Context(), bytes.NewReader(b), &chain.CaptureOptions{Org: f.orgA})
		if strings.HasSuffix(name, "AssociationEvent-h.jsonld") {
			var re *chain.ReportError
			if !errors.As(err, &re) || len(re.Errors) == 0 {
				t.Fatalf("%s: %v, want refused", name, err)
			}
			continue
		}
		if errors.Is(err, model.ErrUnknownProduct) {
			// Classes (LGTINs) of products this store does not hold:
			// GTIN-based, so never foreign.
			continue
		}
		if err != nil || rec.Records == 0 {
			t.Fatalf("%s: %+v %v", name, rec, err)
		}
		captured++
	}
	if captured < 5 {
		t.Errorf("%d examples captured, want the association examples of assets", captured)
	}
	n := 0
	if err := f.e.db.ScanPrefix(store.AssociationKeys.Prefix(), func(k, v []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("associations of other organisations' assets were stored: %d (%v)", n, err)
	}
	res, err := f.e.Queries().Events(apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents},
		[]epcisq.Param{{Name: "MATCH_parentID", Value: "urn:epc:id:grai:4012345.55555.987"}})
	if err != nil || len(res.Events) == 0 {
		t.Fatalf("MATCH_parentID of the examples' GRAI: %+v %v", res, err)
	}
}

// TestExportRoundTripTxAssoc: a TransactionEvent, an AssociationEvent (with
// sensor data and an extension) and an error declaration are stored as
// received: re-parsed, each hashes as it did on capture and keeps what the
// engine does not model.
func TestExportRoundTripTxAssoc(t *testing.T) {
	f := supply(t)
	pallet := f.code(f.pallets, 0)
	txn := fmt.Sprintf(`{"type":"TransactionEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"parentID":%q,"epcList":[],"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000003:PO-77"}],"ex:terms":"FOB"}`, pallet)
	assoc := fmt.Sprintf(`{"type":"AssociationEvent","eventID":"urn:uuid:a1","eventTime":"2026-03-01T13:05:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"parentID":%q,"childEPCs":["urn:epc:id:giai:9520123.LOGGER-1"],"bizStep":"assembling",
"sensorElementList":[{"sensorMetadata":{"deviceID":"urn:epc:id:giai:9520123.LOGGER-1"},"sensorReport":[{"type":"Temperature","value":3.5,"uom":"CEL"}]}]}`, pallet)
	rec, err := f.capture(f.orgA, doc(txn, assoc))
	if err != nil {
		t.Fatal(err)
	}
	decl := strings.TrimSuffix(assoc, "}") + `,"errorDeclaration":{"declarationTime":"2026-03-01T14:00:00+08:00","reason":"did_not_occur","ex:note":"wrong pallet"}}`
	rec2, err := f.capture(f.orgA, doc(decl))
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := f.e.tr()
	for i, c := range []struct {
		seq  uint64
		keep string
	}{{rec.FirstSeq, `"FOB"`}, {rec.FirstSeq + 1, `"Temperature"`}, {rec2.FirstSeq, `"wrong pallet"`}} {
		pay, _, _ := ts.Ledger().Payload(c.seq)
		d, err := epcis.ParseDocument(bytes.NewReader(pay.Body), epcis.ParseOptions{})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		sum, _, _ := ts.Ledger().Summary(c.seq)
		h, _ := epcis.HashDigest(epcis.HashID(&d.Events[0], nil))
		if h != sum.ContentHash || !bytes.Contains(pay.Body, []byte(c.keep)) {
			t.Errorf("record %d: hash %x…, summary %x…; body %s", i, h[:4], sum.ContentHash[:4], pay.Body)
		}
		var out bytes.Buffer
		if err := epcis.MarshalDocument(&out, d.Events, nil); err != nil || !bytes.Contains(out.Bytes(), []byte(c.keep)) {
			t.Errorf("record %d: export lost %s: %v %s", i, c.keep, err, out.Bytes())
		}
	}
}
