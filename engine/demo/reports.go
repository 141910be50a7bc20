package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/model"
)

// cst is China Standard Time: the demo's events happen in it.
var cst = time.FixedZone("CST", 8*3600)

// at returns the demo time d days and h hours from now, in CST.
func (s *seeder) at(d, h int) time.Time {
	return s.now.In(cst).AddDate(0, 0, d).Add(time.Duration(h) * time.Hour).Truncate(time.Minute)
}

func (s *seeder) meta(org model.Org, t time.Time, where string) chain.ReportMeta {
	return chain.ReportMeta{Org: org.ID, Credential: "demo", Time: t, BizLocation: where}
}

// commission reports offsets [first, last] of a block printed.
func (s *seeder) commission(org model.Org, block string, first, last uint64, t time.Time, where string) error {
	_, err := s.eng.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: s.meta(org, t, where), Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: s.blk[block].ID, First: first, Last: last}}}})
	if err != nil {
		return fmt.Errorf("commission %s: %w", block, err)
	}
	return nil
}

// pack packs per children of the child block into each parent offset
// [0, parents) of the parent block, children taken in order.
func (s *seeder) pack(org model.Org, parent, child string, parents, per uint64, t time.Time) error {
	r := &chain.PackReport{ReportMeta: s.meta(org, t, "")}
	for p := uint64(0); p < parents; p++ {
		r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: s.blk[parent].ID, Offset: p},
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: s.blk[child].ID, First: p * per, Last: p*per + per - 1}}}})
	}
	if _, err := s.eng.Reports().Pack(context.Background(), r); err != nil {
		return fmt.Errorf("pack %s into %s: %w", child, parent, err)
	}
	return nil
}

// event is one EPCIS ObjectEvent of the demo.
type event struct {
	t           time.Time
	codes       []string
	action      string // OBSERVE, DELETE, ADD
	step, disp  string
	where       string // business location id
	doc         string // business transaction "type|gln:id"
	dest        string // destination owning party (a PGLN URN): shipping to another organisation
	extraFields map[string]any
}

// capture records events as one EPCIS 2.0 document by org.
func (s *seeder) capture(org model.Org, evs ...event) error {
	var list []map[string]any
	for _, e := range evs {
		m := map[string]any{"type": "ObjectEvent", "eventTime": e.t.Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
			"epcList": e.codes, "action": e.action, "bizStep": e.step}
		if e.disp != "" {
			m["disposition"] = e.disp
		}
		if e.where != "" {
			m["bizLocation"] = map[string]string{"id": e.where}
		}
		if e.dest != "" {
			m["destinationList"] = []map[string]string{{"type": "owning_party", "destination": e.dest}}
		}
		if e.doc != "" {
			typ, id, _ := strings.Cut(e.doc, "|")
			m["bizTransactionList"] = []map[string]string{{"type": typ, "bizTransaction": "urn:epcglobal:cbv:bt:" + id}}
		}
		for k, v := range e.extraFields {
			m[k] = v
		}
		list = append(list, m)
	}
	return s.captureRaw(org, list)
}

func (s *seeder) captureRaw(org model.Org, list []map[string]any) error {
	doc := map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]string{"tc": "https://tracecode.example/epcis/"}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  s.now.UTC().Format(time.RFC3339),
		"epcisBody":     map[string]any{"eventList": list},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := s.eng.Reports().CaptureJSON(context.Background(), strings.NewReader(string(b)), &chain.CaptureOptions{Org: org.ID, Credential: "demo"}); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	return nil
}

// urn returns the EPC URN of offset off of a block.
func (s *seeder) urn(block string, off uint64) string {
	c, err := s.code(block, "epc-urn", off)
	if err != nil {
		panic("BUG: demo code: " + err.Error())
	}
	return c
}

// Business locations and parties of the demo (SGLNs and PGLNs of the
// organisations' company prefixes).
const (
	locHZFactory   = "urn:epc:id:sgln:6901234.00001.0" // the Lanzhou dairy and food factory
	locHZWarehouse = "urn:epc:id:sgln:6901234.00002.0" // the factory's warehouse
	locColdStore   = "urn:epc:id:sgln:6923456.00001.0" // the distributor's cold store
	locHZShop      = "urn:epc:id:sgln:6934567.00009.0" // a supermarket of the chain
	locFZFactory   = "urn:epc:id:sgln:6909876.00001.0" // the Tianshui pharmaceutical and chemical plant
	locFZPharmacy  = "urn:epc:id:sgln:6945678.00008.0"
	locFZStation   = "urn:epc:id:sgln:6909876.00005.0" // LPG filling station
	locTSOrchard   = "urn:epc:id:sgln:6956001.00001.0" // the apple cooperative's packing house
	locDXStore     = "urn:epc:id:sgln:6956002.00001.0" // the potato store
	locZYPlant     = "urn:epc:id:sgln:6956003.00001.0" // the beef and lamb plant

	partyDistributor = "urn:epc:id:pgln:6923456.00000"
	partySupermarket = "urn:epc:id:pgln:6934567.00000"
	partyPharmacy    = "urn:epc:id:pgln:6945678.00000"
)

