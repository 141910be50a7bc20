package alert

import (
	"encoding/binary"
	"fmt"

	"tracecode/engine/internal/wire"
)

// Builtin returns the rules of this package, in the order docs/alerts.md
// lists them. Sector rules (withdrawal periods, overdue inspections,
// missing periodic reports) are added beside them by their packages.
func Builtin() []Rule {
	return []Rule{SoldTwice{}, TradedExpired{}, TradedRecalled{}, TradedHeld{}, CloneScan{},
		ShippedUnregistered{}, ReceivedByOther{}, RecallOverdue{}}
}

// nodeKey is a code's subject key: product u32 | counter u64.
func nodeKey(product uint32, counter uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(nil, product), counter)
}

// maxPerItemRun bounds how many codes of one run a per-code rule marks: a
// sale names single codes; a run this long is a bulk movement, judged by
// the lot rules instead.
const maxPerItemRun = 4096

// SoldTwice fires when a drug trace code is sold or dispensed a second
// time. Medical-insurance settlement treats a code that settles twice as
// a returned-and-resold (回流药) or swapped (串换) drug.
type SoldTwice struct{}

// Info documents the rule.
func (SoldTwice) Info() RuleInfo {
	return RuleInfo{Name: "drug-sold-twice", Severity: Critical, Facts: Facts(FactEvent),
		Trigger: "a retail_selling or dispensing event names an NMPA drug trace code that an earlier selling or dispensing event already named",
		Routing: "the regulators of the second seller's division (and every level above); the second seller"}
}

