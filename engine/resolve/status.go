package resolve

import (
	"slices"
	"time"

	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// status decides the status from the item state, recalls and timeline.
func (r *resolver) status(st itemstate.State) {
	c := r.c
	r.markErroneous()
	// Recalls: the code (or a container it was in at recall time, which
	// marked it), its lot or product, a present parent, or an event with a
	// persistent "recalled" disposition reaching it.
	if st.Has(itemstate.Recalled) {
		c.Status, c.Reason = StatusRecalled, "the code was recalled"
	}
	if c.Status == 0 && c.Product != nil {
		var lot uint32
		if c.Lot != nil {
			lot = c.Lot.ID
		}
		if rc, ok := r.src.RecallOf(lot, c.Product.ID); ok {
			c.Status, c.RecallSeq = StatusRecalled, rc.Seq
			c.Reason = "its lot or product was recalled on " + time.UnixMilli(rc.Time).In(r.opts.Location).Format("2006-01-02")
		}
	}
	for i := len(c.Timeline) - 1; i >= 0 && c.Status == 0; i-- {
		ev := c.Timeline[i].Event
		if c.Timeline[i].Corrected() {
			continue // declared erroneous, or a declaration: decides nothing
		}
		if slices.Contains(ev.UnsetDisp, string(epcis.DispRecalled)) {
			break // a recall lifted: earlier recalls no longer decide
		}
		if slices.Contains(ev.SetDisp, string(epcis.DispRecalled)) {
			c.Status, c.RecallSeq, c.Reason = StatusRecalled, ev.Seq, "recalled through "+c.Timeline[i].Via.String()
		}
	}
	if c.Status != 0 {
		r.recallNotice()
		return
	}
	// The latest disposition decides the rest.
	var last epcis.Disposition
	var lastStep epcis.BizStep
	lifted := false
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		ev := c.Timeline[i].Event
		if c.Timeline[i].Corrected() {
			continue
		}
		if slices.Contains(ev.UnsetDisp, string(epcis.DispRecalled)) {
			lifted = true
		}
		if lastStep == "" && ev.BizStep != "" {
			lastStep = ev.BizStep
		}
		if ev.Disposition == epcis.DispRecalled && lifted {
			continue // the recall was lifted since: an earlier disposition decides
		}
		if ev.Disposition != "" {
			last = ev.Disposition
			break
		}
	}
	switch {
	case st.Has(itemstate.Decommissioned):
		switch {
		case last == epcis.DispDestroyed || last == epcis.DispDisposed || lastStep == epcis.BizStepDestroying:
			c.Status = StatusDestroyed
		case last == epcis.DispDispensed || (last != epcis.DispRetailSold && lastStep == epcis.BizStepDispensing):
			c.Status = StatusDispensed
		case last == epcis.DispRetailSold || lastStep == epcis.BizStepRetailSelling:
			c.Status = StatusSold
		default:
			c.Status = StatusDecommissioned
		}
		return
	case last == epcis.DispDestroyed || last == epcis.DispDisposed:
		c.Status = StatusDestroyed
		return
	case last == epcis.DispDispensed || last == epcis.DispPartiallyDispensed:
		c.Status = StatusDispensed
		return
	case last == epcis.DispRetailSold:
		c.Status = StatusSold
		return
	case last == epcis.DispRecalled:
		c.Status, c.Reason = StatusRecalled, "its last event has disposition recalled"
		r.recallNotice()
		return
	}
	if c.Lot != nil && c.Lot.Expiry != 0 {
		if r.src.DayOf(r.now) > c.Lot.Expiry || last == epcis.DispExpired {
			c.Status, c.Reason = StatusExpired, "lot expired on "+model.FormatDate(c.Lot.Expiry)
			return
		}
	}
	if last == epcis.DispInTransit {
		c.Status = StatusInTransit
		return
	}
	c.Status = StatusActive
}

// recallNotice fills the recall's time and reason for a recalled code:
// from the lot or product recall found, else from the newest recall
// record on the timeline.
func (r *resolver) recallNotice() {
	c := r.c
	if c.Status != StatusRecalled {
		return
	}
	if c.RecallSeq == 0 {
		for i := len(c.Timeline) - 1; i >= 0; i-- {
			if ev := c.Timeline[i].Event; ev.Kind == ledger.KindRecall && !c.Timeline[i].Corrected() {
				c.RecallSeq = ev.Seq
				break
			}
		}
	}
	if c.RecallSeq == 0 {
		return
	}
	s, found, err := r.led.Summary(c.RecallSeq)
	if err != nil || !found {
		return // the status stands; only the notice's details are missing
	}
	c.RecallTime = s.EventTime
	if s.Kind == ledger.KindRecall {
		if p, found, err := r.led.Payload(c.RecallSeq); err == nil && found {
			c.RecallReason = string(p.Body)
		}
	}
}

