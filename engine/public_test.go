package engine

import (
	"fmt"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/resolve"
)

// TestIntactContainment: a case shipped out of an unopened pallet, and a
// sold item, have left the parents above them (Chain.Intact), though no
// unpacking was reported; the aggregation still holds them.
func TestIntactContainment(t *testing.T) {
	f := supply(t)
	ev := func(code, step, disp, at string) string {
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"OBSERVE","bizStep":%q,"disposition":%q}`, at, code, step, disp)
	}
	intact := func(code string) (int, int) {
		t.Helper()
		c, err := f.e.Resolve(code)
		if err != nil {
			t.Fatal(err)
		}
		return c.Intact, len(c.Parents)
	}
	item, item2, case0 := f.code(f.items, 3), f.code(f.items, 12), f.code(f.cases, 0)
	if n, p := intact(item); n != 2 || p != 2 {
		t.Fatalf("packed item: intact %d of %d parents, want 2 of 2", n, p)
	}
	// Shipping the pallet moves everything in it: nothing is left behind.
	if _, err := f.capture(f.orgA, doc(ev(f.code(f.pallets, 0), "shipping", "in_transit", "2026-03-01T12:00:00+08:00"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := intact(item); n != 2 {
		t.Fatalf("item of a shipped pallet: intact %d, want 2", n)
	}
	// Case 0 shipped on its own: it and its items left the pallet.
	if _, err := f.capture(f.orgA, doc(ev(case0, "shipping", "in_transit", "2026-03-01T13:00:00+08:00"))); err != nil {
		t.Fatal(err)
	}
	if n, p := intact(case0); n != 0 || p != 1 {
		t.Errorf("case shipped out of its pallet: intact %d of %d parents, want 0 of 1", n, p)
	}
	if n, _ := intact(item); n != 1 {
		t.Errorf("item of the shipped case: intact %d, want 1 (the case, not the pallet)", n)
	}
	if n, _ := intact(item2); n != 2 {
		t.Errorf("item of the other case: intact %d, want 2", n)
	}
	// A sold item has left its case too.
	if _, err := f.capture(f.orgA, doc(ev(item, "retail_selling", "retail_sold", "2026-03-01T14:00:00+08:00"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := intact(item); n != 0 {
		t.Errorf("sold item: intact %d, want 0", n)
	}
}

// TestPublicStatuses: dispensing is told apart from retail selling, an
// issued but unprinted code is not genuine, and a recall's notice carries
// its reason and time.
func TestPublicStatuses(t *testing.T) {
	f := supply(t)
	ev := func(code, action, step, disp string) string {
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T12:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":%q,"bizStep":%q,"disposition":%q}`, code, action, step, disp)
	}
	for _, c := range []struct {
		off                uint64
		action, step, disp string
		want               resolve.Status
		public             resolve.PublicStatus
	}{
		{30, "DELETE", "dispensing", "dispensed", resolve.StatusDispensed, resolve.PublicDispensed},
		{31, "OBSERVE", "dispensing", "partially_dispensed", resolve.StatusDispensed, resolve.PublicDispensed},
		{32, "DELETE", "retail_selling", "retail_sold", resolve.StatusSold, resolve.PublicSold},
	} {
		code := f.code(f.items, c.off)
		if _, err := f.capture(f.orgA, doc(ev(code, c.action, c.step, c.disp))); err != nil {
			t.Fatal(err)
		}
		ch, err := f.e.Resolve(code)
		if err != nil || ch.Status != c.want || ch.Public() != c.public {
			t.Errorf("%s/%s: %v (%v) %v, want %v (%v)", c.step, c.disp, ch.Status, ch.Public(), err, c.want, c.public)
		}
	}
	if ch, err := f.e.Resolve(f.code(f.items, 500)); err != nil || ch.Public() != resolve.PublicNotPrinted {
		t.Errorf("unprinted code: %v %v, want not_printed", ch.Public(), err)
	}
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: f.meta(f.orgA), Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}, Reason: "沙门氏菌"}); err != nil {
		t.Fatal(err)
	}
	ch, err := f.e.Resolve(f.code(f.items, 3))
	if err != nil || ch.Public() != resolve.PublicRecalled || ch.RecallReason != "沙门氏菌" || ch.RecallTime != f.meta(0).Time.UnixMilli() {
		t.Fatalf("recalled item: %v %q %d %v", ch.Public(), ch.RecallReason, ch.RecallTime, err)
	}
	cs, err := lotStatus(f.e, ch.Lot.ID)
	if err != nil || cs.Status != resolve.PublicRecalled || cs.RecallReason != "沙门氏菌" || cs.RecallOfProduct {
		t.Fatalf("LotStatus of the recalled lot: %+v %v", cs, err)
	}
	if cs, err := f.e.Reports().Resolver().ClassStatus(0, f.prodB.ID); err != nil || cs.Status != resolve.PublicRegistered {
		t.Fatalf("ClassStatus of another product: %+v %v", cs, err)
	}
}

