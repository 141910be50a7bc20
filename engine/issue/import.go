package issue

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// MaxImportCount is the most serials one Import may carry. The serials are
// sorted in memory; split larger sets into several blocks.
const MaxImportCount = 100_000_000

// ImportRequest brings a block of serials minted by another system under
// the engine's management.
type ImportRequest struct {
	Org       uint32 // requesting organisation; 0 = the product's
	Product   uint32 // a product with a GTIN
	Lot       string // lot number; "" = none
	CreateLot bool   // create the lot on first use
	Level     Level  // 0 = item
	// Serials are AI (21) values: 1–20 characters of CSET 82, no
	// duplicates, none already issued for the product.
	Serials   []string
	RequestID string // idempotency key within the organisation; "" = none
	Note      string // provenance, e.g. the other system's name
}

// Import stores a block of foreign serials. The block gets product
// counters like a minted block (so per-item records work the same) in the
// serials' sorted order: the serial of rank i is counter Start+i. Serials
// are written as one SSTable through Pebble's ingestion (write
// amplification 1), and a bloom filter over them is kept in memory and
// persisted, so that Lookup rejects most never-issued foreign serials
// without a disk read.
//
// Three steps, each durable: the block is recorded as importing (its
// counters allocated); the SSTable is ingested; the block becomes active
// with its filter and idempotency record. Open voids a block left
// importing by a crash and removes its serials. Imports are serialized
// with each other, not with mints.
func (e *Book) Import(ctx context.Context, req ImportRequest) (MintResult, error) {
	e.imu.Lock()
	defer e.imu.Unlock()
	release, err := e.HoldDB()
	if err != nil {
		return MintResult{}, err
	}
	defer release()

	// Step 1: validate, check for duplicates, allocate.
	sorted, res, replay, err := e.planImport(&req)
	if err != nil || replay {
		return res, err
	}
	blk := res.Block

	// Step 2: bulk-load the serials, build the filter.
	filter := bloom.NewWithEstimates(uint(len(sorted)), e.opts.BloomFPRate)
	_, err = e.db.IngestSorted(ctx, func(add func(k, v []byte) error) error {
		var k, v []byte
		for i, s := range sorted {
			if i&0xffff == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			filter.AddString(s)
			k = store.AppendImportedKey(k[:0], blk.ID, []byte(s))
			v = store.Uint(i).AppendBinary(v[:0])
			if err := add(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.abortImport(blk.ID, fmt.Sprintf("import failed: %v", err))
		return MintResult{}, err
	}

	// Step 3: activate.
	var fb bytes.Buffer
	if _, err := filter.WriteTo(&fb); err != nil {
		e.abortImport(blk.ID, "import failed: bloom filter")
		return MintResult{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return MintResult{}, err
	}
	active := *e.st.blocks[blk.ID]
	active.State = model.BlockActive
	b := e.db.NewBatch()
	b.Set(store.AppendBlockKey(nil, blk.ID), store.AppendBlock(nil, &active))
	data := fb.Bytes()
	for c := uint32(0); len(data) > 0; c++ {
		n := min(len(data), store.BloomChunkSize)
		b.Set(store.ImportBloomKey(blk.ID, c), store.AppendBloomChunk(nil, data[:n]))
		data = data[n:]
	}
	if active.RequestID != "" {
		b.Set(store.IdemKey(active.Org, active.RequestID), store.Uint(active.ID).AppendBinary(nil))
	}
	if err := e.commit(b); err != nil {
		return MintResult{}, err
	}
	e.mu.Lock()
	e.replaceBlock(&active)
	p := e.st.products[active.Product]
	p.imported = append(slices.Clip(p.imported), &importedBlock{id: active.ID, filter: filter})
	if active.RequestID != "" {
		e.st.idem[idemKey{active.Org, active.RequestID}] = active.ID
		delete(e.st.importing, idemKey{active.Org, active.RequestID})
	}
	e.mu.Unlock()
	res.Block = active
	return res, nil
}

// planImport validates req, returns its serials sorted, and records the
// block as importing; or returns the block of a replayed request id.
func (e *Book) planImport(req *ImportRequest) (sorted []string, res MintResult, replay bool, err error) {
	n := len(req.Serials)
	if n == 0 {
		return nil, res, false, fieldErr("serials", "", "none given")
	}
	if n > MaxImportCount {
		return nil, res, false, fieldErr("serials", fmt.Sprint(n), "more than %d in one import; split them", MaxImportCount)
	}
	if err := CheckText("note", req.Note, 200, false); err != nil {
		return nil, res, false, err
	}
	for i, s := range req.Serials {
		if err := checkCSET82("serial", s, 20); err != nil {
			return nil, res, false, fmt.Errorf("serial %d of %d: %w", i+1, n, err)
		}
	}
	sorted = slices.Clone(req.Serials)
	slices.Sort(sorted)
	for i := 1; i < n; i++ {
		if sorted[i] == sorted[i-1] {
			return nil, res, false, fieldErr("serials", sorted[i], "appears more than once")
		}
	}

	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return nil, res, false, err
	}
	// Mint's validation, replay and allocation, with the Imported scheme
	// and no cap; the group is this one request.
	st := e.st
	g := &mintGroup{states: map[uint32]*model.ProductState{}, shortHW: st.shortHW, nextBlock: st.nextBlock,
		lots: map[lotKey]*Lot{}, idem: map[idemKey]*Block{}}
	mreq := MintRequest{Org: req.Org, Product: req.Product, Lot: req.Lot, CreateLot: req.CreateLot,
		Level: req.Level, Count: uint64(n), Scheme: serial.Imported, RequestID: req.RequestID}
	res, err = e.planMint(g, &mreq, true)
	if err != nil {
		return nil, res, false, err
	}
	if res.Replayed {
		return nil, res, true, nil
	}
	blk := g.blocks[0]
	blk.State = model.BlockImporting
	blk.Note = req.Note
	if err := e.checkForeignSerials(st.products[req.Product], sorted); err != nil {
		return nil, MintResult{}, false, err
	}

	b := e.db.NewBatch()
	b.Set(store.AppendBlockKey(nil, blk.ID), store.AppendBlock(nil, blk))
	b.Set(store.BlockByCounterKey(blk.Product, blk.Start), store.Uint(blk.ID).AppendBinary(nil))
	for id, s := range g.states {
		b.Set(store.ProductStateKey(id), store.AppendProductState(nil, s))
	}
	putLots(b, slices.Collect(maps.Values(g.lots))...)
	b.Set(store.MetaKey(store.MetaNextBlock), store.Uint(g.nextBlock).AppendBinary(nil))
	if err := e.commit(b); err != nil {
		return nil, MintResult{}, false, err
	}
	e.mu.Lock()
	for _, l := range g.lots {
		e.publishLot(l)
	}
	for id, s := range g.states {
		st.products[id].st = *s
	}
	e.publishBlock(blk, false) // the request id counts once the block is active
	if blk.RequestID != "" {
		st.importing[idemKey{blk.Org, blk.RequestID}] = blk.ID
	}
	e.mu.Unlock()
	res.Block = *blk
	return sorted, res, false, nil
}

// checkForeignSerials refuses serials that are already codes of the
// product: own codes (by shape and decryption) and other imported blocks'
// serials (bloom filter, then a read). REQUIRES e.wmu.
func (e *Book) checkForeignSerials(p *product, sorted []string) error {
	var dups []string
	var r LookupResult
	for _, s := range sorted {
		if cl, ok := serial.Classify(s); ok {
			r = LookupResult{Serial: s}
			if lerr := e.findOwn(&r, p, cl.Scheme, int(cl.Gen), cl.Value); lerr == nil || lerr.Kind != ErrNeverIssued {
				dups = append(dups, fmt.Sprintf("%s (code %d of block %d)", s, r.Offset, r.Block.ID))
			}
		}
		if len(p.imported) > 0 {
			r = LookupResult{}
			found, err := e.findImported(&r, p.imported, s)
			if err != nil {
				return err
			}
			if found {
				dups = append(dups, fmt.Sprintf("%s (imported block %d)", s, r.Block.ID))
			}
		}
		if len(dups) >= 5 {
			break
		}
	}
	if len(dups) > 0 {
		return fmt.Errorf("%w: serials already issued for product %d: %s", ErrExists, p.rec.ID, strings.Join(dups, ", "))
	}
	return nil
}

// abortImport voids a block whose import failed and removes its serials.
func (e *Book) abortImport(id uint64, note string) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.writable() != nil {
		return // Open will clean up
	}
	blk := *e.st.blocks[id]
	b := e.db.NewBatch()
	voidImportBatch(b, &blk, note, e.nowMillis())
	if e.commit(b) == nil {
		e.mu.Lock()
		e.replaceBlock(&blk)
		delete(e.st.importing, idemKey{blk.Org, blk.RequestID})
		e.mu.Unlock()
	}
}

// voidImportBatch adds to b the voiding of imported block blk (modified
// in place) and the deletion of its serials and filter.
func voidImportBatch(b *store.Batch, blk *Block, note string, now int64) {
	blk.State = model.BlockVoided
	blk.Note = note
	blk.Updated = now
	b.Set(store.AppendBlockKey(nil, blk.ID), store.AppendBlock(nil, blk))
	b.DeleteRange(store.ImportedBounds(blk.ID))
	b.DeleteRange(store.ImportBloomBounds(blk.ID))
}

// recoverImports voids the blocks a crash left importing. Called by Open
// before the engine is shared.
func (e *Book) recoverImports() error {
	var stale []*Block
	for _, b := range e.st.blocks {
		if b.State == model.BlockImporting {
			stale = append(stale, b)
		}
	}
	if len(stale) == 0 || e.opts.ReadOnly {
		return nil
	}
	b := e.db.NewBatch()
	var fixed []*Block
	for _, old := range stale {
		nb := *old
		voidImportBatch(b, &nb, "import interrupted by a crash; its serials were removed", e.nowMillis())
		fixed = append(fixed, &nb)
	}
	if err := b.Commit(true); err != nil {
		return err
	}
	for _, nb := range fixed {
		e.replaceBlock(nb)
	}
	return nil
}
