package chain

import (
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/recall"
)

// RecallMoves returns what the records that reached items of lot did
// with them, per organisation: shipments (by the shipper, and as received
// by every registered destination organisation — so a recipient that
// never reports its receipt is still counted), sales and dispensings,
// removals, destructions and returns received. Quantities are consumer
// items: a shipped case counts the items packed in it now.
//
// With only not nil it counts only the items whose counters only lists
// (by product, sorted): a recall of single codes. A container counts
// when it holds one of them.
//
// Cost: one index scan of the lot, one summary read per record, one
// payload read per counted record, and one children seek per run of
// containers it names (consecutive cases share it).
func (c *Chain) RecallMoves(lot uint32, only map[uint32][]uint64) ([]recall.Move, error) {
	ir, err := ledger.NewIndexReader(c.db)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	seen := map[uint64]bool{}
	var seqs []uint64
	collect := func(h ledger.Hit) bool {
		if !seen[h.Seq] {
			seen[h.Seq] = true
			seqs = append(seqs, h.Seq)
		}
		return true
	}
	if err := ir.Lot(lot, collect); err != nil {
		return nil, err
	}
	if err := ir.LotReach(lot, collect); err != nil {
		return nil, err
	}
	slices.Sort(seqs)
	ar, err := agg.NewReader(c.db)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	ic := itemCounter{iss: c.iss, ar: ar, lot: lot, only: only, scratch: roaring.New()}
	var out []recall.Move
	for _, seq := range seqs {
		s, found, err := c.led.Summary(seq)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("%w: lot %d is indexed under record %d, which does not exist", model.ErrState, lot, seq)
		}
		if s.Flags&ledger.FlagErrorDeclared != 0 {
			continue
		}
		kind, ok := moveKind(s)
		if !ok {
			continue
		}
		pay, _, err := c.led.Payload(seq)
		if err != nil {
			return nil, err
		}
		items, cases, err := ic.count(pay.Targets)
		if err != nil {
			return nil, err
		}
		if items == 0 && cases == 0 {
			continue
		}
		m := recall.Move{Seq: seq, Time: s.EventTime, Org: s.Org, Kind: kind, Items: items, Cases: cases}
		out = append(out, m)
		if kind != recall.MoveShipped {
			continue
		}
		for _, d := range s.Dests {
			if to := c.PartyOrg(d.ID); to != 0 && to != s.Org {
				m.Org, m.Kind = to, recall.MoveReceived
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

// moveKind says what a record did with the goods it names.
func moveKind(s *ledger.Summary) (recall.MoveKind, bool) {
	switch s.BizStep {
	case epcis.BizStepShipping, epcis.BizStepDeparting:
		return recall.MoveShipped, true
	case epcis.BizStepRetailSelling, epcis.BizStepDispensing:
		return recall.MoveSold, true
	case epcis.BizStepRemoving:
		return recall.MoveRemoved, true
	case epcis.BizStepDestroying:
		return recall.MoveDestroyed, true
	case epcis.BizStepReceiving, epcis.BizStepArriving, epcis.BizStepAccepting:
		if s.Disposition == epcis.DispReturned {
			return recall.MoveReturned, true
		}
	}
	return 0, false
}

// itemCounter counts the consumer items of one lot that targets name,
// directly or packed inside containers.
type itemCounter struct {
	iss     Issuance
	ar      *agg.Reader
	lot     uint32
	only    map[uint32][]uint64 // nil: every item of the lot; else these counters only (sorted, by product)
	scratch *roaring.Bitmap
	buf     [256]uint32 // offsets read from a children bitmap
}

// count returns the items of the lot the targets name and how many
// containers they named.
func (c *itemCounter) count(ts []ledger.Target) (items, cases uint64, err error) {
	for i := range ts {
		t := &ts[i]
		switch t.Kind {
		case ledger.TargetRun:
			n, k, err := c.run(t.Product, t.First, t.Last, 0)
			if err != nil {
				return 0, 0, err
			}
			items, cases = items+n, cases+k
		case ledger.TargetLot:
			if t.Lot == c.lot && t.HasQuantity && t.UOM == "" && t.Quantity > 0 {
				items += uint64(t.Quantity)
			}
		}
	}
	return items, cases, nil
}

// run counts codes first..last of product (0: SSCCs): items of the lot
// among them, and the items of the lot inside those that are containers.
func (c *itemCounter) run(product uint32, first, last uint64, depth int) (items, cases uint64, err error) {
	if depth >= MaxDepth {
		return 0, 0, nil
	}
	if product != 0 {
		if b := c.iss.BlockAt(product, first); b != nil && b.Level == model.LevelItem {
			if b.Lot != c.lot {
				return 0, 0, nil
			}
			last = min(last, b.End()-1)
			if c.only != nil {
				return countIn(c.only[product], first, last), 0, nil
			}
			return last - first + 1, 0, nil
		}
	}
	type sub struct {
		product     uint32
		first, last uint64
		parent      int // the container it is packed in (runs span containers when every item counts)
	}
	var subs []sub
	parents := 0
	err = c.ar.ChildrenOfRange(product, first, last, c.scratch, func(parent agg.Node, block uint64, bm *roaring.Bitmap) bool {
		parents++
		blk := c.iss.Block(block)
		if blk == nil {
			return true
		}
		p, start := blk.Product, blk.Start
		it := bm.ManyIterator()
		for n := it.NextMany(c.buf[:]); n > 0; n = it.NextMany(c.buf[:]) {
			for _, off := range c.buf[:n] {
				cn := start + uint64(off)
				if l := len(subs) - 1; l >= 0 && subs[l].product == p && subs[l].last+1 == cn && (c.only == nil || subs[l].parent == parents-1) {
					subs[l].last = cn
				} else {
					subs = append(subs, sub{p, cn, cn, parents - 1})
				}
			}
		}
		return true
	}, func(parent agg.Node, sscc uint64) bool {
		parents++
		subs = append(subs, sub{0, sscc, sscc, parents - 1})
		return true
	})
	if err != nil {
		return 0, 0, err
	}
	var held []bool // with only: which containers hold one of the codes
	if c.only != nil {
		held = make([]bool, parents)
	} else {
		cases += uint64(parents)
	}
	for _, s := range subs {
		n, k, err := c.run(s.product, s.first, s.last, depth+1)
		if err != nil {
			return 0, 0, err
		}
		items, cases = items+n, cases+k
		if held != nil && n > 0 {
			held[s.parent] = true
		}
	}
	for _, h := range held {
		if h {
			cases++
		}
	}
	return items, cases, nil
}

// countIn returns how many of the sorted counters cs are in [first, last].
func countIn(cs []uint64, first, last uint64) uint64 {
	lo, _ := slices.BinarySearch(cs, first)
	hi, _ := slices.BinarySearch(cs, last+1)
	if last+1 == 0 {
		hi = len(cs)
	}
	return uint64(hi - lo)
}
