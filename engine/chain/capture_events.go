package chain

import (
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// One method per EPCIS event type: each checks who may capture the event
// and what state its codes need, and stages its item-state changes; the
// record, its indexes, recalls and custody are staged by captureEvent
// (capture.go) for every type alike.

// captureObject checks and stages an ObjectEvent: ADD commissions codes
// the organisation owns, DELETE decommissions codes it holds (sold,
// dispensed, destroyed), OBSERVE needs the event's standing.
func (rt *reportTx) captureObject(ev *epcis.Event, base where, org uint32, evTime int64, seq uint64, a *captured) error {
	s := rt.eventSel(ev.EPCList, base.sub(".epcList"))
	a.classes = rt.resolveClasses(ev.QuantityList, base.sub(".quantityList"))
	switch ev.Action {
	case epcis.ActionAdd:
		rt.requireOwned(&s, org, "the code")
		if err := rt.requireClassStanding(a.classes, org, holderOnly, true); err != nil {
			return err
		}
		rt.requireIssued(&s)
		rt.requireState(&s, itemstate.Voided, false, ErrItemVoided, "voided by the line; a voided code is never commissioned")
		rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "already commissioned")
		if !rt.failed() {
			rt.registerUnits(&s, seq)
			if err := rt.setKind(&s, itemstate.Commissioned, true); err != nil {
				return err
			}
		}
	case epcis.ActionDelete:
		rt.requireLive(&s)
		// Selling, dispensing, destroying: by whoever holds the codes.
		if err := rt.requireHeld(&s, org, "the code"); err != nil {
			return err
		}
		if err := rt.requireClassStanding(a.classes, org, holderOnly, false); err != nil {
			return err
		}
		if !rt.failed() {
			if err := rt.setKind(&s, itemstate.Decommissioned, true); err != nil {
				return err
			}
		}
	default:
		rt.requireLive(&s)
		st := rt.eventStanding(ev)
		if err := rt.requireStanding(&s, org, "the code", st); err != nil {
			return err
		}
		if err := rt.requireClassStanding(a.classes, org, st, false); err != nil {
			return err
		}
	}
	a.targets = s.targets(a.targets, ledger.RoleEPC)
	a.idx = append(a.idx, indexed{s, ledger.RoleEPC})
	a.recallSel = s
	return nil
}

// captureAggregation checks and stages an AggregationEvent: ADD packs the
// children into the parent, DELETE unpacks them (all of them when none
// are listed, named in the record), OBSERVE needs the event's standing.
func (rt *reportTx) captureAggregation(ev *epcis.Event, base where, org uint32, evTime int64, seq uint64, a *captured) error {
	a.classes = rt.resolveClasses(ev.ChildQuantityList, base.sub(".childQuantityList"))
	var parent parentRef
	var ok bool
	if !ev.ParentID.IsZero() && !rt.isForeign(ev.ParentID.Raw) { // a foreign parent: OBSERVE only (capture_foreign.go)
		parent, ok = rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, base.sub(".parentID"), true)
	} else if ev.Action != epcis.ActionObserve {
		rt.fail(base.sub(".parentID"), "", model.ErrInvalid, "an AggregationEvent with action %s needs a parentID", ev.Action)
	}
	kids := rt.eventSel(ev.ChildEPCs, base.sub(".childEPCs"))
	st := holderOnly
	if ev.Action == epcis.ActionObserve {
		st = rt.eventStanding(ev)
	}
	if err := rt.requireClassStanding(a.classes, org, st, false); err != nil {
		return err
	}
	switch ev.Action {
	case epcis.ActionAdd:
		if ok && kids.empty() && len(a.classes) == 0 {
			if len(ev.ChildEPCs) > 0 { // all foreign (capture_foreign.go)
				rt.fail(base.sub(".childEPCs"), ev.ChildEPCs[0].Raw, model.ErrInvalid, "packing needs children of this store; these are identifiers it does not issue")
			} else {
				rt.fail(base.sub(".childEPCs"), "", model.ErrInvalid, "packing needs children")
			}
		}
		if ok && !kids.empty() {
			if err := rt.pack(&parent, 0, &kids, evTime, seq); err != nil {
				return err
			}
		}
	case epcis.ActionDelete:
		if ok {
			var ks *selection
			if !kids.empty() {
				ks = &kids
			}
			removed, err := rt.unpack(&parent, ks, evTime, seq)
			if err != nil {
				return err
			}
			if ks == nil { // "all children": name them in the record
				for _, x := range removed {
					a.targets = append(a.targets, ledger.Target{Role: ledger.RoleChild, Kind: ledger.TargetRun, Product: x.Product, First: x.First, Last: x.Last})
				}
			}
		}
	default: // OBSERVE
		if ok {
			ps := parent.asSelection()
			rt.requireLive(&ps)
			if err := rt.requireStanding(&ps, org, "the parent", st); err != nil {
				return err
			}
		}
		rt.requireLive(&kids)
		if err := rt.requireStanding(&kids, org, "the child", st); err != nil {
			return err
		}
		a.idx = append(a.idx, indexed{kids, ledger.RoleChild})
		a.recallSel = kids
	}
	if ok {
		a.targets = append([]ledger.Target{parent.target(ledger.RoleParent)}, a.targets...)
		a.idx = append(a.idx, indexed{parent.asSelection(), ledger.RoleParent})
		a.recallSel = parent.asSelection()
	}
	a.targets = kids.targets(a.targets, ledger.RoleChild)
	return nil
}

