package demo

import (
	"context"
	"fmt"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
	"tracecode/engine/serial"
)

// The Zhangye beef chain, from the ear tag to the cut: a steer tagged at a
// farm in 上秦镇 (甘州区) with a 15-digit ear tag, treated with ivermectin
// (a veterinary drug with 24-digit trace codes and a 35-day withdrawal
// period for cattle, recorded by the code on the vial), its origin
// quarantine certificate, intake at the Ganzhou slaughterhouse, slaughter
// (the tag removed, a carcass code), the meat quality inspection
// certificate, and the cutting into a lot of sirloin packs — a
// TransformationEvent from the animal to the cut codes. A sirloin pack's
// scan page shows the animal's farm, township, ear tag, both certificates,
// the slaughterhouse and the date of slaughter.

// Beef chain identities.
const (
	cattleEarTag    = "262070200001234" // cattle, 甘州区, sequence 00001234
	cattleTownship  = "620702101"       // 甘州区 上秦镇
	cattleFarm      = "张掖市甘州区上秦镇富民肉牛养殖场"
	cattleQuarCert  = "6207020004517"
	cattleMeatCert  = "GZ-RP-2026-00871"
	cattleCarcass   = "GZ-C-2026-00871"
	cattleVetPrefix = "15001-IVM" // the vet-drug product's own code: enterprise code 15001
	cattleVetApprov = "兽药字(2021)150012345"
)

// sirloinLot is the cut lot's number (the cutting day).
func (s *seeder) sirloinLot() string { return "BS" + fmt.Sprint(s.day(-1)) }

