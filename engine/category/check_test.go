package category_test

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/model"
)

type bad struct {
	category.Base
}

func (*bad) Facts(*category.History, time.Time) []category.Fact { return nil }
func (*bad) Rules() []category.Rule                             { return nil }

// TestCheckRefusesBadDeclarations: a profile bug is found at start-up.
func TestCheckRefusesBadDeclarations(t *testing.T) {
	ok := category.F("a", "甲", "a", category.KindText, true)
	for name, b := range map[string]category.Base{
		"no name":        {Cat: model.CatFood, Product: []category.FieldSpec{ok}},
		"duplicate":      {ID: "x", Cat: model.CatFood, Product: []category.FieldSpec{ok, ok}},
		"no kind":        {ID: "x", Cat: model.CatFood, Item: []category.FieldSpec{{Name: "b", Label: category.T("乙", "b")}}},
		"empty enum":     {ID: "x", Cat: model.CatFood, Item: []category.FieldSpec{category.Enum("e", "丙", "e", true)}},
		"code no format": {ID: "x", Cat: model.CatFood, Item: []category.FieldSpec{{Name: "c", Label: category.T("丁", "c"), Kind: category.KindCode}}},
		"no english":     {ID: "x", Cat: model.CatFood, Item: []category.FieldSpec{category.F("d", "戊", "", category.KindText, false)}},
		"event twice":    {ID: "x", Cat: model.CatFood, EventSet: []category.EventSpec{{Kind: "k"}, {Kind: "k"}}},
	} {
		if err := category.Check(&bad{b}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := category.Check(&bad{category.Base{ID: "x", Cat: model.CatFood, Product: []category.FieldSpec{ok}}}); err != nil {
		t.Errorf("good declaration: %v", err)
	}
}

// TestFieldKinds: each kind accepts its form and names the field and value
// it refuses; unknown fields are refused; every problem is reported.
func TestFieldKinds(t *testing.T) {
	n := category.Num("n", "数", "n", false, 1, 10)
	p := &bad{category.Base{ID: "x", Cat: model.CatFood, Product: []category.FieldSpec{
		category.F("t", "文", "t", category.KindText, true), n,
		category.F("d", "日", "d", category.KindDate, false), category.F("tm", "时", "tm", category.KindTime, false),
		category.F("b", "是否", "b", category.KindBool, false), category.F("r", "地区", "r", category.KindRegion, false),
		category.F("u", "代码", "u", category.KindUSCC, false), category.F("l", "列表", "l", category.KindList, false),
	}}}
	good := category.Record{"t": "文本", "n": "2.5", "d": "2026-02-01", "tm": "2026-02-01T08:00:00+08:00", "b": "true", "r": "620102001",
		"u": "91350100M000100Y43", "l": "a, b"}
	if err := category.ValidateProduct(p, good); err != nil {
		t.Fatal(err)
	}
	err := category.ValidateProduct(p, category.Record{"t": " ", "n": "11", "d": "2026-2-1", "tm": "2026-02-01 08:00", "b": "yes",
		"r": "990000", "u": "91350100M000100Y44", "l": "a,,b", "zz": "1"})
	for _, want := range []string{`"t" = " ": is blank`, `"n" = "11": is outside 1 to 10`, `"d" = "2026-2-1"`, `"tm" = "2026-02-01 08:00"`,
		`"b" = "yes"`, `"r" = "990000"`, `"u" = "91350100M000100Y44"`, `"l" = "a,,b": element 2`, `"zz": is not a field`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s:\n%v", want, err)
		}
	}
	if err := category.ValidateProduct(p, category.Record{}); err == nil || !strings.Contains(err.Error(), `"t": is required (文, t)`) {
		t.Errorf("missing required: %v", err)
	}
	e := category.Event{Kind: "nope", Time: time.Now()}
	if err := category.ValidateEvent(p, &category.History{}, &e); err == nil || !strings.Contains(err.Error(), "is not an event of x") {
		t.Errorf("unknown event kind: %v", err)
	}
}
