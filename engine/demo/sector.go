package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// The category data of the demo (engine/sector): a Tianshui gas filling
// station with two oxygen cylinders — one in date and filled, one whose
// periodic inspection is overdue, so the fill interlock denies it —, an
// elevator in a Lanzhou residential block with its maintenance history
// (the last visit more than 15 days ago: overdue), and the pesticide's
// registration (its safety interval per crop).

// Demo sector identities (valid USCCs and codes).
const (
	demoStationUSCC  = "91620502MA71TX017D" // 天水秦州气体充装
	demoElevatorUSCC = "91620102MA71LN016L" // 兰州城关物业 (the elevator's user unit)
	demoMaintUSCC    = "91620102MA71LN024F" // 兰州电梯维保
	demoCylOK        = "162502000101"
	demoCylOverdue   = "162502000102"
	demoElevatorReg  = "31106201022019050012"
	// DrugApproval is the demo drug's approval number (国药准字).
	DrugApproval = "国药准字H62020001"
)

// sector seeds the category data; it runs after the reports.
func (s *seeder) sector(ctx context.Context) error {
	st, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水秦州气体充装有限公司", NameEN: "Tianshui Qinzhou Gas Filling Co., Ltd.",
		USCC: demoStationUSCC, Region: "620502001", GCPs: []string{"6956004"}})
	if err != nil {
		return fmt.Errorf("filling station: %w", err)
	}
	lift, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "兰州城关安居物业管理有限公司", NameEN: "Lanzhou Chengguan Anju Property Management Co., Ltd.",
		USCC: demoElevatorUSCC, Region: "620102001", GCPs: []string{"6956005"}})
	if err != nil {
		return fmt.Errorf("elevator user unit: %w", err)
	}
	all := apikey.ScopeMint | apikey.ScopeReport | apikey.ScopeEvents | apikey.ScopeAdmin
	for _, k := range []struct {
		name string
		org  uint32
	}{
		{"天水秦州气体充装 (Tianshui filling station; mint, report, events, admin)", st.ID},
		{"兰州城关安居物业 (Lanzhou elevator user unit; mint, report, events, admin)", lift.ID},
	} {
		tok, _, err := s.keys.Create(apikey.Options{Org: k.org, Scopes: all, Name: "demo " + k.name})
		if err != nil {
			return err
		}
		s.info.Keys = append(s.info.Keys, Key{Name: k.name, Token: tok})
	}

	// Products, their profiles and codes.
	type prod struct {
		key, gtin, nameZH, nameEN, cat, profile string
		org                                     model.Org
		fields                                  category.Record
	}
	for _, p := range []prod{
		{"oxygen-cylinder", gtin("6956004", "00019"), "40升无缝钢质氧气瓶", "40 L seamless steel oxygen cylinder", "gas-cylinder", "gas-cylinder", st,
			category.Record{"variety": "seamless", "maker": "兰州兰石气瓶制造有限公司", "maker_licence": "TS2210123-2027", "standard": "GB/T 5099.1"}},
		{"elevator", gtin("6956005", "00018"), "曳引式乘客电梯 1000千克", "Traction passenger elevator, 1000 kg", "elevator", "elevator", lift,
			category.Record{"type": "traction-passenger", "maker": "兰州陇电电梯有限公司", "model": "LD-P1000/1.75"}},
	} {
		cat, err := model.ParseCategory(p.cat)
		if err != nil {
			return err
		}
		pr, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: p.org.ID, GTIN: p.gtin, GCPLength: 7, NameZH: p.nameZH, NameEN: p.nameEN,
			Category: cat, Levels: model.LevelSet(0).With(model.LevelItem)})
		if err != nil {
			return fmt.Errorf("product %s: %w", p.key, err)
		}
		s.prod[p.key] = pr
		if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: p.org.ID, Product: pr.ID, Profile: p.profile, Fields: p.fields}); err != nil {
			return fmt.Errorf("profile of %s: %w", p.key, err)
		}
		res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: pr.ID, Level: model.LevelItem, Count: 10, RequestID: "demo-" + p.key})
		if err != nil {
			return fmt.Errorf("mint %s: %w", p.key, err)
		}
		s.blk[p.key] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
		if err := s.commission(p.org, p.key, 0, 9, s.at(-800, 0), ""); err != nil {
			return err
		}
	}
	// The pesticide's registration (PD20141234: the trace code prefix
	// 1 141234 1 001) and its safety intervals.
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: s.orgB.ID, Product: s.prod["pesticide"].ID, Profile: "pesticide",
		Fields: category.Record{"reg_number": "PD20141234", "holder": "天水麦积医药化工有限公司", "active_ingredients": "吡虫啉 70%",
			"formulation": "水分散粒剂", "code_prefix": "11412341001", "targets": "apple,cabbage", "safety_intervals": "apple=14,cabbage=7"}}); err != nil {
		return fmt.Errorf("pesticide profile: %w", err)
	}
	// The drug's approval number and marketing-authorisation holder
	// (shown on its scan page, written in the drug trace export).
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: s.orgB.ID, Product: s.prod["drug"].ID, Profile: "drug",
		Fields: category.Record{"approval": DrugApproval, "mah": s.orgB.Name, "mah_uscc": s.orgB.USCC, "dosage_form": "胶囊剂",
			"strength": "0.25g×24粒", "rx": "true"}}); err != nil {
		return fmt.Errorf("drug profile: %w", err)
	}

	// The cylinders and the station.
	date := func(d int) string { return s.at(d, 0).Format(time.DateOnly) }
	for i, c := range []struct{ reg, last string }{{demoCylOK, date(-700)}, {demoCylOverdue, date(-3*365 - 40)}} {
		code, err := s.code("oxygen-cylinder", "dl", uint64(i))
		if err != nil {
			return err
		}
		if _, err := s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: st.ID, Code: code, Fields: category.Record{
			"reg_code": c.reg, "medium": "O2", "volume_l": "40", "serial": fmt.Sprintf("LS2019-%04d", 311+i), "made": date(-2500),
			"working_pressure_mpa": "15", "test_pressure_mpa": "22.5", "supervision_cert": fmt.Sprintf("TS-JD-2019-%04d", 88+i),
			"filler": demoStationUSCC, "last_inspection": c.last}}); err != nil {
			return fmt.Errorf("cylinder %s: %w", c.reg, err)
		}
	}
	if _, err := s.eng.Sectors().SetStation(ctx, st.ID, []string{"O2", "N2", "Ar"}); err != nil {
		return fmt.Errorf("station: %w", err)
	}
	fill := func(d int, weight string) map[string]any {
		return map[string]any{"type": "ObjectEvent", "eventTime": s.at(d, 2).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"epcList": []string{s.urn("oxygen-cylinder", 0)}, "action": "OBSERVE",
			"tc:kind": "fill", "tc:station": demoStationUSCC, "tc:operator": "王建国", "tc:precheck": "pass", "tc:weight_kg": weight, "tc:postcheck": "pass"}
	}
	if err := s.captureCategory(st, fill(-30, "6.3"), fill(-2, "6.2")); err != nil {
		return fmt.Errorf("cylinder fills: %w", err)
	}

	// The elevator: registered, inspected, maintained half-monthly until
	// 20 days ago.
	elev, err := s.code("elevator", "dl", 0)
	if err != nil {
		return err
	}
	if _, err := s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: lift.ID, Code: elev, Fields: category.Record{
		"reg_code": demoElevatorReg, "rescue_id": "10235", "user_unit": "兰州城关安居物业管理有限公司", "user_uscc": demoElevatorUSCC,
		"address": "兰州市城关区酒泉路街道 安居小区 3号楼 1单元", "township": "620102001", "maintainer": "兰州陇电电梯维保有限公司",
		"maintainer_uscc": demoMaintUSCC, "emergency_phone": "96333", "registered": "2019-05-20"}}); err != nil {
		return fmt.Errorf("elevator: %w", err)
	}
	ev := func(d int, kind string, fields map[string]string) map[string]any {
		m := map[string]any{"type": "ObjectEvent", "eventTime": s.at(d, 3).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"epcList": []string{s.urn("elevator", 0)}, "action": "OBSERVE", "tc:kind": kind}
		for k, v := range fields {
			m["tc:"+k] = v
		}
		return m
	}
	maint := func(d int) map[string]any {
		return ev(d, "maintenance", map[string]string{"level": "half-monthly", "maintainer": "赵师傅", "items": "曳引机,制动器,门锁,轿厢照明",
			"confirmed_by": "安居物业 孙安全员"})
	}
	if err := s.captureCategory(lift,
		ev(-200, "inspection", map[string]string{"type": "inspection", "result": "pass", "inspector": "甘肃省特种设备检验检测研究院",
			"next_due": date(165), "report_no": "GSTJ-DT-2026-0815"}),
		maint(-65), maint(-50), maint(-35), maint(-20)); err != nil {
		return fmt.Errorf("elevator history: %w", err)
	}

	for _, u := range []struct{ what, block string }{
		{"oxygen cylinder at a Tianshui filling station (in date, filled)", "oxygen-cylinder"},
		{"elevator in a Lanzhou residential block (maintenance overdue)", "elevator"},
	} {
		c, err := s.code(u.block, "dl", 0)
		if err != nil {
			return err
		}
		s.info.URLs = append(s.info.URLs, URL{What: u.what, URL: c})
	}
	c, err := s.code("oxygen-cylinder", "dl", 1)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs, URL{What: "oxygen cylinder whose inspection is overdue (a fill is denied)", URL: c})
	return nil
}

// captureCategory captures events carrying category extension members
// (the tc prefix bound to engine/category's namespace).
func (s *seeder) captureCategory(org model.Org, list ...map[string]any) error {
	doc := map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]string{"tc": category.NS}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  s.now.UTC().Format(time.RFC3339),
		"epcisBody":     map[string]any{"eventList": list},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = s.eng.Reports().CaptureJSON(context.Background(), strings.NewReader(string(b)), &chain.CaptureOptions{Org: org.ID, Credential: "demo"})
	return err
}
