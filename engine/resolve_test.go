package engine

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// supply builds item → case → pallet for items 0..19 (cases 0, 1; pallet
// 0) and returns the fixture.
func supply(t *testing.T) *fixture {
	f := newFixture(t)
	f.commission(f.items, 0, 99)
	f.commission(f.cases, 0, 9)
	t0 := testClock.Add(-10 * time.Hour)
	f.packRange(f.cases, 0, f.items, 0, 9, t0)
	f.packRange(f.cases, 1, f.items, 10, 19, t0)
	f.packRange(f.pallets, 0, f.cases, 0, 1, t0.Add(time.Minute))
	return f
}

// doc returns an EPCIS 2.0 document holding events (JSON objects).
func doc(events ...string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"ex":"https://example.cn/epcis/"}],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T07:00:00Z",
"epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

func (f *fixture) capture(org uint32, d string) (*chain.Receipt, error) {
	return f.e.Reports().CaptureJSON(context.Background(), strings.NewReader(d), &chain.CaptureOptions{Org: org, Credential: "key:test"})
}

func TestResolveThroughContainment(t *testing.T) {
	f := supply(t)
	pallet := f.code(f.pallets, 0)
	item := f.code(f.items, 3)
	// Shipping of the pallet by A (with an extension field the engine does
	// not model), receiving by B.
	ship := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",
"readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"},"bizTransactionList":[{"type":"inv","bizTransaction":"urn:epcglobal:cbv:bt:9520123000003:INV-7"}],
"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901234.00000"}],"ex:temperature":"4C"}`, pallet)
	rec, err := f.capture(f.orgA, doc(ship))
	if err != nil || rec.Records != 1 {
		t.Fatalf("capture: %+v %v", rec, err)
	}
	c, err := f.e.Resolve(item)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != resolve.StatusInTransit {
		t.Fatalf("status %v (%s), want in-transit", c.Status, c.Reason)
	}
	if len(c.Parents) != 2 || c.Parents[0].Level != model.LevelCase || c.Parents[1].Level != model.LevelPallet {
		t.Fatalf("parents %+v, want case then pallet", c.Parents)
	}
	steps := []string{}
	for _, en := range c.Timeline {
		steps = append(steps, string(en.Event.BizStep)+"/"+en.Via.String())
	}
	want := []string{"commissioning/self", "packing/packing", "packing/packing", "shipping/container"}
	if !slices.Equal(steps, want) {
		t.Fatalf("timeline %v, want %v", steps, want)
	}
	if !bytes.HasPrefix(c.DigitalLink, []byte("https://id.gs1.org/01/09520123456788/21/")) || string(c.ElementString[:4]) != "(01)" ||
		!bytes.HasPrefix(c.EPCURN, []byte("urn:epc:id:sgtin:9520123.045678.")) {
		t.Errorf("identity %s | %s | %s", c.DigitalLink, c.ElementString, c.EPCURN)
	}
	// Receiving by B at its DC, then B unpacks nothing (not its pallet) but
	// sells item 3 (DELETE with retail_selling).
	recv := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T15:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"receiving","disposition":"in_progress","bizLocation":{"id":"urn:epc:id:sgln:6901234.00002.0"}}`, pallet)
	sell := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T15:30:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"DELETE","bizStep":"retail_selling","disposition":"retail_sold"}`, item)
	if _, err := f.capture(f.orgB, doc(recv, sell)); err != nil {
		t.Fatal(err)
	}
	c, _ = f.e.Resolve(item)
	if c.Status != resolve.StatusSold {
		t.Fatalf("after the sale: %v (%s)", c.Status, c.Reason)
	}
	sib, _ := f.e.Resolve(f.code(f.items, 4))
	if sib.Status != resolve.StatusActive || len(sib.Timeline) != 5 {
		t.Fatalf("item 4: %v with %d events, want active with 5", sib.Status, len(sib.Timeline))
	}
	if len(sib.Handlers) < 2 {
		t.Fatalf("item 4 handlers %+v, want the shipment's destination and B's receiving", sib.Handlers)
	}
}

func TestResolveTimeBoundsAndHistory(t *testing.T) {
	f := supply(t)
	t0 := testClock.Add(-10 * time.Hour)
	caseCode := f.code(f.cases, 0)
	ev := func(at time.Time, step string) string {
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE","bizStep":%q}`,
			at.Format(time.RFC3339), caseCode, step)
	}
	// An inspection of the case before item 5 left it, and one after.
	if _, err := f.capture(f.orgA, doc(ev(t0.Add(2*time.Hour), "inspecting"))); err != nil {
		t.Fatal(err)
	}
	m := f.meta(f.orgA)
	m.Time = t0.Add(3 * time.Hour)
	if _, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 0},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 5, Last: 5}}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgA, doc(ev(t0.Add(4*time.Hour), "storing"))); err != nil {
		t.Fatal(err)
	}
	c, _ := f.e.Resolve(f.code(f.items, 5))
	var steps []string
	for _, en := range c.Timeline {
		steps = append(steps, string(en.Event.BizStep))
	}
	want := []string{"commissioning", "packing", "packing", "inspecting", "unpacking"}
	if !slices.Equal(steps, want) {
		t.Fatalf("item 5 (left the case before the storing event): %v, want %v", steps, want)
	}
	if len(c.Parents) != 0 || len(c.Past) != 1 || c.Past[0].Until != t0.Add(3*time.Hour).UnixMilli() {
		t.Fatalf("item 5 containment now %+v, past %+v", c.Parents, c.Past)
	}
	c6, _ := f.e.Resolve(f.code(f.items, 6))
	if n := len(c6.Timeline); n != 5 || c6.Timeline[n-1].Event.BizStep != "storing" {
		t.Fatalf("item 6 (still inside) should see the storing event: %d events", n)
	}
}

