package chain

import (
	"context"
	"errors"
	"fmt"

	"tracecode/engine/epcis"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
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
func (c *Chain) LiftRecall(ctx context.Context, r *LiftRequest) (*Receipt, error) {
	meta := r.ReportMeta
	if r.Regulator != "" {
		meta.Credential = "regulator:" + r.Regulator
	}
	rt, replayed, err := c.begin(ctx, &meta)
	if rt == nil {
		return replayed, err
	}
	evTime, tz := rt.checkMeta(&meta)
	if r.Reason == "" {
		rt.fail(at("reason"), "", model.ErrInvalid, "a lift needs a reason")
	} else if err := issue.CheckText("reason", r.Reason, 500, false); err != nil {
		rt.fail(at("reason"), r.Reason, model.ErrInvalid, "%v", err)
	}
	if err := issue.CheckText("regulator", r.Regulator, 200, false); err != nil {
		rt.fail(at("regulator"), r.Regulator, model.ErrInvalid, "%v", err)
	}
	s := rt.selectItems(&r.Items, at("items"), true)
	classes := rt.classesOf(r.Lots, r.Products)
	if s.empty() && len(classes) == 0 && !rt.failed() {
		rt.fail(at(""), "", model.ErrInvalid, "nothing to lift: name lots, products or codes")
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
	c := rt.c
	var classes []classRef
	for i, l := range lots {
		field := in("lots", i)
		lot, err := c.iss.LotByNumber(l.Product, l.Number)
		var org uint32
		if p, err := c.iss.Product(l.Product); err == nil {
			org = p.Org
		}
		if err != nil {
			rt.fail(field, l.Number, model.ErrUnknownLot, "product %d has no lot %q", l.Product, l.Number)
			continue
		}
		classes = append(classes, classRef{product: l.Product, org: org, lot: lot.ID, field: field, raw: l.Number})
	}
	for i, p := range products {
		field := in("products", i)
		pr, err := c.iss.Product(p)
		if err != nil {
			rt.fail(field, fmt.Sprint(p), model.ErrUnknownProduct, "%v", err)
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
			rt.fail(c.field, c.raw, model.ErrWrongOrg, "product %d belongs to %s; only its owner (or a regulator on its behalf) lifts its recall", c.product, rt.c.orgName(c.org))
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
	rt.c.recallMu.RLock()
	defer rt.c.recallMu.RUnlock()
	if k.lot {
		_, ok := rt.c.recallLots[k.id]
		return ok
	}
	_, ok := rt.c.recallProducts[k.id]
	return ok
}
