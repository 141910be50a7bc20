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

// The Tianshui orchard chain: a fungicide with its registration and its
// safety interval on apples (14 days), printed with 32-digit pesticide
// trace codes; the Huaniu cooperative sprays it on a plot in 马跑泉镇 and
// records the use by the code on the bag; a 承诺达标合格证 (commitment
// certificate) for the lot is refused while the interval runs (the seed
// log says so) and issued after the harvest, once it has passed; the
// lot's cases carry the certificate's facts on their scan page.

// Orchard identities.
const (
	orchardPestPrefix = "11523451002" // PD20152345: kind 1, registration …152345, own production, specification 002
	orchardPestReg    = "PD20152345"
	orchardTownship   = "620503101" // 麦积区 马跑泉镇
	orchardIntervalD  = 14
	orchardUseDay     = -20 // the spray, days from now
	orchardRefusedDay = -10 // a certificate asked for inside the interval
	orchardHarvestDay = -4
	orchardCertDay    = -3
)

// orchardLot is the apple lot's number (the harvest day).
func (s *seeder) orchardLot() string { return "HNO" + fmt.Sprint(s.day(orchardHarvestDay)) }

// orchard seeds the chain; it runs after sector (the apple cooperative and
// the Tianshui chemical plant exist, the pesticide registration helpers
// are there).
func (s *seeder) orchard(ctx context.Context) error {
	b, f := s.orgB, s.orgF
	cat := func(name string) model.Category {
		c, err := model.ParseCategory(name)
		if err != nil {
			panic("BUG: demo category " + name)
		}
		return c
	}
	scheme, err := serial.ParseScheme("pesticide")
	if err != nil {
		return err
	}
	pest, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: b.ID, OwnCode: orchardPestPrefix, NameZH: "10%苯醚甲环唑水分散粒剂 20克",
		NameEN: "Difenoconazole 10% WG, 20 g", Category: cat("pesticide"), Levels: model.LevelSet(0).With(model.LevelItem), DefaultScheme: scheme})
	if err != nil {
		return fmt.Errorf("orchard pesticide: %w", err)
	}
	s.prod["orchard-pesticide"] = pest
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: b.ID, Product: pest.ID, Profile: "pesticide", Fields: category.Record{
		"reg_number": orchardPestReg, "holder": b.Name, "active_ingredients": "苯醚甲环唑 10%", "formulation": "水分散粒剂",
		"code_prefix": orchardPestPrefix, "targets": "apple,pear", "safety_intervals": fmt.Sprintf("apple=%d,pear=%d", orchardIntervalD, orchardIntervalD)}}); err != nil {
		return fmt.Errorf("orchard pesticide profile: %w", err)
	}
	if _, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: pest.ID, Number: "DF" + fmt.Sprint(s.day(-90)), Produced: s.day(-90),
		Expiry: s.day(640), Site: "天水市麦积区农药厂"}); err != nil {
		return fmt.Errorf("orchard pesticide lot: %w", err)
	}
	res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: pest.ID, Lot: "DF" + fmt.Sprint(s.day(-90)), Level: model.LevelItem, Count: 200,
		Scheme: scheme, RequestID: "demo-orchard-pesticide"})
	if err != nil {
		return fmt.Errorf("mint orchard pesticide: %w", err)
	}
	s.blk["orchard-pesticide"] = res.Block
	s.info.Blocks = append(s.info.Blocks, res.Block.ID)
	if err := s.commission(b, "orchard-pesticide", 0, 199, s.at(-89, 0), locFZFactory); err != nil {
		return err
	}
	bag, err := s.code("orchard-pesticide", "pesticide", 0)
	if err != nil {
		return err
	}

	// The apples: the cooperative's product takes the farm profile; the
	// lot is the production batch, registered with its origin and the
	// committing party.
	apples := s.prod["apples"]
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: f.ID, Product: apples.ID, Profile: "farm",
		Fields: category.Record{"class": "fruit"}}); err != nil {
		return fmt.Errorf("apples profile: %w", err)
	}
	lotNo := s.orchardLot()
	if _, err := s.eng.Issuance().AddLot(ctx, issue.LotSpec{Product: apples.ID, Number: lotNo, Produced: s.day(orchardHarvestDay), Expiry: s.day(60),
		Site: "天水市麦积区马跑泉镇 花牛苹果园 3号地块"}); err != nil {
		return fmt.Errorf("orchard lot: %w", err)
	}
	if _, err := s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: f.ID, Product: apples.ID, Lot: lotNo, Fields: category.Record{
		"origin": orchardTownship, "committer": f.Name, "contact": "0938-2731166", "committer_uscc": f.USCC}}); err != nil {
		return fmt.Errorf("orchard lot item: %w", err)
	}
	res, err = s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: apples.ID, Lot: lotNo, Level: model.LevelCase, Count: 40, RequestID: "demo-orchard-cases"})
	if err != nil {
		return fmt.Errorf("mint orchard cases: %w", err)
	}
	s.blk["orchard"] = res.Block
	s.info.Blocks = append(s.info.Blocks, res.Block.ID)

	lotEPC := "urn:epc:class:lgtin:6956001.0" + apples.GTIN.String()[8:13] + "." + lotNo
	ev := func(d, h int, kind string, fields map[string]string) map[string]any {
		m := map[string]any{"type": "ObjectEvent", "eventTime": s.at(d, h).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"action": "OBSERVE", "quantityList": []map[string]string{{"epcClass": lotEPC}}, "bizLocation": map[string]string{"id": locTSOrchard},
			"tc:kind": kind, "bizStep": demoStep(kind)}
		for k, v := range fields {
			m["tc:"+k] = v
		}
		return m
	}
	if err := s.captureCategory(f, ev(orchardUseDay, 0, "pesticide-use", map[string]string{"input": bag, "crop": "apple",
		"dose": "4000倍液, 每亩 15 克", "operator": "马建军", "plot": "马跑泉镇 花牛苹果园 3号地块", "township": orchardTownship})); err != nil {
		return fmt.Errorf("orchard pesticide use: %w", err)
	}
	cert := func(d int) map[string]any {
		return ev(d, 0, "certificate", map[string]string{"quantity": "2000", "unit": "kg"})
	}
	// Inside the interval the certificate is refused: the seed expects
	// the refusal and logs it.
	err = s.captureCategory(f, cert(orchardRefusedDay))
	if err == nil {
		return fmt.Errorf("orchard: a certificate %d days after the spray was accepted inside the %d-day safety interval", orchardRefusedDay-orchardUseDay, orchardIntervalD)
	}
	s.info.Log = append(s.info.Log, fmt.Sprintf("orchard lot %s: 承诺达标合格证 refused on %s (%d days after the %s spray): %v",
		lotNo, s.at(orchardRefusedDay, 0).Format(time.DateOnly), orchardRefusedDay-orchardUseDay, orchardPestReg, err))
	if err := s.captureCategory(f, ev(orchardHarvestDay, 0, "harvest", map[string]string{"quantity": "2000"}), cert(orchardCertDay)); err != nil {
		return fmt.Errorf("orchard harvest and certificate: %w", err)
	}
	s.info.Log = append(s.info.Log, fmt.Sprintf("orchard lot %s: 承诺达标合格证 issued on %s, after the %d-day safety interval",
		lotNo, s.at(orchardCertDay, 0).Format(time.DateOnly), orchardIntervalD))
	if err := s.commission(f, "orchard", 0, 39, s.at(orchardCertDay, 1), locTSOrchard); err != nil {
		return err
	}

	c, err := s.code("orchard", "dl", 0)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs,
		URL{What: "Tianshui orchard apples with their 承诺达标合格证", URL: c},
		URL{What: "the fungicide the orchard sprayed, by its 32-digit pesticide code", URL: s.base + "/resolve?code=" + bag})
	return nil
}

// demoSteps are the business steps the demo's category events carry, so
// that the scan page's timeline names them: CBV steps where one fits, the
// demo's own vocabulary otherwise.
var demoSteps = map[string]string{
	"pesticide-use": "spraying", "vet-use": "treating", "harvest": "harvesting", "certificate": "certifying",
	"quarantine": "quarantine", "intake": "receiving", "slaughter": "slaughtering", "meat-inspection": "inspecting",
	"mine": "mining", "process": "transforming", "sale": "selling", "export": "exporting", "stock": "cycle_counting",
	"monthly-report": "reporting",
}

// demoStep returns the bizStep of a category event of kind.
func demoStep(kind string) string {
	switch s := demoSteps[kind]; s {
	case "receiving", "inspecting", "cycle_counting":
		return s
	default:
		return "https://tracecode.example/epcis/bizstep/" + s
	}
}