// TestBusinessDayClock: at 00:30 China time on the day after expiry (16:30
// UTC on the expiry day) the engine's item and lot verdicts agree: expired.
// With Location UTC, the same instant is still the expiry day.
func TestBusinessDayClock(t *testing.T) {
	at := time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 2026-03-02 00:30 CST
	for _, c := range []struct {
		loc  *time.Location
		want resolve.PublicStatus
	}{{nil, resolve.PublicExpired}, {time.UTC, resolve.PublicRegistered}} {
		e, err := Open(t.TempDir(), &Options{Store: smallStore(), Now: func() time.Time { return at }, Location: c.loc})
		if err != nil {
			t.Fatal(err)
		}
		p := addDrug(t, e, testGTIN, "")
		l, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "E1", Expiry: 20260301})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := lotStatus(e, l.ID)
		if err != nil || cs.Status != c.want {
			t.Errorf("location %v: lot %v %v, want %v", c.loc, cs.Status, err, c.want)
		}
		b := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "E1", Count: 1}).Block
		if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Time: at.Add(-time.Hour)}, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: 0, Last: 0}}}}); err != nil {
			t.Fatal(err)
		}
		ch, err := e.Resolve(string(codes(t, e, b.ID, issue.FormatDL, 0, 1)[0]))
		want := c.want
		if want == resolve.PublicRegistered {
			want = resolve.PublicGenuine
		}
		if err != nil || ch.Public() != want {
			t.Errorf("location %v: item %v %v, want %v", c.loc, ch.Public(), err, want)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTimelineBounded: a lot with many lot-level records shows its items
// only the newest Options.MaxTimeline of them, says so, and keeps every
// record of the item itself; each record appears once however often it is
// reached.
func TestTimelineBounded(t *testing.T) {
	e, err := Open(t.TempDir(), &Options{Store: smallStore(), Now: func() time.Time { return testClock }, MaxTimeline: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	f := &fixture{t: t, e: e}
	p := addDrug(t, e, testGTIN, "")
	f.items = mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10}).Block
	f.commission(f.items, 0, 9)
	const n = 300
	var evs []string
	for i := range n {
		evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+08:00",
"quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/L1"}],"action":"OBSERVE","bizStep":"inspecting"}`,
			testClock.Add(-time.Duration(n-i)*time.Minute).Format(time.RFC3339), testGTIN))
	}
	// One event names the item and its lot: reached twice, shown once.
	both := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+08:00","epcList":[%q],
"quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/L1"}],"action":"OBSERVE","bizStep":"storing"}`,
		testClock.Add(-30*time.Second).Format(time.RFC3339), f.code(f.items, 2), testGTIN)
	if _, err := f.capture(p.Org, doc(append(evs, both)...)); err != nil {
		t.Fatal(err)
	}
	c, err := e.Resolve(f.code(f.items, 2))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TimelineTruncated {
		t.Error("timeline of a lot with 301 records is not marked truncated")
	}
	lot, own, seen := 0, 0, map[uint64]bool{}
	for i, en := range c.Timeline {
		if seen[en.Event.Seq] {
			t.Errorf("record %d twice on the timeline", en.Event.Seq)
		}
		seen[en.Event.Seq] = true
		if i > 0 && c.Timeline[i-1].Event.EventTime > en.Event.EventTime {
			t.Errorf("timeline out of order at %d", i)
		}
		if en.Via == resolve.ViaLot {
			lot++
		} else {
			own++
		}
	}
	if lot+own > 50+2 || own != 2 { // commissioning, the storing event (also a lot record)
		t.Errorf("timeline: %d lot records, %d own, want at most 50 in all from the lot and 2 own", lot, own)
	}
	if last := c.Timeline[len(c.Timeline)-1].Event; last.BizStep != "storing" {
		t.Errorf("newest record %s, want the storing event", last.BizStep)
	}
	// An item of a lot within the bound is not truncated.
	if c, err := e.Resolve(f.code(f.items, 3)); err != nil || len(c.Timeline) != 51 {
		t.Errorf("another item: %d entries %v, want 51 (its commissioning and 50 lot records)", len(c.Timeline), err)
	}
}
