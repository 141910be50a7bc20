package chain

// EPCIS error declarations (EPCIS 2.0 §7.4.1.2). An error declaration is
// a copy of an earlier event (same event type and content, hence the same
// CBV event hash, and the same eventID) carrying an errorDeclaration: the
// earlier event did not happen as recorded. Records are append-only and
// hash-chained, so the erroneous record stays; the declaration is a record
// of its own, a mark (ledger 0x86) points from the erroneous record to it,
// and the erroneous event's state effects are undone. Timelines show both,
// flagged; the status ignores them. docs/chain.md §5 "Error declarations".

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// ErrNoSuchEvent: an error declaration names an event this engine does
// not hold.
var ErrNoSuchEvent = errors.New("engine: no such event")

// declareError validates and stages an error declaration ev (content
// hash h). dup reports a declaration already applied. The error is for
// I/O failures only.
func (rt *reportTx) declareError(ev *epcis.Event, h [32]byte, base where) (dup bool, err error) {
	field := base.sub(".errorDeclaration")
	orig, found, err := ledger.SeqByHash(rt.b.Get, h)
	if err != nil {
		return false, err
	}
	if !found && ev.EventID != "" {
		if orig, found, err = ledger.SeqByEventID(rt.b.Get, ev.EventID); err != nil {
			return false, err
		}
	}
	if !found {
		return rt.declareUnheld(ev, h, base)
	}
	s, err := rt.summaryOf(orig)
	if err != nil {
		return false, err
	}
	if s.Flags&ledger.FlagErrorDeclared != 0 {
		return true, nil // this declaration (the hash index points at it) was applied before
	}
	if _, declared := rt.erroneousOf(orig); declared {
		return true, nil
	}
	switch {
	case s.Kind != ledger.KindEPCIS:
		rt.fail(field, ev.EventID, model.ErrInvalid, "record %d is a native %s report, not a captured event", orig, s.Kind)
	case s.EventType != ev.Type:
		rt.fail(field, ev.EventID, model.ErrInvalid, "record %d with that eventID is a %s, the declaration a %s", orig, s.EventType, ev.Type)
	case s.Org != rt.meta.Org:
		rt.fail(field, ev.EventID, model.ErrWrongOrg, "another organisation's event: record %d was captured by %s; only it declares it erroneous",
			orig, rt.c.orgName(s.Org))
	}
	tz := rt.eventTZ(ev, base)
	if ev.ErrorDeclaration.DeclarationTime.UnixMilli() > rt.now+MaxFutureSkew.Milliseconds() {
		rt.fail(field.sub(".errorDeclaration.declarationTime"), ev.ErrorDeclaration.DeclarationTime.Format(time.RFC3339), ErrFuture,
			"is more than %v after the engine's clock", MaxFutureSkew)
	}
	if rt.failed() {
		return false, nil
	}
	p, err := rt.payloadOf(orig)
	if err != nil {
		return false, err
	}
	seq := rt.lt.NextSeq()
	if err := rt.undo(&s, &p, orig, seq); err != nil {
		return false, err
	}
	rt.stageForeign(ev, base) // the declaration is found by them too
	if rt.failed() {
		return false, nil
	}
	if !rt.recordDeclaration(ev, base, tz, h, p.Targets, seq) {
		return false, nil
	}
	// The declaration shows where the erroneous event shows.
	rt.indexForeign(seq)
	moves := s.EventType == epcis.AggregationEvent && s.Action != epcis.ActionObserve && namesChildren(p.Targets)
	for _, role := range []ledger.Role{ledger.RoleEPC, ledger.RoleParent, ledger.RoleChild, ledger.RoleInput, ledger.RoleOutput} {
		sel := rt.targetSel(p.Targets, role)
		if sel.empty() {
			continue
		}
		if moves {
			if role == ledger.RoleParent {
				rt.indexParents(&sel, seq, role)
			}
			continue
		}
		if err := rt.indexSel(&sel, seq, role, false); err != nil {
			return false, err
		}
	}
	for _, t := range p.Targets {
		if t.Kind == ledger.TargetLot || t.Kind == ledger.TargetProduct {
			c := classRef{product: t.Product, lot: t.Lot}
			rt.classIndex(&c, seq, t.Role)
		}
	}
	rt.lt.PutErroneous(orig, seq)
	if rt.erroneous == nil {
		rt.erroneous = map[uint64]uint64{}
	}
	rt.erroneous[orig] = seq
	rt.codes += uint64(len(ev.EPCList) + len(ev.ChildEPCs) + len(ev.InputEPCList) + len(ev.OutputEPCList))
	return false, nil
}

