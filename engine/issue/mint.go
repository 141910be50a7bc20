package issue

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// MintRequest asks for a block of codes (OPEN-SCS: a serial number request
// from a line).
type MintRequest struct {
	// Org is the requesting organisation; 0 means the product's. A product
	// of another organisation is refused (ErrWrongOrg).
	Org uint32
	// Product is the product id (see ProductByGTIN). Required.
	Product uint32
	// Lot is the lot number (AI 10: 1–20 characters of CSET 82); "" means
	// no lot.
	Lot string
	// CreateLot creates the lot (without dates) if the product has no lot
	// of that number; otherwise an unknown lot is an error.
	CreateLot bool
	// Level is the packaging level the codes are printed on; 0 = item (or
	// GTIN's level). It must be one of the product's levels.
	Level Level
	// GTIN is the GTIN the caller named the product by, if it did: a
	// packaging level's GTIN (Product.LevelGTINs) mints that level when
	// Level is 0, and a Level naming another level is refused; the
	// product's own GTIN mints any of its levels.
	GTIN gs1.GTIN
	// Count is the number of codes, 1..Options.MaxMintCount.
	Count uint64
	// Scheme is how codes are derived and written; 0 = the product's
	// default scheme. Imported is not minted (see Import).
	Scheme Scheme
	// RequestID is the client's idempotency key within Org (1–128 printable
	// ASCII characters); "" disables idempotency. A retry with the same id
	// and the same parameters returns the same block; with different
	// parameters it fails with a *ConflictError.
	RequestID string
	// AllowPartial accepts fewer codes than Count when a cap would be
	// exceeded: the block then holds what is left under the cap and
	// MintResult.Partial is set (OPEN-SCS partial fulfilment). Without it
	// such a request fails with a *CapError and mints nothing.
	AllowPartial bool
}

// MintResult is the outcome of a successful Mint.
type MintResult struct {
	Block Block
	// Replayed reports that the request id had already minted Block:
	// nothing new was allocated.
	Replayed bool
	// Partial reports that Block.Count < Block.Requested.
	Partial bool
	// LotCreated reports that the request created its lot.
	LotCreated bool
}

type mintWaiter struct {
	req  MintRequest
	res  MintResult
	err  error
	done chan struct{} // closed when res and err are set
	lead chan struct{} // receives when this waiter is to commit the next group
}