// reports records what the lines and the supply chain reported: printing
// (commissioning), packing, shipping, receiving, selling, dispensing, the
// pork transformation, cylinder fillings and inspections, and the recall.
func (s *seeder) reports(context.Context) error {
	a, b := s.orgA, s.orgB
	steps := []func() error{
		// Infant formula, good lot: 1,000 tins printed into 50 cases of 20
		// and 2 pallets of 25 cases (SSCCs of an sscc block, packed into by
		// block and offset), shipped, received, one tin sold.
		func() error { return s.commission(a, "formula-ok", 0, 999, s.at(-39, 0), locHZFactory) },
		func() error { return s.commission(a, "formula-ok-case", 0, 49, s.at(-39, 1), locHZFactory) },
		func() error { return s.pack(a, "formula-ok-case", "formula-ok", 50, 20, s.at(-39, 2)) },
		func() error { return s.pack(a, "formula-ok-pallet", "formula-ok-case", 2, 25, s.at(-39, 3)) },
		// The factory ships pallet 0 to the distributor, which receives
		// it, ships it on to the supermarket chain, which receives it and
		// sells a tin: three hands, custody moving with each receiving.
		func() error {
			pallet := []string{s.urn("formula-ok-pallet", 0)}
			if err := s.capture(a,
				event{t: s.at(-38, 0), codes: pallet, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locHZWarehouse, dest: partyDistributor, doc: "desadv|6901234000003:DN-2026-0117"}); err != nil {
				return err
			}
			if err := s.capture(s.orgC,
				event{t: s.at(-37, 0), codes: pallet, action: "OBSERVE", step: "receiving", disp: "in_progress", where: locColdStore},
				event{t: s.at(-36, 0), codes: pallet, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locColdStore, dest: partySupermarket, doc: "inv|6923456000008:INV-88120"}); err != nil {
				return err
			}
			return s.capture(s.orgD,
				event{t: s.at(-35, 0), codes: pallet, action: "OBSERVE", step: "receiving", disp: "sellable_not_accessible", where: locHZShop},
				event{t: s.at(-2, 5), codes: []string{s.urn("formula-ok", 0)}, action: "DELETE", step: "retail_selling", disp: "retail_sold", where: locHZShop})
		},
		// Infant formula, recalled lot: printed, packed, shipped, recalled.
		func() error { return s.commission(a, "formula-recalled", 0, 199, s.at(-69, 0), locHZFactory) },
		func() error { return s.commission(a, "formula-recalled-case", 0, 9, s.at(-69, 1), locHZFactory) },
		func() error { return s.pack(a, "formula-recalled-case", "formula-recalled", 10, 20, s.at(-69, 2)) },
		func() error {
			cases := []string{s.urn("formula-recalled-case", 0), s.urn("formula-recalled-case", 1)}
			if err := s.capture(a,
				event{t: s.at(-68, 0), codes: cases, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locHZFactory, dest: partySupermarket}); err != nil {
				return err
			}
			return s.capture(s.orgD,
				event{t: s.at(-67, 0), codes: cases, action: "OBSERVE", step: "receiving", disp: "sellable_accessible", where: locHZShop})
		},
		func() error {
			lot := s.lots["formula-recalled"]
			_, err := s.eng.Reports().Recall(context.Background(), &chain.RecallRequest{ReportMeta: s.meta(a, s.at(-5, 0), locHZFactory),
				Lots: []chain.LotRef{{Product: lot.Product, Number: lot.Number}}, Reason: "阪崎肠杆菌检测不合格 (Cronobacter sakazakii found in retained samples)"})
			return err
		},
		// A pig lot slaughtered into pork loin: the transformation links the
		// pork lot to its source animals.
		func() error { return s.commission(a, "pig", 0, 39, s.at(-3, 0), "兰州市榆中县生猪养殖场") },
		func() error { return s.commission(a, "pork", 0, 499, s.at(-2, 2), "兰州市屠宰加工厂") },
		func() error { return s.commission(a, "pork-case", 0, 24, s.at(-2, 3), "兰州市屠宰加工厂") },
		func() error {
			var pigs []string
			for i := uint64(0); i < 10; i++ {
				pigs = append(pigs, s.urn("pig", i))
			}
			lot := s.lots["pork"]
			return s.captureRaw(a, []map[string]any{{
				"type": "TransformationEvent", "eventTime": s.at(-2, 1).Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
				"inputEPCList":       pigs,
				"outputQuantityList": []map[string]any{{"epcClass": "https://id.gs1.org/01/" + s.prod["pork"].GTIN.String() + "/10/" + lot.Number, "quantity": 250, "uom": "KGM"}},
				"bizStep":            "commissioning", "bizLocation": map[string]string{"id": locHZFactory},
			}})
		},
		func() error { return s.pack(a, "pork-case", "pork", 25, 20, s.at(-2, 4)) },
		func() error {
			c := []string{s.urn("pork-case", 0)}
			if err := s.capture(a,
				event{t: s.at(-1, 0), codes: c, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locHZFactory, dest: partySupermarket}); err != nil {
				return err
			}
			return s.capture(s.orgD,
				event{t: s.at(-1, 6), codes: c, action: "OBSERVE", step: "receiving", disp: "sellable_accessible", where: locHZShop})
		},
		// Fireworks: cases printed and shipped.
		func() error { return s.commission(a, "fireworks", 0, 199, s.at(-29, 0), "皋兰分厂") },
		func() error {
			return s.capture(a, event{t: s.at(-20, 0), codes: []string{s.urn("fireworks", 0)}, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locHZWarehouse, doc: "po|6901234000003:PO-FW-301"})
		},
		// Tianshui: drug printed and packed (NMPA codes, reported by range).
		func() error { return s.commission(b, "drug", 0, 239, s.at(-59, 0), locFZFactory) },
		func() error { return s.commission(b, "drug-case", 0, 9, s.at(-59, 1), locFZFactory) },
		func() error { return s.pack(b, "drug-case", "drug", 10, 24, s.at(-59, 2)) },
		// The ten drug cases go on a pallet labelled with an SSCC, which
		// is shipped to a pharmacy and received there.
		func() error {
			r := &chain.PackReport{ReportMeta: s.meta(b, s.at(-59, 3), locFZFactory)}
			r.Packs = []chain.Pack{{Parent: chain.Ref{Code: "(00)" + s.sscc}, ParentLevel: model.LevelPallet,
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: s.blk["drug-case"].ID, First: 0, Last: 9}}}}}
			_, err := s.eng.Reports().Pack(context.Background(), r)
			return err
		},
		func() error {
			u := "urn:epc:id:sscc:6909876." + s.sscc[:1] + s.sscc[8:17]
			if err := s.capture(b,
				event{t: s.at(-58, 0), codes: []string{u}, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locFZFactory, dest: partyPharmacy, doc: "desadv|6909876000003:DRUG-DN-9"}); err != nil {
				return err
			}
			return s.capture(s.orgE,
				event{t: s.at(-57, 0), codes: []string{u}, action: "OBSERVE", step: "receiving", disp: "sellable_accessible", where: locFZPharmacy})
		},
		// The pharmacy dispenses the first box (named by its Digital Link:
		// EPCIS has no form for the NMPA code itself).
		func() error {
			dl, err := s.code("drug", "dl", 0)
			if err != nil {
				return err
			}
			return s.capture(s.orgE, event{t: s.at(-1, 3), codes: []string{dl}, action: "DELETE", step: "dispensing", disp: "dispensed", where: locFZPharmacy, doc: "https://tracecode.example/epcis/btt/prescription|6909876000008:RX-2026-5531"})
		},
		// Pesticide: printed, shipped, sold.
		func() error { return s.commission(b, "pesticide", 0, 99, s.at(-19, 0), locFZFactory) },
		func() error {
			return s.capture(b,
				event{t: s.at(-15, 0), codes: []string{s.urn("pesticide", 0)}, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locFZFactory},
				event{t: s.at(-3, 0), codes: []string{s.urn("pesticide", 0)}, action: "OBSERVE", step: "retail_selling", disp: "retail_sold", where: locFZPharmacy})
		},
		// Gas cylinder: made, then filled and inspected.
		func() error { return s.commission(b, "cylinder", 0, 49, s.at(-399, 0), locFZFactory) },
		func() error {
			c := []string{s.urn("cylinder", 0)}
			return s.capture(b,
				event{t: s.at(-300, 0), codes: c, action: "OBSERVE", step: "inspecting", disp: "active", where: locFZStation, doc: "https://tracecode.example/epcis/btt/inspection|6909876000005:INSP-2025-118"},
				event{t: s.at(-60, 0), codes: c, action: "OBSERVE", step: "https://tracecode.example/epcis/bizstep/filling", where: locFZStation},
				event{t: s.at(-10, 0), codes: c, action: "OBSERVE", step: "https://tracecode.example/epcis/bizstep/filling", where: locFZStation},
				event{t: s.at(-9, 0), codes: c, action: "OBSERVE", step: "inspecting", disp: "active", where: locFZStation, doc: "https://tracecode.example/epcis/btt/inspection|6909876000005:INSP-2026-042"})
		},
		// Rare-earth oxide bags printed and shipped.
		func() error { return s.commission(b, "oxide", 0, 99, s.at(-14, 0), locFZFactory) },
		func() error {
			return s.capture(b, event{t: s.at(-12, 0), codes: []string{s.urn("oxide", 0)}, action: "OBSERVE", step: "shipping", disp: "in_transit", where: locFZFactory, doc: "desadv|6909876000003:RE-DN-77"})
		},
	}
	steps = append(steps, s.history)
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("reports step %d: %w", i+1, err)
		}
	}
	return nil
}
