package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
)

// CaptureOptions say who captures a document.
type CaptureOptions struct {
	// Org is the capturing organisation (the API key's). Required.
	Org uint32
	// Credential names who within Org captured (an API key id, a user).
	Credential string
	// RequestID makes the capture idempotent (see ReportMeta.RequestID).
	RequestID string
	// Region is set when the capturing key is a regulator's (it holds the
	// regulator scope): the GB/T 2260 division it covers. Such a key may
	// also record inspections and sampling (bizStep inspecting, sampling)
	// on codes produced or held there. 0: not a regulator.
	Region uint32
	// Parse bounds the document (events, EPCs per event, bytes); its
	// Normalizer and Now are not used: the engine resolves identifiers and
	// checks event times itself.
	Parse epcis.ParseOptions
}

// CaptureJSON reads an EPCIS 2.0 JSON(-LD) document and captures it (see
// Capture). A malformed document is a *ReportError listing every problem
// the parser found, with event index and JSON path.
func (e *Engine) CaptureJSON(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	po := o.Parse
	po.Normalizer, po.Now = nil, time.Time{}
	doc, err := epcis.ParseDocument(r, po)
	if err != nil {
		var de *epcis.DocumentError
		if !errors.As(err, &de) {
			return nil, err
		}
		re := &ReportError{Dropped: de.Dropped}
		for _, x := range de.Errors {
			re.Errors = append(re.Errors, ItemError{Event: x.Index, Field: x.Field, Reason: x.Reason, Err: ErrInvalid})
		}
		return nil, re
	}
	return e.Capture(ctx, doc, o)
}

// Capture applies a parsed EPCIS document as one report: every event, or
// none. ObjectEvents commission (ADD), observe (OBSERVE) or decommission
// (DELETE) codes; AggregationEvents pack (ADD), unpack (DELETE) or observe
// (OBSERVE) a parent and children; TransformationEvents consume their
// inputs and commission their outputs, linking input lots to output lots.
// Identifiers may be EPC URNs or GS1 Digital Link URIs; each must name a
// code this engine issued (or a registered SSCC), or a known product or
// lot for quantities. An event whose disposition (or persistent
// disposition) is "recalled" recalls its codes, lots and products; one
// whose persistent disposition unsets "recalled" lifts their recall (see
// LiftRequest).
//
// Each event becomes one ledger record holding the event as a one-event
// EPCIS document, exactly as received plus its recordTime: fields the
// engine does not interpret (ILMD, sensor data, extensions, certification)
// are kept verbatim and exported again without loss. An event already in
// the ledger (same CBV event hash) is skipped and counted in Duplicates.
//
// Organisation rules (standing.go; docs/api.md "Who may record what"):
// commissioning needs the capturing organisation to own the codes (and a
// transformation's outputs); packing, unpacking, shipping, consuming a
// transformation's inputs and decommissioning (selling, dispensing,
// destroying) to hold them (own them, or have received them: shipping by
// the holder to an organisation named in destinationList, then receiving
// by it, moves custody); observations, transactions and associations are
// recorded by the holder, receiving also by the organisation a shipment
// is pending for, inspections and sampling also by a regulator of the
// code's region (CaptureOptions.Region). A class (lot or product, by
// quantity) is the owner's, or also of an organisation it was shipped to.
// The whole document is refused, naming each code, when any rule fails.
// An event with an errorDeclaration declares an earlier event erroneous
// and undoes its effects (see declareError).
//
// ctx is checked before the report lock is taken, between events and
// before the commit: a cancelled capture applies nothing.
func (e *Engine) Capture(ctx context.Context, doc *epcis.Document, o *CaptureOptions) (*Receipt, error) {
	meta := &ReportMeta{Org: o.Org, Credential: o.Credential, RequestID: o.RequestID}
	rt, replayed, err := e.begin(ctx, meta)
	if rt == nil {
		return replayed, err
	}
	rt.checkMeta(meta)
	rt.regulator = o.Region
	if len(doc.Events) == 0 {
		rt.fail(at("epcisBody.eventList"), "", ErrInvalid, "no events")
	}
	dups := 0
	for i := range doc.Events {
		if err := ctx.Err(); err != nil {
			rt.abort()
			return nil, err
		}
		rt.ev = i
		dup, err := rt.captureEvent(i, &doc.Events[i])
		if err != nil {
			rt.abort()
			return nil, err
		}
		if dup {
			dups++
		}
	}
	rec, err := rt.commit()
	if rec != nil {
		rec.Duplicates = dups
	}
	return rec, err
}

