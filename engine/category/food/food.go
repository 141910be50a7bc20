// Package food holds the food category profiles that refine model.CatFood:
// dairy (乳制品), edible oil (食用油) and liquor (白酒). Each carries the
// producer's SC food production licence (whose food category must be the
// profile's), the product standard it is made to, and its own facts and
// rule: the dairy cold chain, the oil's acid value, the liquor's alcohol
// content against its label. The limits are configurable defaults, marked
// unconfirmed in docs/categories.md.
package food

import (
	"fmt"
	"math"
	"slices"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/code/cn/sclicence"
	"tracecode/engine/model"
)

// Limits are the rules' thresholds; zero fields take the defaults.
type Limits struct {
	// ChilledMaxC is the highest temperature of chilled dairy (pasteurised
	// milk, yoghurt) in the cold chain when the product names none
	// (default 6 °C: the 2-6 °C storage most labels print).
	ChilledMaxC float64
	// OilAcidMax is the highest acid value of edible oil, mg KOH/g
	// (default 3).
	OilAcidMax float64
	// LiquorTolerance is how far a test's alcohol content may be from the
	// label, %vol (default 1.0).
	LiquorTolerance float64
}

func (l Limits) withDefaults() Limits {
	if l.ChilledMaxC == 0 {
		l.ChilledMaxC = 6
	}
	if l.OilAcidMax <= 0 {
		l.OilAcidMax = 3
	}
	if l.LiquorTolerance <= 0 {
		l.LiquorTolerance = 1
	}
	return l
}

// Profile is one food profile.
type Profile struct {
	category.Base
	lim    Limits
	scCats []string // SC food categories allowed
	facts  func(h *category.History) []category.Fact
	rule   category.Rule
}

func common(extra ...category.FieldSpec) []category.FieldSpec {
	shelf := category.F("shelf_life_days", "保质期(天)", "shelf life (days)", category.KindInt, true)
	shelf.Min, shelf.Max = 1, 3650*10
	return append([]category.FieldSpec{
		category.CodeField("sc_licence", "食品生产许可证编号", "SC production licence", code.SectorSCLicence, true),
		category.F("standard", "产品标准代号", "product standard", category.KindText, true),
		shelf,
	}, extra...)
}

// CheckProduct implements category.ProductChecker: the SC licence covers
// the profile's food category.
func (p *Profile) CheckProduct(r category.Record) error {
	l, err := sclicence.Parse(r.Get("sc_licence"))
	if err != nil {
		return category.Errf("product", "sc_licence", r.Get("sc_licence"), "%v", err)
	}
	if !slices.Contains(p.scCats, l.Category()) {
		zh, _ := sclicence.CategoryName(l.Category())
		return category.Errf("product", "sc_licence", r.Get("sc_licence"), "is a licence for food category %s %s, not %s (%v)", l.Category(), zh, p.Label.EN, p.scCats)
	}
	return nil
}

// Facts implements category.Profile: the licence, the standard and the
// profile's own.
// ProductFacts implements category.ProductFacter: the licence and the
// product standard, which the product record holds.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return []category.Fact{
		category.Pub("sc_licence", category.T("生产许可证编号", "production licence"), category.Same(product.Get("sc_licence")), ""),
		category.Pub("standard", category.T("产品标准", "product standard"), category.Same(product.Get("standard")), ""),
	}
}

func (p *Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	return append(p.ProductFacts(h.Product), p.facts(h)...)
}

// Rules implements category.Profile.
func (p *Profile) Rules() []category.Rule { return []category.Rule{p.rule} }

// rule is a single-event rule.
type rule struct {
	info  category.RuleInfo
	check func(h *category.History, e *category.Event) (category.Text, bool)
}

func (r rule) Info() category.RuleInfo { return r.info }

func (r rule) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil {
		return nil
	}
	if msg, bad := r.check(h, e); bad {
		return []category.Finding{{Rule: r.info.ID, Severity: r.info.Severity, Message: msg}}
	}
	return nil
}

// Dairy returns the dairy profile.
func Dairy(lim Limits) *Profile {
	lim = lim.withDefaults()
	p := &Profile{lim: lim, scCats: []string{"105", "129"}, Base: category.Base{ID: "dairy", Cat: model.CatFood, Label: category.T("乳制品", "dairy"),
		Formats: []code.SectorFormat{code.SectorSCLicence},
		Product: common(
			category.Enum("kind", "品类", "kind", true, "pasteurised-milk", "sterilised-milk", "yoghurt", "milk-powder", "infant-formula", "cheese", "cream", "other"),
			category.Num("storage_max_c", "贮存温度上限(℃)", "highest storage temperature (°C)", false, -30, 40)),
		EventSet: []category.EventSpec{{Kind: "temperature", Title: category.T("冷链温度", "cold-chain temperature"), Fields: []category.FieldSpec{
			category.Num("celsius", "温度(℃)", "temperature (°C)", true, -60, 80),
			category.F("place", "地点", "place", category.KindText, false)}}},
	}}
	p.facts = func(h *category.History) []category.Fact {
		f := []category.Fact{category.Pub("kind", category.T("品类", "kind"), category.Same(h.Product.Get("kind")), "")}
		if e := h.Last("temperature"); e != nil {
			f = append(f, category.Pub("last_temperature", category.T("最近冷链温度", "last cold-chain temperature"), category.Same(e.Fields.Get("celsius")+" ℃"), ""))
		}
		return f
	}
	limitOf := func(prod category.Record) (float64, bool) {
		if v, ok := prod.Float("storage_max_c"); ok {
			return v, true
		}
		k := prod.Get("kind")
		return lim.ChilledMaxC, k == "pasteurised-milk" || k == "yoghurt" || k == "cream"
	}
	p.rule = rule{info: category.RuleInfo{ID: "dairy-cold-chain-excursion", Severity: alert.Warning,
		Trigger: category.T("冷藏乳制品冷链温度超过贮存温度上限", "chilled dairy above its storage temperature in the cold chain")},
		check: func(h *category.History, e *category.Event) (category.Text, bool) {
			max, chilled := limitOf(h.Product)
			c, ok := e.Fields.Float("celsius")
			if e.Kind != "temperature" || !chilled || !ok || c <= max {
				return category.Text{}, false
			}
			return category.T(fmt.Sprintf("冷链温度 %.1f ℃ 超过上限 %.1f ℃", c, max), fmt.Sprintf("cold chain at %.1f °C, above %.1f °C", c, max)), true
		}}
	return p
}