// captureTransaction checks and stages a TransactionEvent: it binds codes
// (and a parent: a pallet, a shipment's SSCC) to the business
// transactions listed; codes inside the parent inherit it through
// containment like any event on it.
func (rt *reportTx) captureTransaction(ev *epcis.Event, base where, org uint32, evTime int64, seq uint64, a *captured) error {
	// Binds codes (and a parent: a pallet, a shipment's SSCC) to the
	// business transactions listed; codes inside the parent inherit it
	// through containment like any event on it.
	s := rt.eventSel(ev.EPCList, base.sub(".epcList"))
	a.classes = rt.resolveClasses(ev.QuantityList, base.sub(".quantityList"))
	var ps selection
	if !ev.ParentID.IsZero() && !rt.isForeign(ev.ParentID.Raw) {
		if parent, ok := rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, base.sub(".parentID"), true); ok {
			ps = parent.asSelection()
			a.targets = append(a.targets, parent.target(ledger.RoleParent))
			a.idx = append(a.idx, indexed{ps, ledger.RoleParent})
		}
	}
	if ev.Action != epcis.ActionDelete { // a DELETE may unbind codes that left the chain
		rt.requireLive(&ps)
		rt.requireLive(&s)
	}
	st := rt.eventStanding(ev)
	for _, x := range []*selection{&ps, &s} {
		if err := rt.requireStanding(x, org, "the code", st); err != nil {
			return err
		}
	}
	if err := rt.requireClassStanding(a.classes, org, st, false); err != nil {
		return err
	}
	a.targets = s.targets(a.targets, ledger.RoleEPC)
	a.idx = append(a.idx, indexed{s, ledger.RoleEPC})
	a.recallSel = s
	if !ps.empty() {
		a.recallSel = ps
	}
	return nil
}

// captureAssociation checks and stages an AssociationEvent: sensors,
// loggers and parts associated with (ADD) or taken from (DELETE) a
// parent; no containment is implied.
func (rt *reportTx) captureAssociation(ev *epcis.Event, base where, org uint32, evTime int64, seq uint64, a *captured) error {
	a.classes = rt.resolveClasses(ev.ChildQuantityList, base.sub(".childQuantityList"))
	ps, kids, err := rt.associate(ev, base, evTime, seq)
	if err != nil {
		return err
	}
	st := holderOnly
	if ev.Action == epcis.ActionObserve {
		st = rt.eventStanding(ev)
	}
	for _, x := range []*selection{&ps, &kids} {
		if err := rt.requireStanding(x, org, "the code", st); err != nil {
			return err
		}
	}
	if err := rt.requireClassStanding(a.classes, org, st, false); err != nil {
		return err
	}
	if !ps.empty() {
		a.targets = ps.targets(a.targets, ledger.RoleParent)
		a.idx = append(a.idx, indexed{ps, ledger.RoleParent})
	}
	a.targets = kids.targets(a.targets, ledger.RoleChild)
	a.idx = append(a.idx, indexed{kids, ledger.RoleChild})
	a.recallSel = ps
	return nil
}

// captureTransformation checks and stages a TransformationEvent: the
// holder's inputs are consumed (decommissioned), the organisation's
// outputs commissioned.
func (rt *reportTx) captureTransformation(ev *epcis.Event, base where, org uint32, evTime int64, seq uint64, a *captured) error {
	in := rt.eventSel(ev.InputEPCList, base.sub(".inputEPCList"))
	out := rt.eventSel(ev.OutputEPCList, base.sub(".outputEPCList"))
	inC := rt.resolveClasses(ev.InputQuantityList, base.sub(".inputQuantityList"))
	outC := rt.resolveClasses(ev.OutputQuantityList, base.sub(".outputQuantityList"))
	if len(ev.InputEPCList)+len(ev.InputQuantityList)+len(ev.OutputEPCList)+len(ev.OutputQuantityList) == 0 && ev.TransformationID == "" {
		rt.fail(base, "", model.ErrInvalid, "a TransformationEvent needs inputs, outputs or a transformationID")
	}
	rt.requireLive(&in)
	// Consuming is the holder's: inputs, and input a.classes (owned, or
	// shipped to the capturing organisation).
	if err := rt.requireHeld(&in, org, "the input"); err != nil {
		return err
	}
	if err := rt.requireClassStanding(inC, org, holderOnly, false); err != nil {
		return err
	}
	rt.requireOwned(&out, org, "the output")
	rt.requireIssued(&out)
	rt.requireState(&out, itemstate.Voided, false, ErrItemVoided, "voided by the line")
	rt.requireState(&out, itemstate.Decommissioned, false, ErrDecommissioned, "decommissioned")
	for _, c := range outC {
		if c.org != org {
			rt.fail(c.field, c.raw, model.ErrWrongOrg, "output lots must be the capturing organisation's products")
		}
	}
	if !rt.failed() {
		if err := rt.setKind(&in, itemstate.Decommissioned, true); err != nil {
			return err
		}
		// Outputs not yet commissioned are commissioned by the transformation.
		rt.registerUnits(&out, seq)
		if err := rt.setKind(&out, itemstate.Commissioned, true); err != nil {
			return err
		}
	}
	a.targets = in.targets(a.targets, ledger.RoleInput)
	a.targets = out.targets(a.targets, ledger.RoleOutput)
	a.idx = append(a.idx, indexed{in, ledger.RoleInput}, indexed{out, ledger.RoleOutput})
	for j := range inC {
		a.targets = append(a.targets, inC[j].target(ledger.RoleInput))
		rt.classIndex(&inC[j], seq, ledger.RoleInput)
	}
	for j := range outC {
		a.targets = append(a.targets, outC[j].target(ledger.RoleOutput))
		rt.classIndex(&outC[j], seq, ledger.RoleOutput)
	}
	a.recallSel = out
	return nil
}
