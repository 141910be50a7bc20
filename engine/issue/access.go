package issue

import (
	"crypto/sha256"
	"fmt"
	"slices"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// This file is what the engine's other parts — the report transaction,
// the resolver's source, verification, statistics — ask of the issuance
// state. Each accessor takes the read lock itself; the records it returns
// are published values, replaced and never mutated, so callers may keep
// them.

// BlockByID returns block id, or nil.
func (e *Book) BlockByID(id uint64) *model.Block {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.st.blocks[id]
}

// BlockAt returns the block of product holding counter c, or nil.
func (e *Book) BlockAt(product uint32, c uint64) *model.Block {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.blockAt(product, c)
}

// blockAt is BlockAt. REQUIRES e.mu (read).
func (e *Book) blockAt(product uint32, c uint64) *model.Block {
	p := e.st.products[product]
	if p == nil {
		return nil
	}
	if i := findBlock(p.blocks, c); i >= 0 {
		return p.blocks[i].b
	}
	return nil
}

// OrgByID returns organisation id, or nil.
func (e *Book) OrgByID(id uint32) *model.Org {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.st.orgs[id]
}

// ProductByID returns product id, or nil.
func (e *Book) ProductByID(id uint32) *model.Product {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[id]; p != nil {
		return &p.rec
	}
	return nil
}

// LotByID returns lot id, or nil.
func (e *Book) LotByID(id uint32) *model.Lot {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.st.lots[id]
}

// ProductIDByGTIN returns the id of the product with GTIN g.
func (e *Book) ProductIDByGTIN(g gs1.GTIN) (uint32, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	id, ok := e.st.productByGTIN[g]
	return id, ok
}

// LotIDByNumber returns the id of product's lot number.
func (e *Book) LotIDByNumber(product uint32, number string) (uint32, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	id, ok := e.st.lotByNumber[lotKey{product, number}]
	return id, ok
}

// OrgIDByGCP returns the organisation holding company prefix gcp exactly
// (0 if none).
func (e *Book) OrgIDByGCP(gcp string) uint32 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.st.orgByGCP[gcp]
}

// GCPOwner returns the organisation whose company prefix begins digits
// (a GTIN's or SSCC's digits after the indicator), with that prefix.
func (e *Book) GCPOwner(digits string) (uint32, string) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.gcpOwner(digits)
}

// OrgRegion returns organisation org's registered region (0 if unknown).
func (e *Book) OrgRegion(org uint32) uint32 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.statRegion(org)
}

// Closed says Close ran.
func (e *Book) Closed() bool { return e.closed.Load() }

// Failed returns the commit failure that poisoned the engine, or nil.
func (e *Book) Failed() error {
	if p := e.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// SetFailed poisons (err != nil) or heals (nil) the engine: tests only.
func (e *Book) SetFailed(err error) {
	if err == nil {
		e.failed.Store(nil)
		return
	}
	e.failed.Store(&err)
}

// SetNoSync makes commits skip (true) or do (false) the fsync: Verify's
// scratch engine and benchmarks only. No write may be in progress.
func (e *Book) SetNoSync(v bool) { e.noSync = v }

// Commit commits b, under the write lock, with d (nil: no statistics)
// folded into it, after checking the engine is writable and that every
// block in unchanged is still the published one (a report checked codes
// against them). It then publishes replace (released or voided blocks,
// same ids and ranges). A failed commit poisons the engine; b is closed
// when it is not committed.
func (e *Book) Commit(b *store.Batch, d *stats.Delta, unchanged, replace map[uint64]*model.Block) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	err := e.writable()
	if err == nil {
		e.mu.RLock()
		for id, blk := range unchanged {
			if e.st.blocks[id] != blk {
				err = fmt.Errorf("%w: block %d changed (released or voided) while the report was checked; send it again", ErrState, id)
				break
			}
		}
		e.mu.RUnlock()
	}
	if err != nil {
		b.Close()
		return err
	}
	if d != nil {
		err = e.commitCounted(b, d)
	} else {
		err = e.commit(b)
	}
	if err == nil && len(replace) > 0 {
		e.mu.Lock()
		for _, nb := range replace {
			e.replaceBlock(nb)
		}
		e.mu.Unlock()
	}
	return err
}

