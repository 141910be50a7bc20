package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/sector"
)

// The dangerous goods of the demo: liquid chlorine (a highly toxic
// chemical) of the Tianshui chemical plant with its safety data sheet and
// GHS label, a buyer's purchase permit, a transfer to another buyer that
// the permit does not cover (refused), a transfer within it and its
// police filing; and fireworks with a code on every case and every
// smallest unit, delivered to the supermarket chain's retail point and
// one unit sold to a named buyer (the identity number stored hashed).

// Identities of the dangerous goods (valid USCCs and licences).
const (
	demoChlorineBuyer  = "91620502MA71TX0258" // 天水麦积水务 (holds the permit)
	demoOtherBuyer     = "91620102MA71LN024F" // a buyer without a permit
	demoChlorinePermit = "甘公(剧)购字〔2026〕0031"
	demoFireworksPF    = "（甘）PF〔2024〕3"
	demoFireworksLS    = "（甘）LS〔2022〕12"
)

// dangerous seeds the hazardous chemical and the unit-level fireworks; it
// runs after sector.
func (s *seeder) dangerous(ctx context.Context) error {
	if err := s.chlorine(ctx); err != nil {
		return fmt.Errorf("hazardous chemical: %w", err)
	}
	if err := s.fireworksUnits(ctx); err != nil {
		return fmt.Errorf("fireworks units: %w", err)
	}
	return nil
}

// product adds a product with a profile, mints count codes of each level
// and commissions them.
func (s *seeder) sectorProduct(ctx context.Context, key string, org model.Org, gtinItem, nameZH, nameEN, cat string,
	levels []model.Level, count uint64, fields category.Record) error {
	c, err := model.ParseCategory(cat)
	if err != nil {
		return err
	}
	var ls model.LevelSet
	for _, l := range levels {
		ls = ls.With(l)
	}
	g := gtin(org.GCPs[0], gtinItem)
	pr, err := s.eng.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: g, GCPLength: 7,
		NameZH: nameZH, NameEN: nameEN, Category: c, Levels: ls, LevelGTINs: levelGTINs(g, ls)})
	if err != nil {
		return err
	}
	s.prod[key] = pr
	if _, err := s.eng.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: org.ID, Product: pr.ID, Profile: cat, Fields: fields}); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	for i, l := range levels {
		k := key
		if i > 0 {
			k = key + "-" + l.String()
		}
		n := count
		if i > 0 {
			n = 2
		}
		res, err := s.eng.Issuance().Mint(ctx, issue.MintRequest{Product: pr.ID, Level: l, Count: n, RequestID: "demo-" + k})
		if err != nil {
			return fmt.Errorf("mint %s: %w", k, err)
		}
		s.blk[k] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
		if err := s.commission(org, k, 0, n-1, s.at(-40, i), ""); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) register(ctx context.Context, org model.Org, block string, off uint64, fields category.Record) error {
	c, err := s.code(block, "dl", off)
	if err != nil {
		return err
	}
	_, err = s.eng.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: org.ID, Code: c, Fields: fields})
	return err
}

// categoryEvent is one category event on codes.
func (s *seeder) categoryEvent(t time.Time, codes []string, kind string, fields map[string]string) map[string]any {
	m := map[string]any{"type": "ObjectEvent", "eventTime": t.Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
		"epcList": codes, "action": "OBSERVE", "tc:kind": kind}
	for k, v := range fields {
		m["tc:"+k] = v
	}
	return m
}

