// Package drug is the drug (药品) category profile on top of the NMPA
// 20-digit trace codes the engine mints: the approval number (国药准字),
// the marketing-authorisation holder, dosage form and whether it is a
// prescription drug; dispensing with the prescription; the rule that flags
// a prescription drug dispensed without one. (The sold-twice rule is the
// alert engine's own, drug-sold-twice.)
package drug

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/model"
)

// Profile is the drug category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	return &Profile{category.Base{ID: "drug", Cat: model.CatDrug, Label: category.T("药品", "drug"),
		Formats: []code.SectorFormat{code.SectorDrugApproval},
		Product: []category.FieldSpec{
			category.CodeField("approval", "药品批准文号", "approval number", code.SectorDrugApproval, true),
			category.F("mah", "上市许可持有人", "marketing-authorisation holder", category.KindText, true),
			category.F("mah_uscc", "持有人信用代码", "holder USCC", category.KindUSCC, false),
			category.F("dosage_form", "剂型", "dosage form", category.KindText, true),
			category.F("strength", "规格", "strength", category.KindText, false),
			category.F("rx", "处方药", "prescription drug", category.KindBool, true),
		},
		EventSet: []category.EventSpec{
			{Kind: "dispense", Title: category.T("调配或零售", "dispensing or retail sale"), Fields: []category.FieldSpec{
				category.F("prescription_no", "处方编号", "prescription number", category.KindText, false),
				category.F("pharmacist", "执业药师", "pharmacist", category.KindText, true),
			}},
		},
	}}
}

// Facts implements category.Profile.
// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	rx := category.T("非处方药", "over the counter")
	if h.Product.Bool("rx") {
		rx = category.T("处方药", "prescription only")
	}
	return []category.Fact{
		category.Pub("approval", category.T("批准文号", "approval number"), category.Same(h.Product.Get("approval")), ""),
		category.Pub("mah", category.T("上市许可持有人", "marketing-authorisation holder"), category.Same(h.Product.Get("mah")), ""),
		category.Pub("rx", category.T("类别", "class"), rx, ""),
	}
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{rxWithoutPrescription{}} }

type rxWithoutPrescription struct{}

func (rxWithoutPrescription) Info() category.RuleInfo {
	return category.RuleInfo{ID: "drug-rx-without-prescription", Severity: alert.Warning,
		Trigger: category.T("处方药无处方调配或销售", "a prescription drug dispensed or sold without a prescription")}
}

func (r rxWithoutPrescription) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "dispense" || !h.Product.Bool("rx") || e.Fields.Has("prescription_no") {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Warning, Message: category.T(
		fmt.Sprintf("处方药 %s 无处方调配(药师 %s)", h.Product.Get("approval"), e.Fields.Get("pharmacist")),
		fmt.Sprintf("prescription drug %s dispensed without a prescription (pharmacist %s)", h.Product.Get("approval"), e.Fields.Get("pharmacist")))}}
}
