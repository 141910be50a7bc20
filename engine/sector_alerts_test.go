package engine

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/sector"
)

// sectorAlertWorld is an engine with a movable clock and its notices
// open: organisation A (Tianshui, 620502) makes a gas cylinder, an
// elevator, a highly toxic chemical and fireworks, ten codes of each
// commissioned; organisation B is another.
type sectorAlertWorld struct {
	*fixture
	clock  *atomic.Int64
	cst    *time.Location
	blocks map[string]model.Block
}

var sectorAlertCST = time.FixedZone("CST", 8*3600)

// openSectorAlerts opens (or reopens) dir with the world's clock.
func openSectorAlerts(t *testing.T, dir string, clock *atomic.Int64) *Engine {
	t.Helper()
	e, err := Open(dir, &Options{Store: smallStore(), Location: sectorAlertCST,
		Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if _, err := e.OpenNotices(notice.Config{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func newSectorAlertWorld(t *testing.T) *sectorAlertWorld {
	t.Helper()
	clock := new(atomic.Int64)
	clock.Store(time.Date(2026, 3, 1, 8, 0, 0, 0, sectorAlertCST).UnixMilli())
	e := openSectorAlerts(t, t.TempDir(), clock)
	ctx := context.Background()
	a, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水秦州特种设备", USCC: stationA, Region: "620502", GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "另一单位", USCC: stationB, GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	w := &sectorAlertWorld{fixture: &fixture{t: t, e: e, orgA: a.ID, orgB: b.ID}, clock: clock, cst: sectorAlertCST, blocks: map[string]model.Block{}}
	for i, p := range []struct {
		cat, profile string
		fields       category.Record
	}{
		{"gas-cylinder", "gas-cylinder", category.Record{"variety": "seamless", "maker": "兰州气瓶厂"}},
		{"elevator", "elevator", category.Record{"type": "traction-passenger", "maker": "兰州陇电电梯", "model": "LD-P1000"}},
		{"hazchem", "hazchem", category.Record{"cas": "7782-50-5", "un_number": "UN1017", "sds_version": "v3", "sds_sections": "16",
			"signal_word": "危险", "pictograms": "GHS04,GHS06", "hazard_statements": "H331", "emergency_phone": "0931-1234567",
			"controlled": "highly-toxic"}},
		{"fireworks", "fireworks", category.Record{"class": "C", "maker": "浏阳花炮厂", "maker_licence": "(湘)YH安许证字〔2024〕000123", "units_per_case": "24"}},
	} {
		pr, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: a.ID, GTIN: gtinOf(fmt.Sprintf("952012310%03d", i+1)), GCPLength: 7,
			NameZH: p.profile, Category: ParseCategoryMust(p.cat)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: a.ID, Product: pr.ID, Profile: p.profile, Fields: p.fields}); err != nil {
			t.Fatalf("%s profile: %v", p.profile, err)
		}
		blk := mint(t, e, issue.MintRequest{Product: pr.ID, Level: model.LevelItem, Count: 10}).Block
		w.commission(blk, 0, 9)
		w.blocks[p.profile] = blk
	}
	return w
}

// gtinOf appends the check digit to 13 digits.
func gtinOf(body string) string {
	body = strings.Repeat("0", 13-len(body)) + body
	sum := 0
	for i := range 13 {
		d := int(body[12-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

func (w *sectorAlertWorld) set(t time.Time) { w.clock.Store(t.UnixMilli()) }

func (w *sectorAlertWorld) day(m, d, h int) time.Time {
	return time.Date(2026, time.Month(m), d, h, 0, 0, 0, w.cst)
}

func (w *sectorAlertWorld) register(profile string, off uint64, fields category.Record) {
	w.t.Helper()
	if _, err := w.e.Sectors().RegisterItem(context.Background(), sector.ItemSpec{Org: w.orgA, Code: w.code(w.blocks[profile], off), Fields: fields}); err != nil {
		w.t.Fatalf("register %s %d: %v", profile, off, err)
	}
}

// event captures one category event on a code of profile's block.
func (w *sectorAlertWorld) event(profile string, off uint64, at time.Time, kind string, fields map[string]string) error {
	if w.clock.Load() < at.UnixMilli() {
		w.set(at)
	}
	var sb strings.Builder
	for k, v := range fields {
		fmt.Fprintf(&sb, `,"tc:%s":%q`, k, v)
	}
	ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","tc:kind":%q%s}`,
		at.Format(time.RFC3339), w.code(w.blocks[profile], off), kind, sb.String())
	_, err := w.capture(w.orgA, sectorDoc(ev))
	return err
}

// fire runs the alert scheduler at the world's clock.
func (w *sectorAlertWorld) fire() {
	w.t.Helper()
	n := w.e.Notices()
	sch := n.Alerts.NewScheduler(func() time.Time { return time.UnixMilli(w.clock.Load()) }, nil)
	if _, err := sch.FireDue(); err != nil {
		w.t.Fatal(err)
	}
}

// alerts returns the alerts of rule, oldest first.
func (w *sectorAlertWorld) alerts(rule string) []alert.Alert {
	w.t.Helper()
	as, err := w.e.Notices().Alerts.List(alert.Actor{Operator: true}, alert.Filter{Rule: rule})
	if err != nil {
		w.t.Fatal(err)
	}
	for i, j := 0, len(as)-1; i < j; i, j = i+1, j-1 {
		as[i], as[j] = as[j], as[i]
	}
	return as
}

func elevatorFields(registered string) category.Record {
	return category.Record{"reg_code": "31106201022019050012", "user_unit": "兰州安居物业", "address": "兰州市城关区酒泉路 3号楼",
		"township": "620102001", "maintainer": "兰州陇电电梯维保", "registered": registered}
}

func maintenance() map[string]string {
	return map[string]string{"level": "half-monthly", "maintainer": "赵师傅", "confirmed_by": "孙安全员"}
}

// TestSectorAlertsElevator: an elevator's maintenance due date is
// scheduled in the store as events arrive; when it passes with no visit
// the overdue alert is raised once, at the due time, routed to the
// elevator's township (its county's regulator sees it, another county's
// does not), also across a restart; a visit moves the date. A late rescue
// raises at capture; one in time does not.
func TestSectorAlertsElevator(t *testing.T) {
	w := newSectorAlertWorld(t)
	w.register("elevator", 0, elevatorFields("2025-09-01"))
	if err := w.event("elevator", 0, w.day(3, 1, 9), "maintenance", maintenance()); err != nil {
		t.Fatal(err)
	}
	// Due by 2026-03-16: nothing on the 16th, the alert on the 17th.
	w.set(w.day(3, 16, 23))
	w.fire()
	if got := w.alerts("elevator-maintenance-overdue"); len(got) != 0 {
		t.Fatalf("raised before the due date: %+v", got)
	}
	// The schedule is in the store: a restart keeps it.
	dir := w.e.db.Dir()
	if err := w.e.Close(); err != nil {
		t.Fatal(err)
	}
	w.e = openSectorAlerts(t, dir, w.clock)
	w.set(w.day(3, 17, 0))
	w.fire()
	w.set(w.day(3, 20, 0))
	w.fire()
	got := w.alerts("elevator-maintenance-overdue")
	if len(got) != 1 || got[0].Region != 620102001 || got[0].Subject.Code != "31106201022019050012" ||
		got[0].Time != w.day(3, 17, 0).UnixMilli() || !strings.Contains(got[0].Message, "2026-03-16") {
		t.Fatalf("overdue alerts: %+v", got)
	}
	county := alert.Actor{Region: 620102}
	if !county.Sees(&got[0]) || (&alert.Actor{Region: 620502}).Sees(&got[0]) {
		t.Errorf("routing: Chengguan sees %v, Qinzhou sees %v", county.Sees(&got[0]), (&alert.Actor{Region: 620502}).Sees(&got[0]))
	}
	// A late visit clears the schedule's date and sets the next: a
	// visit every 15 days raises nothing more.
	if err := w.event("elevator", 0, w.day(3, 20, 9), "maintenance", maintenance()); err != nil {
		t.Fatal(err)
	}
	if err := w.event("elevator", 0, w.day(4, 3, 9), "maintenance", maintenance()); err != nil {
		t.Fatal(err)
	}
	w.set(w.day(4, 18, 23))
	w.fire()
	if got := w.alerts("elevator-maintenance-overdue"); len(got) != 1 {
		t.Fatalf("alerts after the visits: %+v", got)
	}
	w.set(w.day(4, 19, 1))
	w.fire()
	if got := w.alerts("elevator-maintenance-overdue"); len(got) != 2 {
		t.Fatalf("alerts after the next due date: %+v", got)
	}

	// Rescue: 45 minutes in a district is late, 20 is not.
	rescue := func(day, mins int) error {
		alarm := w.day(4, day, 10)
		return w.event("elevator", 0, alarm, "entrapment", map[string]string{"alarm": alarm.Format(time.RFC3339),
			"dispatch": alarm.Add(2 * time.Minute).Format(time.RFC3339), "arrival": alarm.Add(time.Duration(mins) * time.Minute).Format(time.RFC3339),
			"rescuer": "兰州陇电电梯维保"})
	}
	if err := rescue(20, 20); err != nil {
		t.Fatal(err)
	}
	if got := w.alerts("elevator-rescue-late"); len(got) != 0 {
		t.Fatalf("a rescue in time raised %+v", got)
	}
	if err := rescue(21, 45); err != nil {
		t.Fatal(err)
	}
	if got := w.alerts("elevator-rescue-late"); len(got) != 1 || got[0].Region != 620102001 || len(got[0].Evidence) != 1 {
		t.Fatalf("a late rescue: %+v", got)
	}
}

// TestSectorAlertsCylinderHazchemFireworks: a cylinder's inspection date
// is scheduled at its registration and raised once when it passes (an
// in-date cylinder raises nothing); a controlled chemical's transfer not
// filed with the police within 5 days raises, a filed one does not; a
// fireworks stock check that does not match the registered flow raises at
// capture, a matching one does not. Each alert is routed to the
// producer's county.
func TestSectorAlertsCylinderHazchemFireworks(t *testing.T) {
	w := newSectorAlertWorld(t)
	// Oxygen: every 3 years. Cylinder 0 was due 2026-03-10.
	w.register("gas-cylinder", 0, cylinderFields("162502000123", "2023-03-10"))
	w.register("gas-cylinder", 1, cylinderFields("162502000124", "2024-01-01"))
	w.set(w.day(3, 10, 23))
	w.fire()
	if got := w.alerts("cylinder-inspection-overdue"); len(got) != 0 {
		t.Fatalf("raised before the due date: %+v", got)
	}
	w.set(w.day(3, 12, 0))
	w.fire()
	w.fire()
	got := w.alerts("cylinder-inspection-overdue")
	if len(got) != 1 || got[0].Subject.Code != "162502000123" || got[0].Region != 620502 {
		t.Fatalf("cylinder alerts: %+v", got)
	}

	// Hazchem: a permit, two transfers, the second filed in time.
	w.register("hazchem", 0, category.Record{})
	w.set(w.day(3, 12, 8))
	if err := w.event("hazchem", 0, w.day(3, 12, 8), "permit", map[string]string{"permit_no": "GA-2026-001", "buyer_uscc": stationB,
		"quantity_kg": "500", "valid_until": "2026-12-31"}); err != nil {
		t.Fatal(err)
	}
	transfer := func(ref string, at time.Time) error {
		return w.event("hazchem", 0, at, "transfer", map[string]string{"ref": ref, "seller_uscc": stationA, "buyer_uscc": stationB,
			"permit_no": "GA-2026-001", "quantity_kg": "100", "agent_name": "王五", "agent_id": "620102199001011234", "purpose": "水处理"})
	}
	if err := transfer("HT-1", w.day(3, 12, 9)); err != nil {
		t.Fatal(err)
	}
	if err := transfer("HT-2", w.day(3, 13, 9)); err != nil {
		t.Fatal(err)
	}
	if err := w.event("hazchem", 0, w.day(3, 15, 9), "police-filing", map[string]string{"filing_no": "BA-1", "refs": "HT-2"}); err != nil {
		t.Fatal(err)
	}
	w.set(w.day(3, 17, 8))
	w.fire()
	if got := w.alerts("hazchem-police-filing-overdue"); len(got) != 0 {
		t.Fatalf("raised before five days: %+v", got)
	}
	w.set(w.day(3, 19, 0))
	w.fire()
	got = w.alerts("hazchem-police-filing-overdue")
	if len(got) != 1 || !strings.Contains(got[0].Message, "HT-1") || got[0].Region != 620502 {
		t.Fatalf("filing alerts: %+v", got)
	}

	// Fireworks: stored 240, sold 24, on hand 216 (in order), then 200.
	w.register("fireworks", 0, category.Record{})
	lic := "（甘）PF〔2024〕3"
	ls := "（甘）LS〔2022〕12"
	steps := []struct {
		kind   string
		fields map[string]string
	}{
		{"store", map[string]string{"quantity": "240", "licence": lic}},
		{"sell", map[string]string{"quantity": "24", "licence": ls, "buyer_name": "张三", "buyer_id": "620102199001011234"}},
		{"stock", map[string]string{"quantity": "216", "licence": lic}},
	}
	for i, s := range steps {
		if err := w.event("fireworks", 0, w.day(3, 20, 9+i), s.kind, s.fields); err != nil {
			t.Fatalf("%s: %v", s.kind, err)
		}
	}
	if got := w.alerts("fireworks-stock-mismatch"); len(got) != 0 {
		t.Fatalf("a matching stock check raised %+v", got)
	}
	if err := w.event("fireworks", 0, w.day(3, 21, 9), "stock", map[string]string{"quantity": "200", "licence": lic}); err != nil {
		t.Fatal(err)
	}
	got = w.alerts("fireworks-stock-mismatch")
	if len(got) != 1 || got[0].Severity != alert.Critical || got[0].Region != 620502 || len(got[0].Evidence) != 1 {
		t.Fatalf("stock alerts: %+v", got)
	}
}