// classRef is a resolved EPC class: a lot, or a whole product.
type classRef struct {
	product uint32
	org     uint32
	lot     uint32 // 0: the whole product
	q       epcis.QuantityElement
	field   where
	raw     string
}

func (c *classRef) target(role ledger.Role) ledger.Target {
	t := ledger.Target{Role: role, Kind: ledger.TargetProduct, Product: c.product,
		Quantity: c.q.Quantity, HasQuantity: c.q.HasQuantity, UOM: c.q.UOM}
	if c.lot != 0 {
		t.Kind, t.Lot = ledger.TargetLot, c.lot
	}
	return t
}

// resolveClasses resolves a quantity list.
func (rt *reportTx) resolveClasses(list []epcis.QuantityElement, field where) []classRef {
	var out []classRef
	for j, q := range list {
		f := field.idx(j)
		f.c = ".epcClass"
		c, ok := rt.resolveClass(f, q.EPCClass.Raw)
		if ok {
			c.q = q
			out = append(out, c)
		}
	}
	return out
}

// resolveClass resolves an EPC class: urn:epc:class:lgtin:…,
// urn:epc:idpat:sgtin:CP.IR.*, or a Digital Link with a GTIN and
// optionally a lot (AI 10).
func (rt *reportTx) resolveClass(field where, raw string) (classRef, bool) {
	var gtin gs1.GTIN
	var lot string
	if rest, ok := strings.CutPrefix(raw, "urn:epc:idpat:sgtin:"); ok {
		g, err := idpatGTIN(rest)
		if err != nil {
			rt.fail(field, raw, ErrBadCode, "%v", err)
			return classRef{}, false
		}
		gtin = g
	} else {
		c, err := code.Parse(raw)
		if err != nil {
			rt.fail(field, raw, ErrBadCode, "%v", err)
			return classRef{}, false
		}
		g, ok := c.GTIN()
		if !ok || c.Serial() != "" {
			rt.fail(field, raw, ErrInvalid, "an EPC class names a GTIN and optionally a lot, not a single item")
			return classRef{}, false
		}
		gtin, lot = g, c.Lot()
	}
	rt.e.mu.RLock()
	defer rt.e.mu.RUnlock()
	pid, ok := rt.e.st.productByGTIN[gtin]
	if !ok {
		rt.fail(field, raw, ErrUnknownProduct, "no product has GTIN %s", gtin)
		return classRef{}, false
	}
	c := classRef{product: pid, org: rt.e.st.products[pid].rec.Org, field: field, raw: raw}
	if lot != "" {
		lid, ok := rt.e.st.lotByNumber[lotKey{pid, lot}]
		if !ok {
			rt.fail(field, raw, ErrUnknownLot, "product %s has no lot %q", gtin, lot)
			return classRef{}, false
		}
		c.lot = lid
	}
	return c, true
}

// idpatGTIN reads the "CP.IR.*" part of an SGTIN pattern URN.
func idpatGTIN(s string) (gs1.GTIN, error) {
	cp, rest, ok := strings.Cut(s, ".")
	ir, star, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || star != "*" || len(cp)+len(ir) != 13 || len(ir) < 1 {
		return gs1.GTIN{}, fmt.Errorf("%q is not CompanyPrefix.IndicatorItemRef.*", s)
	}
	body := ir[:1] + cp + ir[1:]
	cd, err := gs1.CheckDigit(body)
	if err != nil {
		return gs1.GTIN{}, err
	}
	return gs1.ParseGTIN(body + string(cd))
}

// eventSel resolves an EPC list of an event.
func (rt *reportTx) eventSel(ids []epcis.Identifier, field where) selection {
	var s selection
	codes := make([]string, len(ids))
	for j, id := range ids {
		codes[j] = id.Raw
	}
	rt.selectCodes(&s, codes, field, true)
	rt.normalize(&s)
	return s
}

