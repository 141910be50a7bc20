package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// declare returns ev (a JSON object ending in "}") with an errorDeclaration.
func declare(ev string) string {
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") +
		`,"errorDeclaration":{"declarationTime":"2026-03-01T15:59:00+08:00","reason":"incorrect_data","correctiveEventIDs":["urn:uuid:c0ffee00-0000-4000-8000-000000000001"]}}`
}

// TestErrorDeclaration: an event declared erroneous stays on the timeline,
// flagged, with the declaration beside it; its effects are undone (a
// destroying, a packing, a recall, an association, a shipment's status);
// only the organisation that captured it declares it; a declaration of an
// unknown event is kept with no effect; a repeated declaration is a
// duplicate.
func TestErrorDeclaration(t *testing.T) {
	f := supply(t)
	item50, item60, case5 := f.code(f.items, 50), f.code(f.items, 60), f.code(f.cases, 5)
	destroy := fmt.Sprintf(`{"type":"ObjectEvent","eventID":"urn:uuid:d1","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"DELETE","bizStep":"destroying","disposition":"destroyed"}`, item50)
	pack := fmt.Sprintf(`{"type":"AggregationEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":[%q,%q],"action":"ADD","bizStep":"packing"}`, case5, f.code(f.items, 40), f.code(f.items, 41))
	recall := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","disposition":"recalled"}`, item60)
	assoc := fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":["urn:epc:id:giai:9520123.LOGGER-9"],"action":"ADD"}`, case5)
	ship := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit"}`, f.code(f.items, 70))
	if _, err := f.capture(f.orgA, doc(destroy, pack, recall, assoc, ship)); err != nil {
		t.Fatal(err)
	}
	status := func(code string) *resolve.Chain {
		t.Helper()
		c, err := f.e.Resolve(code)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if status(item50).Status != resolve.StatusDestroyed || status(item60).Status != resolve.StatusRecalled || len(status(f.code(f.items, 40)).Parents) != 1 ||
		len(status(case5).Associations) != 1 || status(f.code(f.items, 70)).Status != resolve.StatusInTransit {
		t.Fatal("the events did not take effect")
	}
	// Refused, nothing applied: another organisation's declaration.
	_, err := f.capture(f.orgB, doc(declare(destroy)))
	wantErrs(t, err, ie{model.ErrWrongOrg, "urn:uuid:d1"})
	// A declaration of an event this store does not hold: a record with
	// no effect (item 51 was never destroyed here, and stays as it was).
	item51 := f.code(f.items, 51)
	before := status(item51).Status
	unknown := strings.Replace(strings.Replace(strings.Replace(destroy, "13:00:00", "12:00:00", 1), "urn:uuid:d1", "urn:uuid:d2", 1), item50, item51, 1)
	if rec, err := f.capture(f.orgA, doc(declare(unknown))); err != nil || rec.Records != 1 {
		t.Fatalf("declaration of an unknown event: %+v %v", rec, err)
	}
	if c := status(item51); c.Status != before {
		t.Errorf("declaration of an unknown event changed item 51: %v, was %v", c.Status, before)
	}
	// The declarations.
	rec, err := f.capture(f.orgA, doc(declare(destroy), declare(pack), declare(recall), declare(assoc), declare(ship)))
	if err != nil || rec.Records != 5 {
		t.Fatalf("declarations: %+v %v", rec, err)
	}
	c := status(item50)
	if c.Status != resolve.StatusActive {
		t.Errorf("destroying declared erroneous: status %v", c.Status)
	}
	flagged, decls := 0, 0
	for _, en := range c.Timeline {
		if en.ErroneousBy != 0 {
			flagged++
		}
		if en.Event.Flags&1 != 0 {
			decls++
		}
	}
	if flagged != 1 || decls != 1 {
		t.Errorf("timeline: %d flagged, %d declarations, want 1 and 1", flagged, decls)
	}
	if c := status(item60); c.Status != resolve.StatusActive {
		t.Errorf("recall declared erroneous: %v (%s)", c.Status, c.Reason)
	}
	i40 := status(f.code(f.items, 40))
	if len(i40.Parents) != 0 || len(i40.Past) != 1 || i40.Past[0].Since != i40.Past[0].Until {
		t.Errorf("packing declared erroneous: parents %+v past %+v", i40.Parents, i40.Past)
	}
	if c := status(case5); c.Inside != 0 || len(c.Associations) != 0 {
		t.Errorf("case 5 still holds %d codes, %d associations", c.Inside, len(c.Associations))
	}
	if c := status(f.code(f.items, 70)); c.Status != resolve.StatusActive {
		t.Errorf("shipping declared erroneous: %v", c.Status)
	}
	// Sent again: duplicates, nothing applied.
	rec, err = f.capture(f.orgA, doc(declare(destroy)))
	if err != nil || rec.Records != 0 || rec.Duplicates != 1 {
		t.Errorf("repeated declaration: %+v %v", rec, err)
	}
	// The items packed by mistake can be packed for real.
	f.packRange(f.cases, 6, f.items, 40, 41, testClock.Add(-10*time.Minute))
	// Reopened: the marks are reloaded.
	f.e = reopen(t, f.e)
	c = status(item50)
	flagged = 0
	for _, en := range c.Timeline {
		if en.ErroneousBy != 0 {
			flagged++
		}
	}
	if c.Status != resolve.StatusActive || flagged != 1 {
		t.Errorf("after reopening: %v, %d flagged", c.Status, flagged)
	}
}

// TestErrorDeclarationByEventID: a declaration whose content differs from
// the event (here its readPoint) finds it by eventID.
func TestErrorDeclarationByEventID(t *testing.T) {
	f := supply(t)
	item := f.code(f.items, 50)
	sell := fmt.Sprintf(`{"type":"ObjectEvent","eventID":"urn:uuid:s1","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"DELETE","bizStep":"retail_selling","disposition":"retail_sold"}`, item)
	if _, err := f.capture(f.orgA, doc(sell)); err != nil {
		t.Fatal(err)
	}
	d := strings.Replace(declare(sell), `"action"`, `"readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"},"action"`, 1)
	if _, err := f.capture(f.orgA, doc(d)); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.e.Resolve(item); c.Status != resolve.StatusActive {
		t.Errorf("status %v", c.Status)
	}
}

// TestErrorDeclarationCommissioning: a commissioning (ObjectEvent ADD)
// declared erroneous returns its codes to issued, unless one was packed
// since: then the declaration is refused for that code, naming it, and
// nothing of the document applies; declaring the packing erroneous first
// lets it through.
func TestErrorDeclarationCommissioning(t *testing.T) {
	f := supply(t)
	a, b, case5 := f.code(f.items, 200), f.code(f.items, 201), f.code(f.cases, 5)
	commission := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T12:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q,%q],"action":"ADD","bizStep":"commissioning","disposition":"active"}`, a, b)
	pack := fmt.Sprintf(`{"type":"AggregationEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":[%q],"action":"ADD","bizStep":"packing"}`, case5, b)
	if _, err := f.capture(f.orgA, doc(commission, pack)); err != nil {
		t.Fatal(err)
	}
	status := func(code string) resolve.Status {
		t.Helper()
		c, err := f.e.Resolve(code)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	if status(a) != resolve.StatusActive || status(b) != resolve.StatusActive {
		t.Fatalf("commissioned: %v %v", status(a), status(b))
	}
	_, err := f.capture(f.orgA, doc(declare(commission)))
	wantErrs(t, err, ie{model.ErrState, b})
	if status(a) != resolve.StatusActive {
		t.Fatalf("a refused declaration changed %s: %v", a, status(a))
	}
	if _, err := f.capture(f.orgA, doc(declare(pack), declare(commission))); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{a, b} {
		if st := status(code); st != resolve.StatusIssued {
			t.Errorf("%s after its commissioning was declared erroneous: %v, want issued", code, st)
		}
	}
	// Issued again, the codes can be commissioned again.
	again := strings.Replace(commission, "12:00:00", "15:30:00", 1)
	if _, err := f.capture(f.orgA, doc(again)); err != nil {
		t.Fatalf("recommissioning: %v", err)
	}
	if status(a) != resolve.StatusActive {
		t.Errorf("recommissioned: %v", status(a))
	}
}
