// Package pesticide is the pesticide (农药) category profile: the
// registration certificate (number, holder, active ingredients, the
// 32-digit trace code's 11-digit prefix) and the safety interval per crop
// (安全间隔期) that the farm-product profile's interval rule reads; sales
// at input shops, with the buyer named for restricted pesticides (限制使用
// 农药, sold by real name); the rule that flags an unnamed sale of one.
package pesticide

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	cpest "tracecode/engine/code/cn/pesticide"
	"tracecode/engine/model"
)

// Profile is the pesticide category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	return &Profile{category.Base{ID: "pesticide", Cat: model.CatPesticide, Label: category.T("农药", "pesticide"),
		Formats: []code.SectorFormat{code.SectorPesticide, code.SectorPesticideReg},
		Product: []category.FieldSpec{
			category.CodeField("reg_number", "农药登记证号", "registration number", code.SectorPesticideReg, true),
			category.F("holder", "登记证持有人", "registration holder", category.KindText, true),
			category.F("active_ingredients", "有效成分及含量", "active ingredients", category.KindList, true),
			category.F("formulation", "剂型", "formulation", category.KindText, false),
			category.F("code_prefix", "追溯码前11位", "trace code prefix (11 digits)", category.KindText, true),
			category.F("targets", "登记作物/防治对象", "registered crops and pests", category.KindList, true),
			category.F("safety_intervals", "安全间隔期(作物=天)", "safety intervals (crop=days)", category.KindList, true),
			category.F("restricted", "限制使用农药", "restricted-use pesticide", category.KindBool, false),
		},
		EventSet: []category.EventSpec{
			{Kind: "sale", Title: category.T("销售", "sale"), Fields: []category.FieldSpec{
				category.Num("quantity", "数量", "quantity", true, 0, 1e9),
				category.F("buyer_name", "购买人", "buyer", category.KindText, false),
				category.Private(category.F("buyer_id", "购买人身份证号", "buyer identity number", category.KindText, false)),
				category.F("purpose", "用途(作物)", "purpose (crop)", category.KindText, false),
			}},
		},
	}}
}

// CheckProduct implements category.ProductChecker: the trace-code prefix
// names the registration (kind and last six digits), and every crop has a
// safety interval.
func (*Profile) CheckProduct(r category.Record) error {
	reg, err := cpest.ParseRegNumber(r.Get("reg_number"))
	if err != nil {
		return category.Errf("product", "reg_number", r.Get("reg_number"), "%v", err)
	}
	prefix := r.Get("code_prefix")
	c, err := cpest.New(prefix, "000000000000000000000")
	if err != nil {
		return category.Errf("product", "code_prefix", prefix, "%v", err)
	}
	if !reg.Matches(c) {
		return category.Errf("product", "code_prefix", prefix, "names registration %s…%s, not %s", c.Kind().Prefix(), c.RegistrationSuffix(), reg)
	}
	iv, err := category.Intervals(r, "safety_intervals")
	if err != nil {
		return err
	}
	for _, crop := range r.List("targets") {
		if _, ok := iv[crop]; !ok {
			return category.Errf("product", "safety_intervals", r.Get("safety_intervals"), "gives no interval for registered crop %s", crop)
		}
	}
	return nil
}

// Facts implements category.Profile: the registration and the intervals.
// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	return []category.Fact{
		category.Pub("reg_number", category.T("农药登记证号", "registration number"), category.Same(h.Product.Get("reg_number")), ""),
		category.Pub("holder", category.T("登记证持有人", "registration holder"), category.Same(h.Product.Get("holder")), ""),
		category.Pub("safety_intervals", category.T("安全间隔期", "safety intervals"), category.Same(h.Product.Get("safety_intervals")), ""),
	}
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{unnamedRestrictedSale{}} }

type unnamedRestrictedSale struct{}

func (unnamedRestrictedSale) Info() category.RuleInfo {
	return category.RuleInfo{ID: "pesticide-restricted-sale-unnamed", Severity: alert.Warning,
		Trigger: category.T("限制使用农药未实名销售", "a restricted-use pesticide sold without the buyer's name and identity")}
}

func (r unnamedRestrictedSale) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "sale" || !h.Product.Bool("restricted") || (e.Fields.Has("buyer_name") && e.Fields.Has("buyer_id")) {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: category.T(
		fmt.Sprintf("限制使用农药 %s 未实名销售", h.Product.Get("reg_number")),
		fmt.Sprintf("restricted-use pesticide %s sold without the buyer's name and identity", h.Product.Get("reg_number")))}}
}
