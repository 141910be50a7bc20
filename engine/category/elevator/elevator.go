// Package elevator is the elevator (电梯) category profile: the device's
// codes (20-digit 注册代码, 18-character 设备代码, local rescue id), its user
// unit, address to the township and maintainer; the maintenance,
// inspection or self-test, entrapment, repair, suspension and scrapping
// events; what a scan shows (in date or not, last maintenance, the
// emergency number); and the rules: maintenance interval exceeded,
// inspection overdue, rescue arrival later than the SLA, too many
// entrapments in a month.
package elevator

import (
	"fmt"
	"strings"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
)

// Config holds the rules' thresholds; zero fields take the defaults
// (docs/categories.md gives their sources; all are secondary and
// configurable).
type Config struct {
	// MaintenanceDays is the longest gap between two maintenance visits
	// (default 15, 特种设备安全监察条例 §31); a device's own
	// maintenance_interval_days (按需维保 pilots) wins.
	MaintenanceDays int
	// CitySLA is the longest time from alarm to a maintainer's arrival in
	// a district of a prefecture-level city (default 30 min); OtherSLA
	// elsewhere (default 1 h).
	CitySLA, OtherSLA time.Duration
	// MaxEntrapments is how many entrapments in 30 days are tolerated
	// before an alert (default 3, unconfirmed: no text sets a number).
	MaxEntrapments int
	// EmergencyPhone is shown when a device names none (default 96333).
	EmergencyPhone string
}

func (c Config) withDefaults() Config {
	if c.MaintenanceDays <= 0 {
		c.MaintenanceDays = 15
	}
	if c.CitySLA <= 0 {
		c.CitySLA = 30 * time.Minute
	}
	if c.OtherSLA <= 0 {
		c.OtherSLA = time.Hour
	}
	if c.MaxEntrapments <= 0 {
		c.MaxEntrapments = 3
	}
	if c.EmergencyPhone == "" {
		c.EmergencyPhone = "96333"
	}
	return c
}

// Profile is the elevator category.
type Profile struct{ cfg Config }

// New returns the profile with configuration cfg (defaults for zero
// fields).
func New(cfg Config) *Profile { return &Profile{cfg: cfg.withDefaults()} }

// Name implements category.Profile.
func (*Profile) Name() string { return "elevator" }

// Category implements category.Profile.
func (*Profile) Category() model.Category { return model.CatElevator }

// Title implements category.Profile.
func (*Profile) Title() category.Text { return category.Text{ZH: "电梯", EN: "elevator"} }

// Codes implements category.Profile.
func (*Profile) Codes() []code.SectorFormat {
	return []code.SectorFormat{code.SectorElevatorReg, code.SectorElevatorDevice, code.SectorElevatorRescue}
}

func txt(zh, en string) category.Text { return category.Text{ZH: zh, EN: en} }

// ProductFields implements category.Profile.
func (*Profile) ProductFields() []category.FieldSpec {
	return []category.FieldSpec{
		{Name: "type", Label: txt("电梯类型", "type"), Kind: category.KindEnum, Required: true,
			Enum: []string{"traction-passenger", "traction-freight", "hydraulic", "escalator", "moving-walk", "dumbwaiter", "other"}},
		{Name: "maker", Label: txt("制造单位", "maker"), Kind: category.KindText, Required: true},
		{Name: "model", Label: txt("产品型号", "model"), Kind: category.KindText, Required: true},
	}
}

// ItemFields implements category.Profile.
func (*Profile) ItemFields() []category.FieldSpec {
	return []category.FieldSpec{
		{Name: "reg_code", Label: txt("注册代码", "registration code"), Kind: category.KindCode, Code: code.SectorElevatorReg},
		{Name: "device_code", Label: txt("设备代码", "equipment code"), Kind: category.KindCode, Code: code.SectorElevatorDevice},
		{Name: "rescue_id", Label: txt("救援识别码", "rescue id"), Kind: category.KindCode, Code: code.SectorElevatorRescue},
		{Name: "user_unit", Label: txt("使用单位", "user unit"), Kind: category.KindText, Required: true},
		{Name: "user_uscc", Label: txt("使用单位信用代码", "user unit USCC"), Kind: category.KindUSCC},
		{Name: "address", Label: txt("安装地点", "address"), Kind: category.KindText, Required: true},
		{Name: "township", Label: txt("所在乡镇街道", "township"), Kind: category.KindRegion, Required: true},
		{Name: "maintainer", Label: txt("维保单位", "maintainer"), Kind: category.KindText, Required: true},
		{Name: "maintainer_uscc", Label: txt("维保单位信用代码", "maintainer USCC"), Kind: category.KindUSCC},
		{Name: "maintenance_interval_days", Label: txt("维保周期(天)", "maintenance interval (days)"), Kind: category.KindInt, Min: 1, Max: 120},
		{Name: "emergency_phone", Label: txt("应急救援电话", "emergency phone"), Kind: category.KindText, MaxLen: 30},
		{Name: "registered", Label: txt("使用登记日期", "registered"), Kind: category.KindDate, Required: true},
	}
}

