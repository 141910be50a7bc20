package demo

import (
	"context"
	"fmt"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// The rare-earth chain: a Baiyin separation plant's flows of the two
// months before this one — ore mined under its quota, separated into
// praseodymium-neodymium oxide (masses and REO % in and out), sold on
// special invoices, exported under a customs declaration, stock checked
// at each month's end — and its monthly flow reports, filed by the 5th;
// both months balance within the tolerance. A Baiyin mine that mined in
// the same months has filed no report: the missing-report rule
// (rare-earth-report-missing) finds it on its due date.
//
// The category events of an enterprise's rare-earth flow are recorded on
// one item, its register (here the plant's oxide lot), so that the
// month's balance and the report rule read the whole enterprise.

// Rare-earth identities.
const (
	reQuota       = "自然资源部〔2026〕稀土开采指标 甘-003"
	reInvoice     = "62001234" // 稀土专用发票 number of the later month's sale
	reDeclaration = "620420260001234567"
)

// rareEarth seeds the chain; it runs after sector.
func (s *seeder) rareEarth(ctx context.Context) error {
	c, err := model.ParseCategory("rare-earth")
	if err != nil {
		return err
	}
	plant, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "白银稀土分离有限公司", NameEN: "Baiyin Rare Earth Separation Co., Ltd.",
		Region: "620402001", GCPs: []string{"6956006"}})
	if err != nil {
		return fmt.Errorf("rare-earth plant: %w", err)
	}
	mine, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "白银水川稀土矿业有限公司", NameEN: "Baiyin Shuichuan Rare Earth Mining Co., Ltd.",
		Region: "620402100", GCPs: []string{"6956007"}})
	if err != nil {
		return fmt.Errorf("rare-earth mine: %w", err)
	}
	type prodDef struct {
		key, gtin, zh, en, form, catalogue string
		org                                model.Org
	}
	for _, p := range []prodDef{
		{"prnd-oxide", gtin("6956006", "00010"), "氧化镨钕 (PrNd)₂O₃ ≥99% 25千克袋", "Praseodymium-neodymium oxide ≥99%, 25 kg bag", "separated-oxide", "氧化镨钕", plant},
		{"re-concentrate", gtin("6956007", "00019"), "混合稀土精矿 REO 50%", "Mixed rare-earth concentrate, REO 50%", "concentrate", "稀土精矿", mine},
	} {
		pr, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: p.org.ID, GTIN: p.gtin, GCPLength: 7, NameZH: p.zh, NameEN: p.en, Category: c,
			Levels: model.LevelSet(0).With(model.LevelItem)})
		if err != nil {
			return fmt.Errorf("product %s: %w", p.key, err)
		}
		s.prod[p.key] = pr
		if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: p.org.ID, Product: pr.ID, Profile: "rare-earth",
			Fields: category.Record{"form": p.form, "catalogue_name": p.catalogue}}); err != nil {
			return fmt.Errorf("profile of %s: %w", p.key, err)
		}
		lot := "RE" + fmt.Sprint(s.day(-70))
		if _, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: pr.ID, Number: lot, Produced: s.day(-70)}); err != nil {
			return fmt.Errorf("lot of %s: %w", p.key, err)
		}
		if _, err := s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: p.org.ID, Product: pr.ID, Lot: lot, Fields: category.Record{}}); err != nil {
			return fmt.Errorf("register %s: %w", p.key, err)
		}
		res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: pr.ID, Lot: lot, Level: model.LevelItem, Count: 20, RequestID: "demo-" + p.key})
		if err != nil {
			return fmt.Errorf("mint %s: %w", p.key, err)
		}
		s.blk[p.key] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
		if err := s.commission(p.org, p.key, 0, 19, s.at(-69, 0), ""); err != nil {
			return err
		}
	}

	// The plant's two months, each balancing: opening stock + mined −
	// process loss − sold − exported = closing stock (tonnes of REO).
	now := s.now.In(cst)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, cst)
	lotEPC := func(key string) string {
		g := s.prod[key].GTIN.String()
		return "urn:epc:class:lgtin:" + g[1:8] + "." + g[:1] + g[8:13] + ".RE" + fmt.Sprint(s.day(-70))
	}
	ev := func(key string, t time.Time, kind string, fields map[string]string) map[string]any {
		m := map[string]any{"type": "ObjectEvent", "eventTime": t.Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"action": "OBSERVE", "quantityList": []map[string]string{{"epcClass": lotEPC(key)}}, "tc:kind": kind, "bizStep": demoStep(kind)}
		for k, v := range fields {
			m["tc:"+k] = v
		}
		return m
	}
	var list, mined []map[string]any
	closing := []string{"79.4", "58.8"} // t at REO 50 %: 39.7 and 29.4 t REO
	for i, k := range []int{2, 1} {
		start := thisMonth.AddDate(0, -k, 0)
		day := func(d, h int) time.Time { return start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
		if i == 0 {
			list = append(list, ev("prnd-oxide", start.Add(-4*time.Hour), "stock", map[string]string{"mass_t": "100", "reo_pct": "50"}))
		}
		next := start.AddDate(0, 1, 0)
		invoice := fmt.Sprintf("%08d", 62001233+i)
		list = append(list,
			ev("prnd-oxide", day(2, 9), "mine", map[string]string{"mass_t": "400", "reo_pct": "50", "quota_ref": reQuota}),
			ev("prnd-oxide", day(7, 9), "process", map[string]string{"step": "separation", "in_mass_t": "480", "in_reo_pct": "50", "out_mass_t": "230", "out_reo_pct": "99"}),
			ev("prnd-oxide", day(14, 9), "sale", map[string]string{"mass_t": "150", "reo_pct": "99", "invoice_no": invoice, "buyer": "包头某磁材有限公司"}),
			ev("prnd-oxide", day(19, 9), "export", map[string]string{"mass_t": "50", "reo_pct": "99", "declaration_no": reDeclaration[:16] + fmt.Sprintf("%02d", 66+i)}),
			ev("prnd-oxide", next.Add(-4*time.Hour), "stock", map[string]string{"mass_t": closing[i], "reo_pct": "50"}))
		mined = append(mined, ev("re-concentrate", day(3, 9), "mine", map[string]string{"mass_t": "120", "reo_pct": "50", "quota_ref": reQuota}))
		// The report on the 5th of the next month (or just now, early in
		// this month).
		at := next.AddDate(0, 0, 4).Add(10 * time.Hour)
		if at.After(now) {
			at = now.Add(-time.Minute)
		}
		list = append(list, ev("prnd-oxide", at, "monthly-report", map[string]string{"month": start.Format("2006-01")}))
	}
	if err := s.captureCategory(plant, list...); err != nil {
		return fmt.Errorf("rare-earth flows: %w", err)
	}
	if err := s.captureCategory(mine, mined...); err != nil {
		return fmt.Errorf("rare-earth mining: %w", err)
	}
	last := thisMonth.AddDate(0, -1, 0)
	bal, err := s.eng.Sectors().RareEarthBalance(s.prod["prnd-oxide"].ID, "RE"+fmt.Sprint(s.day(-70)), last)
	if err != nil {
		return fmt.Errorf("rare-earth balance: %w", err)
	}
	s.info.Log = append(s.info.Log, fmt.Sprintf("rare-earth plant: %s flow report filed, REO balance %s (imbalance %.3f t of %.3f allowed); the mine's report is missing",
		bal.Month, map[bool]string{true: "ok", false: "off"}[bal.OK], bal.Imbalance, bal.Allowed))
	code, err := s.code("prnd-oxide", "dl", 0)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs, URL{What: "PrNd oxide bag from the Baiyin separation plant", URL: code})
	return nil
}