// Mint allocates a block of codes and returns once the block is durable
// (its batch committed with fsync). It writes O(1) records whatever the
// count: the block, the product's state, the idempotency record, and a new
// lot if asked for.
//
// Concurrent calls are group-committed: a caller that finds no commit in
// progress becomes the leader and commits every request queued so far in
// one batch with one fsync; when it is done, the oldest request that
// queued meanwhile becomes the next leader. Each caller leads at most one
// group, its own request being in it.
//
// ctx is honoured until the request is taken into a group: a request
// still queued when ctx ends leaves the queue and returns ctx's error,
// having allocated nothing. Once in a group, the request completes (so
// that a retry with the same request id finds it).
func (e *Book) Mint(ctx context.Context, req MintRequest) (MintResult, error) {
	if err := ctx.Err(); err != nil {
		return MintResult{}, err
	}
	if e.closed.Load() {
		return MintResult{}, ErrClosed
	}
	w := &mintWaiter{req: req, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	q := &e.mintq
	q.Lock()
	q.pending = append(q.pending, w)
	lead := !q.leading
	q.leading = true
	q.Unlock()
	if !lead {
		select {
		case <-w.done:
			return w.res, w.err
		case <-w.lead:
		case <-ctx.Done():
			if e.leaveMintQueue(w) {
				return MintResult{}, ctx.Err()
			}
			// Already taken into a group (or handed the lead).
			select {
			case <-w.done:
				return w.res, w.err
			case <-w.lead:
			}
		}
	}
	e.leadMintGroup()
	<-w.done
	return w.res, w.err
}

// leaveMintQueue removes w from the queue if no leader has taken it into
// a group yet, passing the lead on if w had been handed it. It reports
// whether w left.
func (e *Book) leaveMintQueue(w *mintWaiter) bool {
	q := &e.mintq
	q.Lock()
	defer q.Unlock()
	i := slices.Index(q.pending, w)
	if i < 0 {
		return false
	}
	q.pending = slices.Delete(q.pending, i, i+1)
	select {
	case <-w.lead: // w was to lead the next group: hand it on
		if len(q.pending) == 0 {
			q.pending = nil
			q.leading = false
		} else {
			q.pending[0].lead <- struct{}{}
		}
	default:
	}
	return true
}

// leadMintGroup commits the queued requests (the leader's own first) as
// one group, then hands the lead to the oldest request queued meanwhile,
// or ends the leadership if none is.
func (e *Book) leadMintGroup() {
	q := &e.mintq
	q.Lock()
	n := min(len(q.pending), e.opts.GroupCommitMax)
	group := q.pending[:n:n]
	q.pending = q.pending[n:]
	q.Unlock()
	e.commitMintGroup(group)
	for _, w := range group {
		close(w.done)
	}
	q.Lock()
	if len(q.pending) == 0 {
		q.pending = nil
		q.leading = false
	} else {
		q.pending[0].lead <- struct{}{}
	}
	q.Unlock()
}

// mintGroup is the pending effect of a group of mint requests, applied to
// the engine state after the group's batch commits.
type mintGroup struct {
	states  map[uint32]*model.ProductState // products touched: their new state
	shortHW uint64
	// shortByOrg: short codes the group's blocks take, per organisation.
	shortByOrg map[uint32]uint64
	// ssccNext: the next SSCC serial reference of each company prefix the
	// group's sscc blocks took.
	ssccNext  map[string]uint64
	nextBlock uint64
	lots      map[lotKey]*Lot    // lots created by the group
	idem      map[idemKey]*Block // blocks minted by the group with a request id
	blocks    []*Block           // blocks minted by the group, in allocation order
}

func (g *mintGroup) state(p *product) *model.ProductState {
	s := g.states[p.rec.ID]
	if s == nil {
		c := p.st
		s = &c
		g.states[p.rec.ID] = s
	}
	return s
}

func (e *Book) commitMintGroup(ws []*mintWaiter) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		for _, w := range ws {
			w.err = err
		}
		return
	}
	st := e.st
	g := &mintGroup{states: map[uint32]*model.ProductState{}, shortHW: st.shortHW, nextBlock: st.nextBlock,
		lots: map[lotKey]*Lot{}, idem: map[idemKey]*Block{}}
	var fresh []*mintWaiter // requests that need the commit
	for _, w := range ws {
		w.res, w.err = e.planMint(g, &w.req, false)
		if w.err == nil {
			fresh = append(fresh, w)
		}
	}
	if len(g.blocks) == 0 && len(g.lots) == 0 {
		// Only replays (of durable blocks) and errors.
		return
	}
	b := e.db.NewBatch()
	var kbuf []byte
	for _, blk := range g.blocks {
		kbuf = store.AppendBlockKey(kbuf[:0], blk.ID)
		b.Set(kbuf, store.AppendBlock(nil, blk))
		b.Set(store.BlockByCounterKey(blk.Product, blk.Start), store.Uint(blk.ID).AppendBinary(nil))
		if blk.Scheme == serial.Short {
			b.Set(store.BlockByShortKey(blk.ShortStart), store.Uint(blk.ID).AppendBinary(nil))
		}
		if blk.RequestID != "" {
			b.Set(store.IdemKey(blk.Org, blk.RequestID), store.Uint(blk.ID).AppendBinary(nil))
		}
	}
	for id, s := range g.states {
		b.Set(store.ProductStateKey(id), store.AppendProductState(nil, s))
	}
	putLots(b, slices.Collect(maps.Values(g.lots))...)
	if g.nextBlock != st.nextBlock {
		b.Set(store.MetaKey(store.MetaNextBlock), store.Uint(g.nextBlock).AppendBinary(nil))
	}
	if g.shortHW != st.shortHW {
		b.Set(store.MetaKey(store.MetaShortHW), store.Uint(g.shortHW).AppendBinary(nil))
	}
	var sd stats.Delta
	e.countMint(&sd, g.blocks)
	if err := e.commitCounted(b, &sd); err != nil {
		for _, w := range fresh {
			w.res, w.err = MintResult{}, err
		}
		return
	}
	e.mu.Lock()
	for _, l := range g.lots {
		e.publishLot(l)
	}
	for id, s := range g.states {
		st.products[id].st = *s
	}
	for _, blk := range g.blocks {
		e.publishBlock(blk, true)
	}
	st.nextBlock = g.nextBlock
	st.shortHW = g.shortHW
	e.mu.Unlock()
}