// eventTZ returns ev's eventTimeZoneOffset in minutes, failing the field
// (at base) when it is missing or malformed.
func (rt *reportTx) eventTZ(ev *epcis.Event, base where) int16 {
	v, err := epcis.ParseOffset(ev.EventTimeZoneOffset)
	if err != nil {
		rt.fail(base.sub(".eventTimeZoneOffset"), ev.EventTimeZoneOffset, ErrInvalid, "is not a time zone offset ±HH:MM between -14:00 and +14:00")
	}
	return int16(v)
}

// captureEvent validates and stages event i. dup reports an event already
// in the ledger (skipped). The error is for I/O failures only.
func (rt *reportTx) captureEvent(i int, ev *epcis.Event) (dup bool, err error) {
	base := in("epcisBody.eventList", i)
	switch ev.Type {
	case epcis.ObjectEvent, epcis.AggregationEvent, epcis.TransformationEvent, epcis.TransactionEvent, epcis.AssociationEvent:
	default:
		rt.fail(base.sub(".type"), string(ev.Type), ErrUnsupported,
			"this engine applies ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent and AssociationEvent, not %s", ev.Type)
		return false, nil
	}
	h, err := epcis.HashDigest(epcis.HashID(ev, nil))
	if err != nil {
		return false, err
	}
	if ev.ErrorDeclaration != nil { // EPCIS 2.0 §7.4.1.2: it corrects an event, it does not happen
		return rt.declareError(ev, h, base)
	}
	if _, found, err := ledger.SeqByHash(rt.b.Get, h); err != nil {
		return false, err
	} else if found {
		return true, nil
	}
	evTime := ev.EventTime.UnixMilli()
	tz := rt.eventTZ(ev, base)
	if evTime > rt.now+MaxFutureSkew.Milliseconds() {
		rt.fail(base.sub(".eventTime"), ev.EventTime.Format(time.RFC3339), ErrFuture, "is more than %v after the engine's clock (%s)",
			MaxFutureSkew, fmtMillis(rt.now))
	}
	recall := ev.Disposition == epcis.DispRecalled || slices.Contains(ev.PersistentDisposition.Set, epcis.DispRecalled)
	lift := slices.Contains(ev.PersistentDisposition.Unset, epcis.DispRecalled)
	if lift && recall {
		rt.fail(base.sub(".persistentDisposition"), string(epcis.DispRecalled), ErrInvalid, "an event cannot both recall and lift a recall")
		lift = false
	}
	org := rt.meta.Org
	seq := rt.lt.NextSeq()
	var targets []ledger.Target
	var idx []indexed // what the record is indexed under
	var classes []classRef
	var recallSel selection

	switch ev.Type {
	case epcis.ObjectEvent:
		s := rt.eventSel(ev.EPCList, base.sub(".epcList"))
		classes = rt.resolveClasses(ev.QuantityList, base.sub(".quantityList"))
		switch ev.Action {
		case epcis.ActionAdd:
			rt.requireOwned(&s, org, "the code")
			if err := rt.requireClassStanding(classes, org, holderOnly, true); err != nil {
				return false, err
			}
			rt.requireIssued(&s)
			rt.requireState(&s, itemstate.Voided, false, ErrItemVoided, "voided by the line; a voided code is never commissioned")
			rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "already commissioned")
			if !rt.failed() {
				rt.registerUnits(&s, seq)
				if err := rt.setKind(&s, itemstate.Commissioned, true); err != nil {
					return false, err
				}
			}
		case epcis.ActionDelete:
			rt.requireLive(&s)
			// Selling, dispensing, destroying: by whoever holds the codes.
			if err := rt.requireHeld(&s, org, "the code"); err != nil {
				return false, err
			}
			if err := rt.requireClassStanding(classes, org, holderOnly, false); err != nil {
				return false, err
			}
			if !rt.failed() {
				if err := rt.setKind(&s, itemstate.Decommissioned, true); err != nil {
					return false, err
				}
			}
		default:
			rt.requireLive(&s)
			st := rt.eventStanding(ev)
			if err := rt.requireStanding(&s, org, "the code", st); err != nil {
				return false, err
			}
			if err := rt.requireClassStanding(classes, org, st, false); err != nil {
				return false, err
			}
		}
		targets = s.targets(targets, ledger.RoleEPC)
		idx = append(idx, indexed{s, ledger.RoleEPC})
		recallSel = s
	case epcis.AggregationEvent:
		classes = rt.resolveClasses(ev.ChildQuantityList, base.sub(".childQuantityList"))
		var parent parentRef
		var ok bool
		if !ev.ParentID.IsZero() {
			parent, ok = rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, base.sub(".parentID"), true)
		} else if ev.Action != epcis.ActionObserve {
			rt.fail(base.sub(".parentID"), "", ErrInvalid, "an AggregationEvent with action %s needs a parentID", ev.Action)
		}
		kids := rt.eventSel(ev.ChildEPCs, base.sub(".childEPCs"))
		st := holderOnly
		if ev.Action == epcis.ActionObserve {
			st = rt.eventStanding(ev)
		}
		if err := rt.requireClassStanding(classes, org, st, false); err != nil {
			return false, err
		}
		switch ev.Action {
		case epcis.ActionAdd:
			if ok && kids.empty() && len(classes) == 0 {
				rt.fail(base.sub(".childEPCs"), "", ErrInvalid, "packing needs children")
			}
			if ok && !kids.empty() {
				if err := rt.pack(&parent, 0, &kids, evTime, seq); err != nil {
					return false, err
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
					return false, err
				}
				if ks == nil { // "all children": name them in the record
					for _, x := range removed {
						targets = append(targets, ledger.Target{Role: ledger.RoleChild, Kind: ledger.TargetRun, Product: x.Product, First: x.First, Last: x.Last})
					}
				}
			}
		default: // OBSERVE
			if ok {
				ps := parent.asSelection()
				rt.requireLive(&ps)
				if err := rt.requireStanding(&ps, org, "the parent", st); err != nil {
					return false, err
				}
			}
			rt.requireLive(&kids)
			if err := rt.requireStanding(&kids, org, "the child", st); err != nil {
				return false, err
			}
			idx = append(idx, indexed{kids, ledger.RoleChild})
			recallSel = kids
		}
		if ok {
			targets = append([]ledger.Target{parent.target(ledger.RoleParent)}, targets...)
			idx = append(idx, indexed{parent.asSelection(), ledger.RoleParent})
			recallSel = parent.asSelection()
		}
		targets = kids.targets(targets, ledger.RoleChild)
	case epcis.TransactionEvent:
		// Binds codes (and a parent: a pallet, a shipment's SSCC) to the
		// business transactions listed; codes inside the parent inherit it
		// through containment like any event on it.
		s := rt.eventSel(ev.EPCList, base.sub(".epcList"))
		classes = rt.resolveClasses(ev.QuantityList, base.sub(".quantityList"))
		var ps selection
		if !ev.ParentID.IsZero() {
			if parent, ok := rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, base.sub(".parentID"), true); ok {
				ps = parent.asSelection()
				targets = append(targets, parent.target(ledger.RoleParent))
				idx = append(idx, indexed{ps, ledger.RoleParent})
			}
		}
		if ev.Action != epcis.ActionDelete { // a DELETE may unbind codes that left the chain
			rt.requireLive(&ps)
			rt.requireLive(&s)
		}
		st := rt.eventStanding(ev)
		for _, x := range []*selection{&ps, &s} {
			if err := rt.requireStanding(x, org, "the code", st); err != nil {
				return false, err
			}
		}
		if err := rt.requireClassStanding(classes, org, st, false); err != nil {
			return false, err
		}
		targets = s.targets(targets, ledger.RoleEPC)
		idx = append(idx, indexed{s, ledger.RoleEPC})
		recallSel = s
		if !ps.empty() {
			recallSel = ps
		}
	case epcis.AssociationEvent:
		classes = rt.resolveClasses(ev.ChildQuantityList, base.sub(".childQuantityList"))
		ps, kids, err := rt.associate(ev, base, evTime, seq)
		if err != nil {
			return false, err
		}
		st := holderOnly
		if ev.Action == epcis.ActionObserve {
			st = rt.eventStanding(ev)
		}
		for _, x := range []*selection{&ps, &kids} {
			if err := rt.requireStanding(x, org, "the code", st); err != nil {
				return false, err
			}
		}
		if err := rt.requireClassStanding(classes, org, st, false); err != nil {
			return false, err
		}
		if !ps.empty() {
			targets = ps.targets(targets, ledger.RoleParent)
			idx = append(idx, indexed{ps, ledger.RoleParent})
		}
		targets = kids.targets(targets, ledger.RoleChild)
		idx = append(idx, indexed{kids, ledger.RoleChild})
		recallSel = ps
	case epcis.TransformationEvent:
		in := rt.eventSel(ev.InputEPCList, base.sub(".inputEPCList"))
		out := rt.eventSel(ev.OutputEPCList, base.sub(".outputEPCList"))
		inC := rt.resolveClasses(ev.InputQuantityList, base.sub(".inputQuantityList"))
		outC := rt.resolveClasses(ev.OutputQuantityList, base.sub(".outputQuantityList"))
		if len(ev.InputEPCList)+len(ev.InputQuantityList)+len(ev.OutputEPCList)+len(ev.OutputQuantityList) == 0 && ev.TransformationID == "" {
			rt.fail(base, "", ErrInvalid, "a TransformationEvent needs inputs, outputs or a transformationID")
		}
		rt.requireLive(&in)
		// Consuming is the holder's: inputs, and input classes (owned, or
		// shipped to the capturing organisation).
		if err := rt.requireHeld(&in, org, "the input"); err != nil {
			return false, err
		}
		if err := rt.requireClassStanding(inC, org, holderOnly, false); err != nil {
			return false, err
		}
		rt.requireOwned(&out, org, "the output")
		rt.requireIssued(&out)
		rt.requireState(&out, itemstate.Voided, false, ErrItemVoided, "voided by the line")
		rt.requireState(&out, itemstate.Decommissioned, false, ErrDecommissioned, "decommissioned")
		for _, c := range outC {
			if c.org != org {
				rt.fail(c.field, c.raw, ErrWrongOrg, "output lots must be the capturing organisation's products")
			}
		}
		if !rt.failed() {
			if err := rt.setKind(&in, itemstate.Decommissioned, true); err != nil {
				return false, err
			}
			// Outputs not yet commissioned are commissioned by the transformation.
			rt.registerUnits(&out, seq)
			if err := rt.setKind(&out, itemstate.Commissioned, true); err != nil {
				return false, err
			}
		}
		targets = in.targets(targets, ledger.RoleInput)
		targets = out.targets(targets, ledger.RoleOutput)
		idx = append(idx, indexed{in, ledger.RoleInput}, indexed{out, ledger.RoleOutput})
		for j := range inC {
			targets = append(targets, inC[j].target(ledger.RoleInput))
			rt.classIndex(&inC[j], seq, ledger.RoleInput)
		}
		for j := range outC {
			targets = append(targets, outC[j].target(ledger.RoleOutput))
			rt.classIndex(&outC[j], seq, ledger.RoleOutput)
		}
		recallSel = out
	}
	for j := range classes {
		targets = append(targets, classes[j].target(ledger.RoleClass))
		rt.classIndex(&classes[j], seq, ledger.RoleClass)
	}
	if ev.BizStep == epcis.BizStepShipping && ev.Type == epcis.ObjectEvent && ev.Action == epcis.ActionAdd {
		// Only the holder ships (and so hands custody on); the other
		// actions checked standing above.
		if err := rt.requireHeld(&recallSel, org, "the code"); err != nil {
			return false, err
		}
	}
	if recall || lift {
		ec := classes
		if ev.Type == epcis.TransformationEvent {
			ec = nil
		}
		stage := func() error { return rt.stageRecall(&recallSel, ec, evTime, seq) }
		if lift { // persistentDisposition unset recalled: the recall ends
			stage = func() error { return rt.stageLift(&recallSel, ec, seq) }
		}
		if err := stage(); err != nil {
			return false, err
		}
	}
	if rt.failed() {
		return false, nil // nothing will be written; keep validating the rest
	}
	if ev.Type == epcis.ObjectEvent || ev.Type == epcis.AggregationEvent {
		if err := rt.transferCustody(ev, &recallSel, evTime, seq); err != nil {
			return false, err
		}
	}
	body, err := eventDocument(ev, rt.now)
	if err != nil {
		rt.fail(base, "", ErrInvalid, "the event cannot be stored as JSON: %v", err)
		return false, nil
	}
	sum := eventSummary(ev, evTime, tz, h)
	if got := rt.record(&sum, targets, body); got != seq {
		panic(fmt.Sprintf("BUG: event record got seq %d, staged with %d", got, seq))
	}
	if ev.EventID != "" { // an error declaration may name the event by it
		rt.lt.PutEventID(ev.EventID, seq)
	}
	moves := ev.Type == epcis.AggregationEvent && ev.Action != epcis.ActionObserve
	for k := range idx {
		if moves { // packing or unpacking: indexed on the parent as such
			rt.indexParents(&idx[k].s, seq, idx[k].role)
			continue
		}
		if err := rt.indexSel(&idx[k].s, seq, idx[k].role, true); err != nil {
			return false, err
		}
	}
	if ev.Type == epcis.AssociationEvent && ev.Action != epcis.ActionObserve {
		rt.assocStaged = true
	}
	rt.codes += uint64(len(ev.EPCList) + len(ev.ChildEPCs) + len(ev.InputEPCList) + len(ev.OutputEPCList))
	return false, nil
}

