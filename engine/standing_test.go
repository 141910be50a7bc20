package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// TestTransformationInputsMustBeHeld: organisation A transforms B's
// commissioned item (inputEPCList) and consumes B's lot (inputQuantityList)
// without holding either: the whole document is refused naming each, and
// the item still resolves as before. Once B shipped the item to A and A
// received it, the same transformation is accepted.
func TestTransformationInputsMustBeHeld(t *testing.T) {
	f := newFixture(t)
	f.commission(f.itemsB, 0, 0)
	f.commission(f.items, 0, 0)
	victim := f.code(f.itemsB, 0)
	before, err := f.e.Resolve(victim)
	if err != nil {
		t.Fatal(err)
	}
	status, events := before.Status, len(before.Timeline)
	tr := fmt.Sprintf(`{"type":"TransformationEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00",
"inputEPCList":[%q],"inputQuantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/B1","quantity":5,"uom":"KGM"}],
"outputEPCList":[%q],"bizStep":"commissioning"}`, victim, f.prodB.GTIN, f.code(f.items, 0))
	_, err = f.capture(f.orgA, doc(tr))
	wantErrs(t, err, ie{model.ErrWrongOrg, victim}, ie{model.ErrWrongOrg, "/10/B1"})
	after, _ := f.e.Resolve(victim)
	if after.Status != status || len(after.Timeline) != events || after.State != before.State {
		t.Fatalf("a refused transformation changed B's item: %v → %v, %d → %d events", status, after.Status, events, len(after.Timeline))
	}
	// Held (shipped by B to A and received): the input may be consumed,
	// and the lot, shipped to A, too.
	if _, err := f.capture(f.orgB, doc(shipToA("2026-03-01T07:00:00+08:00", victim))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgA, doc(receive("2026-03-01T08:00:00+08:00", victim))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgA, doc(tr)); err != nil {
		t.Fatalf("transformation of a received input: %v", err)
	}
	if c, _ := f.e.Resolve(victim); c.Status != resolve.StatusDecommissioned {
		t.Fatalf("consumed input: %v", c.Status)
	}
}

// TestObservationStanding: who may record an observation on a code. A
// "destroying" observation, a receiving nobody shipped, an association, a
// transaction and a lot-level observation by an organisation that does not
// hold the code are refused (and change no timeline); the organisation a
// shipment is pending for may record its receiving (and nothing else
// before it); a regulator of the code's region may record an inspection
// and nothing else; one of another region may not.
func TestObservationStanding(t *testing.T) {
	f := newFixture(t)
	f.commission(f.itemsB, 0, 1)
	item := f.code(f.itemsB, 0)
	observe := func(step, extra string) string {
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"OBSERVE","bizStep":%q%s}`, item, step, extra)
	}
	hostile := []string{
		observe("destroying", `,"disposition":"destroyed"`),
		observe("receiving", ""),
		fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"parentID":%q,"childEPCs":["urn:epc:id:giai:9520123.LOGGER-1"]}`, item),
		fmt.Sprintf(`{"type":"TransactionEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
"epcList":[%q],"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:9520123000003:PO-1"}]}`, item),
	}
	for i, ev := range hostile {
		_, err := f.capture(f.orgA, doc(ev))
		wantErrs(t, err, ie{model.ErrWrongOrg, item})
		if err != nil && !strings.Contains(err.Error(), "乙食品有限公司") {
			t.Errorf("event %d: the refusal does not name the holder: %v", i, err)
		}
	}
	lotObs := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00",
"quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/B1","quantity":1}],"action":"OBSERVE","bizStep":"destroying"}`, f.prodB.GTIN)
	_, err := f.capture(f.orgA, doc(lotObs))
	wantErrs(t, err, ie{model.ErrWrongOrg, "/10/B1"})
	if c, _ := f.e.Resolve(item); len(c.Timeline) != 1 || c.Status != resolve.StatusActive {
		t.Fatalf("refused observations reached the timeline: %d events, %v", len(c.Timeline), c.Status)
	}
	// The holder observes its own code.
	if _, err := f.capture(f.orgB, doc(observe("storing", ""))); err != nil {
		t.Fatalf("the holder's observation: %v", err)
	}
	// Shipped to A: A may receive it, not observe anything else first.
	if _, err := f.capture(f.orgB, doc(shipToA("2026-03-01T10:00:00+08:00", item))); err != nil {
		t.Fatal(err)
	}
	_, err = f.capture(f.orgA, doc(observe("destroying", "")))
	wantErrs(t, err, ie{model.ErrWrongOrg, item})
	if _, err := f.capture(f.orgA, doc(receive("2026-03-01T11:00:00+08:00", item))); err != nil {
		t.Fatalf("receiving by the party the shipment names: %v", err)
	}
	// Now B, no longer the holder, may not observe it.
	_, err = f.capture(f.orgB, doc(observe("storing", `,"disposition":"damaged"`)))
	wantErrs(t, err, ie{model.ErrWrongOrg, item})

	// Regulators: an agency in 330100 (Hangzhou) over a producer in
	// 330106, and one in 350100 (Fuzhou).
	prod, err := f.e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "杭州监管样品厂", Region: "330106", GCPs: []string{"6923456"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: prod.ID, GTIN: "6923456000018", GCPLength: 7, NameZH: "样品", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	b := mint(t, f.e, issue.MintRequest{Org: prod.ID, Product: p.ID, Count: 2}).Block
	if _, err := f.e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: f.meta(prod.ID), Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: 0, Last: 1}}}}); err != nil {
		t.Fatal(err)
	}
	hz, err := f.e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "杭州市市场监督管理局", Region: "330100"})
	if err != nil {
		t.Fatal(err)
	}
	fz, err := f.e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "福州市市场监督管理局", Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	sample := f.code(b, 0)
	minute := 0
	regulate := func(org, region uint32, step string) error {
		minute++ // events of equal content are one event, whoever captures them
		ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T12:%02d:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"OBSERVE","bizStep":%q}`, minute, sample, step)
		_, err := f.e.Reports().CaptureJSON(t.Context(), strings.NewReader(doc(ev)), &chain.CaptureOptions{Org: org, Region: region, Credential: "key:reg"})
		return err
	}
	if err := regulate(hz.ID, 330100, "inspecting"); err != nil {
		t.Fatalf("inspection by the region's regulator: %v", err)
	}
	if err := regulate(hz.ID, 330100, "sampling"); err != nil {
		t.Fatalf("sampling by the region's regulator: %v", err)
	}
	wantErrs(t, regulate(hz.ID, 330100, "destroying"), ie{model.ErrWrongOrg, sample})
	wantErrs(t, regulate(fz.ID, 350100, "inspecting"), ie{model.ErrWrongOrg, sample})
	wantErrs(t, regulate(hz.ID, 0, "inspecting"), ie{model.ErrWrongOrg, sample}) // the agency's organisation without a regulator key
}

