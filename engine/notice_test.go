package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/resolve"
	"tracecode/engine/serial"
)

// noticeChain is a drug producer in Lanzhou's city (620100), a
// distributor in Chengguan (620102) and a pharmacy in Qilihe (620103): 30
// NMPA-coded boxes of lot L1 in three cases.
type noticeChain struct {
	e            *Engine
	n            *Notices
	p, d, h      model.Org
	items, cases model.Block
}

func newNoticeChain(t *testing.T) *noticeChain {
	e := openTest(t, "")
	c := &noticeChain{e: e}
	n, err := e.OpenNotices(notice.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c.n = n
	ctx := context.Background()
	for _, o := range []struct {
		dst          *model.Org
		name, region string
		gcp          string
	}{{&c.p, "兰州制药", "620100", "9520123"}, {&c.d, "城关医药配送", "620102", "6901234"}, {&c.h, "七里河大药房", "620103", "6905678"}} {
		if *o.dst, err = e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: o.name, Region: o.region, GCPs: []string{o.gcp}}); err != nil {
			t.Fatal(err)
		}
	}
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, DrugID: "8612345", Org: c.p.ID, NameZH: "阿莫西林胶囊",
		Category: ParseCategoryMust("drug"), Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		t.Fatal(err)
	}
	c.items = mint(t, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 100, Scheme: serial.NMPA}).Block
	c.cases = mint(t, e, issue.MintRequest{Product: prod.ID, Lot: "L1", Level: model.LevelCase, Count: 10}).Block
	meta := chain.ReportMeta{Org: c.p.ID, Credential: "test", Time: testClock.Add(-24 * time.Hour)}
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: c.items.ID, First: 0, Last: 29}, {Block: c.cases.ID, First: 0, Last: 2}}}}); err != nil {
		t.Fatal(err)
	}
	meta.Time = testClock.Add(-20 * time.Hour)
	var packs []chain.Pack
	for i := range uint64(3) {
		packs = append(packs, chain.Pack{Parent: chain.Ref{Code: c.code(t, c.cases, i)}, Children: chain.Items{Ranges: []chain.BlockRange{{Block: c.items.ID, First: 10 * i, Last: 10*i + 9}}}})
	}
	if _, err := e.Reports().Pack(ctx, &chain.PackReport{ReportMeta: meta, Packs: packs}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *noticeChain) code(t *testing.T, b model.Block, off uint64) string {
	return codes(t, c.e, b.ID, issue.FormatDL, off, 1)[0]
}

func (c *noticeChain) capture(t *testing.T, org uint32, events ...string) {
	t.Helper()
	if _, err := c.e.Reports().CaptureJSON(context.Background(), strings.NewReader(doc(events...)), &chain.CaptureOptions{Org: org, Credential: "key:test"}); err != nil {
		t.Fatal(err)
	}
}

func shipTo(at, gcp string, codes ...string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%s],"action":"OBSERVE",
"bizStep":"shipping","disposition":"in_transit","destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:%s.00000"}]}`,
		at, quoteList(codes), gcp)
}

func dispense(at string, codes ...string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%s],"action":"OBSERVE",
"bizStep":"dispensing","disposition":"dispensed"}`, at, quoteList(codes))
}

// TestDispensedTwiceAlert: the same NMPA code dispensed twice raises a
// critical alert routed to the pharmacy's county regulator (and the
// levels above), not to another county's, with its JetStream
// notifications in the outbox.
func TestDispensedTwiceAlert(t *testing.T) {
	c := newNoticeChain(t)
	case2, item25 := c.code(t, c.cases, 2), c.code(t, c.items, 25)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6905678", case2))
	c.capture(t, c.h.ID, receive("2026-03-01T10:00:00+08:00", case2))
	c.capture(t, c.h.ID, dispense("2026-03-01T11:00:00+08:00", item25))
	if l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620103}, alert.Filter{}); len(l) != 0 {
		t.Fatalf("alerts after one dispensing: %+v", l)
	}
	c.capture(t, c.h.ID, dispense("2026-03-01T12:00:00+08:00", item25))
	county := apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620103}
	l, err := c.n.AlertList(county, alert.Filter{Rule: "drug-sold-twice"})
	if err != nil || len(l) != 1 {
		t.Fatalf("county sees %d alerts (%v)", len(l), err)
	}
	a := l[0]
	if a.Severity != alert.Critical || a.Region != 620103 || a.Subject.Org != c.h.ID || a.Subject.Code == "" || a.Subject.Counter != c.items.Start+25 || len(a.Evidence) != 2 {
		t.Errorf("alert %+v", a)
	}
	if l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620102}, alert.Filter{}); len(l) != 0 {
		t.Errorf("another county sees %d alerts", len(l))
	}
	if l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620000}, alert.Filter{}); len(l) != 1 {
		t.Errorf("the province sees %d alerts", len(l))
	}
	ns, err := c.n.AlertNotifications(county, a.ID)
	if err != nil || len(ns) != 3 || ns[0].Target != "tracecode.alert.620103" || ns[2].Target != "tracecode.alert.620000" {
		t.Fatalf("notifications %+v (%v)", ns, err)
	}
	// The alert survives a reopen with its rule's memory: a third
	// dispensing raises a second alert, not a first.
	c.e = reopen(t, c.e)
	c.n, _ = c.e.OpenNotices(notice.Config{})
	c.capture(t, c.h.ID, dispense("2026-03-01T13:00:00+08:00", item25))
	if l, _ := c.n.AlertList(county, alert.Filter{}); len(l) != 2 || l[0].Evidence[0].Seq != a.Evidence[0].Seq {
		t.Errorf("after reopen: %+v", l)
	}
}