func (s *seeder) chlorine(ctx context.Context) error {
	b := s.orgB
	if err := s.sectorProduct(ctx, "chlorine", b, "00082", "液氯 500千克钢瓶", "Liquid chlorine, 500 kg drum", "hazchem",
		[]model.Level{model.LevelItem}, 5, category.Record{
			"cas": "7782-50-5", "un_number": "UN1017", "sds_version": "SDS-LC-2025-03 (GB/T 16483-2008)", "sds_sections": "16",
			"sds_url": "https://example.cn/sds/liquid-chlorine-2025-03.pdf", "signal_word": "危险", "pictograms": "GHS03,GHS04,GHS06,GHS09",
			"hazard_statements": "H270,H280,H331,H315,H319,H335,H400", "emergency_phone": "0938-8212345", "controlled": "highly-toxic"}); err != nil {
		return err
	}
	if err := s.register(ctx, b, "chlorine", 0, category.Record{}); err != nil {
		return err
	}
	drum := []string{s.urn("chlorine", 0)}
	transfer := func(d int, ref, buyer string, kg string) map[string]any {
		return s.categoryEvent(s.at(d, 2), drum, "transfer", map[string]string{"ref": ref, "seller_uscc": b.USCC, "buyer_uscc": buyer,
			"permit_no": demoChlorinePermit, "quantity_kg": kg, "agent_name": "马建军", "agent_id": "620503198507120019", "purpose": "自来水消毒"})
	}
	if err := s.captureCategory(b, s.categoryEvent(s.at(-12, 1), drum, "permit", map[string]string{"permit_no": demoChlorinePermit,
		"buyer_uscc": demoChlorineBuyer, "quantity_kg": "1000", "valid_until": s.at(170, 0).Format(time.DateOnly)})); err != nil {
		return fmt.Errorf("permit: %w", err)
	}
	// Another buyer names the permit: refused, nothing recorded.
	err := s.captureCategory(b, transfer(-11, "TS-HC-0417", demoOtherBuyer, "200"))
	if err == nil || !strings.Contains(err.Error(), "permit") {
		return errors.Join(errors.New("a transfer to a buyer without a permit was not refused"), err)
	}
	if err := s.captureCategory(b, transfer(-10, "TS-HC-0418", demoChlorineBuyer, "500"),
		s.categoryEvent(s.at(-8, 3), drum, "police-filing", map[string]string{"filing_no": "天公危备〔2026〕118", "refs": "TS-HC-0418"})); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	c, err := s.code("chlorine", "dl", 0)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs, URL{What: "liquid chlorine drum with its SDS and GHS label (a permit-checked transfer)", URL: c})
	return nil
}

func (s *seeder) fireworksUnits(ctx context.Context) error {
	a := s.orgA
	if err := s.sectorProduct(ctx, "fw-unit", a, "00080", "礼花弹 单发", "Display shell, single", "fireworks",
		[]model.Level{model.LevelItem, model.LevelCase}, 12, category.Record{"class": "C", "maker": "甘肃皋兰烟花爆竹有限公司",
			"maker_licence": "(甘)YH安许证字〔2024〕000031", "units_per_case": "6"}); err != nil {
		return err
	}
	caseBlk := "fw-unit-" + model.LevelCase.String()
	if err := s.pack(a, caseBlk, "fw-unit", 2, 6, s.at(-39, 0)); err != nil {
		return err
	}
	if err := s.register(ctx, a, caseBlk, 0, category.Record{}); err != nil {
		return err
	}
	if err := s.register(ctx, a, "fw-unit", 0, category.Record{}); err != nil {
		return err
	}
	box := []string{s.urn(caseBlk, 0)}
	if err := s.captureCategory(a,
		s.categoryEvent(s.at(-39, 1), box, "produce", map[string]string{"quantity": "6"}),
		s.categoryEvent(s.at(-6, 1), box, "dispatch", map[string]string{"quantity": "6", "to_licence": demoFireworksLS})); err != nil {
		return fmt.Errorf("production: %w", err)
	}
	if err := s.capture(a, event{t: s.at(-6, 2), codes: box, action: "OBSERVE", step: "shipping", disp: "in_transit",
		where: locHZWarehouse, dest: partySupermarket}); err != nil {
		return err
	}
	if err := s.capture(s.orgD, event{t: s.at(-5, 0), codes: box, action: "OBSERVE", step: "receiving",
		disp: "sellable_accessible", where: locHZShop}); err != nil {
		return err
	}
	// A real-name sale of one unit: the identity number is hashed before
	// anything stores it.
	unit := []string{s.urn("fw-unit", 0)}
	if err := s.captureCategory(s.orgD, s.categoryEvent(s.at(-3, 5), unit, "sell", map[string]string{"quantity": "1",
		"licence": demoFireworksLS, "buyer_name": "李明", "buyer_id": "620102199203150036"})); err != nil {
		return fmt.Errorf("real-name sale: %w", err)
	}
	c, err := s.code("fw-unit", "dl", 0)
	if err != nil {
		return err
	}
	s.info.URLs = append(s.info.URLs, URL{What: "fireworks unit sold to a named buyer (unit-level code)", URL: c})
	return nil
}
