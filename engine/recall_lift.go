package engine

import (
	"context"
	"errors"
	"fmt"

	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
)

// ErrNotRecalled: a lift names a code, lot or product that is not
// recalled now.
var ErrNotRecalled = errors.New("engine: not recalled")

// LiftRequest ends recalls of lots, whole products and individual codes of
// the reporting organisation (ReportMeta.Org, which must own them): the
// owner ending its own recall, or a regulator ending it on the owner's
// behalf (Regulator names it; the record then stays in the owner's log,
// with the regulator as its credential). Codes then resolve as they would
// without the recall, unless another recall still reaches them (their lot,
// product, or a container's recall). The recall record and the lift record
// both stay on the timeline. Applied whole or not at all.
type LiftRequest struct {
	ReportMeta
	Lots     []LotRef
	Products []uint32
	// Items lifts the recall of codes and of everything inside them now
	// (the recalled flags a container's recall set on its contents).
	Items Items
	// Reason is required: why the recall ends (kept in the record).
	Reason string
	// Regulator names the regulator who lifted the recall ("" when the
	// owner did); it replaces ReportMeta.Credential in the record as
	// "regulator:NAME".
	Regulator string
}

// LiftRecall ends recalls (see LiftRequest). The record is of kind
// ledger.KindRecallLift, an ObjectEvent OBSERVE with persistent
// disposition unset "recalled" (EPCIS 2.0 §7.4.1.2, CBV 2.0 §7.2).
func (e *Engine) LiftRecall(ctx context.Context, r *LiftRequest) (*Receipt, error) {
	meta := r.ReportMeta
	if r.Regulator != "" {
		meta.Credential = "regulator:" + r.Regulator
	}
	rt, replayed, err := e.begin(ctx, &meta)
	if rt == nil {
		return replayed, err
	}
	evTime, tz := rt.checkMeta(&meta)
	if r.Reason == "" {
		rt.fail(at("reason"), "", ErrInvalid, "a lift needs a reason")
	} else if err := checkText("reason", r.Reason, 500, false); err != nil {
		rt.fail(at("reason"), r.Reason, ErrInvalid, "%v", err)
	}
	if err := checkText("regulator", r.Regulator, 200, false); err != nil {
		rt.fail(at("regulator"), r.Regulator, ErrInvalid, "%v", err)
	}
	s := rt.selectItems(&r.Items, at("items"), true)
	classes := rt.classesOf(r.Lots, r.Products)
	if s.empty() && len(classes) == 0 && !rt.failed() {
		rt.fail(at(""), "", ErrInvalid, "nothing to lift: name lots, products or codes")
	}
	seq := rt.lt.NextSeq()
	if err := rt.stageLift(&s, classes, seq); err != nil {
		rt.abort()
		return nil, err
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	sum := ledger.Summary{Kind: ledger.KindRecallLift, EventType: epcis.ObjectEvent, Action: epcis.ActionObserve,
		UnsetDisp: []string{string(epcis.DispRecalled)}, EventTime: evTime, TZOffset: tz}
	if err := rt.recordRecall(&s, classes, seq, &sum, r.Reason); err != nil {
		rt.abort()
		return nil, err
	}
	return rt.commit()
}

// classesOf resolves the lots and products a recall or lift names.
func (rt *reportTx) classesOf(lots []LotRef, products []uint32) []classRef {
	e := rt.e
	var classes []classRef
	for i, l := range lots {
		field := in("lots", i)
		id, ok := e.iss.LotIDByNumber(l.Product, l.Number)
		var org uint32
		if p := e.iss.ProductByID(l.Product); p != nil {
			org = p.Org
		}
		if !ok {
			rt.fail(field, l.Number, ErrUnknownLot, "product %d has no lot %q", l.Product, l.Number)
			continue
		}
		classes = append(classes, classRef{product: l.Product, org: org, lot: id, field: field, raw: l.Number})
	}
	for i, p := range products {
		field := in("products", i)
		pr, err := e.Product(p)
		if err != nil {
			rt.fail(field, fmt.Sprint(p), ErrUnknownProduct, "%v", err)
			continue
		}
		classes = append(classes, classRef{product: p, org: pr.Org, field: field, raw: fmt.Sprint(p)})
	}
	return classes
}

// stageLift validates and stages the end of the recall of codes (and of
// everything inside them now) and classes, by the reporting organisation,
// which must own them; each must be recalled now (as staged).
func (rt *reportTx) stageLift(s *selection, classes []classRef, seq uint64) error {
	org := rt.meta.Org
	rt.requireOwned(s, org, "the code")
	rt.requireState(s, itemstate.Recalled, true, ErrNotRecalled, "is not recalled (a recall of its lot, product or a container is lifted there)")
	for _, c := range classes {
		if c.org != org {
			rt.fail(c.field, c.raw, ErrWrongOrg, "product %d belongs to %s; only its owner (or a regulator on its behalf) lifts its recall", c.product, rt.e.orgName(c.org))
			continue
		}
		if !rt.classRecalled(c) {
			rt.fail(c.field, c.raw, ErrNotRecalled, "is not recalled")
		}
	}
	if rt.failed() {
		return nil
	}
	if err := rt.setRecalled(s, false); err != nil {
		return err
	}
	for _, c := range classes {
		k := c.key()
		if rt.recalls == nil {
			rt.recalls = map[recallKey]ledger.Recall{}
		}
		rt.recalls[k] = ledger.Recall{} // zero: lifted (deleted at commit)
	}
	return nil
}

// key returns the recall mark key of a class.
func (c *classRef) key() recallKey {
	if c.lot == 0 {
		return recallKey{id: c.product}
	}
	return recallKey{lot: true, id: c.lot}
}

// classRecalled reports whether a lot or product is recalled, as staged.
func (rt *reportTx) classRecalled(c classRef) bool {
	k := c.key()
	if r, ok := rt.recalls[k]; ok {
		return r.Seq != 0
	}
	rt.ts.recallMu.RLock()
	defer rt.ts.recallMu.RUnlock()
	if k.lot {
		_, ok := rt.ts.recallLots[k.id]
		return ok
	}
	_, ok := rt.ts.recallProducts[k.id]
	return ok
}
