// Package feed is the feed (饲料) category profile: the feed production
// licence number (饲料生产许可证编号, X饲证（YYYY）NNNNN), for feed
// additives the product approval number (产品批准文号, X饲添字（YYYY）NNNNNN)
// and the product standard, all shown on the scan page of every code of
// the product.
package feed

import (
	"time"

	"tracecode/engine/category"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// Profile is the feed category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	return &Profile{category.Base{ID: "feed", Cat: model.CatFeed, Label: category.T("饲料", "feed"),
		Product: []category.FieldSpec{
			category.F("licence", "饲料生产许可证编号", "feed production licence", category.KindText, true),
			category.F("additive_approval", "产品批准文号", "feed-additive approval number", category.KindText, false),
			category.F("standard", "产品标准", "product standard", category.KindText, false),
		},
	}}
}

// CheckProduct implements category.ProductChecker: the licence and the
// additive approval number read as their layouts.
func (*Profile) CheckProduct(r category.Record) error {
	if _, err := agrireg.FeedLicence(r.Get("licence")); err != nil {
		return category.Errf("product", "licence", r.Get("licence"), "%v", err)
	}
	if r.Has("additive_approval") {
		if _, err := agrireg.FeedAdditive(r.Get("additive_approval")); err != nil {
			return category.Errf("product", "additive_approval", r.Get("additive_approval"), "%v", err)
		}
	}
	return nil
}

// ProductFacts implements category.ProductFacter: every fact of the
// profile comes from the product record.
func (p *Profile) ProductFacts(product category.Record) []category.Fact {
	return p.Facts(&category.History{Product: product}, time.Time{})
}

// Facts implements category.Profile: the licence, and the approval number
// and standard when given.
func (p *Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	return category.RecordFacts(h.Product, p.Product)
}

// Rules implements category.Profile: none.
func (*Profile) Rules() []category.Rule { return nil }
