// Package fireworks is the fireworks (烟花爆竹) category profile: a code on
// every case and every smallest unit (case → unit aggregation at
// production), the flow 生产 → 出厂 → 起运 → 入库 → 出库 → 配送 → 销售
// with the wholesale (PF) and retail (LS) licences of the holders, sales
// by real name (the buyer's identity number is private: kept hashed, never
// shown), and the stock rule: at a stock check, what was received minus
// what was shipped and sold must be what is on hand.
//
// The profile's History for the stock rule is one holder's (a wholesaler's
// or retailer's) events of one product, in time order.
package fireworks

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	cfw "tracecode/engine/code/cn/fireworks"
	"tracecode/engine/model"
)

// Profile is the fireworks category.
type Profile struct{ category.Base }

func qty() category.FieldSpec {
	f := category.F("quantity", "数量(最小包装)", "quantity (smallest units)", category.KindInt, true)
	f.Min, f.Max = 1, 1e9
	return f
}

func licence(name, zh, en string, required bool) category.FieldSpec {
	return category.CodeField(name, zh, en, code.SectorFireworks, required)
}

// New returns the profile.
func New() *Profile {
	units := category.F("units_per_case", "每箱最小包装数", "units per case", category.KindInt, true)
	units.Min, units.Max = 1, 10000
	return &Profile{category.Base{ID: "fireworks", Cat: model.CatFireworks, Label: category.T("烟花爆竹", "fireworks"),
		Formats: []code.SectorFormat{code.SectorFireworks},
		Product: []category.FieldSpec{
			category.Enum("class", "产品级别", "class", true, "A", "B", "C", "D"),
			category.F("maker", "生产企业", "maker", category.KindText, true),
			category.F("maker_licence", "安全生产许可证编号", "production safety licence", category.KindText, true),
			units,
		},
		EventSet: []category.EventSpec{
			{Kind: "produce", Title: category.T("生产", "production"), Fields: []category.FieldSpec{qty()}},
			{Kind: "dispatch", Title: category.T("出厂", "dispatch"), Fields: []category.FieldSpec{qty(), licence("to_licence", "收货单位许可证", "consignee licence", true)}},
			{Kind: "depart", Title: category.T("起运", "departure"), Fields: []category.FieldSpec{qty(), category.F("vehicle", "运输车辆", "vehicle", category.KindText, true)}},
			{Kind: "store", Title: category.T("入库", "storage"), Fields: []category.FieldSpec{qty(), licence("licence", "经营许可证", "licence", true)}},
			{Kind: "release", Title: category.T("出库", "release"), Fields: []category.FieldSpec{qty(), licence("licence", "经营许可证", "licence", true)}},
			{Kind: "deliver", Title: category.T("配送", "delivery"), Fields: []category.FieldSpec{qty(), licence("licence", "经营许可证", "licence", true), licence("to_licence", "零售点许可证", "retailer licence", true)}},
			{Kind: "sell", Title: category.T("销售", "sale"), Fields: []category.FieldSpec{qty(), licence("licence", "零售许可证", "retail licence", true),
				category.F("buyer_name", "购买人", "buyer", category.KindText, true),
				category.Private(category.F("buyer_id", "购买人身份证号", "buyer identity number", category.KindText, true))}},
			{Kind: "stock", Title: category.T("盘点", "stock check"), Fields: []category.FieldSpec{
				func() category.FieldSpec { f := qty(); f.Min = 0; return f }(), licence("licence", "经营许可证", "licence", true)}},
		},
	}}
}

func kindOf(r category.Record, field string) cfw.Kind {
	l, err := cfw.Parse(r.Get(field))
	if err != nil {
		return 0
	}
	return l.Kind()
}

// CheckEvent implements category.EventChecker: only a retail (LS) licence
// sells to people, and deliveries go to retail licences.
func (*Profile) CheckEvent(_ *category.History, e *category.Event) error {
	switch e.Kind {
	case "sell":
		if kindOf(e.Fields, "licence") != cfw.Retail {
			return category.Errf("sell", "licence", e.Fields.Get("licence"), "only a retail (LS) licence sells to people")
		}
	case "deliver":
		if kindOf(e.Fields, "to_licence") != cfw.Retail {
			return category.Errf("deliver", "to_licence", e.Fields.Get("to_licence"), "deliveries go to retail (LS) licences")
		}
	}
	return nil
}

// Stock is a holder's stock between two checks.
type Stock struct {
	Last     int64 // on hand at the previous check (0 if none)
	In, Out  int64 // received (store), shipped (release, deliver) and sold since
	Expected int64
}

// StockAt returns the stock expected just before time at from the
// holder's events.
func StockAt(h *category.History, at time.Time) Stock {
	var s Stock
	for i := range h.Events {
		e := &h.Events[i]
		if !e.Time.Before(at) {
			break
		}
		n, _ := e.Fields.Int("quantity")
		switch e.Kind {
		case "stock":
			s = Stock{Last: n}
		case "store":
			s.In += n
		case "release", "deliver", "sell":
			s.Out += n
		}
	}
	s.Expected = s.Last + s.In - s.Out
	return s
}

// Facts implements category.Profile.
func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	facts := []category.Fact{
		category.Pub("class", category.T("产品级别", "class"), category.Same(h.Product.Get("class")), ""),
		category.Pub("maker", category.T("生产企业", "maker"), category.Same(h.Product.Get("maker")), ""),
	}
	for _, k := range []string{"sell", "deliver", "release", "store", "dispatch"} {
		if e := h.Last(k); e != nil {
			l := e.Fields.Get("licence")
			if l == "" {
				l = e.Fields.Get("to_licence")
			}
			facts = append(facts, category.Pub("last_holder", category.T("最近经营单位许可证", "last holder's licence"), category.Same(l), ""))
			break
		}
	}
	return facts
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{stockMismatch{}} }

type stockMismatch struct{}

func (stockMismatch) Info() category.RuleInfo {
	return category.RuleInfo{ID: "fireworks-stock-mismatch", Severity: alert.Critical,
		Trigger: category.T("盘点库存与登记流向不符(入库−出库−销售≠库存)", "stock on hand differs from the registered flow (received − shipped − sold)")}
}

func (r stockMismatch) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "stock" {
		return nil
	}
	s := StockAt(h, e.Time)
	n, _ := e.Fields.Int("quantity")
	if n == s.Expected {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Message: category.T(
		fmt.Sprintf("盘点库存 %d,登记流向应为 %d(上次 %d + 入库 %d − 出库及销售 %d)", n, s.Expected, s.Last, s.In, s.Out),
		fmt.Sprintf("stock check found %d, the registered flow gives %d (last %d + in %d − out %d)", n, s.Expected, s.Last, s.In, s.Out))}}
}