// publishBlock installs a new block in the indexes, and its request id in
// the idempotency index if withIdem. Blocks are allocated at the
// high-water mark, so appending keeps the indexes sorted.
// REQUIRES e.wmu and e.mu held for writing.
func (e *Book) publishBlock(blk *Block, withIdem bool) {
	st := e.st
	p := st.products[blk.Product]
	st.blocks[blk.ID] = blk
	p.blocks = append(p.blocks, blockRef{start: blk.Start, end: blk.End(), b: blk})
	if blk.Scheme == serial.Short {
		st.short = append(st.short, blockRef{start: blk.ShortStart, end: blk.ShortStart + blk.Count, b: blk})
		st.shortByOrg[blk.Org] += blk.Count
	}
	if blk.Scheme == serial.SSCC {
		st.indexSSCC(p, blk)
	}
	if withIdem && blk.RequestID != "" {
		st.idem[idemKey{blk.Org, blk.RequestID}] = blk.ID
	}
	st.nextBlock = max(st.nextBlock, blk.ID+1)
}

// planMint validates one request against the engine state plus the
// group's pending changes and, unless it is a replay, allocates its block
// into g. REQUIRES e.wmu.
//
// importing is set by Import, which alone may use the Imported scheme.
func (e *Book) planMint(g *mintGroup, req *MintRequest, importing bool) (MintResult, error) {
	st := e.st
	if req.Count == 0 {
		return MintResult{}, fieldErr("count", "0", "must be at least 1")
	}
	if req.Count > e.opts.MaxMintCount {
		return MintResult{}, fieldErr("count", fmt.Sprint(req.Count), "exceeds the per-request limit %d", e.opts.MaxMintCount)
	}
	p := st.products[req.Product]
	if p == nil {
		return MintResult{}, fmt.Errorf("%w %d", ErrUnknownProduct, req.Product)
	}
	org := p.rec.Org
	if req.Org != 0 && req.Org != org {
		if st.orgs[req.Org] == nil {
			return MintResult{}, fmt.Errorf("%w %d", ErrUnknownOrg, req.Org)
		}
		return MintResult{}, fmt.Errorf("%w: product %d belongs to organisation %d, not %d", ErrWrongOrg, p.rec.ID, org, req.Org)
	}
	scheme := req.Scheme
	if scheme == 0 {
		scheme = p.rec.DefaultScheme
	}
	if scheme == serial.Imported && !importing {
		return MintResult{}, fmt.Errorf("%w: imported blocks are created by Import, not minted", ErrScheme)
	}
	if err := supportsScheme(&p.rec, scheme); err != nil {
		return MintResult{}, err
	}
	level := req.Level
	if !req.GTIN.IsZero() && req.GTIN != p.rec.GTIN {
		// Named by a level's GTIN: that level.
		l, ok := p.rec.LevelGTINs.LevelOf(req.GTIN)
		switch {
		case !ok:
			return MintResult{}, fieldErr("gtin", req.GTIN.String(), "is not a GTIN of product %d", p.rec.ID)
		case level == 0:
			level = l
		case level != l:
			return MintResult{}, fieldErr("level", level.String(), "GTIN %s is product %d's %v GTIN: name the product by its GTIN %s to mint %v codes",
				req.GTIN, p.rec.ID, l, p.rec.GTIN, level)
		}
	}
	if level == 0 {
		level = model.LevelItem
	}
	if !p.rec.Levels.Has(level) {
		return MintResult{}, fieldErr("level", level.String(), "is not one of product %d's packaging levels (%s)", p.rec.ID, p.rec.Levels)
	}
	if req.Scheme == 0 && level == model.LevelPallet && ssccGCP(&p.rec) != "" {
		// GS1 identifies a pallet, a logistic unit, by an SSCC. Naming
		// another scheme keeps SGTINs (a unit load with a GTIN of its own,
		// SGTIN filter 6).
		scheme = serial.SSCC
		if err := supportsScheme(&p.rec, scheme); err != nil {
			return MintResult{}, err
		}
	}
	if scheme == serial.SSCC && level != model.LevelPallet && level != model.LevelCase {
		return MintResult{}, fieldErr("level", level.String(), "an SSCC identifies a logistic unit: a pallet (level pallet) or a mixed case (level case), not %v codes", level)
	}
	levelGTIN := printsGTIN(&p.rec, scheme) && p.rec.NeedsLevelGTIN(level)
	if levelGTIN && p.rec.LevelGTINs.Of(level).IsZero() {
		return MintResult{}, fieldErr("level", level.String(),
			"product %d declares no %v GTIN: GS1 gives each packaging level a GTIN of its own, and GTIN %s is its %v's "+
				"(declare it: tracecode product levels --%v GTIN, or PATCH /v1/products/%d levelGTINs)",
			p.rec.ID, level, p.rec.GTIN, p.rec.Lowest(), level, p.rec.ID)
	}
	if req.Lot != "" {
		if err := checkCSET82("lot", req.Lot, 20); err != nil {
			return MintResult{}, err
		}
	}
	if err := CheckRequestID(req.RequestID); err != nil {
		return MintResult{}, err
	}

	// Idempotency: a request id seen before names its block.
	if req.RequestID != "" {
		k := idemKey{org, req.RequestID}
		prev := g.idem[k]
		if prev == nil {
			if id, ok := st.idem[k]; ok {
				prev = st.blocks[id]
			}
		}
		if id, busy := st.importing[k]; busy && prev == nil {
			return MintResult{}, fmt.Errorf("%w: request id %q is in use by the import of block %d, still in progress", ErrState, req.RequestID, id)
		}
		if prev != nil {
			if err := e.sameRequest(prev, g, req, scheme, level); err != nil {
				return MintResult{}, err
			}
			return MintResult{Block: *prev, Replayed: true, Partial: prev.Count < prev.Requested}, nil
		}
	}

	// The lot.
	var lotID uint32
	lotCreated := false
	if req.Lot != "" {
		lk := lotKey{p.rec.ID, req.Lot}
		if id, ok := st.lotByNumber[lk]; ok {
			lotID = id
		} else if l := g.lots[lk]; l != nil {
			lotID = l.ID
		} else if req.CreateLot {
			l, err := e.newLot(LotSpec{Product: p.rec.ID, Number: req.Lot}, g.lots)
			if err != nil {
				return MintResult{}, err
			}
			g.lots[lk] = &l
			lotID, lotCreated = l.ID, true
		} else {
			return MintResult{}, fmt.Errorf("%w %q of product %d (create it first, or allow creation on first use)", ErrUnknownLot, req.Lot, p.rec.ID)
		}
	}

	// A vet-drug code begins with its lot's production date.
	if scheme == serial.VetDrug {
		if err := vetLotDated(st.lots[lotID], req.Lot); err != nil {
			return MintResult{}, err
		}
	}

	// Caps and the counter domain.
	ps := g.state(p)
	par := scheme.Params()
	count := req.Count
	var ssccStart uint64
	ssccPartial := false
	if scheme == serial.SSCC {
		var err error
		if ssccStart, count, ssccPartial, err = e.planSSCC(g, p, org, count, req.AllowPartial); err != nil {
			if lotCreated {
				delete(g.lots, lotKey{p.rec.ID, req.Lot})
			}
			return MintResult{}, err
		}
	}
	var allowed uint64
	var what string
	capLimit := par.Cap
	var issued uint64
	if par.Cap == 0 { // Imported: no FF1 domain, no cap
		allowed = ^uint64(0)
		what = fmt.Sprintf("product %d's counter space", p.rec.ID)
	} else if par.Global {
		issued = g.shortHW
		allowed = par.Cap - min(par.Cap, issued)
		what = "the engine-wide short-code space"
		// One organisation may take only its quota of the shared space, so
		// that no tenant can exhaust it for the others.
		quota, took := e.opts.ShortQuotaPerOrg, st.shortByOrg[org]+g.shortByOrg[org]
		if left := quota - min(quota, took); left < allowed {
			allowed = left
			capLimit, issued = quota, took
			what = fmt.Sprintf("organisation %d's quota of the short-code space (Options.ShortQuotaPerOrg)", org)
		}
	} else {
		issued = ps.Issued[scheme]
		allowed = par.Cap - min(par.Cap, issued)
		what = fmt.Sprintf("product %d under scheme %v", p.rec.ID, scheme)
		// Counters encrypted under the scheme must lie in its domain.
		if room := par.Domain - min(par.Domain, ps.HighWater); room < allowed {
			allowed = room
			what = fmt.Sprintf("product %d's counter space under scheme %v (domain %d)", p.rec.ID, scheme, par.Domain)
		}
	}
	if room := ^uint64(0)>>1 - ps.HighWater; room < allowed {
		allowed = room
	}
	partial := ssccPartial
	if count > allowed {
		if !req.AllowPartial || allowed == 0 {
			if lotCreated {
				delete(g.lots, lotKey{p.rec.ID, req.Lot})
			}
			return MintResult{}, &CapError{What: what, Cap: capLimit, Issued: issued, Requested: count}
		}
		count, partial = allowed, true
	}

	blk := &Block{ID: g.nextBlock, Org: org, Product: p.rec.ID, Lot: lotID, Level: level, Scheme: scheme,
		State: model.BlockActive, Start: ps.HighWater, Count: count, Requested: req.Count,
		RequestID: req.RequestID, Created: e.nowMillis()}
	if req.AllowPartial {
		blk.Flags |= model.BlockFlagAllowPartial
	}
	if levelGTIN {
		blk.Flags |= model.BlockFlagLevelGTIN
	}
	if scheme == serial.Short {
		blk.KeyGen = uint8(len(st.shortKeys) - 1)
		blk.ShortStart = g.shortHW
		g.shortHW += count
		if g.shortByOrg == nil {
			g.shortByOrg = map[uint32]uint64{}
		}
		g.shortByOrg[org] += count
	} else {
		blk.KeyGen = uint8(len(p.keys) - 1)
	}
	if scheme == serial.SSCC {
		blk.ShortStart = ssccStart
		g.takeSSCCs(p, blk)
	}
	g.nextBlock++
	ps.HighWater += count
	ps.Issued[scheme] += count
	g.blocks = append(g.blocks, blk)
	if req.RequestID != "" {
		g.idem[idemKey{org, req.RequestID}] = blk
	}
	return MintResult{Block: *blk, Partial: partial, LotCreated: lotCreated}, nil
}

