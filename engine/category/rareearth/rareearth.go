// Package rareearth is the rare-earth (稀土) category profile: mining under
// a quota, separation and smelting as transformations with masses and REO
// content, sales with the special invoice number (稀土专用发票), exports
// with the customs declaration, stock checks; the monthly mass balance per
// enterprise (inputs minus outputs minus stock change within a tolerance)
// and the monthly flow report due by the 10th (稀土管理条例, 2025 暂行办法).
//
// Every balance is kept in tonnes of REO (rare-earth oxide): mass × REO %.
// The profile's History is the enterprise's: its events, in time order.
package rareearth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/model"
)

// Config holds the thresholds; zero fields take the defaults.
type Config struct {
	// Tolerance is the largest imbalance accepted, as a fraction of the
	// month's REO available (opening stock plus inputs): default 0.01,
	// unconfirmed (the draft rules set no number).
	Tolerance float64
	// ReportDay is the day of the next month by which the monthly flow
	// report is due (default 10).
	ReportDay int
	// Location is the zone months are counted in (default UTC+8).
	Location *time.Location
}

func (c Config) withDefaults() Config {
	if c.Tolerance <= 0 {
		c.Tolerance = 0.01
	}
	if c.ReportDay <= 0 || c.ReportDay > 28 {
		c.ReportDay = 10
	}
	if c.Location == nil {
		c.Location = time.FixedZone("CST", 8*3600)
	}
	return c
}

// Profile is the rare-earth category.
type Profile struct {
	category.Base
	cfg Config
}

func mass() []category.FieldSpec {
	return []category.FieldSpec{
		category.Num("mass_t", "实物量(吨)", "mass (t)", true, 0, 1e7),
		category.Num("reo_pct", "REO含量(%)", "REO content (%)", true, 0, 100),
	}
}

// New returns the profile with configuration cfg.
func New(cfg Config) *Profile {
	with := func(extra ...category.FieldSpec) []category.FieldSpec { return append(mass(), extra...) }
	return &Profile{cfg: cfg.withDefaults(), Base: category.Base{ID: "rare-earth", Cat: model.CatRareEarth, Label: category.T("稀土", "rare earth"),
		Product: []category.FieldSpec{
			category.Enum("form", "产品形态", "form", true, "ore", "concentrate", "mixed-oxide", "separated-oxide", "metal", "alloy"),
			category.F("catalogue_name", "稀土产品目录名称", "catalogue name", category.KindText, true),
		},
		EventSet: []category.EventSpec{
			{Kind: "mine", Title: category.T("开采", "mining"), Fields: with(category.F("quota_ref", "开采指标文号", "mining quota reference", category.KindText, true))},
			{Kind: "receive", Title: category.T("购入", "receipt"), Fields: with(category.F("from", "来源企业", "supplier", category.KindText, true))},
			{Kind: "process", Title: category.T("分离或冶炼", "separation or smelting"), Fields: []category.FieldSpec{
				category.Enum("step", "工序", "step", true, "separation", "smelting"),
				category.Num("in_mass_t", "投入量(吨)", "input mass (t)", true, 0, 1e7),
				category.Num("in_reo_pct", "投入REO含量(%)", "input REO (%)", true, 0, 100),
				category.Num("out_mass_t", "产出量(吨)", "output mass (t)", true, 0, 1e7),
				category.Num("out_reo_pct", "产出REO含量(%)", "output REO (%)", true, 0, 100),
			}},
			{Kind: "sale", Title: category.T("销售", "sale"), Fields: with(
				category.F("invoice_no", "稀土专用发票号", "special invoice number", category.KindText, true),
				category.F("buyer", "购买企业", "buyer", category.KindText, true))},
			{Kind: "export", Title: category.T("出口", "export"), Fields: with(category.F("declaration_no", "报关单号", "customs declaration number", category.KindText, true))},
			{Kind: "stock", Title: category.T("盘点", "stock check"), Fields: mass()},
			{Kind: "monthly-report", Title: category.T("月度流向报告", "monthly flow report"), Fields: []category.FieldSpec{
				category.F("month", "月份(YYYY-MM)", "month (YYYY-MM)", category.KindText, true),
			}},
		},
	}}
}

func reo(r category.Record, m, p string) float64 {
	a, _ := r.Float(m)
	b, _ := r.Float(p)
	return a * b / 100
}

// REO returns the tonnes of REO an event moves: in for mine and receive,
// out for sale and export, on hand for stock, lost for process.
func REO(e *category.Event) float64 {
	if e.Kind == "process" {
		return reo(e.Fields, "in_mass_t", "in_reo_pct") - reo(e.Fields, "out_mass_t", "out_reo_pct")
	}
	return reo(e.Fields, "mass_t", "reo_pct")
}

