// Package cylinder is the gas-cylinder (气瓶) category profile: the
// registration a cylinder carries (TSG R5001 code, medium, volume, dates,
// pressures, supervision certificate and the one filling unit it is bound
// to), its fills, inspections and scrapping, the fill interlock a filling
// station asks before every fill (CheckFill: allow or deny with every
// reason, allocation-free), and the rules that watch it.
package cylinder

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
)

// Profile is the gas-cylinder category. Table holds the inspection periods
// (DefaultTable when nil).
type Profile struct {
	Table *Table
}

// New returns the profile with the default periods.
func New() *Profile { return &Profile{Table: DefaultTable()} }

func (p *Profile) table() *Table {
	if p.Table == nil {
		return DefaultTable()
	}
	return p.Table
}

// Name implements category.Profile.
func (*Profile) Name() string { return "gas-cylinder" }

// Category implements category.Profile.
func (*Profile) Category() model.Category { return model.CatGasCylinder }

// Title implements category.Profile.
func (*Profile) Title() category.Text { return category.Text{ZH: "气瓶", EN: "gas cylinder"} }

// Codes implements category.Profile.
func (*Profile) Codes() []code.SectorFormat { return []code.SectorFormat{code.SectorCylinder} }

var passFail = []string{"pass", "fail"}

// ProductFields implements category.Profile.
func (*Profile) ProductFields() []category.FieldSpec {
	return []category.FieldSpec{
		{Name: "variety", Label: category.Text{ZH: "品种", EN: "variety"}, Kind: category.KindEnum, Required: true,
			Enum: []string{"seamless", "welded", "lpg", "acetylene", "vehicle", "cryogenic"}},
		{Name: "maker", Label: category.Text{ZH: "制造单位", EN: "maker"}, Kind: category.KindText, Required: true},
		{Name: "maker_licence", Label: category.Text{ZH: "制造许可证编号", EN: "maker licence"}, Kind: category.KindText},
		{Name: "standard", Label: category.Text{ZH: "产品标准", EN: "product standard"}, Kind: category.KindText},
	}
}

// ItemFields implements category.Profile.
func (*Profile) ItemFields() []category.FieldSpec {
	return []category.FieldSpec{
		{Name: "reg_code", Label: category.Text{ZH: "气瓶登记代码", EN: "registration code"}, Kind: category.KindCode, Code: code.SectorCylinder, Required: true},
		{Name: "medium", Label: category.Text{ZH: "充装介质", EN: "medium"}, Kind: category.KindEnum, Enum: MediumNames(), Required: true},
		{Name: "volume_l", Label: category.Text{ZH: "公称容积(L)", EN: "volume (L)"}, Kind: category.KindDecimal, Min: 0.1, Max: 5000, Required: true},
		{Name: "serial", Label: category.Text{ZH: "出厂编号", EN: "factory serial"}, Kind: category.KindText, MaxLen: 40, Required: true},
		{Name: "made", Label: category.Text{ZH: "制造日期", EN: "date made"}, Kind: category.KindDate, Required: true},
		{Name: "working_pressure_mpa", Label: category.Text{ZH: "公称工作压力(MPa)", EN: "working pressure (MPa)"}, Kind: category.KindDecimal, Min: 0.01, Max: 100, Required: true},
		{Name: "test_pressure_mpa", Label: category.Text{ZH: "水压试验压力(MPa)", EN: "test pressure (MPa)"}, Kind: category.KindDecimal, Min: 0.01, Max: 150},
		{Name: "supervision_cert", Label: category.Text{ZH: "监督检验证书编号", EN: "supervision certificate"}, Kind: category.KindText, MaxLen: 60, Required: true},
		{Name: "filler", Label: category.Text{ZH: "充装单位", EN: "filling unit"}, Kind: category.KindUSCC, Required: true},
		{Name: "period_months", Label: category.Text{ZH: "检验周期(月)", EN: "inspection period (months)"}, Kind: category.KindInt, Min: 1, Max: 120},
		{Name: "scrap_years", Label: category.Text{ZH: "设计使用年限(年)", EN: "scrap age (years)"}, Kind: category.KindInt, Min: 1, Max: 60},
		{Name: "last_inspection", Label: category.Text{ZH: "上次检验日期", EN: "last inspection"}, Kind: category.KindDate},
	}
}

