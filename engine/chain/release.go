package chain

import (
	"context"
	"fmt"

	"tracecode/engine/epcis"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// ReleaseReport returns the unused rest of a block (OPEN-SCS: a line
// returning serials it will not print): offsets [From, Count) become
// released and resolve as "released, never printed". None of them may be
// commissioned. Releasing is monotone: From may only move down; releasing
// from the current released offset again is a no-op; From 0 releases the
// whole block. Counters are never reused, so released codes can never be
// issued again.
type ReleaseReport struct {
	ReportMeta
	Block uint64
	From  uint64
	Note  string // why, kept with the block
}

// ReleaseRest applies a release as a report: the block's owner only, no
// commissioned code in the released range, a ledger record (kind release)
// in one batch with the block's new record. It is the only way a block's
// tail is released (the API and the CLI call it), so the chain rules and
// the ledger cannot be bypassed. On bad input it returns a *ReportError
// and applies nothing.
func (c *Chain) ReleaseRest(ctx context.Context, r *ReleaseReport) (*Receipt, error) {
	rt, rec, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		return rec, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	if err := issue.CheckText("note", r.Note, 200, false); err != nil {
		rt.fail(at("note"), r.Note, model.ErrInvalid, "%v", err)
	}
	b := rt.ownedActiveBlock(r.Block, r.Org)
	if b != nil {
		rf := b.ReleasedFrom()
		switch {
		case r.From > b.Count:
			rt.fail(at("from"), fmt.Sprint(r.From), model.ErrInvalid, "beyond block %d's %d codes", b.ID, b.Count)
		case r.From > rf:
			rt.fail(at("from"), fmt.Sprint(r.From), model.ErrState, "block %d is already released from offset %d; released codes cannot be taken back", b.ID, rf)
		case r.From < rf:
			s := selection{runs: []selRun{{b: b, lo: r.From, hi: rf - 1, field: at("from")}}}
			rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "commissioned (printed); a printed code cannot be released")
		}
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	if r.From == b.ReleasedFrom() { // nothing to release
		rt.abort()
		return &Receipt{}, nil
	}
	nb := *b
	nb.Released = b.Count - r.From
	return rt.commitBlockChange(b, &nb, ledger.KindRelease, evTime, tz, r.From, b.ReleasedFrom(), r.Note)
}

// VoidReport voids a whole block whose labels were destroyed or lost
// before any of them was printed: every code of it then resolves as
// voided. Voiding is final; voiding a voided block again is a no-op.
type VoidReport struct {
	ReportMeta
	Block uint64
	Note  string // why, kept with the block
}

// VoidBlock applies a block void as a report: the block's owner only, no
// commissioned code in it (a printed code is decommissioned, not voided),
// a ledger record (kind block-void) in one batch with the block's new
// record. On bad input it returns a *ReportError naming the commissioned
// codes and applies nothing.
func (c *Chain) VoidBlock(ctx context.Context, r *VoidReport) (*Receipt, error) {
	rt, rec, err := c.begin(ctx, &r.ReportMeta)
	if rt == nil {
		return rec, err
	}
	evTime, tz := rt.checkMeta(&r.ReportMeta)
	if err := issue.CheckText("note", r.Note, 200, false); err != nil {
		rt.fail(at("note"), r.Note, model.ErrInvalid, "%v", err)
	}
	var b *model.Block
	if b = rt.block(r.Block, at("block")); b != nil && b.State == model.BlockVoided && b.Org == r.Org && !rt.failed() {
		rt.abort() // voided already
		return &Receipt{}, nil
	}
	if b = rt.ownedActiveBlock(r.Block, r.Org); b != nil && b.ReleasedFrom() > 0 {
		s := selection{runs: []selRun{{b: b, lo: 0, hi: b.ReleasedFrom() - 1, field: at("block")}}}
		rt.requireState(&s, itemstate.Commissioned, false, ErrCommissioned, "commissioned (printed); decommission it instead of voiding its block")
	}
	if rt.failed() {
		return nil, rt.reject()
	}
	nb := *b
	nb.State = model.BlockVoided
	return rt.commitBlockChange(b, &nb, ledger.KindBlockVoid, evTime, tz, 0, b.Count, r.Note)
}

// commitBlockChange commits a release or void of block b: its new record
// nb (stamped now, with note when given) and a ledger record of kind for
// the codes at offsets [lo, hi) of b, which the change takes out of use.
func (rt *reportTx) commitBlockChange(b, nb *model.Block, kind ledger.Kind, evTime int64, tz int16, lo, hi uint64, note string) (*Receipt, error) {
	nb.Updated = rt.now
	if note != "" {
		nb.Note = note
	}
	rt.released = map[uint64]*model.Block{b.ID: nb}
	sum := ledger.Summary{Kind: kind, EventType: epcis.ObjectEvent, Action: epcis.ActionDelete,
		BizStep: epcis.BizStepDecommissioning, Disposition: epcis.DispInactive, EventTime: evTime, TZOffset: tz}
	targets := []ledger.Target{{Role: ledger.RoleEPC, Kind: ledger.TargetRun, Product: b.Product,
		First: b.Start + lo, Last: b.Start + hi - 1}}
	rt.record(&sum, targets, []byte(note))
	rt.codes = hi - lo
	return rt.commit()
}

// ownedActiveBlock returns block id if org owns it and it is active;
// otherwise it records why not and returns nil.
func (rt *reportTx) ownedActiveBlock(id uint64, org uint32) *model.Block {
	b := rt.block(id, at("block"))
	switch {
	case b == nil:
		return nil
	case b.Org != org:
		rt.fail(at("block"), fmt.Sprint(id), model.ErrWrongOrg, "belongs to %s", rt.c.orgName(b.Org))
	case b.State != model.BlockActive:
		rt.fail(at("block"), fmt.Sprint(id), model.ErrState, "block is %v", b.State)
	default:
		return b
	}
	return nil
}
