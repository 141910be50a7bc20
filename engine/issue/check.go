package issue

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// Check verifies the store's invariants and that the in-memory state
// equals what a fresh Open would load. It returns every problem found
// (errors.Join), or nil:
//
//   - per product, blocks do not overlap and lie below the high-water mark;
//     the per-scheme issued counts equal the sum of the blocks' counts;
//   - short-code blocks do not overlap and lie below the short high-water;
//   - the persisted block indexes (by counter, by short counter) and the
//     idempotency records match the block records exactly;
//   - no block is left importing; every active imported block has as many
//     serial keys as codes, at offsets 0..Count−1, and a filter;
//   - the next-id counters exceed every id in use;
//   - the in-memory state (master data, blocks, indexes, states) equals a
//     fresh load.
//
// It reads the whole store: use it in tests and in `tracecode verify`.
func (e *Book) Check() error {
	e.wmu.Lock() // no writer may run while the store is compared with RAM
	defer e.wmu.Unlock()
	if e.closed.Load() {
		return ErrClosed
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	var errs []error
	bad := func(format string, args ...any) {
		if len(errs) < 50 {
			errs = append(errs, fmt.Errorf("check: "+format, args...))
		}
	}
	st := e.st

	for id, p := range st.products {
		var issued [serial.NumSchemes]uint64
		for i, r := range p.blocks {
			b := r.b
			if r.start != b.Start || r.end != b.End() || b.Product != id {
				bad("product %d index entry %d [%d,%d) does not match block %d", id, i, r.start, r.end, b.ID)
			}
			if i > 0 && p.blocks[i-1].end > r.start {
				bad("product %d: block %d [%d,%d) overlaps block %d [%d,%d)", id,
					p.blocks[i-1].b.ID, p.blocks[i-1].start, p.blocks[i-1].end, b.ID, r.start, r.end)
			}
			if b.End() > p.st.HighWater {
				bad("product %d: block %d ends at %d, above the high-water mark %d", id, b.ID, b.End(), p.st.HighWater)
			}
			if st.blocks[b.ID] != b {
				bad("block %d in product %d's index is not the published block", b.ID, id)
			}
			if b.Scheme.Valid() {
				issued[b.Scheme] += b.Count
			} else {
				bad("block %d has invalid scheme %d", b.ID, b.Scheme)
			}
			if b.Scheme != serial.Short && b.Scheme != serial.Imported && b.Scheme != serial.SSCC && b.End() > b.Scheme.Params().Domain {
				bad("block %d ends at counter %d, beyond scheme %v's domain", b.ID, b.End(), b.Scheme)
			}
			if b.State == model.BlockImporting {
				bad("block %d is still importing", b.ID)
			}
		}
		if issued != p.st.Issued {
			bad("product %d: issued per scheme %v, blocks sum to %v", id, p.st.Issued, issued)
		}
		if len(p.keys) == 0 {
			bad("product %d has no FF1 key", id)
		}
	}
	nShort := 0
	for i, r := range st.short {
		if i > 0 && st.short[i-1].end > r.start {
			bad("short blocks %d and %d overlap", st.short[i-1].b.ID, r.b.ID)
		}
		if r.end > st.shortHW {
			bad("short block %d ends at %d, above the short high-water mark %d", r.b.ID, r.end, st.shortHW)
		}
		if r.start != r.b.ShortStart || r.end != r.b.ShortStart+r.b.Count {
			bad("short index entry of block %d does not match it", r.b.ID)
		}
	}
	for id, b := range st.blocks {
		if b.ID != id || st.products[b.Product] == nil {
			bad("block %d: id or product %d wrong", id, b.Product)
			continue
		}
		if b.Scheme == serial.Short {
			nShort++
		}
		if id >= st.nextBlock {
			bad("block %d is not below the next block id %d", id, st.nextBlock)
		}
		if b.Lot != 0 && (st.lots[b.Lot] == nil || st.lots[b.Lot].Product != b.Product) {
			bad("block %d names lot %d, which is not a lot of product %d", id, b.Lot, b.Product)
		}
		if b.Org != st.products[b.Product].rec.Org {
			bad("block %d: organisation %d is not its product's", id, b.Org)
		}
	}
	if nShort != len(st.short) {
		bad("%d short blocks, %d in the short index", nShort, len(st.short))
	}
	e.checkSSCC(bad)
	for k, id := range st.idem {
		b := st.blocks[id]
		if b == nil || b.Org != k.org || b.RequestID != k.id {
			bad("request id %q of organisation %d names block %d, which does not carry it", k.id, k.org, id)
		}
	}

	if err := e.checkPersisted(bad); err != nil {
		errs = append(errs, err)
	}

	// RAM == a fresh load.
	open, err := keyOpener(e.db, e.kek.Load())
	if err != nil {
		errs = append(errs, fmt.Errorf("check: keys: %w", err))
		return errors.Join(errs...)
	}
	fresh, err := loadState(e.db, e.opts.BloomFPRate, open)
	if err != nil {
		errs = append(errs, fmt.Errorf("check: reload: %w", err))
		return errors.Join(errs...)
	}
	compareStates(st, fresh, bad)
	return errors.Join(errs...)
}

// checkPersisted compares the persisted index and idempotency keys and the
// imported serials with the blocks. REQUIRES e.mu (read) and e.wmu.
func (e *Book) checkPersisted(bad func(string, ...any)) error {
	st := e.st
	byCounter := map[uint64]bool{}
	err := e.db.ScanPrefix(store.BlockByCounterKeys.Prefix(), func(k, v []byte) error {
		pid, start, err := store.DecodeBlockByCounterKey(k)
		if err != nil {
			return err
		}
		id, err := store.DecodeUint("block index", v)
		if err != nil {
			return err
		}
		b := st.blocks[uint64(id)]
		if b == nil || b.Product != pid || b.Start != start {
			bad("persisted index (product %d, start %d) → block %d does not match", pid, start, id)
		}
		byCounter[uint64(id)] = true
		return nil
	})
	if err != nil {
		return err
	}
	byShort := map[uint64]bool{}
	err = e.db.ScanPrefix(store.BlockByShortKeys.Prefix(), func(k, v []byte) error {
		start, err := store.DecodeBlockByShortKey(k)
		if err != nil {
			return err
		}
		id, err := store.DecodeUint("short index", v)
		if err != nil {
			return err
		}
		b := st.blocks[uint64(id)]
		if b == nil || b.Scheme != serial.Short || b.ShortStart != start {
			bad("persisted short index %d → block %d does not match", start, id)
		}
		byShort[uint64(id)] = true
		return nil
	})
	if err != nil {
		return err
	}
	for id, b := range st.blocks {
		if !byCounter[id] {
			bad("block %d has no persisted index entry", id)
		}
		if b.Scheme == serial.Short && !byShort[id] {
			bad("short block %d has no persisted short index entry", id)
		}
		activeImport := b.Scheme == serial.Imported && b.State == model.BlockActive
		if b.RequestID != "" && (b.Scheme != serial.Imported || activeImport) {
			if got, ok := st.idem[idemKey{b.Org, b.RequestID}]; !ok || got != id {
				bad("block %d's request id %q is not indexed to it", id, b.RequestID)
			}
		}
		if b.Scheme != serial.Imported {
			continue
		}
		var n uint64
		lo := store.AppendImportedKey(nil, id, nil)
		err := e.db.ScanPrefix(lo, func(k, v []byte) error {
			off, err := store.DecodeUint("imported serial", v)
			if err != nil {
				return err
			}
			if uint64(off) >= b.Count {
				bad("imported block %d: serial %q at offset %d beyond its %d codes", id, k[len(lo):], off, b.Count)
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		switch {
		case activeImport && n != b.Count:
			bad("imported block %d has %d serial keys for %d codes", id, n, b.Count)
		case !activeImport && n != 0:
			bad("voided imported block %d still has %d serial keys", id, n)
		}
		if activeImport && !slices.ContainsFunc(st.products[b.Product].imported, func(ib *importedBlock) bool { return ib.id == id }) {
			bad("imported block %d has no bloom filter in memory", id)
		}
	}
	return nil
}

// compareStates reports every difference between the live state and a
// fresh load.
func compareStates(live, fresh *state, bad func(string, ...any)) {
	if len(live.orgs) != len(fresh.orgs) || len(live.products) != len(fresh.products) ||
		len(live.lots) != len(fresh.lots) || len(live.blocks) != len(fresh.blocks) || len(live.idem) != len(fresh.idem) {
		bad("record counts differ from the store: orgs %d/%d products %d/%d lots %d/%d blocks %d/%d request ids %d/%d",
			len(live.orgs), len(fresh.orgs), len(live.products), len(fresh.products), len(live.lots), len(fresh.lots),
			len(live.blocks), len(fresh.blocks), len(live.idem), len(fresh.idem))
	}
	for id, o := range live.orgs {
		if f := fresh.orgs[id]; f == nil || !reflect.DeepEqual(o, f) {
			bad("organisation %d in memory differs from the store", id)
		}
	}
	for id, l := range live.lots {
		if f := fresh.lots[id]; f == nil || *f != *l {
			bad("lot %d in memory differs from the store", id)
		}
	}
	for id, b := range live.blocks {
		if f := fresh.blocks[id]; f == nil || *f != *b {
			bad("block %d in memory differs from the store", id)
		}
	}
	for gcp, bs := range live.sscc {
		if fs := fresh.sscc[gcp]; len(fs) != len(bs) || (len(bs) > 0 && fs[len(fs)-1].end != bs[len(bs)-1].end) {
			bad("company prefix %s: the SSCC blocks in memory differ from the store's (next serial reference %d, store %d)",
				gcp, live.ssccNext(gcp), fresh.ssccNext(gcp))
		}
	}
	for k, id := range live.idem {
		if fresh.idem[k] != id {
			bad("request id %q in memory differs from the store", k.id)
		}
	}
	for id, p := range live.products {
		f := fresh.products[id]
		if f == nil {
			bad("product %d is not in the store", id)
			continue
		}
		if !reflect.DeepEqual(p.rec, f.rec) || p.st != f.st {
			bad("product %d (record or state %+v vs %+v) differs from the store", id, p.st, f.st)
		}
		if len(p.blocks) != len(f.blocks) {
			bad("product %d: %d blocks in memory, %d in the store", id, len(p.blocks), len(f.blocks))
		} else {
			for i := range p.blocks {
				if p.blocks[i].start != f.blocks[i].start || p.blocks[i].end != f.blocks[i].end || *p.blocks[i].b != *f.blocks[i].b {
					bad("product %d: block index entry %d differs from the store", id, i)
				}
			}
		}
		if len(p.keys) != len(f.keys) {
			bad("product %d: %d key generations in memory, %d in the store", id, len(p.keys), len(f.keys))
		} else {
			for i := range p.keys {
				if !bytes.Equal(p.keys[i].key, f.keys[i].key) {
					bad("product %d: key generation %d differs from the store", id, i)
				}
			}
		}
		if len(p.imported) != len(f.imported) {
			bad("product %d: %d imported filters in memory, %d in the store", id, len(p.imported), len(f.imported))
		} else {
			for i := range p.imported {
				if p.imported[i].id != f.imported[i].id || !p.imported[i].filter.Equal(f.imported[i].filter) {
					bad("product %d: imported block %d's filter differs from the store", id, p.imported[i].id)
				}
			}
		}
	}
	if live.shortHW != fresh.shortHW || len(live.short) != len(fresh.short) || len(live.shortKeys) != len(fresh.shortKeys) {
		bad("short-code state differs from the store: high-water %d/%d, blocks %d/%d", live.shortHW, fresh.shortHW, len(live.short), len(fresh.short))
	}
	if live.nextOrg != fresh.nextOrg || live.nextProduct != fresh.nextProduct || live.nextLot != fresh.nextLot || live.nextBlock != fresh.nextBlock {
		bad("next ids differ from the store: org %d/%d product %d/%d lot %d/%d block %d/%d",
			live.nextOrg, fresh.nextOrg, live.nextProduct, fresh.nextProduct, live.nextLot, fresh.nextLot, live.nextBlock, fresh.nextBlock)
	}
}