// indexed is a selection to index under a role.
type indexed struct {
	s    selection
	role ledger.Role
}

// classIndex indexes a record under a lot or product.
func (rt *reportTx) classIndex(c *classRef, seq uint64, role ledger.Role) {
	if c.lot != 0 {
		rt.lt.IndexLot(c.lot, seq, role)
		rt.lt.IndexLotReach(c.lot, seq, role)
		rt.touched.Lot(c.lot)
		return
	}
	rt.lt.IndexProduct(c.product, seq, role)
	rt.touched.Product(c.product)
}

// registerUnits registers the unregistered SSCCs of s as units of the
// reporting organisation (their GS1 company prefix must be its: checked by
// requireOwned before).
func (rt *reportTx) registerUnits(s *selection, seq uint64) {
	for _, u := range s.units {
		if rt.units[u.ref.node.Counter] != nil || u.registered {
			continue
		}
		lvl := u.ref.level
		if lvl == 0 {
			lvl = LevelPallet
		}
		rt.putUnit(unitRecord(u.ref.node.Counter, rt.meta.Org, lvl, rt.now, seq))
	}
}

// eventDocument renders ev, with its recordTime set, as a one-event EPCIS
// 2.0 document: what the ledger stores and Verify re-parses.
func eventDocument(ev *epcis.Event, recordTime int64) ([]byte, error) {
	c := *ev
	c.RecordTime = time.UnixMilli(recordTime).UTC()
	var buf bytes.Buffer
	err := epcis.MarshalDocument(&buf, []epcis.Event{c}, &epcis.MarshalOptions{
		Header: epcis.Header{CreationDate: time.UnixMilli(recordTime).UTC()}})
	return buf.Bytes(), err
}