// meat seeds the beef chain; it runs after sector.
func (s *seeder) meat(ctx context.Context) error {
	b, h := s.orgB, s.orgH
	cat := func(name string) model.Category {
		c, err := model.ParseCategory(name)
		if err != nil {
			panic("BUG: demo category " + name)
		}
		return c
	}
	item := model.LevelSet(0).With(model.LevelItem)

	// The veterinary drug, with 24-digit codes (the lot's production date,
	// the enterprise code, 11 FF1 digits).
	vetScheme, err := serial.ParseScheme("vet-drug")
	if err != nil {
		return err
	}
	vet, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: b.ID, OwnCode: cattleVetPrefix, NameZH: "1%伊维菌素注射液 50毫升",
		NameEN: "Ivermectin injection 1%, 50 mL", Category: cat("vet-drug"), Levels: item, DefaultScheme: vetScheme})
	if err != nil {
		return fmt.Errorf("vet drug: %w", err)
	}
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: b.ID, Product: vet.ID, Profile: "vet-drug", Fields: category.Record{
		"approval_number": cattleVetApprov, "holder": b.Name, "enterprise_code": "15001", "species": "cattle,sheep,pig",
		"withdrawal_periods": "cattle=35,sheep=35,pig=28", "prescription": "true"}}); err != nil {
		return fmt.Errorf("vet drug profile: %w", err)
	}
	vetLot := "IVM" + fmt.Sprint(s.day(-150))
	if _, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: vet.ID, Number: vetLot, Produced: s.day(-150), Expiry: s.day(580)}); err != nil {
		return fmt.Errorf("vet drug lot: %w", err)
	}
	res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: vet.ID, Lot: vetLot, Level: model.LevelItem, Count: 100, Scheme: vetScheme, RequestID: "demo-vet-drug"})
	if err != nil {
		return fmt.Errorf("mint vet drug: %w", err)
	}
	s.blk["vet-drug"] = res.Block
	s.info.Blocks = append(s.info.Blocks, res.Block.ID)
	if err := s.commission(b, "vet-drug", 0, 99, s.at(-149, 0), locFZFactory); err != nil {
		return err
	}
	vial, err := s.code("vet-drug", "vet-drug", 0)
	if err != nil {
		return err
	}

	// The animals (one code each, carried with the ear tag) and the cut.
	steer, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: h.ID, GTIN: gtin("6956003", "00039"), GCPLength: 7, NameZH: "张掖肉牛(活畜)",
		NameEN: "Zhangye beef cattle (live)", Category: cat("farm"), Levels: item})
	if err != nil {
		return fmt.Errorf("cattle: %w", err)
	}
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: h.ID, Product: steer.ID, Profile: "meat",
		Fields: category.Record{"species": "cattle"}}); err != nil {
		return fmt.Errorf("cattle profile: %w", err)
	}
	sirloin, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: h.ID, GTIN: gtin("6956003", "00046"), GCPLength: 7, NameZH: "张掖冷鲜牛外脊 500克",
		NameEN: "Zhangye chilled beef sirloin, 500 g", Category: cat("farm"), Levels: item})
	if err != nil {
		return fmt.Errorf("sirloin: %w", err)
	}
	s.prod["cattle"], s.prod["sirloin"] = steer, sirloin
	for _, l := range []struct {
		key, number string
		product     uint32
		produced    int
		count       uint64
	}{
		{"cattle", "NB" + fmt.Sprint(s.day(-400)), steer.ID, -400, 5},
		{"sirloin", s.sirloinLot(), sirloin.ID, -1, 40},
	} {
		if _, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: l.product, Number: l.number, Produced: s.day(l.produced)}); err != nil {
			return fmt.Errorf("lot %s: %w", l.key, err)
		}
		res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: l.product, Lot: l.number, Level: model.LevelItem, Count: l.count, RequestID: "demo-" + l.key})
		if err != nil {
			return fmt.Errorf("mint %s: %w", l.key, err)
		}
		s.blk[l.key] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
	}
	if err := s.commission(h, "cattle", 0, 4, s.at(-400, 0), ""); err != nil {
		return err
	}
	animal, err := s.code("cattle", "dl", 0)
	if err != nil {
		return err
	}
	if _, err := s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: h.ID, Code: animal, Fields: category.Record{
		"ear_tag": cattleEarTag, "farm": cattleFarm, "farm_township": cattleTownship}}); err != nil {
		return fmt.Errorf("steer: %w", err)
	}
	ev := func(d, hour int, kind string, fields map[string]string) map[string]any {
		m := map[string]any{"type": "ObjectEvent", "eventTime": s.at(d, hour).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"action": "OBSERVE", "epcList": []string{s.urn("cattle", 0)}, "tc:kind": kind, "bizStep": demoStep(kind)}
		for k, v := range fields {
			m["tc:"+k] = v
		}
		return m
	}
	const house = "张掖甘州牛羊肉加工有限公司"
	if err := s.captureCategory(h,
		ev(-80, 0, "vet-use", map[string]string{"input": vial, "species": "cattle", "dose": "10 mL 皮下注射", "animals": cattleEarTag,
			"operator": "王富民", "vet": "张志强"}),
		ev(-3, 0, "quarantine", map[string]string{"cert_no": cattleQuarCert, "vet": "甘州区动物卫生监督所 李明", "destination": house}),
		ev(-2, -4, "intake", map[string]string{"slaughterhouse": house, "cert_no": cattleQuarCert}),
		ev(-2, -2, "slaughter", map[string]string{"slaughterhouse": house, "carcass": cattleCarcass, "tag_removed": "true"}),
		ev(-2, 0, "meat-inspection", map[string]string{"cert_no": cattleMeatCert, "result": "pass"})); err != nil {
		return fmt.Errorf("steer history: %w", err)
	}
	// The cut: printed sirloin packs made from the carcass.
	if err := s.commission(h, "sirloin", 0, 39, s.at(-1, -1), ""); err != nil {
		return err
	}
	outs, err := s.urns("sirloin", 40)
	if err != nil {
		return err
	}
	cut := map[string]any{"type": "TransformationEvent", "eventTime": s.at(-1, 0).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
		"inputEPCList": []string{s.urn("cattle", 0)}, "outputEPCList": outs, "bizStep": "commissioning",
		"tc:kind": "cut", "tc:lots": s.sirloinLot()}
	if err := s.captureCategory(h, cut); err != nil {
		return fmt.Errorf("cutting: %w", err)
	}
	c, err := s.code("sirloin", "dl", 0)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs,
		URL{What: "Zhangye beef sirloin cut from an ear-tagged steer", URL: c},
		URL{What: "the veterinary drug the steer was given, by its 24-digit code", URL: s.base + "/resolve?code=" + vial})
	return nil
}