// CheckEvent implements category.EventChecker: a process cannot put out
// more REO than it takes in; a report names a month that has ended.
func (p *Profile) CheckEvent(_ *category.History, e *category.Event) error {
	switch e.Kind {
	case "process":
		if REO(e) < -1e-9 {
			return category.Errf("process", "out_mass_t", e.Fields.Get("out_mass_t"), "puts out %.3f t REO from %.3f t: more than it took in",
				reo(e.Fields, "out_mass_t", "out_reo_pct"), reo(e.Fields, "in_mass_t", "in_reo_pct"))
		}
	case "monthly-report":
		m, err := time.ParseInLocation("2006-01", e.Fields.Get("month"), p.cfg.Location)
		if err != nil {
			return category.Errf("monthly-report", "month", e.Fields.Get("month"), "is not YYYY-MM")
		}
		if !e.Time.After(m.AddDate(0, 1, 0)) {
			return category.Errf("monthly-report", "month", e.Fields.Get("month"), "has not ended")
		}
	}
	return nil
}

// Balance is one month's REO balance of an enterprise, in tonnes of REO.
type Balance struct {
	Month                           string // YYYY-MM
	OpeningStock, ClosingStock      float64
	Mined, Received, Sold, Exported float64
	ProcessLoss                     float64
	Imbalance                       float64 // opening + in − out − loss − closing
	Allowed                         float64 // tolerance × (opening + in)
	// Complete is false when a stock check is missing at either end: the
	// balance cannot be judged.
	Complete bool
	OK       bool
}

// MassBalance computes month m's balance (m any time in the month) from
// the enterprise's events: the opening stock is the last check before the
// month, the closing stock the last check in it.
func (p *Profile) MassBalance(events []category.Event, m time.Time) Balance {
	m = m.In(p.cfg.Location)
	start := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, p.cfg.Location)
	end := start.AddDate(0, 1, 0)
	b := Balance{Month: start.Format("2006-01")}
	var haveOpen, haveClose bool
	for i := range events {
		e := &events[i]
		in := !e.Time.Before(start) && e.Time.Before(end)
		switch {
		case e.Kind == "stock" && e.Time.Before(start):
			b.OpeningStock, haveOpen = REO(e), true
		case e.Kind == "stock" && in:
			b.ClosingStock, haveClose = REO(e), true
		case !in:
		case e.Kind == "mine":
			b.Mined += REO(e)
		case e.Kind == "receive":
			b.Received += REO(e)
		case e.Kind == "sale":
			b.Sold += REO(e)
		case e.Kind == "export":
			b.Exported += REO(e)
		case e.Kind == "process":
			b.ProcessLoss += REO(e)
		}
	}
	b.Complete = haveOpen && haveClose
	avail := b.OpeningStock + b.Mined + b.Received
	b.Imbalance = avail - b.Sold - b.Exported - b.ProcessLoss - b.ClosingStock
	b.Allowed = p.cfg.Tolerance * avail
	b.OK = b.Complete && math.Abs(b.Imbalance) <= b.Allowed+1e-9
	return b
}

// AppendCSV appends the balance as the monthly flow report's CSV: a header
// and one row (tonnes of REO, three decimals).
func (b Balance) AppendCSV(dst []byte) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	_ = w.Write([]string{"month", "opening_stock_t_reo", "mined_t_reo", "received_t_reo", "sold_t_reo", "exported_t_reo", "process_loss_t_reo", "closing_stock_t_reo", "imbalance_t_reo", "allowed_t_reo", "complete", "ok"})
	_ = w.Write([]string{b.Month, f(b.OpeningStock), f(b.Mined), f(b.Received), f(b.Sold), f(b.Exported), f(b.ProcessLoss), f(b.ClosingStock), f(b.Imbalance), f(b.Allowed), strconv.FormatBool(b.Complete), strconv.FormatBool(b.OK)})
	w.Flush()
	return append(dst, buf.Bytes()...)
}

// Facts implements category.Profile: the product's catalogue name and
// form, the mining quota and the last monthly flow report filed (public);
// the last sale's special invoice and export's declaration (business
// papers: regulators only).
func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	facts := []category.Fact{
		category.Pub("catalogue_name", category.T("稀土产品目录名称", "catalogue name"), category.Same(h.Product.Get("catalogue_name")), ""),
		category.Pub("form", category.T("产品形态", "form"), formText(h.Product.Get("form")), ""),
	}
	for _, k := range []struct {
		kind, field, key, zh, en string
		public                   bool
	}{
		{"mine", "quota_ref", "quota_ref", "开采指标", "mining quota", true},
		{"monthly-report", "month", "last_report", "最近月度流向报告", "last monthly flow report", true},
		{"sale", "invoice_no", "invoice_no", "稀土专用发票", "special invoice", false},
		{"export", "declaration_no", "declaration_no", "报关单号", "customs declaration", false},
	} {
		if e := h.Last(k.kind); e != nil {
			facts = append(facts, category.Fact{Key: k.key, Label: category.T(k.zh, k.en), Value: category.Same(e.Fields.Get(k.field)), Public: k.public})
		}
	}
	return facts
}

// formText names a product form in both languages.
func formText(f string) category.Text {
	zh := map[string]string{"ore": "原矿", "concentrate": "精矿", "mixed-oxide": "混合氧化物", "separated-oxide": "单一或分离氧化物", "metal": "金属", "alloy": "合金"}[f]
	if zh == "" {
		return category.Same(f)
	}
	return category.T(zh, f)
}