// eventSummary returns the ledger summary of a captured event (content
// hash h, event time evTime in unix ms, time-zone offset tz in minutes).
func eventSummary(ev *epcis.Event, evTime int64, tz int16, h [32]byte) ledger.Summary {
	sum := ledger.Summary{Kind: ledger.KindEPCIS, EventType: ev.Type, Action: ev.Action,
		BizStep: ev.BizStep, Disposition: ev.Disposition, EventTime: evTime, TZOffset: tz,
		ReadPoint: ev.ReadPoint.ID.Raw, BizLocation: ev.BizLocation.ID.Raw, EventID: ev.EventID, ContentHash: h}
	for _, d := range ev.PersistentDisposition.Set {
		sum.SetDisp = append(sum.SetDisp, string(d))
	}
	for _, d := range ev.PersistentDisposition.Unset {
		sum.UnsetDisp = append(sum.UnsetDisp, string(d))
	}
	for _, b := range ev.BizTransactionList {
		sum.BizTx = append(sum.BizTx, ledger.Pair{Type: string(b.Type), ID: b.ID})
	}
	for _, s := range ev.SourceList {
		sum.Sources = append(sum.Sources, ledger.Pair{Type: string(s.Type), ID: s.ID.Raw})
	}
	for _, d := range ev.DestinationList {
		sum.Dests = append(sum.Dests, ledger.Pair{Type: string(d.Type), ID: d.ID.Raw})
	}
	if ev.ErrorDeclaration != nil {
		sum.Flags |= ledger.FlagErrorDeclared
	}
	return sum
}