// TestHoldersNotWriters: an organisation that only wrote about a code
// never held it, and so does not see its private trace; the organisation
// a shipment was received by did. Records stored before standing was
// enforced (a receiving nobody shipped, an observation, a shipment by
// someone not holding the code) are replayed as the custody rule reads
// them: they make no one a holder.
func TestHoldersNotWriters(t *testing.T) {
	f := newFixture(t)
	f.commission(f.itemsB, 0, 0)
	item := f.code(f.itemsB, 0)
	c, err := f.e.Resolve(item)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.e.Reports().Holders(c); !slices.Equal(got, []uint32{f.orgB}) {
		t.Fatalf("holders of a fresh code: %v", got)
	}
	forged := *c
	forged.Timeline = append(slices.Clone(c.Timeline),
		resolve.Entry{Via: resolve.ViaSelf, Event: &ledger.Summary{Seq: 90, Org: f.orgA, EventType: "ObjectEvent", Action: "OBSERVE", BizStep: "receiving"}},
		resolve.Entry{Via: resolve.ViaSelf, Event: &ledger.Summary{Seq: 91, Org: f.orgA, EventType: "ObjectEvent", Action: "OBSERVE", BizStep: "shipping",
			Dests: []ledger.Pair{{Type: "owning_party", ID: "urn:epc:id:pgln:9520123.00000"}}}},
		resolve.Entry{Via: resolve.ViaSelf, Event: &ledger.Summary{Seq: 92, Org: f.orgA, EventType: "ObjectEvent", Action: "OBSERVE", BizStep: "receiving"}})
	if got := f.e.Reports().Holders(&forged); !slices.Equal(got, []uint32{f.orgB}) {
		t.Fatalf("holders after records by a non-holder: %v", got)
	}
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgA, Scopes: apikey.ScopeEvents}, &forged) != chain.TraceNone {
		t.Fatal("records about a code grant its trace")
	}
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgA, Scopes: apikey.ScopeEvents}, c) != chain.TraceNone {
		t.Fatal("A sees the trace of B's code")
	}
	// A's injection attempts are refused; the trace stays closed to A.
	_, err = f.capture(f.orgA, doc(receive("2026-03-01T09:00:00+08:00", item)))
	wantErrs(t, err, ie{model.ErrWrongOrg, item})
	c, _ = f.e.Resolve(item)
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgA, Scopes: apikey.ScopeEvents}, c) != chain.TraceNone {
		t.Fatal("A sees the trace of B's code after a refused injection")
	}
	// Shipped to A and received: A held it.
	if _, err := f.capture(f.orgB, doc(shipToA("2026-03-01T10:00:00+08:00", item))); err != nil {
		t.Fatal(err)
	}
	c, _ = f.e.Resolve(item)
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgA, Scopes: apikey.ScopeEvents}, c) != chain.TraceNone {
		t.Fatal("A sees the trace while the shipment is only pending")
	}
	if _, err := f.capture(f.orgA, doc(receive("2026-03-01T11:00:00+08:00", item))); err != nil {
		t.Fatal(err)
	}
	c, _ = f.e.Resolve(item)
	if got := f.e.Reports().Holders(c); !slices.Equal(got, []uint32{f.orgB, f.orgA}) {
		t.Fatalf("holders after receiving: %v", got)
	}
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgA, Scopes: apikey.ScopeEvents}, c) != chain.TraceHeld {
		t.Fatal("A, which received the code, does not see its trace")
	}
	if f.e.Reports().TraceAccessOf(apikey.Key{Org: f.orgB, Scopes: apikey.ScopeEvents}, c) != chain.TraceFull {
		t.Fatal("the producer does not see everything")
	}
}