// Rules implements category.Profile.
func (p *Profile) Rules() []category.Rule { return []category.Rule{imbalance{p}, reportMissing{p}} }

type imbalance struct{ p *Profile }

func (imbalance) Info() category.RuleInfo {
	return category.RuleInfo{ID: "rare-earth-mass-imbalance", Severity: alert.Critical,
		Trigger: category.T("月度物料平衡超出允许偏差", "a month's REO balance outside the tolerance")}
}

// Check judges the month a monthly report names, when the report is filed.
func (r imbalance) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "monthly-report" {
		return nil
	}
	m, err := time.ParseInLocation("2006-01", e.Fields.Get("month"), r.p.cfg.Location)
	if err != nil {
		return nil
	}
	b := r.p.MassBalance(h.Events, m)
	if b.OK {
		return nil
	}
	if !b.Complete {
		return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: category.T(
			fmt.Sprintf("%s 物料平衡无法判断:缺少月初或月末盘点", b.Month),
			fmt.Sprintf("%s balance cannot be judged: a stock check is missing at the start or end of the month", b.Month))}}
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Message: category.T(
		fmt.Sprintf("%s 物料不平衡 %.3f 吨REO(允许 %.3f)", b.Month, b.Imbalance, b.Allowed),
		fmt.Sprintf("%s REO balance off by %.3f t (allowed %.3f)", b.Month, b.Imbalance, b.Allowed))}}
}

type reportMissing struct{ p *Profile }

func (reportMissing) Info() category.RuleInfo {
	return category.RuleInfo{ID: "rare-earth-report-missing", Severity: alert.Warning,
		Trigger: category.T("次月10日前未报送上月流向报告", "the monthly flow report not filed by the 10th of the next month")}
}

// Due returns the month whose report was last due at now, and its
// deadline (the end of the ReportDay of the next month).
func (p *Profile) Due(now time.Time) (month string, deadline time.Time) {
	now = now.In(p.cfg.Location)
	d := time.Date(now.Year(), now.Month(), p.cfg.ReportDay+1, 0, 0, 0, 0, p.cfg.Location)
	if now.Before(d) {
		d = d.AddDate(0, -1, 0)
	}
	return d.AddDate(0, -1, 0).Format("2006-01"), d
}

// NextDue implements category.DueRule: the first report deadline after
// after whose month has no report filed in time, once the item has any
// event (an enterprise that reports nothing yet is not watched) — the
// months from its first recorded event on: a month before it began is
// not due.
func (r reportMissing) NextDue(h *category.History, after time.Time, _ *time.Location) (time.Time, bool) {
	if len(h.Events) == 0 {
		return time.Time{}, false
	}
	first := h.Events[0].Time
	for i := range h.Events {
		if h.Events[i].Time.Before(first) {
			first = h.Events[i].Time
		}
	}
	first = first.In(r.p.cfg.Location)
	firstMonth := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, r.p.cfg.Location)
	if firstMonth.After(after) {
		after = firstMonth
	}
	_, d := r.p.Due(after)
	for range 36 {
		if d.After(after) && !d.AddDate(0, -1, 0).Before(firstMonth) {
			month := d.AddDate(0, -1, 0).Format("2006-01")
			if !filedBy(h, month, d) {
				return d, true
			}
		}
		d = d.AddDate(0, 1, 0)
	}
	return time.Time{}, false
}

// filedBy reports whether month's report was filed before deadline.
func filedBy(h *category.History, month string, deadline time.Time) bool {
	for i := range h.Events {
		x := &h.Events[i]
		if x.Kind == "monthly-report" && x.Fields.Get("month") == month && x.Time.Before(deadline) {
			return true
		}
	}
	return false
}

// Cleared implements category.Clearing: the alert raised at deadline due
// ends when that month's report is filed, however late.
func (r reportMissing) Cleared(h *category.History, due time.Time) (string, bool) {
	month := due.In(r.p.cfg.Location).AddDate(0, -1, 0).Format("2006-01")
	for i := range h.Events {
		x := &h.Events[i]
		if x.Kind == "monthly-report" && x.Fields.Get("month") == month {
			return fmt.Sprintf("the %s report was filed on %s (%s 报告已于 %s 补报)", month, category.Local(x.Time, time.DateOnly),
				month, category.Local(x.Time, time.DateOnly)), true
		}
	}
	return "", false
}

// Check looks, on a due-date evaluation, for the report of the month last
// due.
func (r reportMissing) Check(h *category.History, e *category.Event, now time.Time) []category.Finding {
	if e != nil {
		return nil
	}
	month, deadline := r.p.Due(now)
	if filedBy(h, month, deadline) {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Due: deadline, Message: category.T(
		fmt.Sprintf("%s 稀土流向报告未在 %s 前报送", month, deadline.Add(-time.Second).Format(time.DateOnly)),
		fmt.Sprintf("the %s rare-earth flow report was not filed by %s", month, deadline.Add(-time.Second).Format(time.DateOnly)))}}
}
