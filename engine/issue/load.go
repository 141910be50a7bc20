package issue

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// loadState reads the whole in-memory state from the store: master data,
// every block (building the per-product and short-code indexes), the
// idempotency records and the imported blocks' bloom filters. Its cost is
// proportional to the number of records, not of codes.
// openKey opens each FF1 key record (see keyOpener).
func loadState(db *store.DB, fpRate float64, openKey func(storeKey, v []byte) ([]byte, error)) (*state, error) {
	st := newState()
	metas := map[byte]*uint64{}
	var nextOrg, nextProduct, nextLot, nextBlock uint64
	metas[store.MetaNextOrg] = &nextOrg
	metas[store.MetaNextProduct] = &nextProduct
	metas[store.MetaNextLot] = &nextLot
	metas[store.MetaNextBlock] = &nextBlock
	metas[store.MetaShortHW] = &st.shortHW

	err := db.ScanPrefix(store.MetaKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeMetaKey(k)
		if err != nil {
			return err
		}
		u, err := store.DecodeUint("meta", v)
		if p := metas[id]; p != nil && err == nil {
			*p = uint64(u)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.ScanPrefix(store.ShortKeyKeys.Prefix(), func(k, v []byte) error {
		if gen, err := store.DecodeShortKeyKey(k); err != nil || int(gen) != len(st.shortKeys) {
			return fmt.Errorf("%w: short-code key generations are not contiguous at %x", store.ErrCorrupt, k)
		}
		key, err := openKey(k, v)
		if err != nil {
			return err
		}
		st.shortKeys = append(st.shortKeys, &keyGen{key: key})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := loadMasterData(db, st, openKey); err != nil {
		return nil, err
	}
	if err := loadBlocks(db, st, fpRate); err != nil {
		return nil, err
	}
	st.nextOrg = max(st.nextOrg, uint32(nextOrg))
	st.nextProduct = max(st.nextProduct, uint32(nextProduct))
	st.nextLot = max(st.nextLot, uint32(nextLot))
	st.nextBlock = max(st.nextBlock, nextBlock)
	return st, nil
}

func loadMasterData(db *store.DB, st *state, openKey func(storeKey, v []byte) ([]byte, error)) error {
	err := db.ScanPrefix(store.OrgKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeOrgKey(k)
		if err != nil {
			return err
		}
		o, err := store.DecodeOrg(id, v)
		if err != nil {
			return err
		}
		st.orgs[id] = &o
		for _, g := range o.GCPs {
			st.orgByGCP[g] = id
		}
		if o.USCC != "" {
			st.orgByUSCC[o.USCC] = id
		}
		st.nextOrg = max(st.nextOrg, id+1)
		return nil
	})
	if err != nil {
		return err
	}
	err = db.ScanPrefix(store.ProductKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeProductKey(k)
		if err != nil {
			return err
		}
		p, err := store.DecodeProduct(id, v)
		if err != nil {
			return err
		}
		st.addProduct(&product{rec: p})
		st.nextProduct = max(st.nextProduct, id+1)
		return nil
	})
	if err != nil {
		return err
	}
	err = db.ScanPrefix(store.ProductStateKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeProductStateKey(k)
		if err != nil {
			return err
		}
		p := st.products[id]
		if p == nil {
			return fmt.Errorf("%w: state of unknown product %d", store.ErrCorrupt, id)
		}
		p.st, err = store.DecodeProductState(v)
		return err
	})
	if err != nil {
		return err
	}
	err = db.ScanPrefix(store.ProductKeyKeys.Prefix(), func(k, v []byte) error {
		id, gen, err := store.DecodeProductKeyKey(k)
		if err != nil {
			return err
		}
		p := st.products[id]
		if p == nil {
			return fmt.Errorf("%w: key of unknown product %d", store.ErrCorrupt, id)
		}
		if int(gen) != len(p.keys) {
			return fmt.Errorf("%w: product %d key generations are not contiguous at %d", store.ErrCorrupt, id, gen)
		}
		key, err := openKey(k, v)
		if err != nil {
			return err
		}
		p.keys = append(p.keys, &keyGen{key: key})
		return nil
	})
	if err != nil {
		return err
	}
	return db.ScanPrefix(store.LotKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeLotKey(k)
		if err != nil {
			return err
		}
		l, err := store.DecodeLot(id, v)
		if err != nil {
			return err
		}
		st.lots[id] = &l
		st.lotByNumber[lotKey{l.Product, l.Number}] = id
		st.nextLot = max(st.nextLot, id+1)
		if p := st.products[l.Product]; p != nil {
			st.lotsByOrg[p.rec.Org]++
		}
		return nil
	})
}