// commitCounted commits b (as commit does) with d folded into it.
// REQUIRES e.wmu.
func (e *Book) commitCounted(b *store.Batch, d *stats.Delta) error {
	if e.opts.Stats == nil || e.opts.StatsOff != nil && e.opts.StatsOff() {
		return e.commit(b)
	}
	return e.opts.Stats.Commit(b, d, func() error { return e.commit(b) })
}

func (e *Book) nowMillis() int64 { return e.opts.Now().UnixMilli() }

// statDay returns the business day of unix milliseconds ms.
func (e *Book) statDay(ms int64) uint32 { return stats.Day(ms, e.opts.Location) }

// statRegion returns organisation org's registered region (0 if unknown).
// REQUIRES e.mu (read) or e.wmu.
func (e *Book) statRegion(org uint32) uint32 {
	if o := e.st.orgs[org]; o != nil {
		return o.Region
	}
	return 0
}

// countOrg adds a new organisation to d. REQUIRES e.wmu.
func (e *Book) countOrg(d *stats.Delta, o *Org) {
	d.Add(o.ID, o.Region, 0, e.statDay(o.Created), stats.OrgsRegistered, 1)
}

// countProduct adds a new product to d; region is its organisation's.
// REQUIRES e.wmu.
func (e *Book) countProduct(d *stats.Delta, p *Product, region uint32) {
	d.Add(p.Org, region, p.Category, e.statDay(p.Created), stats.Products, 1)
}

// countMint adds the codes of newly minted blocks to d. REQUIRES e.wmu.
func (e *Book) countMint(d *stats.Delta, blocks []*Block) {
	for _, b := range blocks {
		var cat model.Category
		if p := e.st.products[b.Product]; p != nil {
			cat = p.rec.Category
		}
		d.Add(b.Org, e.statRegion(b.Org), cat, e.statDay(b.Created), stats.CodesMinted, b.Count)
	}
}

// Master returns product, its organisation, lot and block (each nil when
// unknown or 0), read under one lock.
func (e *Book) Master(product, lot uint32, block uint64) (o *model.Org, p *model.Product, l *model.Lot, b *model.Block) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if pr := e.st.products[product]; pr != nil {
		p = &pr.rec
		o = e.st.orgs[pr.rec.Org]
	}
	if lot != 0 {
		l = e.st.lots[lot]
	}
	if block != 0 {
		b = e.st.blocks[block]
	}
	return o, p, l, b
}

// ProductLots returns the ids of the lots product id's blocks were issued
// for, in block order.
func (e *Book) ProductLots(id uint32) []uint32 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []uint32
	if p := e.st.products[id]; p != nil {
		for _, b := range p.blocks {
			if b.b.Lot != 0 && !slices.Contains(out, b.b.Lot) {
				out = append(out, b.b.Lot)
			}
		}
	}
	return out
}

// EachBlock calls f with every published block, in no order, under the
// read lock (f must not call back into the Book).
func (e *Book) EachBlock(f func(*model.Block)) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, b := range e.st.blocks {
		f(b)
	}
}

// OrgByUSCC returns the organisation registered with unified social
// credit code uscc, or nil.
func (e *Book) OrgByUSCC(uscc string) *model.Org {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.orgByUSCC[uscc]; ok {
		return e.st.orgs[id]
	}
	return nil
}

// StoreSecret returns SHA-256 of label followed by the store's first
// short-code key, a secret every store has from its first Open: a key
// the engine's other parts derive for themselves (the EPCIS query's page
// tokens) stays the same across restarts, and another store cannot
// reproduce it. The short-code key itself never leaves the Book.
func (e *Book) StoreSecret(label string) []byte {
	e.mu.RLock()
	defer e.mu.RUnlock()
	h := sha256.New()
	h.Write([]byte(label))
	if len(e.st.shortKeys) > 0 {
		h.Write(e.st.shortKeys[0].key)
	}
	return h.Sum(nil)
}