// TestOrderRecall: a regulator of the producer's city orders a level-I
// recall of lot L1; the distributor and the pharmacy are its recipients
// with what they received, hold and sold; the producer's own key may
// recall too, another organisation's may not.
func TestOrderRecall(t *testing.T) {
	c := newNoticeChain(t)
	case0, case1, case2 := c.code(t, c.cases, 0), c.code(t, c.cases, 1), c.code(t, c.cases, 2)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6901234", case0, case1), shipTo("2026-03-01T09:05:00+08:00", "6905678", case2))
	c.capture(t, c.d.ID, receive("2026-03-01T10:00:00+08:00", case0, case1))
	c.capture(t, c.d.ID, shipTo("2026-03-01T11:00:00+08:00", "6905678", case1))
	c.capture(t, c.h.ID, receive("2026-03-01T12:00:00+08:00", case1, case2))
	c.capture(t, c.h.ID, dispense("2026-03-01T13:00:00+08:00", c.code(t, c.items, 25)))
	order := &notice.RecallOrder{Level: "I", Lots: []chain.LotRef{{Product: c.items.Product, Number: "L1"}}, ReasonZH: "溶出度不合格", ReasonEN: "dissolution failed"}
	if _, err := c.n.OrderRecall(t.Context(), apikey.Key{Org: c.d.ID, Scopes: apikey.ScopeEvents}, order); err == nil {
		t.Fatal("the distributor recalled the producer's lot")
	}
	if _, err := c.n.OrderRecall(t.Context(), apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620200}, order); err == nil {
		t.Fatal("another city's regulator ordered the recall")
	}
	reg := apikey.Key{ID: 7, Scopes: apikey.ScopeRegulator, Region: 620100}
	v, err := c.n.OrderRecall(t.Context(), reg, order)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Ordered || v.Level != recall.LevelI || v.Sector != recall.SectorDrug || v.AckBy-v.Created != 24*3600*1000 {
		t.Errorf("recall %+v", v.Recall)
	}
	got := map[uint32]recall.Figures{}
	for _, p := range v.Recipients {
		got[p.Org] = p.AtStart
	}
	if len(got) != 2 {
		t.Fatalf("recipients %+v", v.Recipients)
	}
	if d := got[c.d.ID]; d.Received != 20 || d.Shipped != 10 || d.Held != 10 {
		t.Errorf("distributor %+v", d)
	}
	if h := got[c.h.ID]; h.Received != 20 || h.Sold != 1 || h.Held != 19 {
		t.Errorf("pharmacy %+v", h)
	}
	if v.Totals.Shipped != 30 {
		t.Errorf("totals %+v", v.Totals)
	}
	if rs := c.n.RecallsOfLot(c.items.Lot); len(rs) != 1 || rs[0].ReasonEN != "dissolution failed" {
		t.Errorf("recalls of the lot: %+v", rs)
	}
	if r, _ := c.e.Resolve(c.code(t, c.items, 3)); r.Status != resolve.StatusRecalled {
		t.Errorf("item of the lot resolves %v", r.Status)
	}
	// Each recipient got a JetStream notification (no webhooks set).
	ns, _ := c.n.RecallNotifications(reg, v.ID)
	if len(ns) != 2 || ns[0].Channel != outbox.JetStream {
		t.Errorf("notifications %+v", ns)
	}
	if _, err := c.n.RecallNotifications(apikey.Key{Org: c.h.ID, Scopes: apikey.ScopeEvents}, v.ID); err == nil {
		t.Error("a recipient read the recall's notification list")
	}
	// The pharmacy sees its own line only; it acknowledges.
	hv, err := c.n.RecallView(apikey.Key{Org: c.h.ID, Scopes: apikey.ScopeEvents}, v.ID)
	if err != nil || len(hv.Recipients) != 1 || hv.Recipients[0].Org != c.h.ID {
		t.Fatalf("pharmacy's view: %v %+v", err, hv)
	}
	if _, err := c.n.AckRecall(apikey.Key{Org: c.h.ID, Scopes: apikey.ScopeEvents}, v.ID, "已下架"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.n.RecallView(apikey.Key{Org: 999, Scopes: apikey.ScopeEvents}, v.ID); err == nil {
		t.Error("a stranger read the recall")
	}
}

