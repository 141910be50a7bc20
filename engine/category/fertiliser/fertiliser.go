// Package fertiliser is the fertiliser (肥料) category profile: the
// registration number (肥料登记证号: 农肥（YYYY）准字NNNN号, 临字 for a
// temporary one, a province's prefixed with its abbreviation, 甘农肥…) and
// the nutrient content as labelled, shown on the scan page of every code
// of the product (a category.RecordProfile).
package fertiliser

import (
	"tracecode/engine/category"
	"tracecode/engine/code/cn/agrireg"
	"tracecode/engine/model"
)

// New returns the profile.
func New() *category.RecordProfile {
	return &category.RecordProfile{
		Base: category.Base{ID: "fertiliser", Cat: model.CatFertiliser, Label: category.T("肥料", "fertiliser"),
			Product: []category.FieldSpec{
				category.F("reg_number", "肥料登记证号", "fertiliser registration number", category.KindText, true),
				category.F("nutrients", "养分含量", "nutrient content", category.KindText, false),
			}},
		Parse: map[string]func(string) error{
			"reg_number": func(s string) error { _, _, err := agrireg.Fertiliser(s); return err },
		},
	}
}
