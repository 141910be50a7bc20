package elevator

import (
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/code/cn"
)

var cst = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// lanzhou is a passenger elevator in a residential block of 城关区, Lanzhou.
func lanzhou() *category.History {
	return &category.History{
		Product: category.Record{"type": "traction-passenger", "maker": "某电梯有限公司", "model": "TKJ1000/1.75"},
		Item: category.Record{"reg_code": "31106201022019110001", "device_code": "311010890201900123", "rescue_id": "620011",
			"user_unit": "兰州某物业服务有限公司", "address": "兰州市城关区某小区3号楼1单元", "township": "620102001",
			"maintainer": "甘肃某电梯工程有限公司", "registered": "2019-11-20"},
		Region: 620102,
	}
}

func maint(day string) category.Event {
	return category.Event{Kind: "maintenance", Time: at(day + " 10:00"), Fields: category.Record{
		"level": "half-monthly", "maintainer": "王工", "confirmed_by": "刘经理", "items": "机房环境,手动紧急操作装置,曳引机"}}
}

func TestDeclarationsAndMasterData(t *testing.T) {
	p := New(Config{})
	if err := category.Check(p); err != nil {
		t.Fatal(err)
	}
	h := lanzhou()
	if err := category.ValidateProduct(p, h.Product); err != nil {
		t.Fatal(err)
	}
	if err := category.ValidateItem(p, h.Product, h.Item); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ field, value, want string }{
		{"reg_code", "", ""},
		{"device_code", "", "needs its 设备代码 or its 注册代码"},
		{"township", "620102", "is not a 9-digit township code"},
		{"reg_code", "21603101012006010101", "is not an elevator's"},
		{"device_code", "3110108902020A000", "has 17 characters"},
	} {
		item := category.Record{}
		for k, v := range h.Item {
			item[k] = v
		}
		if tc.field == "device_code" && tc.value == "" {
			delete(item, "reg_code")
		}
		if tc.value == "" {
			delete(item, tc.field)
		} else {
			item[tc.field] = tc.value
		}
		err := category.ValidateItem(p, h.Product, item)
		if tc.want == "" {
			if err != nil {
				t.Errorf("without %s: %v", tc.field, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v, want %q", tc.field, tc.value, err, tc.want)
		}
	}
}

// TestMaintenanceAndInspectionRules: half-monthly visits keep the device
// in date; a gap past 15 days (or the device's own interval) and an
// inspection past its next_due date raise, and the facts say so.
func TestMaintenanceAndInspectionRules(t *testing.T) {
	p := New(Config{})
	h := lanzhou()
	h.Events = append(h.Events, maint("2026-10-01"), maint("2026-10-15"),
		category.Event{Kind: "inspection", Time: at("2025-12-01 09:00"), Fields: category.Record{
			"type": "inspection", "result": "pass", "inspector": "甘肃省特种设备检验检测研究院", "next_due": "2026-11-30"}},
		maint("2026-10-30"))
	ids := func(now time.Time) []string {
		var out []string
		for _, f := range category.Evaluate(p, h, nil, now) {
			out = append(out, f.Rule)
		}
		return out
	}
	if got := ids(at("2026-11-14 12:00")); len(got) != 0 {
		t.Errorf("on the 15th day: %v", got)
	}
	if got := ids(at("2026-11-15 08:00")); len(got) != 1 || got[0] != "elevator-maintenance-overdue" {
		t.Errorf("on the 16th day: %v", got)
	}
	if got := ids(at("2026-12-07 08:00")); len(got) != 2 || got[1] != "elevator-inspection-overdue" {
		t.Errorf("after the inspection date: %v", got)
	}
	facts := map[string]category.Fact{}
	for _, f := range p.Facts(h, at("2026-12-07 08:00")) {
		facts[f.Key] = f
	}
	if f := facts["maintenance_due"]; f.Status != "bad" || f.Value.ZH != "2026-11-14(维保超期)" {
		t.Errorf("maintenance_due %+v", f)
	}
	if f := facts["next_inspection"]; f.Status != "bad" || f.Value.EN != "2026-11-30 (overdue)" {
		t.Errorf("next_inspection %+v", f)
	}
	if f := facts["emergency_phone"]; f.Value.ZH != "96333" || !f.Public {
		t.Errorf("emergency_phone %+v", f)
	}
	if f := facts["last_maintenance"]; f.Value.EN != "2026-10-30" {
		t.Errorf("last_maintenance %+v", f)
	}
	// 按需维保: a device with a 30-day interval is not overdue on day 16.
	h.Item["maintenance_interval_days"] = "30"
	if got := ids(at("2026-11-15 08:00")); len(got) != 0 {
		t.Errorf("30-day device on day 16: %v", got)
	}
	// A suspended device raises nothing.
	h.Events = append(h.Events, category.Event{Kind: "suspend", Time: at("2026-11-01 08:00"), Fields: category.Record{"reason": "改造"}})
	if got := ids(at("2026-12-07 08:00")); len(got) != 0 {
		t.Errorf("suspended: %v", got)
	}
}

// TestRescueSLA: 30 minutes in a district of Lanzhou, an hour in a county;
// the times must run in order; the fourth entrapment in 30 days raises.
func TestRescueSLA(t *testing.T) {
	p := New(Config{})
	h := lanzhou()
	// In date otherwise: only the rescue rules can fire.
	h.Events = append(h.Events, category.Event{Kind: "inspection", Time: at("2026-06-01 09:00"), Fields: category.Record{
		"type": "self-test", "result": "pass", "inspector": "甘肃某电梯工程有限公司", "next_due": "2027-05-31"}}, maint("2026-11-01"))
	h.Item["maintenance_interval_days"] = "90"
	trap := func(alarm, arrival string) category.Event {
		return category.Event{Kind: "entrapment", Time: at(alarm), Fields: category.Record{
			"alarm": at(alarm).Format(time.RFC3339), "dispatch": at(alarm).Add(2 * time.Minute).Format(time.RFC3339),
			"arrival": at(arrival).Format(time.RFC3339), "rescuer": "甘肃某电梯工程有限公司"}}
	}
	e := trap("2026-11-02 20:00", "2026-11-02 20:25")
	if err := category.ValidateEvent(p, h, &e); err != nil {
		t.Fatal(err)
	}
	if fs := category.Evaluate(p, h, &e, e.Time); len(fs) != 0 {
		t.Errorf("25 min in 城关区: %v", fs)
	}
	e = trap("2026-11-03 20:00", "2026-11-03 20:41")
	fs := category.Evaluate(p, h, &e, e.Time)
	if len(fs) != 1 || fs[0].Rule != "elevator-rescue-late" || fs[0].Message.EN != "rescuer arrived 41 min after the alarm; the limit is 30 min" {
		t.Errorf("41 min in 城关区: %+v", fs)
	}
	county, _ := cn.ParseRegion("620121") // 永登县
	kids := county.Children()
	if len(kids) == 0 {
		t.Fatal("永登县 has no townships in the tree")
	}
	h.Item["township"] = kids[0].String()
	if fs := category.Evaluate(p, h, &e, e.Time); len(fs) != 0 {
		t.Errorf("41 min in a county: %v", fs)
	}
	bad := trap("2026-11-04 20:00", "2026-11-04 19:50")
	if err := category.ValidateEvent(p, h, &bad); err == nil || !strings.Contains(err.Error(), `"arrival"`) {
		t.Errorf("arrival before dispatch: %v", err)
	}
	h.Events = append(h.Events, trap("2026-11-05 08:00", "2026-11-05 08:10"), trap("2026-11-10 08:00", "2026-11-10 08:10"), trap("2026-11-20 08:00", "2026-11-20 08:10"))
	e = trap("2026-11-25 08:00", "2026-11-25 08:10")
	fs = category.Evaluate(p, h, &e, e.Time)
	if len(fs) != 1 || fs[0].Rule != "elevator-frequent-entrapments" {
		t.Errorf("fourth entrapment in 30 days: %+v", fs)
	}
	h.Events = append(h.Events, category.Event{Kind: "scrap", Time: at("2026-11-26 08:00"), Fields: category.Record{"reason": "拆除"}})
	e = maint("2026-11-27")
	if err := category.ValidateEvent(p, h, &e); err == nil || !strings.Contains(err.Error(), "scrapped") {
		t.Errorf("maintenance after scrap: %v", err)
	}
}
