package cylinder

import (
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
)

var cst = time.FixedZone("CST", 8*3600)

func history(t *testing.T) *category.History {
	t.Helper()
	return &category.History{
		Product: category.Record{"variety": "seamless", "maker": "兰州某气瓶厂"},
		Item: category.Record{"reg_code": "1 62 001 000123", "medium": "O2", "volume_l": "40", "serial": "S-0001",
			"made": "2020-03-01", "working_pressure_mpa": "15", "supervision_cert": "JJ2020-001", "filler": fillerA,
			"last_inspection": "2023-03-01"},
		Inputs: map[string]category.Record{StationKey(fillerA): {"media": "O2,N2"}},
	}
}

func TestProfileDeclarations(t *testing.T) {
	if err := category.Check(New()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateMasterData(t *testing.T) {
	p := New()
	h := history(t)
	if err := category.ValidateProduct(p, h.Product); err != nil {
		t.Fatalf("product: %v", err)
	}
	if err := category.ValidateItem(p, h.Product, h.Item); err != nil {
		t.Fatalf("item: %v", err)
	}
	bad := category.Record{"reg_code": "7 62 001 000123", "medium": "XX", "volume_l": "0", "serial": "S", "made": "2020-02-30",
		"working_pressure_mpa": "15", "supervision_cert": "J", "filler": "91350100M000100Y44", "colour": "blue"}
	err := category.ValidateItem(p, h.Product, bad)
	for _, want := range []string{`"reg_code" = "7 62 001 000123": cn: gas-cylinder registration code: variety "7" at positions 1-1`,
		`"medium" = "XX": is not one of`, `"volume_l" = "0": is outside`, `"made" = "2020-02-30": is not a date`,
		`"filler" = "91350100M000100Y44"`, `"colour": is not a field`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %s", err, want)
		}
	}
	if !category.IsInvalid(err) {
		t.Errorf("%v does not wrap ErrInvalid", err)
	}
	lpg := category.Record{"variety": "lpg", "maker": "m"}
	item := category.Record{}
	for k, v := range h.Item {
		item[k] = v
	}
	if err := category.ValidateItem(p, lpg, item); err == nil || !strings.Contains(err.Error(), "does not go in a lpg cylinder") {
		t.Errorf("O2 in an LPG cylinder: %v", err)
	}
}

// TestFillInterlockOnCapture: a fill is accepted at the cylinder's own
// station inside its period, refused with every reason otherwise, and the
// facts and rules agree.
func TestFillInterlockOnCapture(t *testing.T) {
	p := New()
	h := history(t)
	fill := category.Event{Kind: "fill", Time: time.Date(2025, 6, 1, 9, 0, 0, 0, cst),
		Fields: category.Record{"station": fillerA, "operator": "张三", "precheck": "pass", "weight_kg": "6.1", "postcheck": "pass"}}
	if err := category.ValidateEvent(p, h, &fill); err != nil {
		t.Fatalf("allowed fill: %v", err)
	}
	if f := category.Evaluate(p, h, &fill, fill.Time); len(f) != 0 {
		t.Fatalf("allowed fill raised %v", f)
	}
	h.Events = append(h.Events, fill)

	// Three years after the last inspection: overdue.
	late := fill
	late.Time = time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	err := category.ValidateEvent(p, h, &late)
	if err == nil || !strings.Contains(err.Error(), "periodic inspection overdue") || !errors.Is(err, category.ErrInvalid) {
		t.Fatalf("overdue fill: %v", err)
	}
	// Another station that does not fill CO2, for an overdue cylinder: every reason.
	other := otherFiller(t).String()
	h.Inputs[StationKey(other)] = category.Record{"media": "CO2"}
	late.Fields = category.Record{"station": other, "operator": "李四", "precheck": "pass", "postcheck": "pass"}
	err = category.ValidateEvent(p, h, &late)
	for _, want := range []string{"bound to another filling unit", "periodic inspection overdue", "wrong medium for this station", "已绑定其他充装单位"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	// Recorded anyway (an offline station): the rule raises, critical.
	fs := category.Evaluate(p, h, &late, late.Time)
	if len(fs) != 2 || fs[0].Rule != "cylinder-filled-despite-interlock" || fs[1].Rule != "cylinder-inspection-overdue" {
		t.Fatalf("findings %+v", fs)
	}
	a := fs[0].Alert(alertSubject(), 620102)
	if a.Severity.String() != "critical" || !strings.Contains(a.MessageZH, "充装了不应充装的气瓶") || a.Region != 620102 {
		t.Errorf("alert %+v", a)
	}

	// Facts on the scan page.
	facts := p.Facts(h, late.Time)
	got := map[string]category.Fact{}
	for _, f := range facts {
		got[f.Key] = f
	}
	if f := got["next_inspection"]; f.Status != "bad" || f.Value.EN != "2026-03-01 (overdue)" {
		t.Errorf("next_inspection %+v", f)
	}
	if f := got["last_fill"]; f.Value.ZH != "2025-06-01 · 6.1 kg" {
		t.Errorf("last_fill %+v", f)
	}
	if f := got["fillable"]; f.Status != "bad" || f.Value.EN != "no: periodic inspection overdue" {
		t.Errorf("fillable %+v", f)
	}

	// Inspected and passed: allowed again; scrapped: nothing but inspection.
	h.Events = append(h.Events, category.Event{Kind: "inspection", Time: time.Date(2026, 3, 5, 9, 0, 0, 0, cst),
		Fields: category.Record{"result": "pass", "inspector": "甘肃省特检院"}})
	late.Time = time.Date(2026, 3, 6, 9, 0, 0, 0, cst)
	late.Fields = fill.Fields
	if err := category.ValidateEvent(p, h, &late); err != nil {
		t.Fatalf("after inspection: %v", err)
	}
	h.Events = append(h.Events, category.Event{Kind: "scrap", Time: late.Time, Fields: category.Record{"reason": "腐蚀"}})
	if err := category.ValidateEvent(p, h, &late); err == nil || !strings.Contains(err.Error(), "void forever") {
		t.Fatalf("fill after scrap: %v", err)
	}
}