// Apply marks every drug code sold and raises on the second sale.
func (SoldTwice) Apply(ev *Eval, f *Fact) error {
	if !Saleish(f.BizStep) {
		return nil
	}
	for _, it := range f.Items {
		if !it.Drug || it.Count > maxPerItemRun {
			continue
		}
		for c := it.Counter; c < it.Counter+max(it.Count, 1); c++ {
			prev, had, err := ev.Mark(nodeKey(it.Product, c), f.Seq, f.Time)
			if err != nil {
				return err
			}
			if !had {
				continue
			}
			code := it.Code
			if c != it.Counter {
				code = ""
			}
			if err := ev.Raise(Alert{
				Subject:   Subject{Product: it.Product, Counter: c, Lot: it.Lot, Org: f.Org, Code: code},
				Region:    f.Region,
				Message:   fmt.Sprintf("drug code %s sold or dispensed again (first in record %d, %d times in all)", codeOr(code, it.Product, c), prev.Seq, prev.N+1),
				MessageZH: fmt.Sprintf("药品追溯码 %s 重复销售或调配(首次见于记录 %d,共 %d 次)", codeOr(code, it.Product, c), prev.Seq, prev.N+1),
				Evidence:  []Evidence{{Kind: EvRecord, Seq: prev.Seq, Note: "first sale"}, {Kind: EvRecord, Seq: f.Seq, Note: "this sale"}},
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func codeOr(code string, product uint32, counter uint64) string {
	if code != "" {
		return code
	}
	return fmt.Sprintf("%d/%d", product, counter)
}

// tradeKind says what an event did with goods, for the trade rules: ""
// when it neither sold, dispensed nor shipped them.
func tradeKind(ev *Eval, f *Fact, withShip bool) (en, zh string) {
	switch {
	case Saleish(f.BizStep):
		return "sold or dispensed", "销售或调配"
	case withShip && Shipping(f.BizStep):
		return "shipped", "发货"
	}
	return "", ""
}

// lotAlert raises one alert per lot of f's items that match, with the
// message built from the lot's first code.
func lotAlert(ev *Eval, f *Fact, match func(it *Item) bool, msg func(it *Item) (en, zh string)) error {
	seen := map[uint32]bool{}
	for i := range f.Items {
		it := &f.Items[i]
		if !match(it) || seen[it.Lot] {
			continue
		}
		seen[it.Lot] = true
		en, zh := msg(it)
		a := Alert{Subject: Subject{Product: it.Product, Lot: it.Lot, Org: f.Org, Code: it.Code}, Region: f.Region,
			Message: en, MessageZH: zh, Evidence: []Evidence{{Kind: EvRecord, Seq: f.Seq}}}
		if it.Count <= 1 {
			a.Subject.Counter = it.Counter
		}
		if err := ev.Raise(a); err != nil {
			return err
		}
	}
	return nil
}

// TradedExpired fires when an item is sold, dispensed or shipped after
// its lot's expiry date (plus Config.ExpiryGrace).
type TradedExpired struct{}

// Info documents the rule.
func (TradedExpired) Info() RuleInfo {
	return RuleInfo{Name: "traded-expired", Severity: Warning, Facts: Facts(FactEvent),
		Trigger: "a retail_selling, dispensing or shipping event whose time is after the expiry date of a lot it names (Config.ExpiryGrace later; shipping can be excluded)",
		Routing: "the regulators of the reporting organisation's division; the reporting organisation"}
}

// Apply raises once per expired lot an event names.
func (TradedExpired) Apply(ev *Eval, f *Fact) error {
	cfg := ev.Config()
	en, zh := tradeKind(ev, f, !cfg.DisableShipExpired)
	if en == "" {
		return nil
	}
	grace := cfg.ExpiryGrace.Milliseconds()
	return lotAlert(ev, f, func(it *Item) bool { return it.Expiry != 0 && f.Time > it.Expiry+grace },
		func(it *Item) (string, string) {
			return fmt.Sprintf("%s after its lot expired: %s", en, it.Code), fmt.Sprintf("过期后%s:%s", zh, it.Code)
		})
}

// TradedRecalled fires when a recalled item is sold, dispensed or
// shipped (a return to the producer is shipping too; the rule still
// fires, and the organisation explains in its acknowledgement).
type TradedRecalled struct{}

// Info documents the rule.
func (TradedRecalled) Info() RuleInfo {
	return RuleInfo{Name: "traded-recalled", Severity: Critical, Facts: Facts(FactEvent),
		Trigger: "a retail_selling, dispensing or shipping event names a code that a recall covers",
		Routing: "the regulators of the reporting organisation's division; the reporting organisation"}
}

// Apply raises once per recalled lot an event names.
func (TradedRecalled) Apply(ev *Eval, f *Fact) error {
	en, zh := tradeKind(ev, f, true)
	if en == "" {
		return nil
	}
	return lotAlert(ev, f, func(it *Item) bool { return it.Recall != 0 },
		func(it *Item) (string, string) {
			return fmt.Sprintf("%s while recalled (recall %d): %s", en, it.Recall, it.Code),
				fmt.Sprintf("召回期间%s(召回 %d):%s", zh, it.Recall, it.Code)
		})
}

// TradedHeld fires when an item of a lot on hold (stop-trade) is sold,
// dispensed or shipped — or tried to be: the engine refuses the sale and
// still applies the refused fact to this rule.
type TradedHeld struct{}

// Info documents the rule.
func (TradedHeld) Info() RuleInfo {
	return RuleInfo{Name: "traded-held", Severity: Critical, Facts: Facts(FactEvent),
		Trigger: "a retail_selling, dispensing or shipping event (accepted or refused) names a code of a lot on hold",
		Routing: "the regulators of the reporting organisation's division; the reporting organisation"}
}

// Apply raises once per held lot an event names.
func (TradedHeld) Apply(ev *Eval, f *Fact) error {
	en, zh := tradeKind(ev, f, true)
	if en == "" {
		return nil
	}
	return lotAlert(ev, f, func(it *Item) bool { return it.Held },
		func(it *Item) (string, string) {
			return fmt.Sprintf("%s while its lot is on hold: %s", en, it.Code), fmt.Sprintf("停售期间%s:%s", zh, it.Code)
		})
}

// CloneScan turns a suspicious public scan (the resolver's clone check:
// one code seen in places too far apart too quickly) into an alert a
// regulator confirms or clears. Scans of one code within
// Config.CloneMarkWindow of its last alert add nothing.
type CloneScan struct{}

// Info documents the rule.
func (CloneScan) Info() RuleInfo {
	return RuleInfo{Name: "clone-scan", Severity: Warning, Facts: Facts(FactScan),
		Trigger: "a public scan the resolver flags suspicious (possible cloned label); at most one alert per code per CloneMarkWindow",
		Routing: "the regulators of the division the scan came from (the producer's when unknown); the producer"}
}

// Apply raises for a suspicious scan unless the code's last alert is
// recent.
func (CloneScan) Apply(ev *Eval, f *Fact) error {
	if !f.Suspicious {
		return nil
	}
	for _, it := range f.Items {
		k := nodeKey(it.Product, it.Counter)
		m, had, err := ev.Marked(k)
		if err != nil {
			return err
		}
		if had && f.Time-m.Time < ev.Config().CloneMarkWindow.Milliseconds() {
			continue
		}
		if err := ev.Unmark(k); err != nil {
			return err
		}
		if _, _, err := ev.Mark(k, uint64(f.Time), f.Time); err != nil {
			return err
		}
		region := f.Region
		if region == 0 {
			region = it.OwnerRegion
		}
		if err := ev.Raise(Alert{
			Severity:  ev.Config().SuspiciousSeverity,
			Subject:   Subject{Product: it.Product, Counter: it.Counter, Lot: it.Lot, Org: it.Owner, Code: it.Code},
			Region:    region,
			Message:   fmt.Sprintf("possible cloned label %s: %s", it.Code, f.Why),
			MessageZH: fmt.Sprintf("疑似克隆标签 %s:%s", it.Code, f.Why),
			Evidence:  []Evidence{{Kind: EvScan, Seq: uint64(f.Time), Note: f.Why}},
		}); err != nil {
			return err
		}
	}
	return nil
}

// ShippedUnregistered fires when a shipment names destinations none of
// which is a registered organisation: goods leave the traceable chain.
type ShippedUnregistered struct{}

// Info documents the rule.
func (ShippedUnregistered) Info() RuleInfo {
	return RuleInfo{Name: "shipped-unregistered", Severity: Warning, Facts: Facts(FactEvent),
		Trigger: "a shipping event with destinations of which none is a registered organisation",
		Routing: "the regulators of the shipper's division; the shipper"}
}

// Apply raises once per such shipment.
func (ShippedUnregistered) Apply(ev *Eval, f *Fact) error {
	if !Shipping(f.BizStep) || len(f.Dests) == 0 {
		return nil
	}
	for _, d := range f.Dests {
		if d.Org != 0 {
			return nil
		}
	}
	a := Alert{Subject: Subject{Org: f.Org}, Region: f.Region,
		Message:   fmt.Sprintf("shipped to an unregistered party: %s", f.Dests[0].ID),
		MessageZH: fmt.Sprintf("发往未登记单位:%s", f.Dests[0].ID),
		Evidence:  []Evidence{{Kind: EvRecord, Seq: f.Seq}}}
	if len(f.Items) > 0 {
		a.Subject.Product, a.Subject.Lot, a.Subject.Code = f.Items[0].Product, f.Items[0].Lot, f.Items[0].Code
	}
	return ev.Raise(a)
}

// ReceivedByOther fires when goods shipped to one organisation are
// received by another.
type ReceivedByOther struct{}

// Info documents the rule.
func (ReceivedByOther) Info() RuleInfo {
	return RuleInfo{Name: "received-by-other", Severity: Warning, Facts: Facts(FactEvent),
		Trigger: "a receiving, arriving or accepting event by an organisation other than the one the items were shipped to",
		Routing: "the regulators of the receiver's division; the receiver"}
}

// Apply raises once per receiving event that took in someone else's goods.
func (ReceivedByOther) Apply(ev *Eval, f *Fact) error {
	if !Receiving(f.BizStep) {
		return nil
	}
	for _, it := range f.Items {
		if it.Pending == 0 || it.Pending == f.Org {
			continue
		}
		return ev.Raise(Alert{Subject: Subject{Product: it.Product, Lot: it.Lot, Org: f.Org, Code: it.Code}, Region: f.Region,
			Message:   fmt.Sprintf("received %s, which was shipped to organisation %d", it.Code, it.Pending),
			MessageZH: fmt.Sprintf("收货单位与发货目的地不符:%s 发往单位 %d", it.Code, it.Pending),
			Evidence:  []Evidence{{Kind: EvRecord, Seq: f.Seq}}})
	}
	return nil
}

// RecallOverdue fires when a recipient has not acknowledged a recall by
// its deadline, or the producer has not finished it by the level's
// deadline. The deadlines come with the recall (engine/recall computes
// them from its level); the rule schedules one due entry per recipient
// and cancels it on the acknowledgement.
type RecallOverdue struct{}

// Info documents the rule.
func (RecallOverdue) Info() RuleInfo {
	return RuleInfo{Name: "recall-overdue", Severity: Warning, Facts: Facts(FactRecall),
		Trigger: "a recall recipient's acknowledgement deadline (plus Config.RecallAckGrace) passes without an acknowledgement, or the recall's finish deadline passes while it is open",
		Routing: "the regulators of the late organisation's division; the late organisation"}
}

func recallSubject(id uint64, org uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, id), org)
}

// Apply schedules, cancels and fires the recall's deadlines.
func (RecallOverdue) Apply(ev *Eval, f *Fact) error {
	if f.Kind == FactDue {
		return recallDue(ev, f.Due)
	}
	r := f.Recall
	if r == nil {
		return nil
	}
	switch r.Step {
	case RecallCreated:
		grace := ev.Config().RecallAckGrace.Milliseconds()
		for _, p := range r.Recipients {
			pay := recallDuePayload(0, p.Region, r.Lot, 0)
			if err := ev.Schedule(recallSubject(r.ID, p.Org), p.AckBy+grace, pay); err != nil {
				return err
			}
		}
		if r.FinishBy != 0 {
			pay := recallDuePayload(1, r.Region, r.Lot, r.Org)
			return ev.Schedule(recallSubject(r.ID, 0), r.FinishBy, pay)
		}
	case RecallAcked:
		return ev.Cancel(recallSubject(r.ID, r.Org))
	case RecallClosed:
		for _, p := range r.Recipients {
			if err := ev.Cancel(recallSubject(r.ID, p.Org)); err != nil {
				return err
			}
		}
		return ev.Cancel(recallSubject(r.ID, 0))
	}
	return nil
}

// recallDuePayload is the payload of a recall's due entry: kind (0 a
// recipient's acknowledgement, 1 the recall's finish) | region uvarint |
// lot uvarint, and for kind 1 the producer uvarint.
func recallDuePayload(kind uint8, region, lot, producer uint32) []byte {
	var w wire.Writer
	w.U8(kind)
	w.U32(region)
	w.U32(lot)
	if kind == 1 {
		w.U32(producer)
	}
	return w.B
}

func recallDue(ev *Eval, d *DueEntry) error {
	if len(d.Subject) != 12 || len(d.Payload) < 1 {
		return nil
	}
	id := binary.BigEndian.Uint64(d.Subject)
	org := binary.BigEndian.Uint32(d.Subject[8:])
	kind := d.Payload[0]
	rest := d.Payload[1:]
	region, n := binary.Uvarint(rest)
	rest = rest[max(n, 0):]
	lot, n := binary.Uvarint(rest)
	rest = rest[max(n, 0):]
	a := Alert{Subject: Subject{Recall: id, Org: org, Lot: uint32(lot)}, Region: uint32(region),
		Evidence: []Evidence{{Kind: EvRecall, Seq: id}, {Kind: EvDue, Seq: uint64(d.Due)}}}
	if kind == 1 {
		prod, _ := binary.Uvarint(rest)
		a.Subject.Org = uint32(prod)
		a.Message = fmt.Sprintf("recall %d not finished by its deadline", id)
		a.MessageZH = fmt.Sprintf("召回 %d 未在期限内完成", id)
	} else {
		a.Message = fmt.Sprintf("recall %d not acknowledged by organisation %d by its deadline", id, org)
		a.MessageZH = fmt.Sprintf("单位 %d 未在期限内确认召回 %d", org, id)
	}
	return ev.Raise(a)
}
