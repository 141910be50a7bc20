package chain

// Custody: who holds a code now. Packing and unpacking need the reporting
// organisation to hold the codes, not to own them, so that a distributor
// that received a producer's pallet can break it down and repack the
// cases onto pallets of its own. docs/chain.md §3 "Custody" states the
// rule; agg.Custody is the record.

import (
	"cmp"
	"slices"
	"strings"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
)

// custodyOn reports whether custody records may exist (the store has one,
// or this report staged one). Until the first transfer every code is
// held by its owner and no lookup is made.
func (rt *reportTx) custodyOn() bool { return len(rt.custodyNodes) > 0 || !rt.c.custody.empty() }

// mayHaveCustody reports whether n may have a custody record of its own
// (the RAM index, or this report's writes).
func (rt *reportTx) mayHaveCustody(n agg.Node) bool {
	return rt.custodyNodes[n] || rt.c.custody.has(n)
}

// putCustody stages n's custody record.
func (rt *reportTx) putCustody(n agg.Node, c agg.Custody) {
	rt.ag.PutCustody(n, c)
	if rt.custodyNodes == nil {
		rt.custodyNodes = map[agg.Node]bool{}
	}
	rt.custodyNodes[n] = true
}

// holderOf returns who holds n now, as the report sees it: of n's own
// custody record and those of its present containers, the one with the
// highest record sequence number; with none, the owner.
func (rt *reportTx) holderOf(n agg.Node, owner uint32) (agg.Custody, error) {
	best := agg.Custody{Org: owner}
	if !rt.custodyOn() {
		return best, nil
	}
	cur := n
	for depth := 0; depth <= MaxDepth; depth++ {
		if rt.mayHaveCustody(cur) {
			c, ok, err := rt.ag.Custody(cur)
			if err != nil {
				return best, err
			}
			if ok && c.Seq > best.Seq {
				best = c
			}
		}
		if !rt.nodeState(cur).Has(itemstate.Packed) {
			break
		}
		run, ok, err := rt.ag.Parent(cur)
		if err != nil || !ok {
			return best, err
		}
		cur = run.Parent
	}
	return best, nil
}

// stagedCustodyIn reports whether the report wrote a custody record for a
// counter in first..last of product.
func (rt *reportTx) stagedCustodyIn(product uint32, first, last uint64) bool {
	for n := range rt.custodyNodes {
		if n.Product == product && first <= n.Counter && n.Counter <= last {
			return true
		}
	}
	return false
}

// failHeld records that a code is held by another organisation than org.
func (rt *reportTx) failHeld(f where, code string, what string, h agg.Custody, org uint32) {
	if h.Pending == org {
		rt.fail(f, code, model.ErrWrongOrg, "another organisation's codes: %s was shipped to %s by %s but not received yet (capture its receiving first)",
			what, rt.c.orgName(org), rt.c.orgName(h.Org))
		return
	}
	rt.fail(f, code, model.ErrWrongOrg, "another organisation's codes: %s is held by %s, not by the reporting %s", what, rt.c.orgName(h.Org), rt.c.orgName(org))
}

// requireHeld records an error for every selected code that org does not
// hold now (see holderOf).
func (rt *reportTx) requireHeld(s *selection, org uint32, what string) error {
	return rt.requireStanding(s, org, what, holderOnly)
}

// requireStanding records an error for every selected code on which org
// has no standing st (standing.go): it does not hold it now (see
// holderOf) and st allows it no other way. Codes of org's own blocks
// without any custody record are found with one range read per run.
func (rt *reportTx) requireStanding(s *selection, org uint32, what string, st standing) error {
	if !rt.custodyOn() {
		if st == holderOnly {
			rt.requireOwned(s, org, what)
			return nil
		}
		for i := range s.runs {
			r := &s.runs[i]
			if !rt.allows(st, org, agg.Custody{Org: r.b.Org}, r.b.Org) {
				f, c := r.describe(r.lo)
				rt.failStanding(f, c, what, st, agg.Custody{Org: r.b.Org}, org)
			}
		}
		for _, u := range s.units {
			if !rt.allows(st, org, agg.Custody{Org: u.ref.org}, u.ref.org) {
				rt.failStanding(u.field, u.code, what, st, agg.Custody{Org: u.ref.org}, org)
			}
		}
		return nil
	}
	type rec struct {
		counter uint64
		c       agg.Custody
	}
	var recs []rec
	var packed []uint64
	for i := range s.runs {
		r := &s.runs[i]
		recs, packed = recs[:0], packed[:0]
		first, last := r.b.Start+r.lo, r.b.Start+r.hi
		if rt.c.custody.anyIn(r.b.Product, first, last) || rt.stagedCustodyIn(r.b.Product, first, last) {
			if err := rt.ag.CustodyOfRange(r.b.Product, r.b.Start+r.lo, r.b.Start+r.hi, func(n agg.Node, c agg.Custody) bool {
				recs = append(recs, rec{n.Counter, c})
				return true
			}); err != nil {
				return err
			}
		}
		if _, err := rt.it.Find(itemstate.Packed, true, r.b.ID, r.lo, r.hi+1, func(off uint64) bool {
			packed = append(packed, off)
			return true
		}); err != nil {
			return err
		}
		if r.b.Org == org && len(recs) == 0 && len(packed) == 0 {
			continue // the reporter's own codes, never handed on, in no container
		}
		check := func(off uint64) error {
			n := agg.Node{Product: r.b.Product, Counter: r.b.Start + off}
			h := agg.Custody{Org: r.b.Org}
			if j, ok := slices.BinarySearchFunc(recs, n.Counter, func(x rec, c uint64) int { return cmp.Compare(x.counter, c) }); ok {
				h = recs[j].c
			}
			if _, ok := slices.BinarySearch(packed, off); ok {
				var err error
				if h, err = rt.holderOf(n, r.b.Org); err != nil {
					return err
				}
			}
			if !rt.allows(st, org, h, r.b.Org) {
				f, c := r.describe(off)
				rt.failStanding(f, c, what, st, h, org)
			}
			return nil
		}
		if r.b.Org == org { // only codes with a record or a parent can be held by another
			offs := make([]uint64, 0, len(recs)+len(packed))
			for _, x := range recs {
				offs = append(offs, x.counter-r.b.Start)
			}
			offs = append(offs, packed...)
			slices.Sort(offs)
			offs = slices.Compact(offs)
			for _, off := range offs {
				if err := check(off); err != nil {
					return err
				}
			}
			continue
		}
		for off := r.lo; off <= r.hi && len(rt.errs.Errors) < MaxReportErrors; off++ {
			if err := check(off); err != nil {
				return err
			}
		}
	}
	for _, u := range s.units {
		h, err := rt.holderOf(u.ref.node, u.ref.org)
		if err != nil {
			return err
		}
		switch {
		case h.Org == 0 && st == holderOnly: // an SSCC of no registered organisation
			rt.requireOwned(&selection{units: []selUnit{u}}, org, what)
		case !rt.allows(st, org, h, u.ref.org):
			rt.failStanding(u.field, u.code, what, st, h, org)
		}
	}
	return nil
}

