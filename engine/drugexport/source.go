package drugexport

// The engine's side of the export: the Source over the engine's master
// data, codes and category data (Engine) and the store's ledger and
// indexes.

import (
	"github.com/RoaringBitmap/roaring/v2"

	"tracecode/engine/agg"
	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Engine is what the export asks of the engine: the master data, blocks
// and printed codes (the issue.Book), the organisation a party identifier
// names, and a product's drug category data.
type Engine interface {
	Org(id uint32) (model.Org, error)
	Product(id uint32) (model.Product, error)
	Lot(id uint32) (model.Lot, error)
	BlockAt(product uint32, counter uint64) *model.Block
	BlockByID(id uint64) *model.Block
	AppendCode(dst []byte, b *model.Block, off uint64, fm issue.Format) ([]byte, error)
	PartyOrg(id string) uint32
	DrugFields(product uint32) category.Record
}

// ExportStore exports what Export does from the store db with its ledger
// l, asking e the rest.
func ExportStore(db *store.DB, l *ledger.Ledger, e Engine, k apikey.Key, r Request) (*Document, error) {
	ar, err := agg.NewReader(db)
	if err != nil {
		return nil, err
	}
	defer ar.Close()
	ir, err := ledger.NewIndexReader(db)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	return Export(drugSource{e: e, Ledger: l, ar: ar, ir: ir}, k, r)
}

// drugSource is drugexport.Source over the engine.
type drugSource struct {
	e Engine
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
	return s.e.BlockAt(product, counter)
}

func (s drugSource) DrugCode(b *model.Block, off uint64) (string, bool) {
	for _, fm := range []issue.Format{issue.FormatNMPA, issue.FormatElement} {
		if out, err := s.e.AppendCode(nil, b, off, fm); err == nil {
			return string(out), true
		}
	}
	return "", false
}

func (s drugSource) PartyOrg(id string) uint32 { return s.e.PartyOrg(id) }

func (s drugSource) DrugFields(product uint32) category.Record { return s.e.DrugFields(product) }

func (s drugSource) Children(product uint32, counter uint64, fn func(uint32, uint64)) error {
	return s.ar.Children(agg.Node{Product: product, Counter: counter}, func(block uint64, bm *roaring.Bitmap) bool {
		if b := s.e.BlockByID(block); b != nil {
			bm.Iterate(func(off uint32) bool { fn(b.Product, b.Start+uint64(off)); return true })
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
