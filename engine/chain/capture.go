package chain

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
	"tracecode/engine/ledger"
	"tracecode/engine/model"
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
func (c *Chain) CaptureJSON(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	return c.captureParsed(ctx, r, o, epcis.ParseDocument)
}

// captureParsed parses r with parse (the JSON or the XML reader) and
// captures the document; the parser's problems become one *ReportError.
func (c *Chain) captureParsed(ctx context.Context, r io.Reader, o *CaptureOptions, parse func(io.Reader, epcis.ParseOptions) (*epcis.Document, error)) (*Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	po := o.Parse
	po.Normalizer, po.Now = nil, time.Time{}
	doc, err := parse(r, po)
	if err != nil {
		var de *epcis.DocumentError
		if !errors.As(err, &de) {
			return nil, err
		}
		re := &ReportError{Dropped: de.Dropped}
		for _, x := range de.Errors {
			re.Errors = append(re.Errors, ItemError{Event: x.Index, Field: x.Field, Reason: x.Reason, Err: model.ErrInvalid})
		}
		return nil, re
	}
	return c.Capture(ctx, doc, o)
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
func (c *Chain) Capture(ctx context.Context, doc *epcis.Document, o *CaptureOptions) (*Receipt, error) {
	meta := &ReportMeta{Org: o.Org, Credential: o.Credential, RequestID: o.RequestID}
	rt, replayed, err := c.begin(ctx, meta)
	if rt == nil {
		return replayed, err
	}
	rt.checkMeta(meta)
	rt.regulator = o.Region
	vocab, hasVocab := vocabularyElements(&doc.Header)
	if len(doc.Events) == 0 {
		if hasVocab && !rt.failed() { // master data only: nothing to apply
			rt.abort()
			return &Receipt{VocabularyIgnored: vocab}, nil
		}
		rt.fail(at("epcisBody.eventList"), "", model.ErrInvalid, "no events")
	}
	pre, err := rt.prepareEvents(doc.Events)
	if err != nil {
		rt.abort()
		return nil, err
	}
	dups := 0
	for i := range doc.Events {
		if err := ctx.Err(); err != nil {
			rt.abort()
			return nil, err
		}
		rt.ev = i
		dup, err := rt.captureEvent(i, &doc.Events[i], &pre[i])
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
		rec.Duplicates, rec.VocabularyIgnored = dups, vocab
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
	if rt.otherCompany(raw, true) { // kept in the event, no state (capture_foreign.go)
		return classRef{}, false
	}
	var gtin gs1.GTIN
	var lot string
	if rest, ok := strings.CutPrefix(raw, "urn:epc:idpat:sgtin:"); ok {
		g, err := idpatGTIN(rest)
		if err != nil {
			rt.fail(field, raw, model.ErrBadCode, "%v", err)
			return classRef{}, false
		}
		gtin = g
	} else {
		c, err := code.Parse(raw)
		if err != nil {
			rt.fail(field, raw, model.ErrBadCode, "%v", err)
			return classRef{}, false
		}
		g, ok := c.GTIN()
		if !ok || c.Serial() != "" {
			rt.fail(field, raw, model.ErrInvalid, "an EPC class names a GTIN and optionally a lot, not a single item")
			return classRef{}, false
		}
		gtin, lot = g, c.Lot()
	}
	p, err := rt.c.iss.ProductByGTIN(gtin)
	if err != nil {
		rt.fail(field, raw, model.ErrUnknownProduct, "no product has GTIN %s", gtin)
		return classRef{}, false
	}
	c := classRef{product: p.ID, org: p.Org, field: field, raw: raw}
	if lot != "" {
		l, err := rt.c.iss.LotByNumber(p.ID, lot)
		if err != nil {
			rt.fail(field, raw, model.ErrUnknownLot, "product %s has no lot %q", gtin, lot)
			return classRef{}, false
		}
		c.lot = l.ID
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
	if len(rt.fx.raw) > 0 {
		return rt.eventSelForeign(ids, field)
	}
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
		rt.fail(base.sub(".eventTimeZoneOffset"), ev.EventTimeZoneOffset, model.ErrInvalid, "is not a time zone offset ±HH:MM between -14:00 and +14:00")
	}
	return int16(v)
}

// captureEvent validates and stages event i, whose hash and stored
// document p holds (prepareEvents). dup reports an event already in the
// ledger (skipped). The error is for I/O failures only.
func (rt *reportTx) captureEvent(i int, ev *epcis.Event, p *preparedEvent) (dup bool, err error) {
	base := in("epcisBody.eventList", i)
	switch ev.Type {
	case epcis.ObjectEvent, epcis.AggregationEvent, epcis.TransformationEvent, epcis.TransactionEvent, epcis.AssociationEvent:
	default:
		rt.fail(base.sub(".type"), string(ev.Type), ErrUnsupported,
			"this engine applies ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent and AssociationEvent, not %s", ev.Type)
		return false, nil
	}
	// h is over the event with its private fields hashed (prepareEvents).
	h := p.h
	if ev.ErrorDeclaration != nil { // EPCIS 2.0 §7.4.1.2: it corrects an event, it does not happen
		return rt.declareError(ev, h, base)
	}
	if p.known {
		if p.dup {
			return true, nil
		}
	} else if _, found, err := ledger.SeqByHash(rt.b.Get, h); err != nil {
		return false, err
	} else if found {
		return true, nil
	}
	rt.stageForeign(ev, base)
	evTime := ev.EventTime.UnixMilli()
	tz := rt.eventTZ(ev, base)
	if evTime > rt.now+MaxFutureSkew.Milliseconds() {
		rt.fail(base.sub(".eventTime"), ev.EventTime.Format(time.RFC3339), ErrFuture, "is more than %v after the engine's clock (%s)",
			MaxFutureSkew, fmtMillis(rt.now))
	}
	recall := ev.Disposition == epcis.DispRecalled || slices.Contains(ev.PersistentDisposition.Set, epcis.DispRecalled)
	lift := slices.Contains(ev.PersistentDisposition.Unset, epcis.DispRecalled)
	if lift && recall {
		rt.fail(base.sub(".persistentDisposition"), string(epcis.DispRecalled), model.ErrInvalid, "an event cannot both recall and lift a recall")
		lift = false
	}
	org := rt.meta.Org
	seq := rt.lt.NextSeq()
	var a captured
	switch ev.Type {
	case epcis.ObjectEvent:
		err = rt.captureObject(ev, base, org, evTime, seq, &a)
	case epcis.AggregationEvent:
		err = rt.captureAggregation(ev, base, org, evTime, seq, &a)
	case epcis.TransactionEvent:
		err = rt.captureTransaction(ev, base, org, evTime, seq, &a)
	case epcis.AssociationEvent:
		err = rt.captureAssociation(ev, base, org, evTime, seq, &a)
	case epcis.TransformationEvent:
		err = rt.captureTransformation(ev, base, org, evTime, seq, &a)
	}
	if err != nil {
		return false, err
	}
	targets, idx, classes, recallSel := a.targets, a.idx, a.classes, a.recallSel
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
	if err := rt.sectorEvent(ev, base, targets, seq, evTime); err != nil {
		return false, err
	}
	if rt.failed() {
		return false, nil // nothing will be written; keep validating the rest
	}
	if ev.Type == epcis.ObjectEvent || ev.Type == epcis.AggregationEvent {
		if err := rt.transferCustody(ev, &recallSel, evTime, seq); err != nil {
			return false, err
		}
	}
	body, err := p.body, p.bodyErr
	if err != nil {
		rt.fail(base, "", model.ErrInvalid, "the event cannot be stored as JSON: %v", err)
		return false, nil
	}
	sum := eventSummary(ev, evTime, tz, h)
	if got := rt.record(&sum, targets, body); got != seq {
		panic(fmt.Sprintf("BUG: event record got seq %d, staged with %d", got, seq))
	}
	rt.indexForeign(seq)
	if ev.EventID != "" { // an error declaration may name the event by it
		rt.lt.PutEventID(ev.EventID, seq)
	}
	moves := ev.Type == epcis.AggregationEvent && ev.Action != epcis.ActionObserve && namesChildren(targets)
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

// captured is what an event's type-specific checks stage: the targets the
// record names, the selections it is indexed under, the lots and products
// it names, and the codes a recall, a lift or a custody transfer applies
// to.
type captured struct {
	targets   []ledger.Target
	idx       []indexed
	classes   []classRef
	recallSel selection
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
			lvl = model.LevelPallet
		}
		rt.putUnit(unitRecord(u.ref.node.Counter, rt.meta.Org, lvl, rt.now, seq))
	}
}

// eventDocument renders ev, with its recordTime set, as a one-event EPCIS
// 2.0 document: what the ledger stores and Verify re-parses.
func eventDocument(ev *epcis.Event, recordTime int64) ([]byte, error) {
	var buf bytes.Buffer
	err := writeEventDocument(&buf, ev, recordTime)
	return buf.Bytes(), err
}

// writeEventDocument writes eventDocument's bytes to buf.
func writeEventDocument(buf *bytes.Buffer, ev *epcis.Event, recordTime int64) error {
	c := [1]epcis.Event{*ev}
	c[0].RecordTime = time.UnixMilli(recordTime).UTC()
	return epcis.MarshalDocument(buf, c[:], &epcis.MarshalOptions{
		Header: epcis.Header{CreationDate: c[0].RecordTime}})
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

// namesChildren reports whether a record's targets name child codes: an
// aggregation that packed or unpacked some is indexed on its parent as a
// move (EvParent, the parent flagged a container); one that names only
// child quantities moved nothing, so it is indexed on the parent as an
// event on it.
func namesChildren(targets []ledger.Target) bool {
	for i := range targets {
		if targets[i].Role == ledger.RoleChild {
			return true
		}
	}
	return false
}