// sameRequest compares a retried request with the block its id minted and
// returns a *ConflictError naming the first differing field.
// REQUIRES e.wmu.
func (e *Book) sameRequest(prev *Block, g *mintGroup, req *MintRequest, scheme Scheme, level Level) error {
	conflict := func(field, stored, got string) error {
		return &ConflictError{RequestID: req.RequestID, Block: prev.ID, Field: field, Stored: stored, Got: got}
	}
	if prev.Product != req.Product {
		return conflict("product", fmt.Sprint(prev.Product), fmt.Sprint(req.Product))
	}
	prevLot := ""
	if prev.Lot != 0 {
		if l := e.st.lots[prev.Lot]; l != nil {
			prevLot = l.Number
		} else {
			for _, l := range g.lots {
				if l.ID == prev.Lot {
					prevLot = l.Number
				}
			}
		}
	}
	if prevLot != req.Lot {
		return conflict("lot", fmt.Sprintf("%q", prevLot), fmt.Sprintf("%q", req.Lot))
	}
	if prev.Level != level {
		return conflict("level", prev.Level.String(), level.String())
	}
	if prev.Scheme != scheme {
		return conflict("scheme", prev.Scheme.String(), scheme.String())
	}
	if prev.Requested != req.Count {
		return conflict("count", fmt.Sprint(prev.Requested), fmt.Sprint(req.Count))
	}
	if pa := prev.Flags&model.BlockFlagAllowPartial != 0; pa != req.AllowPartial {
		return conflict("allow-partial", fmt.Sprint(pa), fmt.Sprint(req.AllowPartial))
	}
	return nil
}

// vetLotDated refuses a vet-drug mint whose lot (l, nil when new or
// absent) has no production date: the date is the code's first 8 digits.
func vetLotDated(l *Lot, number string) error {
	if l == nil || l.Produced == 0 {
		return fieldErr("lot", number, "a vet-drug trace code begins with the lot's production date: mint into a lot created with its production date")
	}
	return nil
}
