package chain

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// LineAction is what a line report says about its codes.
type LineAction uint8

// The line actions.
const (
	// LineCommission: printed and verified; the codes enter the supply
	// chain (EPCIS ObjectEvent ADD, bizStep commissioning).
	LineCommission LineAction = 1
	// LineVoid: rejected on the line (misprint, failed verification)
	// before being commissioned; final.
	LineVoid LineAction = 2
	// LineDecommission: commissioned codes taken out of the supply chain
	// (EPCIS ObjectEvent DELETE, bizStep decommissioning).
	LineDecommission LineAction = 3
)

var lineActionNames = [...]string{"", "commission", "void", "decommission"}

// String returns "commission", "void" or "decommission".
func (a LineAction) String() string {
	if int(a) < len(lineActionNames) && a != 0 {
		return lineActionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// LineReport is a printing line's report on codes of blocks it was issued:
// commissioned, voided or decommissioned, by range (the native compact
// form) or by listed codes. The reporting organisation must own every
// code. It is applied whole or not at all.
type LineReport struct {
	ReportMeta
	Action LineAction
	Items  Items
}

// ReportLine applies a line report in one batch committed with fsync. On
// bad input it returns a *ReportError with an error per offending code
// (already commissioned, voided, released, another organisation's, never
// issued, …) and applies nothing.
func (c *Chain) ReportLine(ctx context.Context, r *LineReport) (*Receipt, error) {
	rt, rec, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		return rec, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	s := rt.selectItems(&r.Items, at("items"), false)
	if s.empty() && !rt.failed() {
		rt.fail(at("items"), "", model.ErrInvalid, "no codes named")
	}
	rt.requireOwned(&s, r.Org, "the code")
	rt.requireIssued(&s)
	sum := ledger.Summary{EventType: epcis.ObjectEvent, EventTime: evTime, TZOffset: tz}
	switch r.Action {
	case LineCommission:
		rt.requireState(&s, itemstate.Voided, false, ErrItemVoided, "voided by the line; a voided code is never commissioned")
		rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "already commissioned")
		sum.Kind, sum.Action, sum.BizStep, sum.Disposition = ledger.KindCommission, epcis.ActionAdd, epcis.BizStepCommissioning, epcis.DispActive
	case LineVoid:
		rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "commissioned; decommission it instead of voiding")
		rt.requireState(&s, itemstate.Voided, false, ErrItemVoided, "already voided")
		sum.Kind, sum.Action, sum.BizStep, sum.Disposition = ledger.KindVoid, epcis.ActionDelete, epcis.BizStepDecommissioning, epcis.DispInactive
	case LineDecommission:
		rt.requireLive(&s)
		// The owner's line decommissions only what it still holds.
		if err := rt.requireHeld(&s, r.Org, "the code"); err != nil {
			rt.abort()
			return nil, err
		}
		sum.Kind, sum.Action, sum.BizStep, sum.Disposition = ledger.KindDecommission, epcis.ActionDelete, epcis.BizStepDecommissioning, epcis.DispInactive
	default:
		rt.fail(at("action"), r.Action.String(), model.ErrInvalid, "want commission, void or decommission")
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	kind := map[LineAction]itemstate.Kind{LineCommission: itemstate.Commissioned, LineVoid: itemstate.Voided,
		LineDecommission: itemstate.Decommissioned}[r.Action]
	if err := rt.setKind(&s, kind, true); err != nil {
		rt.abort()
		return nil, err
	}
	seq := rt.record(&sum, s.targets(nil, ledger.RoleEPC), nil)
	if err := rt.indexSel(&s, seq, ledger.RoleEPC, true); err != nil {
		rt.abort()
		return nil, err
	}
	rt.codes = s.count()
	return rt.commit()
}

// record appends a ledger record with the report's who and where, and
// returns its sequence number. Native records' content hash is the
// SHA-256 of their payload.
func (rt *reportTx) record(s *ledger.Summary, targets []ledger.Target, body []byte) uint64 {
	m := rt.meta
	s.Org = m.Org
	s.RecordTime = rt.now
	s.Credential = m.Credential
	if s.ReadPoint == "" {
		s.ReadPoint = m.ReadPoint
	}
	if s.BizLocation == "" {
		s.BizLocation = m.BizLocation
	}
	if s.BizTx == nil {
		s.BizTx = m.BizTransactions
	}
	p := ledger.Payload{Targets: targets, Body: body}
	if s.Kind != ledger.KindEPCIS {
		s.ContentHash = NativeHash(&p, s)
	}
	rt.lt.Append(s, &p, rt.now)
	rt.scopeTargets(targets)
	rt.tally(s, targets)
	rt.noteFact(s, targets)
	rt.records++
	return s.Seq
}

// indexSel indexes a selection for record seq: every code gets a run or
// point entry and, with reach, the lots it reaches (its own, and those of
// whatever it contains) get a reach entry for the forward trace. Records
// that only move codes between parents (packing, unpacking — always by the
// codes' owner) reach no one new and skip the reach walk.
func (rt *reportTx) indexSel(s *selection, seq uint64, role ledger.Role, reach bool) error {
	for i := range s.runs {
		r := &s.runs[i]
		first, last := r.b.Start+r.lo, r.b.Start+r.hi
		rt.lt.IndexRun(r.b.Product, first, last, seq, role)
		if r.len() < ledger.MinRun { // indexed per code: flag them
			if err := rt.it.Set(itemstate.Events, r.b.ID, r.lo, r.hi+1); err != nil {
				return err
			}
			for c := first; c <= last; c++ {
				rt.touched.Node(agg.Node{Product: r.b.Product, Counter: c})
			}
		} else {
			rt.touched.Window(r.b.Product, first, last)
		}
	}
	for _, u := range s.units {
		rt.lt.IndexNode(0, u.ref.node.Counter, seq, role)
		rt.setUnitKind(u.ref.node.Counter, itemstate.Events, true)
		rt.touched.Node(u.ref.node)
	}
	if !reach {
		return nil
	}
	return rt.reach(s, seq, role)
}

// indexParents indexes a packing or unpacking record on its parents (the
// parent index, not the code's own records: see ledger.IndexParent).
func (rt *reportTx) indexParents(s *selection, seq uint64, role ledger.Role) {
	for i := range s.runs {
		r := &s.runs[i]
		for c := r.b.Start + r.lo; c <= r.b.Start+r.hi; c++ {
			rt.lt.IndexParent(r.b.Product, c, seq, role)
		}
	}
	for _, u := range s.units {
		rt.lt.IndexParent(0, u.ref.node.Counter, seq, role)
	}
}

// reach indexes, for the forward trace, every lot whose items the
// selection names or contains (through any depth of packing, as staged).
func (rt *reportTx) reach(s *selection, seq uint64, role ledger.Role) error {
	var in below
	for i := range s.runs {
		if lot := s.runs[i].b.Lot; lot != 0 {
			in.addLot(lot)
		}
	}
	if err := rt.eachContainer(s, func(n agg.Node) error { return rt.descendants(n, &in, 0) }); err != nil {
		return err
	}
	for lot := range in.lots {
		rt.lt.IndexLotReach(lot, seq, role)
	}
	return nil
}

// MaxDepth bounds the nesting the engine follows (see model.MaxDepth).
const MaxDepth = model.MaxDepth

// descendants adds the lots, products and SSCC units of everything inside
// n (as staged) to in. Results are memoized for the report (a document
// ships and receives the same pallets; profile of capture: the walk was
// most of it) and forgotten whenever the report packs or unpacks.
func (rt *reportTx) descendants(n agg.Node, in *below, depth int) error {
	if depth >= MaxDepth {
		return nil
	}
	if memo, ok := rt.inside[n]; ok {
		in.merge(memo)
		return nil
	}
	mine := &below{}
	if err := rt.descendantsWalk(n, mine, depth); err != nil {
		return err
	}
	in.merge(mine)
	if rt.inside == nil {
		rt.inside = map[agg.Node]*below{}
	}
	rt.inside[n] = mine
	return nil
}

func (rt *reportTx) descendantsWalk(n agg.Node, in *below, depth int) error {
	runs, err := rt.ag.Children(n, rt.c.blockInfo)
	if err != nil {
		return err
	}
	for _, c := range runs {
		if c.Block == 0 {
			in.addUnit(c.First)
			if rt.unitStateLoad(c.First).Has(itemstate.Container) {
				if err := rt.descendants(agg.UnitNode(c.First), in, depth+1); err != nil {
					return err
				}
			}
			continue
		}
		if err := rt.lotsInRun(c.Product, c.First, c.Last, in, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// lotsInRun adds the product and lots of codes first..last of product and
// of whatever the containers among them hold. Consecutive containers (a
// pallet's cases) are read with one seek (agg.Tx.ChildrenOfRange), not one
// each.
func (rt *reportTx) lotsInRun(product uint32, first, last uint64, in *below, depth int) error {
	in.addProduct(product)
	b := rt.c.blockAt(product, first)
	if b == nil {
		return nil
	}
	if b.Lot != 0 {
		in.addLot(b.Lot)
	}
	if depth >= MaxDepth || b.Level <= model.LevelItem { // items hold nothing
		return nil
	}
	// Runs of consecutive containers among first..last.
	var conts [][2]uint64
	if _, err := rt.it.Find(itemstate.Container, true, b.ID, first-b.Start, last-b.Start+1, func(off uint64) bool {
		c := b.Start + off
		if n := len(conts); n > 0 && conts[n-1][1]+1 == c {
			conts[n-1][1] = c
		} else {
			conts = append(conts, [2]uint64{c, c})
		}
		return true
	}); err != nil {
		return err
	}
	for _, cr := range conts {
		type sub struct {
			product     uint32
			first, last uint64
		}
		var subs []sub
		err := rt.ag.ChildrenOfRange(product, cr[0], cr[1], func(_ agg.Node, block uint64, bm *roaring.Bitmap) bool {
			p, start, ok := rt.c.blockInfo(block)
			if !ok {
				return true
			}
			for lo, end := range bm.Ranges() {
				subs = append(subs, sub{p, start + uint64(lo), start + end - 1})
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, sb := range subs {
			if err := rt.lotsInRun(sb.product, sb.first, sb.last, in, depth+1); err != nil {
				return err
			}
		}
		// SSCC children of these containers (rare: units are usually pallets).
		var units []uint64
		if err := rt.ag.UnitChildrenOfRange(product, cr[0], cr[1], func(_ agg.Node, sscc uint64) bool {
			units = append(units, sscc)
			return true
		}); err != nil {
			return err
		}
		for _, u := range units {
			in.addUnit(u)
			if rt.unitStateLoad(u).Has(itemstate.Container) {
				if err := rt.descendants(agg.UnitNode(u), in, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unitStateLoad returns a unit's state, loading it into the report.
func (rt *reportTx) unitStateLoad(v uint64) itemstate.State {
	u, ok, err := rt.unit(v)
	if err != nil || !ok {
		return 0
	}
	return itemstate.State(u.State)
}

// reject drops the report and returns its errors.
func (rt *reportTx) reject() error {
	rt.alertRefused()
	errs := rt.errs
	rt.abort()
	return &errs
}

// commit writes the staged state, applies the batch and publishes caches
// under the report lock, releases it, then waits for the fsync (shared
// with the reports that applied theirs meanwhile) before it returns the
// receipt: an acknowledged report is durable.
func (rt *reportTx) commit() (*Receipt, error) {
	if rt.failed() {
		return nil, rt.reject()
	}
	if err := rt.ctx.Err(); err != nil {
		rt.abort()
		return nil, err
	}
	c, m := rt.c, rt.meta
	if m.RequestID != "" && rt.records > 0 {
		rt.lt.PutReportID(m.Org, m.RequestID, rt.first)
	}
	for v := range rt.dirtyU {
		rt.ag.PutUnit(rt.units[v])
	}
	rt.it.Write(rt.b)
	for _, nb := range rt.released {
		rt.b.Set(store.AppendBlockKey(nil, nb.ID), store.AppendBlock(nil, nb))
	}
	for k, r := range rt.recalls {
		if r.Seq == 0 { // lifted
			rt.lt.DeleteRecall(k.lot, k.id)
			continue
		}
		rt.lt.PutRecall(k.lot, k.id, r)
	}
	ev, err := rt.evalFacts()
	if err != nil {
		rt.abort()
		return nil, err
	}
	rt.countAlerts(ev)
	rt.ag.Moved(rt.touched.ParentRuns)
	rt.ag.Close()

	// Group commit: the batch is applied under the report lock and its
	// fsync waited for after the lock is released, so the reports queued
	// behind the lock apply theirs meanwhile and share the next fsync
	// (store.Batch.DeferSync). A failed commit or fsync poisons the engine.
	rt.b.DeferSync()
	if err := c.iss.CommitReport(rt.b, rt.seen, rt.released, &rt.sd); err != nil {
		c.rmu.Unlock()
		return nil, err
	}
	rt.it.Publish()
	rt.lt.Publish()
	if len(rt.recalls) > 0 {
		rt.c.recallMu.Lock()
		for k, r := range rt.recalls {
			m := rt.c.recallProducts
			if k.lot {
				m = rt.c.recallLots
			}
			if r.Seq == 0 { // lifted
				delete(m, k.id)
			} else {
				m[k.id] = r
			}
		}
		rt.c.recallMu.Unlock()
	}
	if len(rt.custodyNodes) > 0 {
		rt.c.custody.add(rt.custodyNodes)
	}
	if rt.assocStaged {
		rt.c.assocAny.Store(true)
	}
	if len(rt.erroneous) > 0 {
		rt.c.errMu.Lock()
		for k, v := range rt.erroneous {
			rt.c.erroneous[k] = v
		}
		rt.c.errMu.Unlock()
	}
	rt.c.res.Invalidate(&rt.touched)
	rt.sectorCommitted()
	// Last: an answer resolved from here on sees every part of the report.
	rt.c.hooks.Changed(rt.scope.scopes())
	rt.c.rmu.Unlock()
	// Acknowledge, and wake the alert scheduler and sender, only once the
	// report is durable.
	if err := rt.b.WaitDurable(); err != nil {
		return nil, err
	}
	rt.factsCommitted(ev)
	rec := &Receipt{FirstSeq: rt.first, Records: rt.records, Codes: rt.codes}
	if rt.records == 0 {
		rec.FirstSeq = 0
	}
	return rec, nil
}

// NativeHash is the content hash of a native record: SHA-256 over its
// kind, organisation, event time, action and business step, and payload.
func NativeHash(p *ledger.Payload, s *ledger.Summary) [32]byte {
	h := sha256.New()
	var b [8 + 1 + 4 + 8]byte
	copy(b[:8], "tc/nat/1")
	b[8] = byte(s.Kind)
	binary.BigEndian.PutUint32(b[9:], s.Org)
	binary.BigEndian.PutUint64(b[13:], uint64(s.EventTime))
	h.Write(b[:])
	h.Write([]byte(string(s.Action) + "\x00" + string(s.BizStep) + "\x00"))
	h.Write(p.AppendValue(nil))
	var out [32]byte
	h.Sum(out[:0])
	return out
}
