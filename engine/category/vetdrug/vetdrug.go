// Package vetdrug is the veterinary-drug (兽药) category profile: the
// approval number, holder, 5-digit enterprise code of the 24-digit trace
// code, the withdrawal period per species (休药期) that the meat and farm
// profiles' interval rules read, whether it is a prescription drug (兽用处
// 方药); sales, with the prescription for prescription drugs; the rule that
// flags a prescription drug sold without one.
package vetdrug

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/model"
)

// Profile is the veterinary-drug category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	ent := category.F("enterprise_code", "企业代码(追溯码第9-13位)", "enterprise code (trace code digits 9-13)", category.KindText, true)
	ent.MaxLen = 5
	return &Profile{category.Base{ID: "vet-drug", Cat: model.CatVetDrug, Label: category.T("兽药", "veterinary drug"),
		Product: []category.FieldSpec{
			category.F("approval_number", "兽药产品批准文号", "approval number", category.KindText, true),
			category.F("holder", "生产企业", "manufacturer", category.KindText, true),
			ent,
			category.F("species", "适用动物", "target species", category.KindList, true),
			category.F("withdrawal_periods", "休药期(动物=天)", "withdrawal periods (species=days)", category.KindList, true),
			category.F("prescription", "兽用处方药", "prescription drug", category.KindBool, false),
		},
		EventSet: []category.EventSpec{
			{Kind: "sale", Title: category.T("销售", "sale"), Fields: []category.FieldSpec{
				category.Num("quantity", "数量", "quantity", true, 0, 1e9),
				category.F("buyer", "购买单位或个人", "buyer", category.KindText, true),
				category.F("prescription_no", "处方编号", "prescription number", category.KindText, false),
				category.F("vet", "执业兽医", "veterinarian", category.KindText, false),
			}},
		},
	}}
}

// CheckProduct implements category.ProductChecker: the enterprise code is
// 5 digits and every species has a withdrawal period.
func (*Profile) CheckProduct(r category.Record) error {
	ec := r.Get("enterprise_code")
	if len(ec) != 5 || ec[0] < '0' || ec[0] > '9' {
		return category.Errf("product", "enterprise_code", ec, "is not the 5-digit enterprise code of the trace code")
	}
	for i := 0; i < len(ec); i++ {
		if ec[i] < '0' || ec[i] > '9' {
			return category.Errf("product", "enterprise_code", ec, "has a non-digit at position %d", i+1)
		}
	}
	iv, err := category.Intervals(r, "withdrawal_periods")
	if err != nil {
		return err
	}
	for _, s := range r.List("species") {
		if _, ok := iv[s]; !ok {
			return category.Errf("product", "withdrawal_periods", r.Get("withdrawal_periods"), "gives no period for species %s", s)
		}
	}
	return nil
}

// Facts implements category.Profile.
// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	rx := category.T("否", "no")
	if h.Product.Bool("prescription") {
		rx = category.T("是", "yes")
	}
	return []category.Fact{
		category.Pub("approval_number", category.T("批准文号", "approval number"), category.Same(h.Product.Get("approval_number")), ""),
		category.Pub("withdrawal_periods", category.T("休药期", "withdrawal periods"), category.Same(h.Product.Get("withdrawal_periods")), ""),
		category.Pub("prescription", category.T("兽用处方药", "prescription drug"), rx, ""),
	}
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{rxWithoutPrescription{}} }

type rxWithoutPrescription struct{}

func (rxWithoutPrescription) Info() category.RuleInfo {
	return category.RuleInfo{ID: "vet-prescription-sold-without-prescription", Severity: alert.Warning,
		Trigger: category.T("兽用处方药无处方销售", "a prescription veterinary drug sold without a prescription")}
}

func (r rxWithoutPrescription) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "sale" || !h.Product.Bool("prescription") || (e.Fields.Has("prescription_no") && e.Fields.Has("vet")) {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: category.T(
		fmt.Sprintf("兽用处方药 %s 无处方销售给 %s", h.Product.Get("approval_number"), e.Fields.Get("buyer")),
		fmt.Sprintf("prescription veterinary drug %s sold to %s without a prescription", h.Product.Get("approval_number"), e.Fields.Get("buyer")))}}
}
