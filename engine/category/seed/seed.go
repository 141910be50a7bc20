// Package seed is the seed (种子) category profile: the variety approval
// number (品种审定编号: 国审玉20210001, 甘审玉2020012), the variety, and the
// seed production and business licences as text, shown on the scan page
// of every code of the product (a category.RecordProfile). Its items carry the
// four-line seed label QR (code.SectorSeedQR).
package seed

import (
	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// New returns the profile.
func New() *category.RecordProfile {
	return &category.RecordProfile{
		Base: category.Base{ID: "seed", Cat: model.CatSeed, Label: category.T("种子", "seed"),
			Formats: []code.SectorFormat{code.SectorSeedQR},
			Product: []category.FieldSpec{
				category.F("variety_approval", "品种审定编号", "variety approval number", category.KindText, true),
				category.F("variety", "品种名称", "variety", category.KindText, false),
				category.F("production_licence", "种子生产许可证编号", "seed production licence", category.KindText, false),
				category.F("business_licence", "种子经营许可证编号", "seed business licence", category.KindText, false),
			}},
		Parse: map[string]func(string) error{
			"variety_approval": func(s string) error { _, _, err := agrireg.Variety(s); return err },
		},
	}
}
