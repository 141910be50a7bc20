package chain

import (
	"context"
	"fmt"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// Ref names one code: by Code (any scanned format, an SSCC included), or
// when Code is empty by its position in a block (the native form). A
// position in an sscc block names that SSCC's logistic unit, as its (00)
// code does.
type Ref struct {
	Code   string
	Block  uint64
	Offset uint64
}

// Pack is one parent and the children packed into it.
type Pack struct {
	Parent Ref
	// ParentLevel is the packaging level of an SSCC that this report
	// registers (first use of the SSCC); 0 means pallet. Ignored for
	// codes minted at a level (an sscc block's SSCCs included) and for
	// SSCCs already registered.
	ParentLevel model.Level
	Children    Items
}

// PackReport is an aggregation report: parents with the children packed
// into them, at Time, by Org. Rules, each checked per offending code: the
// organisation holds parent and children (it owns them, or received them:
// see docs/chain.md "Custody"); children are commissioned (not
// voided or decommissioned) and have no parent; the parent's packaging
// level is above every child's; no code ends up inside itself. An SSCC
// parent is registered on first use by the organisation owning its GS1
// company prefix. Applied whole or not at all.
type PackReport struct {
	ReportMeta
	Packs []Pack
}

// Pack applies an aggregation report: one ledger record for the report,
// one child→parent range key per run of consecutive children, one
// parent→children bitmap per (parent, child block).
func (c *Chain) Pack(ctx context.Context, r *PackReport) (*Receipt, error) {
	rt, rec, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		return rec, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	if len(r.Packs) == 0 {
		rt.fail(at("packs"), "", model.ErrInvalid, "no packs")
	}
	seq := rt.lt.NextSeq()
	var targets []ledger.Target
	var parents parentSet
	for i := range r.Packs {
		if err := ctx.Err(); err != nil {
			rt.abort()
			return nil, err
		}
		p := &r.Packs[i]
		base := in("packs", i)
		parent, ok := rt.resolveRef(&p.Parent, base.sub(".parent"), true)
		if !ok {
			continue
		}
		kids := rt.selectItems(&p.Children, base.sub(".children"), true)
		if kids.empty() {
			rt.fail(base.sub(".children"), "", model.ErrInvalid, "no children")
			continue
		}
		if err := rt.pack(&parent, p.ParentLevel, &kids, evTime, seq); err != nil {
			rt.abort()
			return nil, err
		}
		targets = append(targets, parent.target(ledger.RoleParent))
		targets = kids.targets(targets, ledger.RoleChild)
		parents.add(parent)
		rt.codes += kids.count()
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	sum := ledger.Summary{Kind: ledger.KindPack, EventType: epcis.AggregationEvent, Action: epcis.ActionAdd, BizStep: epcis.BizStepPacking,
		Disposition: epcis.DispInProgress, EventTime: evTime, TZOffset: tz}
	if got := rt.record(&sum, targets, nil); got != seq {
		panic(fmt.Sprintf("BUG: pack record got seq %d, staged with %d", got, seq))
	}
	rt.normalize(&parents.selection)
	rt.indexParents(&parents.selection, seq, ledger.RoleParent)
	return rt.commit()
}

// parentRef is a resolved parent: the code, where it was named, and
// whether it is an SSCC this report must register.
type parentRef struct {
	codeRef
	selItem
	registered bool
}

func (p *parentRef) target(role ledger.Role) ledger.Target {
	return ledger.Target{Role: role, Kind: ledger.TargetRun, Product: p.node.Product, First: p.node.Counter, Last: p.node.Counter}
}

// parentSet collects parents as a selection, for indexing.
type parentSet struct{ selection }

func (s *parentSet) add(p parentRef) {
	if p.isUnit() {
		s.units = append(s.units, selUnit{ref: p.codeRef, registered: true, selItem: p.selItem})
		return
	}
	s.runs = append(s.runs, selRun{b: p.block, lo: p.offset, hi: p.offset, field: p.field, one: p.selItem})
}

// resolveRef resolves a parent reference.
func (rt *reportTx) resolveRef(r *Ref, field where, allowUnits bool) (parentRef, bool) {
	if r.Code != "" {
		ref, registered, ok := rt.resolveCode(field, r.Code, allowUnits)
		return parentRef{codeRef: ref, selItem: selItem{field: field, code: r.Code}, registered: registered || !ref.isUnit()}, ok
	}
	b := rt.block(r.Block, field)
	if b == nil {
		return parentRef{}, false
	}
	if r.Offset >= b.Count {
		rt.fail(field, fmt.Sprintf("block %d offset %d", r.Block, r.Offset), model.ErrInvalid, "beyond the block's %d codes", b.Count)
		return parentRef{}, false
	}
	if b.Scheme == serial.SSCC {
		// An sscc block's codes are logistic units: the reference names
		// the unit node of its SSCC, as the (00) code would ("the 5th
		// pallet label of block X").
		sscc, _ := rt.c.iss.SSCCAt(b, r.Offset)
		ref, registered, err := rt.c.refOfSSCC(sscc, rt.unit)
		if err != nil {
			rt.fail(field, fmt.Sprintf("block %d offset %d", r.Block, r.Offset), err, "%v", err)
			return parentRef{}, false
		}
		code := "(00)" + sscc.String()
		return parentRef{codeRef: ref, selItem: selItem{field: field, code: code}, registered: registered}, true
	}
	ref := codeRef{node: agg.Node{Product: b.Product, Counter: b.Start + r.Offset}, block: b, offset: r.Offset,
		org: b.Org, level: b.Level, lot: b.Lot}
	return parentRef{codeRef: ref, selItem: selItem{field: field}, registered: true}, true
}

// desc returns the parent as given: the code, or "block B offset O".
func (p *parentRef) desc() string {
	if p.code != "" {
		return p.code
	}
	return fmt.Sprintf("block %d offset %d", p.block.ID, p.offset)
}

// asSelection returns the parent as a one-code selection.
func (p *parentRef) asSelection() selection {
	var s parentSet
	s.add(*p)
	return s.selection
}

// pack validates packing kids into parent at since (unix ms) by record
// seq, recording an error per offending code, and stages it when valid.
// The returned error is for I/O failures only.
func (rt *reportTx) pack(parent *parentRef, parentLevel model.Level, kids *selection, since int64, seq uint64) error {
	org := rt.meta.Org
	ps := parent.asSelection()
	if parent.isUnit() && !parent.registered && rt.units[parent.node.Counter] == nil {
		// First use of an SSCC: its company prefix must be the reporter's.
		if parent.org != org {
			rt.requireOwned(&ps, org, "the parent")
			return nil
		}
		lvl := parentLevel
		if lvl == 0 || parent.minted {
			lvl = parent.level // a minted SSCC's block level; else pallet
		}
		if !lvl.Valid() {
			rt.fail(parent.field, parent.desc(), model.ErrInvalid, "parent level %v is not a packaging level", lvl)
			return nil
		}
		parent.level = lvl
		rt.putUnit(unitRecord(parent.node.Counter, org, lvl, rt.now, seq))
		parent.registered = true
	} else if parent.isUnit() {
		if u := rt.units[parent.node.Counter]; u != nil {
			parent.level = model.Level(u.Level)
		}
	}
	before := len(rt.errs.Errors) + rt.errs.Dropped
	if err := rt.requireHeld(&ps, org, "the parent"); err != nil {
		return err
	}
	if !parent.isUnit() {
		rt.requireIssued(&ps)
	}
	rt.requireLive(&ps)
	if err := rt.requireHeld(kids, org, "the child"); err != nil {
		return err
	}
	rt.requireIssued(kids)
	rt.requireLive(kids)
	// Levels.
	for i := range kids.runs {
		r := &kids.runs[i]
		if r.b.Level >= parent.level {
			f, c := r.describe(r.lo)
			rt.fail(f, c, ErrLevel, "its level %v is not below the parent's %v", r.b.Level, parent.level)
		}
	}
	for _, u := range kids.units {
		if lvl := rt.unitLevel(&u); lvl >= parent.level {
			rt.fail(u.field, u.code, ErrLevel, "its level %v is not below the parent's %v", lvl, parent.level)
		}
	}
	// Cycles: the parent, or any of its ancestors, among the children.
	if kids.holds(parent.node) {
		rt.fail(parent.field, parent.desc(), ErrCycle, "the parent is among its own children")
	}
	anc := parent.node
	for depth := 0; depth < MaxDepth && rt.nodeState(anc).Has(itemstate.Packed); depth++ {
		run, ok, err := rt.ag.Parent(anc)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		anc = run.Parent
		if kids.holds(anc) {
			rt.fail(parent.field, parent.desc(), ErrCycle, "the parent is inside %s, which is among its children", anc)
		}
	}
	// Children without a parent.
	for i := range kids.runs {
		r := &kids.runs[i]
		if _, err := rt.it.Find(itemstate.Packed, true, r.b.ID, r.lo, r.hi+1, func(off uint64) bool {
			f, c := r.describe(off)
			rt.fail(f, c, ErrHasParent, "already packed in %s", rt.parentDesc(agg.Node{Product: r.b.Product, Counter: r.b.Start + off}))
			return len(rt.errs.Errors) < MaxReportErrors
		}); err != nil {
			return err
		}
	}
	for _, u := range kids.units {
		if rt.unitState(u.ref.node.Counter).Has(itemstate.Packed) {
			rt.fail(u.field, u.code, ErrHasParent, "already packed in %s", rt.parentDesc(u.ref.node))
		}
	}
	// Containment over time stays a function of time: a child cannot enter
	// a parent before it left its previous one.
	for i := range kids.runs {
		r := &kids.runs[i]
		var unpacked []uint64
		if _, err := rt.it.Find(itemstate.History, true, r.b.ID, r.lo, r.hi+1, func(off uint64) bool {
			unpacked = append(unpacked, off)
			return len(unpacked) < MaxReportErrors
		}); err != nil {
			return err
		}
		for _, off := range unpacked {
			if err := rt.requireLeftBefore(agg.Node{Product: r.b.Product, Counter: r.b.Start + off}, since, func() (where, string) { return r.describe(off) }); err != nil {
				return err
			}
		}
	}
	for _, u := range kids.units {
		if rt.unitState(u.ref.node.Counter).Has(itemstate.History) {
			if err := rt.requireLeftBefore(u.ref.node, since, func() (where, string) { return u.field, u.code }); err != nil {
				return err
			}
		}
	}
	if len(rt.errs.Errors)+rt.errs.Dropped > before {
		return nil
	}
	// Stage.
	rt.inside = nil
	fresh := !rt.stateOf(parent).Has(itemstate.Container)
	if err := rt.ag.Pack(parent.node, kids.childRuns(), since, seq, fresh); err != nil {
		return err
	}
	if err := rt.setKind(kids, itemstate.Packed, true); err != nil {
		return err
	}
	if err := rt.touchContainers(kids.childRuns()); err != nil {
		return err
	}
	return rt.setKind(&ps, itemstate.Container, true)
}

// touchContainers marks, for the resolve caches, the containers among
// runs (their present parent changes).
func (rt *reportTx) touchContainers(runs []agg.ChildRun) error {
	for _, c := range runs {
		if c.Block == 0 {
			rt.touched.Node(agg.UnitNode(c.First))
			continue
		}
		if _, err := rt.it.Find(itemstate.Container, true, c.Block, c.First-c.BlockStart, c.Last-c.BlockStart+1, func(off uint64) bool {
			rt.touched.Node(agg.Node{Product: c.Product, Counter: c.BlockStart + off})
			return true
		}); err != nil {
			return err
		}
	}
	return nil
}

// unitLevel returns the level of a listed SSCC child.
func (rt *reportTx) unitLevel(u *selUnit) model.Level {
	if x := rt.units[u.ref.node.Counter]; x != nil {
		return model.Level(x.Level)
	}
	return u.ref.level
}

// stateOf returns a parent's state as the report sees it.
func (rt *reportTx) stateOf(p *parentRef) itemstate.State {
	if p.isUnit() {
		return rt.unitState(p.node.Counter)
	}
	st, _ := rt.it.State(p.block.ID, p.offset)
	return st
}

// parentDesc names the present parent of n for a message.
func (rt *reportTx) parentDesc(n agg.Node) string {
	run, ok, err := rt.ag.Parent(n)
	if err != nil || !ok {
		return "a parent"
	}
	return rt.c.describeNode(run.Parent)
}

// holds reports whether the selection names node n.
func (s *selection) holds(n agg.Node) bool {
	if n.IsUnit() {
		for _, u := range s.units {
			if u.ref.node == n {
				return true
			}
		}
		return false
	}
	for i := range s.runs {
		r := &s.runs[i]
		if r.b.Product == n.Product && r.b.Start+r.lo <= n.Counter && n.Counter <= r.b.Start+r.hi {
			return true
		}
	}
	return false
}

// childRuns returns the selection as agg child runs.
func (s *selection) childRuns() []agg.ChildRun {
	out := make([]agg.ChildRun, 0, len(s.runs)+len(s.units))
	for i := range s.runs {
		r := &s.runs[i]
		out = append(out, agg.ChildRun{Product: r.b.Product, First: r.b.Start + r.lo, Last: r.b.Start + r.hi,
			Block: r.b.ID, BlockStart: r.b.Start})
	}
	for _, u := range s.units {
		out = append(out, agg.ChildRun{First: u.ref.node.Counter, Last: u.ref.node.Counter})
	}
	return out
}

// Unpack is one parent and the children taken out of it; All takes out
// every present child (Children is then ignored).
type Unpack struct {
	Parent   Ref
	Children Items
	All      bool
}

// UnpackReport takes children out of parents, keeping the history (who,
// when): each child's past parents and each parent's past contents stay
// queryable. The organisation must hold the parents (own them, or have
// received them); each listed child
// must be in its parent now. Applied whole or not at all.
type UnpackReport struct {
	ReportMeta
	Unpacks []Unpack
}

// Unpack applies an unpacking report.
func (c *Chain) Unpack(ctx context.Context, r *UnpackReport) (*Receipt, error) {
	rt, rec, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		return rec, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	if len(r.Unpacks) == 0 {
		rt.fail(at("unpacks"), "", model.ErrInvalid, "no unpacks")
	}
	seq := rt.lt.NextSeq()
	var targets []ledger.Target
	var parents parentSet
	for i := range r.Unpacks {
		if err := ctx.Err(); err != nil {
			rt.abort()
			return nil, err
		}
		u := &r.Unpacks[i]
		base := in("unpacks", i)
		parent, ok := rt.resolveRef(&u.Parent, base.sub(".parent"), true)
		if !ok {
			continue
		}
		var kids *selection
		if !u.All {
			s := rt.selectItems(&u.Children, base.sub(".children"), true)
			if s.empty() {
				rt.fail(base.sub(".children"), "", model.ErrInvalid, "no children (set All to take out every child)")
				continue
			}
			kids = &s
		}
		removed, err := rt.unpack(&parent, kids, evTime, seq)
		if err != nil {
			rt.abort()
			return nil, err
		}
		targets = append(targets, parent.target(ledger.RoleParent))
		for _, x := range removed {
			targets = append(targets, ledger.Target{Role: ledger.RoleChild, Kind: ledger.TargetRun, Product: x.Product, First: x.First, Last: x.Last})
			rt.codes += x.Len()
		}
		parents.add(parent)
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	sum := ledger.Summary{Kind: ledger.KindUnpack, EventType: epcis.AggregationEvent, Action: epcis.ActionDelete, BizStep: epcis.BizStepUnpacking,
		EventTime: evTime, TZOffset: tz}
	if got := rt.record(&sum, targets, nil); got != seq {
		panic(fmt.Sprintf("BUG: unpack record got seq %d, staged with %d", got, seq))
	}
	rt.normalize(&parents.selection)
	rt.indexParents(&parents.selection, seq, ledger.RoleParent)
	return rt.commit()
}

// unpack validates taking kids (nil: all) out of parent at until by
// record seq, and stages it when valid; it returns the runs removed.
func (rt *reportTx) unpack(parent *parentRef, kids *selection, until int64, seq uint64) ([]agg.Run, error) {
	org := rt.meta.Org
	if parent.isUnit() && !parent.registered && rt.units[parent.node.Counter] == nil {
		rt.fail(parent.field, parent.desc(), ErrUnknownUnit, "no report registered this SSCC")
		return nil, nil
	}
	ps := parent.asSelection()
	before := len(rt.errs.Errors) + rt.errs.Dropped
	if err := rt.requireHeld(&ps, org, "the parent"); err != nil {
		return nil, err
	}
	var runs []agg.ChildRun
	if kids == nil {
		var err error
		if runs, err = rt.ag.Children(parent.node, rt.c.blockInfo); err != nil {
			return nil, err
		}
		if len(runs) == 0 {
			rt.fail(parent.field, parent.desc(), ErrNotChild, "the parent holds nothing")
		}
	} else {
		// Every listed child must be in this parent now.
		for i := range kids.runs {
			r := &kids.runs[i]
			for off := r.lo; off <= r.hi; {
				n := agg.Node{Product: r.b.Product, Counter: r.b.Start + off}
				run, ok, err := rt.ag.Parent(n)
				if err != nil {
					return nil, err
				}
				if !ok || run.Parent != parent.node {
					f, c := r.describe(off)
					where := "has no parent"
					if ok {
						where = "is in " + rt.c.describeNode(run.Parent)
					}
					rt.fail(f, c, ErrNotChild, "%s, not in %s", where, rt.c.describeNode(parent.node))
					off++
					continue
				}
				if run.Since > until {
					f, c := r.describe(off)
					rt.fail(f, c, model.ErrInvalid, "was packed at %s, after this unpacking's time", fmtMillis(run.Since))
				}
				off = min(run.Last-r.b.Start, r.hi) + 1
			}
		}
		for _, u := range kids.units {
			run, ok, err := rt.ag.Parent(u.ref.node)
			if err != nil {
				return nil, err
			}
			if !ok || run.Parent != parent.node {
				rt.fail(u.field, u.code, ErrNotChild, "not in %s", rt.c.describeNode(parent.node))
			}
		}
		runs = kids.childRuns()
	}
	if len(rt.errs.Errors)+rt.errs.Dropped > before {
		return nil, nil
	}
	rt.inside = nil
	hp, err := rt.holderOf(parent.node, parent.org)
	if err != nil {
		return nil, err
	}
	removed, err := rt.ag.Unpack(parent.node, runs, until, seq)
	if err != nil {
		return nil, err
	}
	if err := rt.pushCustody(removed, hp); err != nil {
		return nil, err
	}
	if err := rt.touchContainers(runs); err != nil {
		return nil, err
	}
	for i := range removed {
		x := &removed[i]
		if x.Since > until {
			rt.fail(parent.field, parent.desc(), model.ErrInvalid, "child %s was packed at %s, after this unpacking's time",
				rt.c.describeNode(agg.Node{Product: x.Product, Counter: x.First}), fmtMillis(x.Since))
			continue
		}
		if err := rt.markUnpacked(x); err != nil {
			return nil, err
		}
	}
	return removed, nil
}

// markUnpacked stages the item state of children x taken out of their
// parent: no longer packed, with a containment history.
func (rt *reportTx) markUnpacked(x *agg.Run) error {
	if x.Product == 0 {
		rt.setUnitKind(x.First, itemstate.Packed, false)
		rt.setUnitKind(x.First, itemstate.History, true)
		return nil
	}
	b := rt.c.blockAt(x.Product, x.First)
	if b == nil {
		return fmt.Errorf("%w: child %d of product %d is in no block", model.ErrState, x.First, x.Product)
	}
	rt.seen[b.ID] = b
	if err := rt.it.Clear(itemstate.Packed, b.ID, x.First-b.Start, x.Last-b.Start+1); err != nil {
		return err
	}
	return rt.it.Set(itemstate.History, b.ID, x.First-b.Start, x.Last-b.Start+1)
}

// unitRecord returns the record of an SSCC registered now: commissioned,
// owned by org, at level lvl.
func unitRecord(sscc uint64, org uint32, lvl model.Level, now int64, seq uint64) agg.Unit {
	return agg.Unit{SSCC: sscc, Org: org, Level: uint8(lvl), State: 1 << itemstate.Commissioned, Created: now, Seq: seq}
}

// nodeState returns the item state of a node as the report sees it.
func (rt *reportTx) nodeState(n agg.Node) itemstate.State {
	if n.IsUnit() {
		return rt.unitStateLoad(n.Counter)
	}
	b := rt.c.blockAt(n.Product, n.Counter)
	if b == nil {
		return 0
	}
	st, _ := rt.it.State(b.ID, n.Counter-b.Start)
	return st
}

// requireLeftBefore records an error if child n left a parent after since
// (an out-of-order report would put it in two parents at once).
func (rt *reportTx) requireLeftBefore(n agg.Node, since int64, desc func() (where, string)) error {
	var last agg.PastRun
	err := rt.ag.History(n, func(p *agg.PastRun) bool {
		if p.Until > last.Until {
			last = *p
		}
		return true
	})
	if err != nil {
		return err
	}
	if last.Until > since {
		f, c := desc()
		rt.fail(f, c, model.ErrInvalid, "was taken out of %s at %s, after this packing's time", rt.c.describeNode(last.Parent), fmtMillis(last.Until))
	}
	return nil
}
