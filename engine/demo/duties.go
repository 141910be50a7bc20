package demo

import (
	"context"
	"fmt"

	"tracecode/engine/apikey"
	"tracecode/engine/complaint"
	"tracecode/engine/credit"
	"tracecode/engine/model"
)

// duties adds the public duties' demo data: credit entries written by the
// regulators of the organisations' cities — Zhangye's lamb processor on
// the serious violation list (its lamb's scan page warns), Dingxi's potato
// company on the abnormal operations list, a warning for the Lanzhou
// supermarket old enough to be repaired, a certification of the dairy —
// and one open complaint about the infant formula sold in Lanzhou.
func (s *seeder) duties(context.Context) error {
	day := func(d int) int64 { return s.now.AddDate(0, 0, d).UnixMilli() }
	reg := func(region uint32, name string) apikey.Key {
		return apikey.Key{Scopes: apikey.ScopeRegulator, Region: region, Name: name}
	}
	for _, c := range []struct {
		key apikey.Key
		org *model.Org
		in  credit.Input
	}{
		{reg(620700, "demo regulator Zhangye"), &s.orgH, credit.Input{Kind: credit.SeriousViolation, Gravity: credit.Special,
			Doc: "张市监罚〔2026〕21号", PublishFrom: day(-30),
			SummaryZH: "收购、屠宰饲喂克伦特罗(瘦肉精)的羊只并销售其产品,被处以罚款并列入严重违法失信名单",
			SummaryEN: "Bought and slaughtered sheep fed clenbuterol and sold their meat; fined and put on the serious violation list"}},
		{reg(621100, "demo regulator Dingxi"), &s.orgG, credit.Input{Kind: credit.Abnormal, Gravity: credit.General,
			Doc: "定市监异〔2026〕5号", PublishFrom: day(-60),
			SummaryZH: "通过登记的住所或者经营场所无法联系", SummaryEN: "Cannot be reached at its registered address"}},
		{reg(620100, "demo regulator Lanzhou"), &s.orgD, credit.Input{Kind: credit.Penalty, Gravity: credit.Minor,
			Doc: "城市监罚〔2026〕7号", PublishFrom: day(-120),
			SummaryZH: "商品价签标示价格与结算价格不一致,予以警告", SummaryEN: "Shelf prices differed from the prices charged at the till; warning"}},
		{reg(620100, "demo regulator Lanzhou"), &s.orgA, credit.Input{Kind: credit.Positive,
			Doc: "CNCA-HACCP-2026-0188", PublishFrom: day(-200),
			SummaryZH: "婴幼儿配方乳粉生产企业通过危害分析与关键控制点(HACCP)体系认证", SummaryEN: "HACCP certified infant formula producer"}},
	} {
		co, err := s.eng.Credit()
		if err != nil {
			return err
		}
		if _, err := co.Add(c.key, c.org.USCC, c.in); err != nil {
			return fmt.Errorf("credit entry about %s: %w", c.org.Name, err)
		}
	}
	code, err := s.code("formula-ok", "dl", 0)
	if err != nil {
		return err
	}
	_, err = s.eng.Complaints().Submit(complaint.Input{Code: code, Name: "赵敏", Phone: "139 1934 5678",
		Text: "在万家超市购买的婴幼儿配方奶粉冲调后有结块和异味,罐底生产日期模糊。", RequestID: "demo-complaint-1"})
	if err != nil {
		return fmt.Errorf("complaint: %w", err)
	}
	return nil
}