// nodeOwner returns the owner of a node as the report sees it.
func (rt *reportTx) nodeOwner(n agg.Node) uint32 {
	if n.IsUnit() {
		u, ok, err := rt.unit(n.Counter)
		if err != nil || !ok {
			return 0
		}
		return u.Org
	}
	if b := rt.c.blockAt(n.Product, n.Counter); b != nil {
		return b.Org
	}
	return 0
}

// pushCustody gives children taken out of a parent the parent's custody
// (held by hp), unless their own record is newer: they no longer inherit
// it through the parent.
func (rt *reportTx) pushCustody(removed []agg.Run, hp agg.Custody) error {
	if hp.Seq == 0 {
		return nil // the parent is held by its owner, who held the children when packing them
	}
	for _, x := range removed {
		for c := x.First; c <= x.Last; c++ {
			n := agg.Node{Product: x.Product, Counter: c}
			var own agg.Custody
			ok := false
			if rt.mayHaveCustody(n) {
				var err error
				if own, ok, err = rt.ag.Custody(n); err != nil {
					return err
				}
			}
			if !ok || own.Seq < hp.Seq {
				rt.putCustody(n, hp)
			}
		}
	}
	return nil
}

// transferCustody applies the custody effect of a captured event on the
// codes it names (sel; for an aggregation its parent): shipping by the
// holder to a registered organisation (destinationList owning_party,
// possessing_party or location whose GS1 company prefix is that
// organisation's) marks them pending for it; receiving (or accepting,
// arriving) by the organisation they are pending for makes it the holder.
// Any other event leaves custody as it is.
func (rt *reportTx) transferCustody(ev *epcis.Event, sel *selection, evTime int64, seq uint64) error {
	ship := ev.BizStep == epcis.BizStepShipping
	recv := custodyReceivingStep(ev.BizStep)
	if !ship && !recv {
		return nil
	}
	org := rt.meta.Org
	var dest uint32
	if ship {
		for _, d := range ev.DestinationList {
			if o := rt.c.PartyOrg(d.ID.Raw); o != 0 && o != org {
				dest = o
				break
			}
		}
		if dest == 0 {
			return nil
		}
	}
	apply := func(n agg.Node, owner uint32) error {
		h, err := rt.holderOf(n, owner)
		if err != nil {
			return err
		}
		switch {
		case ship && h.Org == org:
			rt.putCustody(n, agg.Custody{Org: org, Pending: dest, Since: evTime, Seq: seq})
		case recv && h.Pending == org:
			rt.putCustody(n, agg.Custody{Org: org, Since: evTime, Seq: seq})
		}
		return nil
	}
	for i := range sel.runs {
		r := &sel.runs[i]
		for off := r.lo; off <= r.hi; off++ {
			if err := apply(agg.Node{Product: r.b.Product, Counter: r.b.Start + off}, r.b.Org); err != nil {
				return err
			}
		}
	}
	for _, u := range sel.units {
		if err := apply(u.ref.node, rt.nodeOwner(u.ref.node)); err != nil {
			return err
		}
	}
	return nil
}

// PartyOrg returns the registered organisation a source or destination
// identifier names through its GS1 company prefix: a PGLN or SGLN URN
// (urn:epc:id:pgln:CP.REF, urn:epc:id:sgln:CP.LOC.EXT) or a Digital Link
// with AI 417 or 414; 0 if none.
func (c *Chain) PartyOrg(id string) uint32 { return partyOrg(c.iss, id) }

func partyOrg(iss Issuance, id string) uint32 {
	var digits string
	switch {
	case strings.HasPrefix(id, "urn:epc:id:pgln:"), strings.HasPrefix(id, "urn:epc:id:sgln:"):
		rest := id[len("urn:epc:id:pgln:"):]
		cp, _, ok := strings.Cut(rest, ".")
		if !ok {
			return 0
		}
		digits = cp
	default:
		for _, ai := range []string{"/417/", "/414/"} {
			if _, rest, ok := strings.Cut(id, ai); ok && len(rest) >= 13 {
				digits = rest[:13]
				break
			}
		}
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0
	}
	// A URN gives the exact company prefix.
	return iss.OrgOfGCP(digits, strings.HasPrefix(id, "urn:"))
}