// Events implements category.Profile.
func (*Profile) Events() []category.EventSpec {
	return []category.EventSpec{
		{Kind: "maintenance", Title: txt("维护保养", "maintenance"), Fields: []category.FieldSpec{
			{Name: "level", Label: txt("保养类别", "level"), Kind: category.KindEnum, Required: true, Enum: []string{"half-monthly", "quarterly", "half-yearly", "yearly", "on-demand"}},
			{Name: "maintainer", Label: txt("维保人员", "maintainer"), Kind: category.KindText, Required: true},
			{Name: "items", Label: txt("保养项目", "items"), Kind: category.KindList, MaxLen: 60},
			{Name: "confirmed_by", Label: txt("使用单位安全管理员确认", "confirmed by the user's safety manager"), Kind: category.KindText, Required: true},
			{Name: "findings", Label: txt("发现问题", "findings"), Kind: category.KindText, MaxLen: 500},
		}},
		{Kind: "inspection", Title: txt("定期检验或自行检测", "inspection or self-test"), Fields: []category.FieldSpec{
			{Name: "type", Label: txt("类型", "type"), Kind: category.KindEnum, Required: true, Enum: []string{"inspection", "self-test"}},
			{Name: "result", Label: txt("结论", "result"), Kind: category.KindEnum, Required: true, Enum: []string{"pass", "pass-after-repair", "fail"}},
			{Name: "inspector", Label: txt("检验检测机构", "inspection body"), Kind: category.KindText, Required: true},
			{Name: "next_due", Label: txt("下次检验日期", "next due"), Kind: category.KindDate, Required: true},
			{Name: "report_no", Label: txt("报告编号", "report number"), Kind: category.KindText, MaxLen: 60},
		}},
		{Kind: "entrapment", Title: txt("困人救援", "entrapment rescue"), Fields: []category.FieldSpec{
			{Name: "alarm", Label: txt("报警时间", "alarm"), Kind: category.KindTime, Required: true},
			{Name: "dispatch", Label: txt("派单时间", "dispatch"), Kind: category.KindTime, Required: true},
			{Name: "arrival", Label: txt("到达时间", "arrival"), Kind: category.KindTime, Required: true},
			{Name: "release", Label: txt("解救时间", "release"), Kind: category.KindTime},
			{Name: "rescuer", Label: txt("救援单位", "rescuer"), Kind: category.KindText, Required: true},
			{Name: "cause", Label: txt("原因", "cause"), Kind: category.KindText, MaxLen: 500},
		}},
		{Kind: "repair", Title: txt("修理", "repair"), Fields: []category.FieldSpec{
			{Name: "description", Label: txt("修理内容", "description"), Kind: category.KindText, Required: true, MaxLen: 500},
		}},
		{Kind: "suspend", Title: txt("停用", "suspend"), Fields: []category.FieldSpec{
			{Name: "reason", Label: txt("原因", "reason"), Kind: category.KindText, Required: true},
		}},
		{Kind: "resume", Title: txt("重新启用", "resume"), Fields: []category.FieldSpec{
			{Name: "note", Label: txt("说明", "note"), Kind: category.KindText},
		}},
		{Kind: "scrap", Title: txt("报废", "scrap"), Fields: []category.FieldSpec{
			{Name: "reason", Label: txt("原因", "reason"), Kind: category.KindText, Required: true},
		}},
	}
}

// CheckItem implements category.ItemChecker: a device carries a
// registration code or an equipment code (or both), of an elevator; the
// township is a township.
func (*Profile) CheckItem(_, item category.Record) error {
	if !item.Has("reg_code") && !item.Has("device_code") {
		return category.Errf("item", "device_code", "", "an elevator needs its 设备代码 or its 注册代码")
	}
	for _, f := range []string{"reg_code", "device_code"} {
		if v := item.Get(f); v != "" && strings.TrimSpace(v)[0] != '3' {
			return category.Errf("item", f, v, "is not an elevator's (the class of an elevator starts with 3)")
		}
	}
	if r, _ := cn.ParseRegion(item.Get("township")); r.Level() != cn.LevelTownship {
		return category.Errf("item", "township", item.Get("township"), "is not a 9-digit township code")
	}
	return nil
}

