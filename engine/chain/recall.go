package chain

import (
	"context"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// LotRef names a lot by product and lot number.
type LotRef struct {
	Product uint32
	Number  string
}

// RecallRequest recalls lots, whole products and individual codes of the
// reporting organisation. Every code of a recalled lot or product, every
// recalled code and everything packed inside a recalled code at the time
// resolves as recalled. Applied whole or not at all.
type RecallRequest struct {
	ReportMeta
	Lots     []LotRef
	Products []uint32
	Items    Items
	// Reason is kept with the record (shown in the chain).
	Reason string
}

// RecallResult is a recall's receipt and its notification list: the
// forward trace of every recalled lot (and of the lots of the recalled
// codes).
type RecallResult struct {
	Receipt
	Notify []*TraceResult
}

// Recall applies a recall and returns who must be notified.
func (c *Chain) Recall(ctx context.Context, r *RecallRequest) (*RecallResult, error) {
	rt, replayed, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		if replayed == nil {
			return nil, err
		}
		return &RecallResult{Receipt: *replayed}, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	if err := issue.CheckText("reason", r.Reason, 500, false); err != nil {
		rt.fail(at("reason"), r.Reason, model.ErrInvalid, "%v", err)
	}
	s := rt.selectItems(&r.Items, at("items"), true)
	classes := rt.classesOf(r.Lots, r.Products)
	if s.empty() && len(classes) == 0 && !rt.failed() {
		rt.fail(at(""), "", model.ErrInvalid, "nothing to recall: name lots, products or codes")
	}
	rt.requireLive(&s)
	seq := rt.lt.NextSeq()
	if err := rt.stageRecall(&s, classes, evTime, seq); err != nil {
		rt.abort()
		return nil, err
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	sum := ledger.Summary{Kind: ledger.KindRecall, EventType: epcis.ObjectEvent, Action: epcis.ActionObserve,
		Disposition: epcis.DispRecalled, SetDisp: []string{string(epcis.DispRecalled)}, EventTime: evTime, TZOffset: tz}
	if err := rt.recordRecall(&s, classes, seq, &sum, r.Reason); err != nil {
		rt.abort()
		return nil, err
	}
	// The lots to trace: recalled lots, and the lots of recalled codes.
	lots := map[uint32]bool{}
	for _, c := range classes {
		if c.lot != 0 {
			lots[c.lot] = true
		}
	}
	for i := range s.runs {
		if l := s.runs[i].b.Lot; l != 0 {
			lots[l] = true
		}
	}
	rec, err := rt.commit()
	if err != nil {
		return nil, err
	}
	res := &RecallResult{Receipt: *rec}
	for l := range lots {
		tr, err := c.ForwardTrace(l)
		if err != nil {
			return res, err
		}
		res.Notify = append(res.Notify, tr)
	}
	return res, nil
}

// stageRecall validates and stages a recall of codes (and everything they
// contain now) and of classes, by the reporting organisation, which must
// own them.
func (rt *reportTx) stageRecall(s *selection, classes []classRef, evTime int64, seq uint64) error {
	org := rt.meta.Org
	rt.requireOwned(s, org, "the code")
	for _, c := range classes {
		if c.org != org {
			rt.fail(c.field, c.raw, model.ErrWrongOrg, "product %d belongs to %s; only its owner recalls it", c.product, rt.c.orgName(c.org))
		}
	}
	if rt.failed() {
		return nil
	}
	if err := rt.setRecalled(s, true); err != nil {
		return err
	}
	for _, c := range classes {
		if rt.recalls == nil {
			rt.recalls = map[recallKey]ledger.Recall{}
		}
		rt.recalls[c.key()] = ledger.Recall{Seq: seq, Time: evTime}
	}
	return nil
}

// markInside sets (on) or clears the recalled flag of every code now
// inside n, at any depth.
func (rt *reportTx) markInside(n agg.Node, on bool, depth int) error {
	if depth >= MaxDepth {
		return nil
	}
	runs, err := rt.ag.Children(n, rt.c.blockInfo)
	if err != nil {
		return err
	}
	for _, c := range runs {
		if c.Block == 0 {
			rt.setUnitKind(c.First, itemstate.Recalled, on)
			if err := rt.markInside(agg.UnitNode(c.First), on, depth+1); err != nil {
				return err
			}
			continue
		}
		var err error
		if on {
			err = rt.it.Set(itemstate.Recalled, c.Block, c.First-c.BlockStart, c.Last-c.BlockStart+1)
		} else {
			err = rt.it.Clear(itemstate.Recalled, c.Block, c.First-c.BlockStart, c.Last-c.BlockStart+1)
		}
		if err != nil {
			return err
		}
		containers, err := rt.containerOffsets(c.Block, c.First-c.BlockStart, c.Last-c.BlockStart)
		if err != nil {
			return err
		}
		for _, off := range containers {
			if err := rt.markInside(agg.Node{Product: c.Product, Counter: c.BlockStart + off}, on, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// RecallOf returns the recall of a lot or of its product, if any.
func (c *Chain) RecallOf(lot, product uint32) (ledger.Recall, bool) {
	c.recallMu.RLock()
	defer c.recallMu.RUnlock()
	if lot != 0 {
		if r, ok := c.recallLots[lot]; ok {
			return r, true
		}
	}
	r, ok := c.recallProducts[product]
	return r, ok
}

// recordRecall records a recall or its lift (summary sum, the reason as
// payload) as record seq, naming the codes of s and classes, and indexes
// it under both (the codes' index reaches the lots inside them, for the
// forward trace).
func (rt *reportTx) recordRecall(s *selection, classes []classRef, seq uint64, sum *ledger.Summary, reason string) error {
	targets := s.targets(nil, ledger.RoleEPC)
	for i := range classes {
		targets = append(targets, classes[i].target(ledger.RoleClass))
		rt.classIndex(&classes[i], seq, ledger.RoleClass)
	}
	rt.record(sum, targets, []byte(reason))
	rt.codes = s.count()
	return rt.indexSel(s, seq, ledger.RoleEPC, true)
}

// setRecalled sets (or clears) the recalled flag of the codes of s and of
// everything inside them now: a recalled container's contents are
// recalled with it, and a lifted or retracted recall ends for them too.
func (rt *reportTx) setRecalled(s *selection, on bool) error {
	if err := rt.setKind(s, itemstate.Recalled, on); err != nil {
		return err
	}
	return rt.eachContainer(s, func(n agg.Node) error { return rt.markInside(n, on, 0) })
}

// eachContainer calls fn with every code of s that holds children, as the
// report has staged it.
func (rt *reportTx) eachContainer(s *selection, fn func(n agg.Node) error) error {
	for i := range s.runs {
		r := &s.runs[i]
		offs, err := rt.containerOffsets(r.b.ID, r.lo, r.hi)
		if err != nil {
			return err
		}
		for _, off := range offs {
			if err := fn(agg.Node{Product: r.b.Product, Counter: r.b.Start + off}); err != nil {
				return err
			}
		}
	}
	for _, u := range s.units {
		if rt.unitState(u.ref.node.Counter).Has(itemstate.Container) {
			if err := fn(u.ref.node); err != nil {
				return err
			}
		}
	}
	return nil
}

// containerOffsets returns the offsets lo..hi (inclusive) of block that
// hold children, as staged. They are collected before the caller acts on
// them: acting may change the item state being scanned.
func (rt *reportTx) containerOffsets(block, lo, hi uint64) ([]uint64, error) {
	var offs []uint64
	_, err := rt.it.Find(itemstate.Container, true, block, lo, hi+1, func(off uint64) bool {
		offs = append(offs, off)
		return true
	})
	return offs, err
}