// addProduct indexes p. REQUIRES exclusive access to st.
func (st *state) addProduct(p *product) {
	if st.products[p.rec.ID] == nil {
		st.productsByOrg[p.rec.Org]++
	}
	st.products[p.rec.ID] = p
	if !p.rec.GTIN.IsZero() {
		st.productByGTIN[p.rec.GTIN] = p.rec.ID
	}
	st.indexLevelGTINs(&p.rec)
	if p.rec.DrugID != "" {
		st.productByDrugID[p.rec.DrugID] = p.rec.ID
	}
	if p.rec.OwnCode != "" {
		st.productByCode[ownCodeKey{p.rec.Org, p.rec.OwnCode}] = p.rec.ID
		st.indexSector(p)
	}
}

func loadBlocks(db *store.DB, st *state, fpRate float64) error {
	err := db.ScanPrefix(store.BlockKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeBlockKey(k)
		if err != nil {
			return err
		}
		b, err := store.DecodeBlock(id, v)
		if err != nil {
			return err
		}
		p := st.products[b.Product]
		if p == nil {
			return fmt.Errorf("%w: block %d of unknown product %d", store.ErrCorrupt, id, b.Product)
		}
		st.blocks[id] = &b
		p.blocks = append(p.blocks, blockRef{start: b.Start, end: b.End(), b: &b})
		if b.Scheme == serial.Short {
			st.short = append(st.short, blockRef{start: b.ShortStart, end: b.ShortStart + b.Count, b: &b})
			st.shortByOrg[b.Org] += b.Count
		}
		if b.Scheme == serial.Imported && b.State == model.BlockActive {
			p.imported = append(p.imported, &importedBlock{id: id})
		}
		if b.Scheme == serial.SSCC {
			st.indexSSCC(p, &b)
		}
		st.nextBlock = max(st.nextBlock, id+1)
		return nil
	})
	if err != nil {
		return err
	}
	byStart := func(a, b blockRef) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	}
	for _, bs := range st.sscc {
		slices.SortFunc(bs, byStart)
	}
	for _, p := range st.products {
		slices.SortFunc(p.blocks, byStart)
		for _, ib := range p.imported {
			if ib.filter, err = loadBloom(db, ib.id, fpRate); err != nil {
				return err
			}
		}
	}
	slices.SortFunc(st.short, byStart)
	return db.ScanPrefix(store.IdemKeys.Prefix(), func(k, v []byte) error {
		org, rid, err := store.DecodeIdemKey(k)
		if err != nil {
			return err
		}
		id, err := store.DecodeUint("idempotency", v)
		if err != nil {
			return err
		}
		st.idem[idemKey{org, string(rid)}] = uint64(id)
		return nil
	})
}

// loadBloom reads an imported block's persisted filter; if it is missing
// (it should not be: it is written in the batch that activates the block)
// the filter is rebuilt from the serial keys.
func loadBloom(db *store.DB, id uint64, fpRate float64) (*bloom.BloomFilter, error) {
	var buf bytes.Buffer
	var chunks uint32
	err := db.ScanPrefix(store.ImportBloomKey(id, 0)[:9], func(k, v []byte) error {
		_, c, err := store.DecodeImportBloomKey(k)
		if err != nil {
			return err
		}
		if c != chunks {
			return fmt.Errorf("%w: block %d bloom chunk %d missing", store.ErrCorrupt, id, chunks)
		}
		chunks++
		data, err := store.DecodeBloomChunk(v)
		buf.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	if chunks > 0 {
		f := &bloom.BloomFilter{}
		if _, err := f.ReadFrom(&buf); err != nil {
			return nil, fmt.Errorf("%w: block %d bloom filter: %v", store.ErrCorrupt, id, err)
		}
		return f, nil
	}
	var serials [][]byte
	err = db.ScanPrefix(store.AppendImportedKey(nil, id, nil), func(k, _ []byte) error {
		_, s, err := store.DecodeImportedKey(k)
		serials = append(serials, append([]byte(nil), s...))
		return err
	})
	if err != nil {
		return nil, err
	}
	f := bloom.NewWithEstimates(uint(max(len(serials), 1)), fpRate)
	for _, s := range serials {
		f.Add(s)
	}
	return f, nil
}
