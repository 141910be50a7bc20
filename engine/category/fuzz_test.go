package category_test

import (
	"errors"
	"testing"

	"tracecode/engine/category"
	"tracecode/engine/code"
	"tracecode/engine/model"
)

// FuzzValidate feeds arbitrary text to every field kind and to the
// interval lists: validation never panics, refuses with an error wrapping
// ErrInvalid, and a value it accepts reads back through Record's typed
// accessors.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"", " ", "2026-02-01", "2026-02-01T08:00:00+08:00", "12", "-1.5e3", "NaN", "true", "620102001",
		"91350100M000100Y43", "a,b", ",", "1 62 001 000123", "apple=21,pear=14", "apple=", "\xff"} {
		f.Add(s)
	}
	specs := []category.FieldSpec{
		category.F("text", "文", "text", category.KindText, false),
		category.Num("dec", "数", "decimal", false, -1e6, 1e6),
		func() category.FieldSpec {
			x := category.F("int", "整", "int", category.KindInt, false)
			x.Min, x.Max = 0, 100
			return x
		}(),
		category.F("date", "日", "date", category.KindDate, false),
		category.F("time", "时", "time", category.KindTime, false),
		category.Enum("enum", "选", "enum", false, "a", "b"),
		category.F("bool", "是否", "bool", category.KindBool, false),
		category.CodeField("code", "码", "code", code.SectorCylinder, false),
		category.F("region", "区", "region", category.KindRegion, false),
		category.F("uscc", "信用代码", "uscc", category.KindUSCC, false),
		category.F("list", "列", "list", category.KindList, false),
	}
	p := &bad{category.Base{ID: "fuzz", Cat: model.CatFood, Product: specs}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sp := range specs {
			err := category.ValidateProduct(p, category.Record{sp.Name: s})
			if err != nil {
				if !errors.Is(err, category.ErrInvalid) {
					t.Fatalf("%s=%q: %v does not wrap ErrInvalid", sp.Name, s, err)
				}
				continue
			}
			r := category.Record{sp.Name: s}
			ok := true
			switch sp.Kind {
			case category.KindDecimal:
				_, ok = r.Float(sp.Name)
			case category.KindInt:
				_, ok = r.Int(sp.Name)
			case category.KindDate:
				_, ok = r.Date(sp.Name)
			case category.KindTime:
				_, ok = r.Time(sp.Name)
			}
			if s != "" && !ok {
				t.Fatalf("%s=%q accepted but does not read back", sp.Name, s)
			}
		}
		if iv, err := category.Intervals(category.Record{"l": s}, "l"); err == nil {
			for k, d := range iv {
				if k == "" || d < 0 || d > 3650 {
					t.Fatalf("%q: interval %q=%d", s, k, d)
				}
			}
		} else if !errors.Is(err, category.ErrInvalid) {
			t.Fatalf("Intervals(%q): %v", s, err)
		}
		if d, ok := category.ParseDate(s); ok && d.String() != s {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
	})
}