// CheckEvent implements category.EventChecker: nothing is recorded on a
// scrapped device; an entrapment's times run alarm ≤ dispatch ≤ arrival ≤
// release.
func (*Profile) CheckEvent(h *category.History, e *category.Event) error {
	if h.Last("scrap") != nil {
		return category.Errf(e.Kind, "kind", e.Kind, "the elevator is scrapped: its codes are void")
	}
	if e.Kind == "entrapment" {
		order := []string{"alarm", "dispatch", "arrival", "release"}
		var prev time.Time
		for i, f := range order {
			t, ok := e.Fields.Time(f)
			if !ok {
				continue
			}
			if i > 0 && t.Before(prev) {
				return category.Errf("entrapment", f, e.Fields.Get(f), "is before %s", order[i-1])
			}
			prev = t
		}
	}
	return nil
}

// interval returns the device's maintenance interval.
func (p *Profile) interval(h *category.History) int {
	if n, ok := h.Item.Int("maintenance_interval_days"); ok && n > 0 {
		return int(n)
	}
	return p.cfg.MaintenanceDays
}

// MaintenanceDue returns when the next maintenance is due: the last visit
// (or the registration) plus the interval, at the end of that day.
func (p *Profile) MaintenanceDue(h *category.History) (category.Date, bool) {
	from, ok := h.Item.Date("registered")
	if m := h.Last("maintenance"); m != nil {
		from, ok = category.DateOf(m.Time), true
	}
	if !ok {
		return category.NoDate, false
	}
	return from + category.Date(p.interval(h)), true
}

// InspectionDue returns the next_due of the last inspection or self-test,
// or the registration date plus a year when there is none.
func InspectionDue(h *category.History) (category.Date, bool) {
	if e := h.Last("inspection"); e != nil {
		return e.Fields.Date("next_due")
	}
	d, ok := h.Item.Date("registered")
	if !ok {
		return category.NoDate, false
	}
	return d.AddMonths(12), true
}

// SLA returns the arrival deadline that applies to a device in township
// region r: CitySLA in a district (区) of a city, OtherSLA elsewhere.
func (p *Profile) SLA(r cn.Region) time.Duration {
	if n, ok := r.County().Name(cn.Chinese); ok && strings.HasSuffix(n, "区") {
		return p.cfg.CitySLA
	}
	return p.cfg.OtherSLA
}

// Facts implements category.Profile.
func (p *Profile) Facts(h *category.History, now time.Time) []category.Fact {
	today := category.DateOf(now)
	var facts []category.Fact
	status := txt("正常使用", "in service")
	st := "ok"
	switch {
	case h.Last("scrap") != nil:
		status, st = txt("已报废", "scrapped"), "bad"
	case lastOf(h, "suspend", "resume") == "suspend":
		status, st = txt("停用", "suspended"), "bad"
	}
	facts = append(facts, category.Fact{Key: "status", Label: txt("状态", "status"), Value: status, Status: st, Public: true})
	if d, ok := InspectionDue(h); ok {
		f := category.Fact{Key: "next_inspection", Label: txt("下次检验日期", "next inspection"), Value: txt(d.String(), d.String()), Status: "ok", Public: true}
		if today > d {
			f.Status, f.Value = "bad", txt(d.String()+"(已超期)", d.String()+" (overdue)")
		}
		facts = append(facts, f)
	}
	if m := h.Last("maintenance"); m != nil {
		v := m.Time.Format(time.DateOnly)
		facts = append(facts, category.Fact{Key: "last_maintenance", Label: txt("最近维保", "last maintenance"), Value: txt(v, v), Public: true})
	}
	if d, ok := p.MaintenanceDue(h); ok {
		f := category.Fact{Key: "maintenance_due", Label: txt("下次维保截止", "maintenance due"), Value: txt(d.String(), d.String()), Status: "ok", Public: true}
		if today > d {
			f.Status, f.Value = "bad", txt(d.String()+"(维保超期)", d.String()+" (maintenance overdue)")
		}
		facts = append(facts, f)
	}
	facts = append(facts, category.Fact{Key: "maintainer", Label: txt("维保单位", "maintainer"), Value: txt(h.Item.Get("maintainer"), h.Item.Get("maintainer")), Public: true})
	phone := h.Item.Get("emergency_phone")
	if phone == "" {
		phone = p.cfg.EmergencyPhone
	}
	facts = append(facts, category.Fact{Key: "emergency_phone", Label: txt("应急救援电话", "emergency phone"), Value: txt(phone, phone), Public: true})
	if r := h.Item.Get("rescue_id"); r != "" {
		facts = append(facts, category.Fact{Key: "rescue_id", Label: txt("救援识别码", "rescue id"), Value: txt(r, r), Public: true})
	}
	return facts
}

// lastOf returns which of the kinds occurred last ("" if none).
func lastOf(h *category.History, kinds ...string) string {
	for i := len(h.Events) - 1; i >= 0; i-- {
		for _, k := range kinds {
			if h.Events[i].Kind == k {
				return k
			}
		}
	}
	return ""
}

