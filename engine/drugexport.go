package engine

import (
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/category"
	"tracecode/engine/drugexport"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// DrugTraceExport returns organisation org's drug movements with event
// times in [from, to) as the in/out bills of the national drug trace
// collaboration platform (engine/drugexport; docs/categories.md): for the
// organisation's own keys, the operator and the regulators of its region.
func (e *Engine) DrugTraceExport(k APIKey, org uint32, from, to time.Time) (*drugexport.Document, error) {
	ts, err := e.tr()
	if err != nil {
		return nil, err
	}
	ar, err := agg.NewReader(e.db)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	ir, err := ledger.NewIndexReader(e.db)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	return drugexport.Export(drugSource{e: e, Ledger: ts.Ledger(), ar: ar, ir: ir}, k,
		drugexport.Request{Org: org, From: from, To: to})
}

// drugSource is drugexport.Source over the engine.
type drugSource struct {
	e *Engine
	*ledger.Ledger
	ar *agg.Reader
	ir *ledger.IndexReader
}

func (s drugSource) Org(id uint32) (model.Org, bool) {
	o, err := s.e.Org(id)
	return o, err == nil
}

func (s drugSource) Product(id uint32) (model.Product, bool) {
	p, err := s.e.Product(id)
	return p, err == nil
}

func (s drugSource) Lot(id uint32) (model.Lot, bool) {
	l, err := s.e.Lot(id)
	return l, err == nil
}

func (s drugSource) BlockAt(product uint32, counter uint64) *model.Block {
	return s.e.blockAt(product, counter)
}

func (s drugSource) DrugCode(b *model.Block, off uint64) (string, bool) {
	for _, fm := range []Format{FormatNMPA, FormatElement} {
		if out, err := s.e.appendCode(nil, b, off, fm); err == nil {
			return string(out), true
		}
	}
	return "", false
}

func (s drugSource) PartyOrg(id string) uint32 { return s.e.partyOrg(id) }

func (s drugSource) DrugFields(product uint32) category.Record {
	bk, err := s.e.sectorBook()
	if err != nil {
		return nil
	}
	if pp, _, ok := bk.Profile(product); ok && pp.Profile == "drug" {
		return pp.Fields
	}
	return nil
}

func (s drugSource) Children(product uint32, counter uint64, fn func(uint32, uint64)) error {
	return s.ar.Children(agg.Node{Product: product, Counter: counter}, func(block uint64, bm *roaring.Bitmap) bool {
		p, start, ok := s.e.blockInfo(block)
		if ok {
			bm.Iterate(func(off uint32) bool { fn(p, start+uint64(off)); return true })
		}
		return true
	}, func(sscc uint64) bool { fn(0, sscc); return true })
}

func (s drugSource) Named(product uint32, counter uint64, fn func(seq uint64) bool) error {
	hit := func(h ledger.Hit) bool { return fn(h.Seq) }
	if err := s.ir.Node(product, counter, hit); err != nil || product == 0 {
		return err
	}
	return s.ir.Runs(product, counter, hit)
}
