// Package fertiliser is the fertiliser (肥料) category profile: the
// registration number (肥料登记证号: 农肥（YYYY）准字NNNN号, 临字 for a
// temporary one, a province's prefixed with its abbreviation, 甘农肥…) and
// the nutrient content as labelled, shown on the scan page of every code
// of the product.
package fertiliser

import (
	"time"

	"tracecode/engine/category"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// Profile is the fertiliser category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	return &Profile{category.Base{ID: "fertiliser", Cat: model.CatFertiliser, Label: category.T("肥料", "fertiliser"),
		Product: []category.FieldSpec{
			category.F("reg_number", "肥料登记证号", "fertiliser registration number", category.KindText, true),
			category.F("nutrients", "养分含量", "nutrient content", category.KindText, false),
		},
	}}
}

// CheckProduct implements category.ProductChecker: the registration
// number reads as its layout.
func (*Profile) CheckProduct(r category.Record) error {
	if _, _, err := agrireg.Fertiliser(r.Get("reg_number")); err != nil {
		return category.Errf("product", "reg_number", r.Get("reg_number"), "%v", err)
	}
	return nil
}

// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

// Facts implements category.Profile: the registration number and the
// nutrient content when given.
func (p *Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	return category.RecordFacts(h.Product, p.Product)
}

// Rules implements category.Profile: none.
func (*Profile) Rules() []category.Rule { return nil }