// intact counts the parents that still hold the code physically (see
// Chain.Intact): link d (Parents[d] holding the node at depth d) is broken
// by a moving event on the code or a container at depth ≤ d after the
// link's packing.
func (r *resolver) intact() {
	c := r.c
	c.Intact = len(c.Parents)
	for i := range c.Timeline {
		en := &c.Timeline[i]
		if en.Via != ViaSelf && en.Via != ViaContainer || en.Corrected() || !moves(en.Event) {
			continue
		}
		for d := int(en.Depth); d < c.Intact; d++ {
			if en.Event.EventTime > c.Parents[d].Since {
				c.Intact = d
				break
			}
		}
	}
}

// moves reports whether an event moved the codes it names on their own:
// shipped, received, sold, dispensed, destroyed, decommissioned.
func moves(s *ledger.Summary) bool {
	switch epcis.BizStep(s.BizStep) {
	case epcis.BizStepShipping, epcis.BizStepReceiving, epcis.BizStepRetailSelling, epcis.BizStepDispensing,
		epcis.BizStepDestroying, epcis.BizStepDecommissioning:
		return true
	}
	switch epcis.Disposition(s.Disposition) {
	case epcis.DispRetailSold, epcis.DispDispensed, epcis.DispDestroyed, epcis.DispDisposed:
		return true
	}
	return false
}

// upstream follows transformations from the code's lot to its source
// lots, breadth first, bounded by MaxDepth and 64 lots.
func (r *resolver) upstream() error {
	c := r.c
	if c.Lot == nil {
		return nil
	}
	type q struct {
		lot   uint32
		depth uint8
	}
	queue := []q{{c.Lot.ID, 0}}
	for len(queue) > 0 && len(c.Upstream) < 64 {
		cur := queue[0]
		queue = queue[1:]
		if int(cur.depth) >= model.MaxDepth {
			continue
		}
		hits, err := r.lotHits(cur.lot)
		if err != nil {
			return err
		}
		for _, h := range hits {
			if h.Role != ledger.RoleOutput {
				continue
			}
			pay, _, err := r.led.Payload(h.Seq)
			if err != nil {
				return err
			}
			for _, t := range pay.Targets {
				if t.Role != ledger.RoleInput {
					continue
				}
				lot, product := t.Lot, t.Product
				if t.Kind == ledger.TargetRun && t.Product != 0 {
					if b := r.src.BlockAt(t.Product, t.First); b != nil {
						lot = b.Lot
					}
				}
				if lot == 0 || slices.ContainsFunc(c.Upstream, func(l LotLink) bool { return l.Lot == lot }) {
					continue
				}
				c.Upstream = append(c.Upstream, LotLink{Lot: lot, Product: product, Depth: cur.depth + 1, Seq: h.Seq})
				queue = append(queue, q{lot, cur.depth + 1})
			}
		}
	}
	return nil
}

// handlers lists who handled the code downstream, from its timeline.
func (r *resolver) handlers() {
	c := r.c
	for i := range c.Timeline {
		ev := c.Timeline[i].Event
		if c.Timeline[i].Corrected() {
			continue
		}
		if ReceivingStep(ev.BizStep) {
			c.Handlers = append(c.Handlers, Handler{Org: ev.Org, Location: ev.BizLocation, Time: ev.EventTime, BizStep: string(ev.BizStep)})
		}
		for _, d := range ev.Dests {
			h := Handler{Org: ev.Org, Time: ev.EventTime, BizStep: string(ev.BizStep)}
			if d.Type == string(epcis.SDTLocation) {
				h.Location = d.ID
			} else {
				h.Party, h.PartyOrg = d.ID, r.src.PartyOrg(d.ID)
			}
			c.Handlers = append(c.Handlers, h)
		}
	}
}

// ReceivingStep reports whether a business step means the items arrived
// where the event happened.
func ReceivingStep(s epcis.BizStep) bool {
	switch s {
	case epcis.BizStepReceiving, epcis.BizStepArriving, epcis.BizStepAccepting, epcis.BizStepRetailSelling,
		epcis.BizStepDispensing, epcis.BizStepInstalling, epcis.BizStepStocking:
		return true
	}
	return false
}
