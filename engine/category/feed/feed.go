// Package feed is the feed (饲料) category profile: the feed production
// licence number (饲料生产许可证编号, X饲证（YYYY）NNNNN), for feed
// additives the product approval number (产品批准文号, X饲添字（YYYY）NNNNNN)
// and the product standard, all shown on the scan page of every code of
// the product (a category.RecordProfile).
package feed

import (
	"tracecode/engine/category"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// New returns the profile.
func New() *category.RecordProfile {
	return &category.RecordProfile{
		Base: category.Base{ID: "feed", Cat: model.CatFeed, Label: category.T("饲料", "feed"),
			Product: []category.FieldSpec{
				category.F("licence", "饲料生产许可证编号", "feed production licence", category.KindText, true),
				category.F("additive_approval", "产品批准文号", "feed-additive approval number", category.KindText, false),
				category.F("standard", "产品标准", "product standard", category.KindText, false),
			}},
		Parse: map[string]func(string) error{
			"licence":           func(s string) error { _, err := agrireg.FeedLicence(s); return err },
			"additive_approval": func(s string) error { _, err := agrireg.FeedAdditive(s); return err },
		},
	}
}