// undo stages the reversal of the state effects of erroneous record orig
// (summary s, payload p), by declaration seq: a decommissioning (DELETE,
// and a transformation's consumed inputs) no longer decommissions, a
// recall (disposition or persistent disposition recalled) no longer
// recalls, a packing (AggregationEvent ADD) no longer holds the children
// it put in the parent (those still there leave it at their packing time:
// an empty stay), an association ADD no longer associates, and custody
// records the event wrote are removed. A commissioning (ObjectEvent ADD)
// no longer commissions, unless a code was packed, filled or
// decommissioned since: then the declaration is refused per code.
// Observations and unpacking leave no state to undo: their records are
// only flagged.
func (rt *reportTx) undo(s *ledger.Summary, p *ledger.Payload, orig, seq uint64) error {
	switch {
	case s.EventType == epcis.ObjectEvent && s.Action == epcis.ActionAdd:
		// Capture refuses an ADD of a commissioned code, so the event
		// commissioned every code it lists. They go back to issued unless
		// something since built on them.
		sel := rt.targetSel(p.Targets, ledger.RoleEPC)
		const first = "; declare that erroneous first (or unpack), then this commissioning"
		rt.requireState(&sel, itemstate.Packed, false, model.ErrState, "was packed after this commissioning"+first)
		rt.requireState(&sel, itemstate.Container, false, model.ErrState, "holds children packed after this commissioning"+first)
		rt.requireState(&sel, itemstate.Decommissioned, false, model.ErrState, "was decommissioned after this commissioning; declare the decommissioning erroneous first")
		if rt.failed() {
			return nil
		}
		if err := rt.setKind(&sel, itemstate.Commissioned, false); err != nil {
			return err
		}
	case s.EventType == epcis.ObjectEvent && s.Action == epcis.ActionDelete:
		sel := rt.targetSel(p.Targets, ledger.RoleEPC)
		if err := rt.setKind(&sel, itemstate.Decommissioned, false); err != nil {
			return err
		}
	case s.EventType == epcis.TransformationEvent:
		sel := rt.targetSel(p.Targets, ledger.RoleInput)
		if err := rt.setKind(&sel, itemstate.Decommissioned, false); err != nil {
			return err
		}
	case s.EventType == epcis.AggregationEvent && s.Action == epcis.ActionAdd:
		for _, t := range p.Targets {
			if t.Role == ledger.RoleParent {
				if err := rt.retractPacking(agg.Node{Product: t.Product, Counter: t.First}, orig, seq); err != nil {
					return err
				}
			}
		}
	case s.EventType == epcis.AssociationEvent && s.Action == epcis.ActionAdd:
		for _, t := range p.Targets {
			if t.Role != ledger.RoleParent {
				continue
			}
			parent := agg.Node{Product: t.Product, Counter: t.First}
			var mine []string
			if err := rt.ag.Associations(parent, func(a *agg.Association) bool {
				if a.Seq == orig {
					mine = append(mine, a.Child)
				}
				return true
			}); err != nil {
				return err
			}
			for _, c := range mine {
				rt.ag.Dissociate(parent, c)
			}
			rt.assocStaged = true
		}
	}
	if s.Disposition == epcis.DispRecalled || slices.Contains(s.SetDisp, string(epcis.DispRecalled)) {
		if err := rt.undoRecall(s, p, orig); err != nil {
			return err
		}
	}
	// Custody the event moved goes back to what the other records say.
	for _, role := range []ledger.Role{ledger.RoleEPC, ledger.RoleParent, ledger.RoleChild} {
		for _, t := range p.Targets {
			if t.Role != role || t.Kind != ledger.TargetRun || !rt.custodyOn() {
				continue
			}
			for c := t.First; c <= t.Last; c++ {
				n := agg.Node{Product: t.Product, Counter: c}
				if !rt.mayHaveCustody(n) {
					continue
				}
				if cu, ok, err := rt.ag.Custody(n); err != nil {
					return err
				} else if ok && cu.Seq == orig {
					rt.ag.DeleteCustody(n)
				}
			}
		}
	}
	return nil
}

