package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// The Gansu industries' history: six months of apples (Tianshui), potatoes
// (Dingxi) and lamb (Zhangye), printed at the start of each month and
// shipped weekly to the Lanzhou distributor or supermarket chain, which
// receive them and sell some — so that the statistics (docs/stats.md) have
// shape over time. Each producer's printing and shipments go in one EPCIS
// document and each receiver's receipts and sales in another, and each
// product has one lot and one block: seeding stays fast.

const (
	historyMonths = 6
	historyWeeks  = 4 // shipments a month
	perShipment   = 10
)

// historyProducts are the products with a history.
var historyProducts = []struct {
	key, prefix, level string
}{
	{"apples", "AP", "case"},
	{"potatoes", "PT", "item"},
	{"lamb", "LB", "item"},
}

// monthStart is the first day (offset from today, negative) of history
// month m (0 the oldest).
func monthStart(m int) int { return -30*historyMonths + 30*m }

func (s *seeder) historyLots() []lotDef {
	sites := map[string]string{"apples": "天水市麦积区花牛苹果基地", "potatoes": "定西市安定区马铃薯仓储中心", "lamb": "张掖市甘州区屠宰加工厂"}
	shelf := map[string]int{"apples": 240, "potatoes": 360, "lamb": 200}
	var out []lotDef
	for _, p := range historyProducts {
		d := monthStart(0)
		out = append(out, lotDef{key: p.key, product: p.key, number: p.prefix + fmt.Sprint(s.day(d)), site: sites[p.key], produced: d, expiry: d + shelf[p.key]})
	}
	return out
}

func (s *seeder) historyMints() []mintDef {
	var out []mintDef
	for _, p := range historyProducts {
		out = append(out, mintDef{key: p.key, lot: p.key, level: p.level, count: historyMonths * historyWeeks * perShipment})
	}
	return out
}

// history records the six months: per producer one document of monthly
// printing (commissioning) and weekly shipments, then per receiver one of
// receipts and sales.
func (s *seeder) history() error {
	routes := map[string]struct {
		org, to   *model.Org
		dest, loc string
		at        string // the receiver's location
		gcp       string
		sell      bool
	}{
		"apples":   {&s.orgF, &s.orgD, partySupermarket, locTSOrchard, locHZShop, "6956001", true},
		"potatoes": {&s.orgG, &s.orgC, partyDistributor, locDXStore, locColdStore, "6956002", false},
		"lamb":     {&s.orgH, &s.orgC, partyDistributor, locZYPlant, locColdStore, "6956003", false},
	}
	receipts := map[*model.Org][]event{}
	var receivers []*model.Org
	for _, p := range historyProducts {
		r := routes[p.key]
		all, err := s.urns(p.key, historyMonths*historyWeeks*perShipment)
		if err != nil {
			return err
		}
		var evs []event
		for m := range historyMonths {
			month := all[m*historyWeeks*perShipment : (m+1)*historyWeeks*perShipment]
			evs = append(evs, event{t: s.at(monthStart(m), 8), codes: month, action: "ADD", step: "commissioning", disp: "active", where: r.loc})
			for w := range historyWeeks {
				codes := month[w*perShipment : (w+1)*perShipment]
				t := s.at(monthStart(m)+2+7*w, 9)
				evs = append(evs, event{t: t, codes: codes, action: "OBSERVE", step: "shipping", disp: "in_transit", where: r.loc,
					dest: r.dest, doc: fmt.Sprintf("desadv|%s000003:%s-DN-%d%d", r.gcp, p.prefix, m, w)})
				if _, ok := receipts[r.to]; !ok {
					receivers = append(receivers, r.to)
				}
				receipts[r.to] = append(receipts[r.to], event{t: t.Add(20 * time.Hour), codes: codes, action: "OBSERVE",
					step: "receiving", disp: "sellable_accessible", where: r.at})
				if r.sell {
					receipts[r.to] = append(receipts[r.to], event{t: t.Add(72 * time.Hour), codes: codes[:2], action: "DELETE",
						step: "retail_selling", disp: "retail_sold", where: r.at})
				}
			}
		}
		if err := s.capture(*r.org, evs...); err != nil {
			return fmt.Errorf("history of %s: %w", p.key, err)
		}
	}
	for _, to := range receivers {
		if err := s.capture(*to, receipts[to]...); err != nil {
			return fmt.Errorf("history receipts of %s: %w", to.Name, err)
		}
	}
	return nil
}

// urns returns the EPC URNs of the first n codes of a block.
func (s *seeder) urns(block string, n int) ([]string, error) {
	var buf bytes.Buffer
	if _, err := s.eng.Issuance().WriteCodes(context.Background(), &buf, s.blk[block].ID, issue.StreamOptions{
		Format: issue.FormatEPCURN, Limit: uint64(n)}); err != nil {
		return nil, fmt.Errorf("codes of %s: %w", block, err)
	}
	out := strings.Fields(buf.String())
	if len(out) != n {
		return nil, fmt.Errorf("codes of %s: %d, want %d", block, len(out), n)
	}
	return out, nil
}
