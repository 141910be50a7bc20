package chain

// Standing: who may record what about a code (责任可究). A record about a
// code shows on its public timeline and feeds its status, so only parties
// with standing may write one:
//
//   - the holder (custody, including custody inherited from the
//     containers the code is in) records anything on it: observations,
//     shipping, packing, unpacking, consuming, decommissioning;
//   - the organisation a shipment of it is pending for (named in the
//     shipping event's destinationList) records its receiving
//     (receiving, accepting, arriving), which makes it the holder;
//   - a regulator (a key with the regulator scope acting for its agency's
//     organisation) records inspections and sampling on codes produced or
//     held in its region;
//   - nobody else.
//
// Commissioning stays with the owner. docs/api.md "Who may record what"
// is the table of these rules.

import (
	"cmp"
	"slices"

	"tracecode/engine/agg"
	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// standing says who besides the holder may record the event at hand.
type standing struct {
	// receiving: the event is a receiving step, which the organisation a
	// shipment is pending for may record.
	receiving bool
	// region: the capturing key is a regulator's for this GB/T 2260
	// division and the event is an inspection or sampling, which it may
	// record on codes produced or held in the division. 0: no regulator.
	region uint32
}

// holderOnly is the standing of shipping, packing, unpacking, consuming
// and decommissioning: the holder's alone.
var holderOnly = standing{}

// receivingStep reports whether a business step hands custody to the
// receiver (CBV receiving, accepting, arriving).
func custodyReceivingStep(step epcis.BizStep) bool {
	return step == epcis.BizStepReceiving || step == epcis.BizStepAccepting || step == epcis.BizStepArriving
}

// inspectionStep reports whether a business step is one a regulator
// records (CBV inspecting, sampling).
func inspectionStep(step epcis.BizStep) bool {
	return step == epcis.BizStepInspecting || step == epcis.BizStepSampling
}

// eventStanding returns the standing of an observation-like event (an
// OBSERVE, a transaction, an association) captured with o.
func (rt *reportTx) eventStanding(ev *epcis.Event) standing {
	st := standing{receiving: custodyReceivingStep(ev.BizStep)}
	if rt.regulator != 0 && inspectionStep(ev.BizStep) {
		st.region = rt.regulator
	}
	return st
}

// allows reports whether org may record the event on a code held as h
// whose owner is owner.
func (rt *reportTx) allows(st standing, org uint32, h agg.Custody, owner uint32) bool {
	switch {
	case h.Org == org && h.Org != 0:
		return true
	case st.receiving && h.Pending == org:
		return true
	case st.region != 0:
		return apikey.RegionCovers(st.region, rt.c.orgRegion(owner)) || apikey.RegionCovers(st.region, rt.c.orgRegion(h.Org))
	}
	return false
}

// orgRegion returns organisation id's GB/T 2260 region (0 if none).
func (c *Chain) orgRegion(id uint32) uint32 {
	if o := c.iss.Org(id); o != nil {
		return o.Region
	}
	return 0
}

// failStanding records that org may not record the event on a code held
// as h.
func (rt *reportTx) failStanding(f where, code, what string, st standing, h agg.Custody, org uint32) {
	if st == holderOnly {
		rt.failHeld(f, code, what, h, org)
		return
	}
	holder := "no registered organisation"
	if h.Org != 0 {
		holder = rt.c.orgName(h.Org)
	}
	rt.fail(f, code, model.ErrWrongOrg, "no standing: %s is held by %s; the reporting %s may not record this event on it "+
		"(the holder records events, the party a shipment names receives it, a regulator of its region inspects it)",
		what, holder, rt.c.orgName(org))
}

// requireClassStanding records an error for every class (lot or whole
// product, given by quantity) on which org may not record the event:
// quantities have no custody records, so standing on a class is owning
// its product, or being the organisation a shipment of the class (or of
// codes of the lot) was sent to; a regulator inspects classes whose
// producer is in its region. owner true requires ownership.
func (rt *reportTx) requireClassStanding(classes []classRef, org uint32, st standing, owner bool) error {
	for i := range classes {
		c := &classes[i]
		if c.org == org {
			continue
		}
		if !owner {
			if st.region != 0 && apikey.RegionCovers(st.region, rt.c.orgRegion(c.org)) {
				continue
			}
			ok, err := rt.shippedTo(c, org)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
		}
		rt.fail(c.field, c.raw, model.ErrWrongOrg, "no standing: the class belongs to %s and was not shipped to the reporting %s",
			rt.c.orgName(c.org), rt.c.orgName(org))
	}
	return nil
}

// shippedTo reports whether a shipping event not declared erroneous names
// org in its destinationList and names the class c (or, for a lot, codes
// of it).
func (rt *reportTx) shippedTo(c *classRef, org uint32) (bool, error) {
	ir, err := ledger.NewIndexReader(rt.c.db)
	if err != nil {
		return false, err
	}
	defer ir.Close()
	found := false
	var ferr error
	fn := func(h ledger.Hit) bool {
		s, ok, err := rt.c.led.Summary(h.Seq)
		if err != nil {
			ferr = err
			return false
		}
		if !ok || s.BizStep != epcis.BizStepShipping {
			return true
		}
		if _, bad := rt.erroneousOf(h.Seq); bad {
			return true
		}
		found = slices.ContainsFunc(s.Dests, func(d ledger.Pair) bool { return rt.c.PartyOrg(d.ID) == org })
		return !found
	}
	if c.lot == 0 {
		err = ir.Product(c.product, fn)
	} else { // the reach index holds the lot's own records and those reaching its codes
		err = ir.LotReach(c.lot, fn)
	}
	if err == nil {
		err = ferr
	}
	return found, err
}

// Holders returns the organisations that held the code c resolves to, in
// the order they first held it: its owner, each organisation that
// received it while a shipment by the holder of the time was pending for
// it (the custody rule of transferCustody, replayed over the code's own
// and its containers' records in log order, records declared erroneous
// left out), and the present holder. Writing about a code is not holding
// it: an observation, or a receiving nobody shipped, adds no one.
func (c *Chain) Holders(rc *resolve.Chain) []uint32 {
	var out []uint32
	add := func(org uint32) {
		if org != 0 && !slices.Contains(out, org) {
			out = append(out, org)
		}
	}
	if rc.Org == nil {
		return nil
	}
	add(rc.Org.ID)
	order := make([]int, 0, len(rc.Timeline))
	for i := range rc.Timeline {
		en := &rc.Timeline[i]
		if (en.Via == resolve.ViaSelf || en.Via == resolve.ViaContainer) && !en.Corrected() {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Compare(rc.Timeline[a].Event.Seq, rc.Timeline[b].Event.Seq)
	})
	holder, pending := rc.Org.ID, uint32(0)
	for _, i := range order {
		ev := rc.Timeline[i].Event
		if ev.EventType != epcis.ObjectEvent && ev.EventType != epcis.AggregationEvent {
			continue
		}
		switch {
		case ev.BizStep == epcis.BizStepShipping && ev.Org == holder:
			for _, d := range ev.Dests {
				if o := c.PartyOrg(d.ID); o != 0 && o != ev.Org {
					pending = o
					break
				}
			}
		case custodyReceivingStep(ev.BizStep) && pending != 0 && ev.Org == pending:
			holder, pending = ev.Org, 0
			add(holder)
		}
	}
	add(rc.Holder.Org)
	return out
}

// TraceAccess is how much of a code's private trace a key sees.
type TraceAccess uint8

// The trace accesses.
const (
	// TraceNone: the code is not visible to the key (answered as unknown).
	TraceNone TraceAccess = iota
	// TraceHeld: the key's organisation held the code (Holders) and sees
	// the chain with the business documents of its own events.
	TraceHeld
	// TraceFull: the operator, the producer, or a regulator whose region
	// holds the producer or an organisation that held the code: every
	// document, the handlers, block and counter, scan regions.
	TraceFull
)

// TraceAccessOf decides what key k sees of the private trace of c.
func (c *Chain) TraceAccessOf(k apikey.Key, rc *resolve.Chain) TraceAccess {
	if rc.Org == nil {
		return TraceNone
	}
	holders := c.Holders(rc)
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin), k.Org != 0 && k.Org == rc.Org.ID:
		return TraceFull
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		for _, h := range holders {
			if apikey.RegionCovers(k.Region, c.orgRegion(h)) {
				return TraceFull
			}
		}
	}
	if k.Org != 0 && slices.Contains(holders, k.Org) {
		return TraceHeld
	}
	return TraceNone
}