// undoRecall ends what erroneous recall orig recalled: the flags of its
// codes (and of what they contain now) and the lot and product marks it
// set (not a later recall's).
func (rt *reportTx) undoRecall(s *ledger.Summary, p *ledger.Payload, orig uint64) error {
	var sel selection
	for _, role := range []ledger.Role{ledger.RoleEPC, ledger.RoleParent, ledger.RoleOutput} {
		x := rt.targetSel(p.Targets, role)
		sel.runs = append(sel.runs, x.runs...)
		sel.units = append(sel.units, x.units...)
	}
	if err := rt.setRecalled(&sel, false); err != nil {
		return err
	}
	if s.EventType == epcis.TransformationEvent {
		return nil
	}
	for _, t := range p.Targets {
		if t.Kind != ledger.TargetLot && t.Kind != ledger.TargetProduct {
			continue
		}
		c := classRef{product: t.Product, lot: t.Lot}
		k := c.key()
		cur, staged := rt.recalls[k]
		if !staged {
			var ok bool
			rt.c.recallMu.RLock()
			if k.lot {
				cur, ok = rt.c.recallLots[k.id]
			} else {
				cur, ok = rt.c.recallProducts[k.id]
			}
			rt.c.recallMu.RUnlock()
			if !ok {
				continue
			}
		}
		if cur.Seq == orig {
			if rt.recalls == nil {
				rt.recalls = map[recallKey]ledger.Recall{}
			}
			rt.recalls[k] = ledger.Recall{} // lifted
		}
	}
	return nil
}

// retractPacking takes out of parent the children that erroneous packing
// orig put there and that are still there, as if they had left at the
// moment they were packed (the history keeps the stay, empty, with both
// records).
func (rt *reportTx) retractPacking(parent agg.Node, orig, seq uint64) error {
	kids, err := rt.ag.Children(parent, rt.c.blockInfo)
	if err != nil {
		return err
	}
	var take []agg.ChildRun
	var since int64
	for _, c := range kids {
		for counter := c.First; counter <= c.Last; {
			n := agg.Node{Product: c.Product, Counter: counter}
			if c.Block == 0 {
				n = agg.UnitNode(counter)
			}
			run, ok, err := rt.ag.Parent(n)
			if err != nil {
				return err
			}
			if !ok || run.Parent != parent {
				return fmt.Errorf("%w: %s is among the children of %s but its run says otherwise", model.ErrState, n, parent)
			}
			last := min(run.Last, c.Last)
			if run.Seq == orig {
				take = append(take, agg.ChildRun{Product: c.Product, First: counter, Last: last, Block: c.Block, BlockStart: c.BlockStart})
				since = run.Since
			}
			counter = last + 1
		}
	}
	if len(take) == 0 {
		return nil
	}
	rt.inside = nil
	removed, err := rt.ag.Unpack(parent, take, since, seq)
	if err != nil {
		return err
	}
	if err := rt.touchContainers(take); err != nil {
		return err
	}
	for i := range removed {
		if err := rt.markUnpacked(&removed[i]); err != nil {
			return err
		}
	}
	return nil
}