// Rules implements category.Profile.
func (p *Profile) Rules() []category.Rule {
	return []category.Rule{maintenanceOverdue{p}, inspectionOverdue{}, rescueLate{p}, frequentEntrapments{p}}
}

func ended(h *category.History) bool {
	return h.Last("scrap") != nil || lastOf(h, "suspend", "resume") == "suspend"
}

type maintenanceOverdue struct{ p *Profile }

func (maintenanceOverdue) Info() category.RuleInfo {
	return category.RuleInfo{ID: "elevator-maintenance-overdue", Severity: alert.Warning,
		Trigger: txt("两次维护保养间隔超过维保周期(默认15天)", "no maintenance within the interval (15 days by default)")}
}

// NextDue implements category.DueRule: the day after the maintenance due
// date, unless the device is suspended or scrapped.
func (r maintenanceOverdue) NextDue(h *category.History, after time.Time, loc *time.Location) (time.Time, bool) {
	d, ok := r.p.MaintenanceDue(h)
	if !ok || ended(h) {
		return time.Time{}, false
	}
	return category.OverdueFrom(d, after, loc)
}

func (r maintenanceOverdue) Check(h *category.History, _ *category.Event, now time.Time) []category.Finding {
	d, ok := r.p.MaintenanceDue(h)
	if !ok || ended(h) || category.DateOf(now) <= d {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: txt(
		fmt.Sprintf("电梯维保超期:应于 %s 前维保(周期 %d 天)", d, r.p.interval(h)),
		fmt.Sprintf("elevator maintenance overdue: due by %s (every %d days)", d, r.p.interval(h)))}}
}

type inspectionOverdue struct{}

func (inspectionOverdue) Info() category.RuleInfo {
	return category.RuleInfo{ID: "elevator-inspection-overdue", Severity: alert.Critical,
		Trigger: txt("超过下次检验日期未检验", "past the next inspection date without an inspection or self-test")}
}

// NextDue implements category.DueRule: the day after the next inspection
// date, unless the device is suspended or scrapped.
func (inspectionOverdue) NextDue(h *category.History, after time.Time, loc *time.Location) (time.Time, bool) {
	d, ok := InspectionDue(h)
	if !ok || ended(h) {
		return time.Time{}, false
	}
	return category.OverdueFrom(d, after, loc)
}

func (r inspectionOverdue) Check(h *category.History, _ *category.Event, now time.Time) []category.Finding {
	d, ok := InspectionDue(h)
	if !ok || ended(h) || category.DateOf(now) <= d {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Message: txt(
		fmt.Sprintf("电梯定期检验已于 %s 到期", d), fmt.Sprintf("elevator inspection was due on %s", d))}}
}

type rescueLate struct{ p *Profile }

func (rescueLate) Info() category.RuleInfo {
	return category.RuleInfo{ID: "elevator-rescue-late", Severity: alert.Warning,
		Trigger: txt("困人救援到达时间超过时限(设区的市30分钟,其他1小时)", "rescue arrival later than the SLA (30 min in a city district, 1 h elsewhere)")}
}

func (r rescueLate) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "entrapment" {
		return nil
	}
	alarm, ok1 := e.Fields.Time("alarm")
	arrival, ok2 := e.Fields.Time("arrival")
	if !ok1 || !ok2 {
		return nil
	}
	reg, _ := cn.ParseRegion(h.Item.Get("township"))
	sla := r.p.SLA(reg)
	if took := arrival.Sub(alarm); took > sla {
		return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: txt(
			fmt.Sprintf("困人救援 %d 分钟后到达,时限 %d 分钟", int(took.Minutes()), int(sla.Minutes())),
			fmt.Sprintf("rescuer arrived %d min after the alarm; the limit is %d min", int(took.Minutes()), int(sla.Minutes())))}}
	}
	return nil
}

type frequentEntrapments struct{ p *Profile }

func (frequentEntrapments) Info() category.RuleInfo {
	return category.RuleInfo{ID: "elevator-frequent-entrapments", Severity: alert.Warning,
		Trigger: txt("30天内困人次数超过上限(默认3次)", "more entrapments in 30 days than the limit (3 by default)")}
}

func (r frequentEntrapments) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "entrapment" {
		return nil
	}
	n := 1
	for i := range h.Events {
		if x := &h.Events[i]; x.Kind == "entrapment" && !x.Time.After(e.Time) && e.Time.Sub(x.Time) < 30*24*time.Hour {
			n++
		}
	}
	if n <= r.p.cfg.MaxEntrapments {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: txt(
		fmt.Sprintf("电梯30天内困人 %d 次(上限 %d)", n, r.p.cfg.MaxEntrapments),
		fmt.Sprintf("%d entrapments in 30 days (limit %d)", n, r.p.cfg.MaxEntrapments))}}
}
