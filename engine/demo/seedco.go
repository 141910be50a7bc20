package demo

import (
	"context"
	"fmt"
	"time"

	"tracecode/engine/code/cn"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// Zhangye's corn-seed producers (张掖玉米制种): three seed companies of
// Ganzhou District that print their bags' codes last month and two of
// which ship some, so that the open data's statistics (docs/public.md,
// "Open data") have a county × category × month cell with three
// enterprises, published (seed, commissioned), and one with two,
// suppressed (seed, shipped).
var seedCompanies = []struct {
	name, nameEN, township, gcp, org8 string
	printed, shipped                  int
}{
	{"张掖甘州丰禾种业有限公司", "Zhangye Ganzhou Fenghe Seed Co., Ltd.", "620702002", "6956011", "MA74FH11", 30, 10},
	{"张掖金穗玉米种子有限公司", "Zhangye Jinsui Corn Seed Co., Ltd.", "620702003", "6956012", "MA74JX12", 25, 8},
	{"张掖祁连制种专业合作社", "Zhangye Qilian Seed Growers' Cooperative", "620702004", "6956013", "MA74QL13", 20, 0},
}

// LastMonthDay returns a day of the month before now's (the 10th), the
// month the demo's seed companies report in.
func LastMonthDay(now time.Time) time.Time {
	y, m, _ := now.In(cst).Date()
	return time.Date(y, m-1, 10, 9, 0, 0, 0, cst)
}

func (s *seeder) seedCos(ctx context.Context) error {
	cat, err := model.ParseCategory("seed")
	if err != nil {
		return err
	}
	day := LastMonthDay(s.now)
	ymd := func(t time.Time) uint32 { return uint32(t.Year()*10000 + int(t.Month())*100 + t.Day()) }
	for i, c := range seedCompanies {
		r, err := cn.ParseRegion(c.township)
		if err != nil {
			return err
		}
		uscc, err := cn.NewUSCC('9', '1', r.County(), c.org8)
		if err != nil {
			return fmt.Errorf("seed company %s: %w", c.name, err)
		}
		o, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: c.name, NameEN: c.nameEN, USCC: uscc.String(), Region: c.township, GCPs: []string{c.gcp}})
		if err != nil {
			return fmt.Errorf("organisation %s: %w", c.name, err)
		}
		p, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: o.ID, GTIN: gtin(c.gcp, "00019"), GCPLength: 7,
			NameZH: "杂交玉米种子 25千克袋", NameEN: "Hybrid corn seed, 25 kg bag", Category: cat,
			Levels: model.LevelSet(0).With(model.LevelItem)})
		if err != nil {
			return fmt.Errorf("product of %s: %w", c.name, err)
		}
		lot, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: p.ID, Number: fmt.Sprintf("ZY%d", ymd(day)), Produced: ymd(day.AddDate(0, 0, -5)),
			Site: "张掖市甘州区制种基地"})
		if err != nil {
			return fmt.Errorf("lot of %s: %w", c.name, err)
		}
		key := fmt.Sprintf("seed-%d", i)
		res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: lot.Number, Level: model.LevelItem,
			Count: uint64(c.printed), RequestID: "demo-" + key})
		if err != nil {
			return fmt.Errorf("mint for %s: %w", c.name, err)
		}
		s.blk[key] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
		codes, err := s.urns(key, c.printed)
		if err != nil {
			return err
		}
		evs := []event{{t: day, codes: codes, action: "ADD", step: "commissioning", disp: "active"}}
		if c.shipped > 0 {
			evs = append(evs, event{t: day.Add(48 * time.Hour), codes: codes[:c.shipped], action: "OBSERVE", step: "shipping",
				disp: "in_transit"})
		}
		if err := s.capture(o, evs...); err != nil {
			return fmt.Errorf("reports of %s: %w", c.name, err)
		}
	}
	return nil
}