// Events implements category.Profile.
func (*Profile) Events() []category.EventSpec {
	return []category.EventSpec{
		{Kind: "fill", Title: category.Text{ZH: "充装", EN: "fill"}, Fields: []category.FieldSpec{
			{Name: "station", Label: category.Text{ZH: "充装单位", EN: "filling unit"}, Kind: category.KindUSCC, Required: true},
			{Name: "operator", Label: category.Text{ZH: "充装人员", EN: "operator"}, Kind: category.KindText, MaxLen: 60, Required: true},
			{Name: "precheck", Label: category.Text{ZH: "充装前检查", EN: "pre-fill check"}, Kind: category.KindEnum, Enum: passFail, Required: true},
			{Name: "weight_kg", Label: category.Text{ZH: "充装量(kg)", EN: "weight (kg)"}, Kind: category.KindDecimal, Min: 0, Max: 2000},
			{Name: "postcheck", Label: category.Text{ZH: "充装后检查", EN: "post-fill check"}, Kind: category.KindEnum, Enum: passFail, Required: true},
		}},
		{Kind: "inspection", Title: category.Text{ZH: "定期检验", EN: "periodic inspection"}, Fields: []category.FieldSpec{
			{Name: "result", Label: category.Text{ZH: "检验结论", EN: "result"}, Kind: category.KindEnum, Enum: []string{"pass", "fail", "scrap"}, Required: true},
			{Name: "inspector", Label: category.Text{ZH: "检验机构", EN: "inspection body"}, Kind: category.KindText, Required: true},
			{Name: "report_no", Label: category.Text{ZH: "检验报告编号", EN: "report number"}, Kind: category.KindText, MaxLen: 60},
		}},
		{Kind: "rebind", Title: category.Text{ZH: "变更充装单位", EN: "change of filling unit"}, Fields: []category.FieldSpec{
			{Name: "filler", Label: category.Text{ZH: "充装单位", EN: "filling unit"}, Kind: category.KindUSCC, Required: true},
		}},
		{Kind: "scrap", Title: category.Text{ZH: "报废", EN: "scrap"}, Fields: []category.FieldSpec{
			{Name: "reason", Label: category.Text{ZH: "报废原因", EN: "reason"}, Kind: category.KindText, Required: true},
		}},
	}
}

// CheckItem implements category.ItemChecker: an LPG cylinder holds LPG,
// an acetylene cylinder acetylene, and LPG goes in no other variety.
func (*Profile) CheckItem(product, item category.Record) error {
	v, m := product.Get("variety"), item.Get("medium")
	switch {
	case v == "lpg" && m != "LPG", v != "lpg" && m == "LPG" && v != "welded":
		return category.Errf("item", "medium", m, "does not go in a %s cylinder", v)
	case v == "acetylene" && m != "C2H2", v != "acetylene" && m == "C2H2":
		return category.Errf("item", "medium", m, "acetylene is held only in acetylene cylinders (this one is %s)", v)
	}
	return nil
}

// StationKey is the key of a filling station's master data in
// History.Inputs: "station:" and its USCC. The record's "media" field
// lists the media it fills (comma-separated medium names).
func StationKey(u string) string { return "station:" + u }

// Of builds the interlock's view of a cylinder from its history: the
// registration, then every inspection, rebinding and scrapping in order.
func Of(h *category.History) Cylinder {
	c := Cylinder{LastInspection: category.NoDate, Made: category.NoDate}
	if h == nil || h.Item == nil || !h.Item.Has("reg_code") {
		return c
	}
	c.Registered = true
	c.Medium, _ = ParseMedium(h.Item.Get("medium"))
	c.Filler, _ = cn.ParseUSCC(h.Item.Get("filler"))
	if d, ok := h.Item.Date("made"); ok {
		c.Made = d
	}
	if d, ok := h.Item.Date("last_inspection"); ok {
		c.LastInspection = d
	}
	if n, ok := h.Item.Int("period_months"); ok {
		c.PeriodMonths = uint16(n)
	}
	if n, ok := h.Item.Int("scrap_years"); ok {
		c.ScrapYears = uint16(n)
	}
	for i := range h.Events {
		e := &h.Events[i]
		switch e.Kind {
		case "inspection":
			switch e.Fields.Get("result") {
			case "pass":
				c.LastInspection, c.Failed = category.DateOf(e.Time), false
			case "fail":
				c.Failed = true
			case "scrap":
				c.Scrapped = true
			}
		case "rebind":
			c.Filler, _ = cn.ParseUSCC(e.Fields.Get("filler"))
		case "scrap":
			c.Scrapped = true
		}
	}
	return c
}