// TestSuspiciousScanAlert: a suspicious scan becomes a clone-scan alert
// routed to the scan's region (the producer's when unknown), queued once
// per window however often the code is scanned, and regulators confirm
// or clear it.
func TestSuspiciousScanAlert(t *testing.T) {
	c := newNoticeChain(t)
	now := c.e.Now().UnixMilli()
	c.n.SuspiciousScan(c.items.Product, c.items.Start+3, 0, now)
	c.n.SuspiciousScan(c.items.Product, c.items.Start+3, 0, now+1000)
	if q := c.n.QueuedScans(); q != 1 {
		t.Fatalf("%d scans queued, want 1", q)
	}
	if err := c.n.ApplyQueuedScans(); err != nil {
		t.Fatal(err)
	}
	if q := c.n.QueuedScans(); q != 0 {
		t.Fatalf("%d scans still queued after applying them", q)
	}
	reg := apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620100}
	l, _ := c.n.AlertList(reg, alert.Filter{Rule: "clone-scan"})
	if len(l) != 1 || l[0].Region != 620100 || l[0].Subject.Org != c.p.ID || l[0].Subject.Code == "" {
		t.Fatalf("clone alerts %+v", l)
	}
	if _, err := c.n.CloseAlert(apikey.Key{Org: c.p.ID, Scopes: apikey.ScopeAdmin}, l[0].ID, alert.Cleared, "ours"); err == nil {
		t.Error("the producer cleared its own clone alert")
	}
	a, err := c.n.CloseAlert(reg, l[0].ID, alert.Confirmed, "cloned labels found at a market in Xining")
	if err != nil || a.Outcome() != alert.Confirmed {
		t.Fatalf("regulator confirms: %v %+v", err, a)
	}
}

// TestHoldRefusesSale: a regulator puts a lot on hold; the pharmacy
// holding it is notified; its dispensing is refused (nothing applied) and
// raises a traded-held alert; after the release it is accepted.
func TestHoldRefusesSale(t *testing.T) {
	c := newNoticeChain(t)
	case2, item25 := c.code(t, c.cases, 2), c.code(t, c.items, 25)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6905678", case2))
	c.capture(t, c.h.ID, receive("2026-03-01T10:00:00+08:00", case2))
	ref := chain.LotRef{Product: c.items.Product, Number: "L1"}
	if _, err := c.n.HoldLot(apikey.Key{Org: c.h.ID, Scopes: apikey.ScopeEvents}, ref, "x"); err == nil {
		t.Fatal("the pharmacy put the producer's lot on hold")
	}
	reg := apikey.Key{ID: 9, Scopes: apikey.ScopeRegulator, Region: 620000}
	if _, err := c.n.HoldLot(reg, ref, ""); err == nil {
		t.Fatal("a hold without a reason")
	}
	h, err := c.n.HoldLot(reg, ref, "抽检不合格 (failed inspection)")
	if err != nil || h.Region != 620000 {
		t.Fatalf("hold: %v %+v", err, h)
	}
	if _, err := c.n.HoldLot(reg, ref, "again"); err == nil {
		t.Error("a second hold of the lot")
	}
	if n, _ := c.n.Outbox.PendingCount(); n == 0 {
		t.Error("nobody was notified of the hold")
	}
	_, err = c.e.Reports().CaptureJSON(t.Context(), strings.NewReader(doc(dispense("2026-03-01T11:00:00+08:00", item25))), &chain.CaptureOptions{Org: c.h.ID, Credential: "key:test"})
	if err == nil || !strings.Contains(err.Error(), "on hold") {
		t.Fatalf("dispensing a held item: %v", err)
	}
	l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620103}, alert.Filter{Rule: "traded-held"})
	if len(l) != 1 || l[0].Subject.Org != c.h.ID || l[0].Severity != alert.Critical {
		t.Fatalf("traded-held alerts %+v", l)
	}
	if l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620103}, alert.Filter{Rule: "drug-sold-twice"}); len(l) != 0 {
		t.Errorf("the refused sale was remembered: %+v", l)
	}
	if _, err := c.n.ReleaseHold(reg, c.items.Lot); err != nil {
		t.Fatal(err)
	}
	c.capture(t, c.h.ID, dispense("2026-03-01T12:00:00+08:00", item25))
	if l, _ := c.n.AlertList(apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620103}, alert.Filter{}); len(l) != 1 {
		t.Errorf("after the release: %d alerts, want the one", len(l))
	}
}
