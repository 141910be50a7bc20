// Package seed is the seed (种子) category profile: the variety approval
// number (品种审定编号: 国审玉20210001, 甘审玉2020012), the variety, and the
// seed production and business licences as text, shown on the scan page
// of every code of the product. Its items carry the four-line seed label
// QR (code.SectorSeedQR).
package seed

import (
	"time"

	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// Profile is the seed category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	return &Profile{category.Base{ID: "seed", Cat: model.CatSeed, Label: category.T("种子", "seed"),
		Formats: []code.SectorFormat{code.SectorSeedQR},
		Product: []category.FieldSpec{
			category.F("variety_approval", "品种审定编号", "variety approval number", category.KindText, true),
			category.F("variety", "品种名称", "variety", category.KindText, false),
			category.F("production_licence", "种子生产许可证编号", "seed production licence", category.KindText, false),
			category.F("business_licence", "种子经营许可证编号", "seed business licence", category.KindText, false),
		},
	}}
}

// CheckProduct implements category.ProductChecker: the variety approval
// number reads as its layout.
func (*Profile) CheckProduct(r category.Record) error {
	if _, _, err := agrireg.Variety(r.Get("variety_approval")); err != nil {
		return category.Errf("product", "variety_approval", r.Get("variety_approval"), "%v", err)
	}
	return nil
}

// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

// Facts implements category.Profile: the approval number, and the variety
// and licences when given.
func (p *Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	return category.RecordFacts(h.Product, p.Product)
}

// Rules implements category.Profile: none.
func (*Profile) Rules() []category.Rule { return nil }