// StationOf returns the station of filling unit u from the history's
// inputs (a station with no media when its record is missing: it may fill
// nothing).
func StationOf(h *category.History, u string) Station {
	var s Station
	s.Filler, _ = cn.ParseUSCC(u)
	if h == nil {
		return s
	}
	for _, m := range h.Inputs[StationKey(u)].List("media") {
		if md, ok := ParseMedium(m); ok {
			s.Media = s.Media.With(md)
		}
	}
	return s
}

// Check runs the interlock for a fill by station u at time at.
func (p *Profile) Check(h *category.History, u string, at time.Time) Decision {
	c := Of(h)
	s := StationOf(h, u)
	return CheckFill(&c, &s, category.DateOf(at), p.table())
}

// CheckEvent implements category.EventChecker: a fill the interlock denies
// is refused, with every reason; nothing happens to a scrapped cylinder.
func (p *Profile) CheckEvent(h *category.History, e *category.Event) error {
	c := Of(h)
	if c.Scrapped && e.Kind != "inspection" {
		return category.Errf(e.Kind, "kind", e.Kind, "the cylinder is scrapped: its code is void forever")
	}
	if e.Kind != "fill" {
		return nil
	}
	d := p.Check(h, e.Fields.Get("station"), e.Time)
	if !d.Allow {
		return category.Errf("fill", "station", e.Fields.Get("station"), "the fill interlock denies this fill: %s (%s)", d.Reasons.Text("en"), d.Reasons.Text("zh"))
	}
	if e.Fields.Get("precheck") != "pass" && e.Fields.Get("weight_kg") != "" {
		return category.Errf("fill", "weight_kg", e.Fields.Get("weight_kg"), "a cylinder that failed its pre-fill check is not filled")
	}
	return nil
}

// Facts implements category.Profile: medium, filler, last fill, next
// inspection (bad when overdue), scrap date and whether a fill is allowed
// today at its own filling unit.
func (p *Profile) Facts(h *category.History, now time.Time) []category.Fact {
	c := Of(h)
	if !c.Registered {
		return []category.Fact{{Key: "registered", Label: category.Text{ZH: "登记", EN: "registration"},
			Value: category.Text{ZH: "未登记", EN: "not registered"}, Status: "bad", Public: true}}
	}
	s := Station{Filler: c.Filler, Media: MediaSet(0).With(c.Medium)}
	d := CheckFill(&c, &s, category.DateOf(now), p.table())
	facts := []category.Fact{
		{Key: "medium", Label: category.Text{ZH: "充装介质", EN: "medium"}, Value: category.Text{ZH: c.Medium.String(), EN: c.Medium.String()}, Public: true},
		{Key: "filler", Label: category.Text{ZH: "充装单位", EN: "filling unit"}, Value: category.Text{ZH: c.Filler.String(), EN: c.Filler.String()}, Public: true},
	}
	if f := h.Last("fill"); f != nil {
		v := f.Time.Format(time.DateOnly)
		if w := f.Fields.Get("weight_kg"); w != "" {
			v += " · " + w + " kg"
		}
		facts = append(facts, category.Fact{Key: "last_fill", Label: category.Text{ZH: "最近充装", EN: "last fill"}, Value: category.Text{ZH: v, EN: v}, Public: true})
	}
	due := category.Fact{Key: "next_inspection", Label: category.Text{ZH: "下次检验日期", EN: "next inspection"},
		Value: category.Text{ZH: d.Due.String(), EN: d.Due.String()}, Status: "ok", Public: true}
	if d.Reasons&InspectionOverdue != 0 {
		due.Status = "bad"
		due.Value.ZH += "(已过期)"
		due.Value.EN += " (overdue)"
	}
	facts = append(facts, due)
	if d.ScrapBy != category.NoDate {
		facts = append(facts, category.Fact{Key: "scrap_by", Label: category.Text{ZH: "报废日期", EN: "scrap by"}, Value: category.Text{ZH: d.ScrapBy.String(), EN: d.ScrapBy.String()}, Public: true})
	}
	fill := category.Fact{Key: "fillable", Label: category.Text{ZH: "可否充装", EN: "may be filled"}, Public: true,
		Value: category.Text{ZH: "可以充装", EN: "yes"}, Status: "ok"}
	if !d.Allow {
		fill.Value = category.Text{ZH: "不可充装:" + d.Reasons.Text("zh"), EN: "no: " + d.Reasons.Text("en")}
		fill.Status = "bad"
	}
	return append(facts, fill)
}