// Oil returns the edible-oil profile.
func Oil(lim Limits) *Profile {
	lim = lim.withDefaults()
	p := &Profile{lim: lim, scCats: []string{"102"}, Base: category.Base{ID: "edible-oil", Cat: model.CatFood, Label: category.T("食用植物油", "edible oil"),
		Formats: []code.SectorFormat{code.SectorSCLicence},
		Product: common(
			category.Enum("process", "加工工艺", "process", true, "pressed", "extracted"),
			category.F("oil_type", "油种", "oil", category.KindText, true),
			category.F("grade", "质量等级", "grade", category.KindText, false)),
		EventSet: []category.EventSpec{{Kind: "test", Title: category.T("检验", "test"), Fields: []category.FieldSpec{
			category.Num("acid_value", "酸价(mg KOH/g)", "acid value (mg KOH/g)", true, 0, 100),
			category.Num("peroxide_value", "过氧化值(g/100g)", "peroxide value (g/100g)", false, 0, 10),
			category.F("lab", "检验机构", "laboratory", category.KindText, true)}}},
	}}
	p.facts = func(h *category.History) []category.Fact {
		zh := map[string]string{"pressed": "压榨", "extracted": "浸出"}[h.Product.Get("process")]
		return []category.Fact{category.Pub("process", category.T("加工工艺", "process"), category.T(zh, h.Product.Get("process")), "")}
	}
	p.rule = rule{info: category.RuleInfo{ID: "oil-acid-value-exceeded", Severity: alert.Critical,
		Trigger: category.T("检验酸价超过限量", "a test's acid value above the limit")},
		check: func(_ *category.History, e *category.Event) (category.Text, bool) {
			v, ok := e.Fields.Float("acid_value")
			if e.Kind != "test" || !ok || v <= lim.OilAcidMax {
				return category.Text{}, false
			}
			return category.T(fmt.Sprintf("酸价 %.2f mg/g 超过限量 %.2f", v, lim.OilAcidMax), fmt.Sprintf("acid value %.2f mg/g above the limit %.2f", v, lim.OilAcidMax)), true
		}}
	return p
}

// Liquor returns the liquor profile.
func Liquor(lim Limits) *Profile {
	lim = lim.withDefaults()
	p := &Profile{lim: lim, scCats: []string{"115"}, Base: category.Base{ID: "liquor", Cat: model.CatFood, Label: category.T("白酒", "liquor"),
		Formats: []code.SectorFormat{code.SectorSCLicence},
		Product: common(
			category.Num("alcohol_pct", "酒精度(%vol)", "alcohol (%vol)", true, 0.5, 80),
			category.Enum("aroma", "香型", "aroma type", true, "strong", "sauce", "light", "rice", "mixed", "other")),
		EventSet: []category.EventSpec{{Kind: "test", Title: category.T("检验", "test"), Fields: []category.FieldSpec{
			category.Num("alcohol_pct", "酒精度(%vol)", "alcohol (%vol)", true, 0, 100),
			category.F("lab", "检验机构", "laboratory", category.KindText, true)}}},
	}}
	p.facts = func(h *category.History) []category.Fact {
		v := h.Product.Get("alcohol_pct") + " %vol"
		return []category.Fact{category.Pub("alcohol", category.T("酒精度", "alcohol"), category.Same(v), "")}
	}
	p.rule = rule{info: category.RuleInfo{ID: "liquor-alcohol-off-label", Severity: alert.Warning,
		Trigger: category.T("检验酒精度与标签不符(超过±1.0%vol)", "a test's alcohol content more than 1.0 %vol from the label")},
		check: func(h *category.History, e *category.Event) (category.Text, bool) {
			label, ok1 := h.Product.Float("alcohol_pct")
			got, ok2 := e.Fields.Float("alcohol_pct")
			if e.Kind != "test" || !ok1 || !ok2 || math.Abs(got-label) <= lim.LiquorTolerance+1e-9 {
				return category.Text{}, false
			}
			return category.T(fmt.Sprintf("检验酒精度 %.1f%%vol,标签 %.1f%%vol", got, label), fmt.Sprintf("tested %.1f %%vol, label %.1f %%vol", got, label)), true
		}}
	return p
}