// maxNamedTargets bounds the runs of a record's targets whose codes
// targetSel prints for error messages (longer runs are named by block and
// offset).
const maxNamedTargets = 64

// targetSel returns the run targets of role as a selection (codes of
// published blocks and SSCC units).
func (rt *reportTx) targetSel(ts []ledger.Target, role ledger.Role) selection {
	var s selection
	for _, t := range ts {
		if t.Role != role || t.Kind != ledger.TargetRun {
			continue
		}
		if t.Product == 0 {
			for v := t.First; v <= t.Last; v++ {
				ref := codeRef{node: agg.UnitNode(v)}
				if u, ok, _ := rt.unit(v); ok {
					ref.org, ref.level = u.Org, model.Level(u.Level)
				}
				s.units = append(s.units, selUnit{ref: ref, registered: true})
			}
			continue
		}
		for c := t.First; c <= t.Last; {
			b := rt.c.blockAt(t.Product, c)
			if b == nil {
				break
			}
			hi := min(t.Last, b.Start+b.Count-1)
			if rt.seen[b.ID] == nil {
				rt.seen[b.ID] = b
			}
			r := selRun{b: b, lo: c - b.Start, hi: hi - b.Start, field: at("record")}
			if r.len() <= maxNamedTargets { // errors name the codes, not offsets
				for off := r.lo; off <= r.hi; off++ {
					code, _ := rt.c.iss.AppendDL(nil, b, off)
					r.items = append(r.items, selItem{field: r.field, code: string(code)})
				}
			}
			s.runs = append(s.runs, r)
			c = hi + 1
		}
	}
	return s
}

// summaryOf reads record seq's summary as staged.
func (rt *reportTx) summaryOf(seq uint64) (ledger.Summary, error) {
	var s ledger.Summary
	found, err := rt.b.Get(ledger.AppendSummaryKey(nil, seq), func(v []byte) (err error) {
		s, err = ledger.DecodeSummary(seq, v)
		return err
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: record %d has no summary", model.ErrState, seq)
	}
	return s, err
}

// payloadOf reads record seq's payload as staged.
func (rt *reportTx) payloadOf(seq uint64) (ledger.Payload, error) {
	var p ledger.Payload
	found, err := rt.b.Get(ledger.AppendPayloadKey(nil, seq), func(v []byte) (err error) {
		p, err = ledger.DecodePayload(v)
		return err
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: record %d has no payload", model.ErrState, seq)
	}
	return p, err
}

// erroneousOf returns the declaration of record seq, as staged.
func (rt *reportTx) erroneousOf(seq uint64) (uint64, bool) {
	if d, ok := rt.erroneous[seq]; ok {
		return d, true
	}
	return rt.c.erroneousOf(seq)
}

// erroneousOf returns the declaration of record seq, if it was declared
// erroneous.
func (c *Chain) erroneousOf(seq uint64) (uint64, bool) {
	c.errMu.RLock()
	defer c.errMu.RUnlock()
	d, ok := c.erroneous[seq]
	return d, ok
}

// recordDeclaration stores error declaration ev, its document as
// captured, as record seq naming targets; false, the failure noted, when
// the event cannot be stored as JSON.
func (rt *reportTx) recordDeclaration(ev *epcis.Event, base where, tz int16, h [32]byte, targets []ledger.Target, seq uint64) bool {
	body, err := eventDocument(ev, rt.now)
	if err != nil {
		rt.fail(base, "", model.ErrInvalid, "the event cannot be stored as JSON: %v", err)
		return false
	}
	sum := eventSummary(ev, ev.EventTime.UnixMilli(), tz, h)
	if got := rt.record(&sum, targets, body); got != seq {
		panic(fmt.Sprintf("BUG: declaration record got seq %d, staged with %d", got, seq))
	}
	return true
}