// Rules implements category.Profile.
func (p *Profile) Rules() []category.Rule {
	return []category.Rule{filledDespiteInterlock{p}, inspectionOverdue{p}}
}

// filledDespiteInterlock fires when a fill is recorded that the interlock
// would have denied (a station filled without asking, or offline).
type filledDespiteInterlock struct{ p *Profile }

func (filledDespiteInterlock) Info() category.RuleInfo {
	return category.RuleInfo{ID: "cylinder-filled-despite-interlock", Severity: alert.Critical,
		Trigger: category.Text{ZH: "记录的充装未通过充装联锁检查", EN: "a recorded fill that the fill interlock denies"}}
}

func (r filledDespiteInterlock) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "fill" {
		return nil
	}
	d := r.p.Check(h, e.Fields.Get("station"), e.Time)
	if d.Allow {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Message: category.Text{
		ZH: fmt.Sprintf("充装单位 %s 充装了不应充装的气瓶:%s", e.Fields.Get("station"), d.Reasons.Text("zh")),
		EN: fmt.Sprintf("filling unit %s filled a cylinder the interlock denies: %s", e.Fields.Get("station"), d.Reasons.Text("en")),
	}}}
}

// inspectionOverdue fires on a due-date evaluation once the periodic
// inspection is past due (a category.DueRule: the alert engine wakes it
// the day after the due date).
type inspectionOverdue struct{ p *Profile }

func (inspectionOverdue) Info() category.RuleInfo {
	return category.RuleInfo{ID: "cylinder-inspection-overdue", Severity: alert.Warning,
		Trigger: category.Text{ZH: "气瓶超过定期检验日期仍在使用", EN: "a cylinder past its periodic inspection date"}}
}

// NextDue implements category.DueRule: the day after the inspection due
// date, unless the cylinder is scrapped.
func (r inspectionOverdue) NextDue(h *category.History, after time.Time, loc *time.Location) (time.Time, bool) {
	c := Of(h)
	if !c.Registered || c.Scrapped {
		return time.Time{}, false
	}
	s := Station{Filler: c.Filler, Media: MediaSet(0).With(c.Medium)}
	d := CheckFill(&c, &s, category.DateOf(after.In(loc)), r.p.table())
	return category.OverdueFrom(d.Due, after, loc)
}

func (r inspectionOverdue) Check(h *category.History, _ *category.Event, now time.Time) []category.Finding {
	c := Of(h)
	if !c.Registered || c.Scrapped {
		return nil
	}
	s := Station{Filler: c.Filler, Media: MediaSet(0).With(c.Medium)}
	d := CheckFill(&c, &s, category.DateOf(now), r.p.table())
	if d.Reasons&InspectionOverdue == 0 {
		return nil
	}
	y, m, dd := d.Due.Civil()
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning,
		Due: time.Date(y, time.Month(m), dd, 0, 0, 0, 0, now.Location()).AddDate(0, 0, 1),
		Message: category.Text{
			ZH: fmt.Sprintf("气瓶 %s 定期检验已于 %s 到期", h.Item.Get("reg_code"), d.Due),
			EN: fmt.Sprintf("cylinder %s was due for its periodic inspection on %s", h.Item.Get("reg_code"), d.Due),
		}}}
}