func TestNeverIssuedAndUnits(t *testing.T) {
	f := supply(t)
	c, err := f.e.Resolve("https://id.gs1.org/01/09520123456788/21/AZZZZZZZZZZZZ")
	if err != nil || c.Status != resolve.StatusNeverIssued || c.Status.Genuine() || c.Product == nil {
		t.Fatalf("forged code: %+v %v", c, err)
	}
	if _, err := f.e.Resolve("not a code"); err == nil {
		t.Fatal("garbage resolved")
	}
	c, _ = f.e.Resolve(f.code(f.items, 500))
	if c.Status != resolve.StatusIssued {
		t.Fatalf("uncommissioned code: %v", c.Status)
	}
	// An SSCC pallet registered by packing.
	sscc := "(00)395201230000000012"
	m := f.meta(f.orgA)
	if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Code: sscc},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 5, Last: 6}}}}}}); err != nil {
		t.Fatal(err)
	}
	c, err = f.e.Resolve("urn:epc:id:sscc:9520123.3000000001")
	if err != nil || !c.IsUnit || c.Status != resolve.StatusActive || c.Level != model.LevelPallet || len(c.Children) != 1 || c.Children[0].Count != 2 {
		t.Fatalf("SSCC: %+v %v", c, err)
	}
	if string(c.EPCURN) != "urn:epc:id:sscc:9520123.3000000001" || string(c.ElementString) != sscc {
		t.Fatalf("SSCC identity %s %s", c.EPCURN, c.ElementString)
	}
	c, _ = f.e.Resolve("(00)395201230000000029")
	if c.Status != resolve.StatusNeverIssued {
		t.Fatalf("unregistered SSCC: %v", c.Status)
	}
}

func TestResolveReuseAllocs(t *testing.T) {
	f := supply(t)
	if _, err := f.capture(f.orgA, doc(fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit"}`, f.code(f.pallets, 0)))); err != nil {
		t.Fatal(err)
	}
	code := f.code(f.items, 7)
	var c resolve.Chain
	if err := f.e.ResolveInto(&c, code); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(200, func() {
		if err := f.e.ResolveInto(&c, code); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("ResolveInto (item → case → pallet, %d events): %.1f allocations", len(c.Timeline), n)
	// Two are code.Parse's (inside Lookup), one is Pebble's: a reverse
	// seek clones the value it steps over. Everything of ours is reused.
	if n > 3 && !reportRace {
		t.Errorf("ResolveInto allocates %.0f times per call, want at most 3", n)
	}
	_ = itemstate.Commissioned
}

// TestResolveConcurrentWithReports resolves from several goroutines while
// reports commit (run it with -race: caches and publication must not race,
// and a resolver must never see a half-published report).
func TestResolveConcurrentWithReports(t *testing.T) {
	f := supply(t)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 3 {
		go func() {
			var c resolve.Chain
			codes := []string{f.code(f.items, uint64(g)), f.code(f.items, 15), f.code(f.cases, 1), f.code(f.pallets, 0)}
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if err := f.e.ResolveInto(&c, codes[i%len(codes)]); err != nil {
					errs <- err
					return
				}
				if c.Status != resolve.StatusActive && c.Status != resolve.StatusInTransit {
					errs <- fmt.Errorf("%s resolved as %v (%s)", codes[i%len(codes)], c.Status, c.Reason)
					return
				}
			}
		}()
	}
	t0 := testClock.Add(-5 * time.Hour)
	for i := range 20 {
		m := f.meta(f.orgA)
		m.Time = t0.Add(time.Duration(2*i) * time.Minute)
		if _, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 1},
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 15, Last: 15}}}}}}); err != nil {
			t.Fatal(err)
		}
		m.Time = m.Time.Add(time.Minute)
		if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 1},
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 15, Last: 15}}}}}}); err != nil {
			t.Fatal(err)
		}
		ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE","bizStep":"storing"}`,
			m.Time.Add(30*time.Second).Format(time.RFC3339), f.code(f.pallets, 0))
		if _, err := f.capture(f.orgA, doc(ev)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c, _ := f.e.Resolve(f.code(f.items, 15))
	if len(c.Past) != 20 || len(c.Parents) != 2 {
		t.Fatalf("item 15 after 20 unpack/pack cycles: %d past parents, %d parents now", len(c.Past), len(c.Parents))
	}
}
