package ledger

import (
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Recall marks a whole lot or product as recalled: every code of it
// resolves as recalled from Time on. Codes recalled one by one are marked
// in their item state instead (package itemstate).
//
// # Representation (keys 0x78 | lot u32 and 0x79 | product u32, value version 1)
//
//	ver=1 | seq uvarint | time varint (unix ms)
type Recall struct {
	Seq  uint64 // the recall record in the log
	Time int64  // event time of the recall, unix ms
}

const recallVersion = 1

// AppendRecallKey appends the key of a lot recall (lot true) or product
// recall.
func AppendRecallKey(dst []byte, lot bool, id uint32) []byte {
	return store.AppendRecallMarkKey(dst, lot, id)
}

// AppendValue appends the recall's value encoding.
func (r *Recall) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(recallVersion)
	w.Uvarint(r.Seq)
	w.Varint(r.Time)
	return w.B
}

// DecodeRecall decodes a recall value.
func DecodeRecall(v []byte) (Recall, error) {
	d := newDecoder("recall", v)
	d.Version(recallVersion)
	r := Recall{Seq: d.Uvarint(), Time: d.Varint()}
	return r, d.Done()
}

// PutRecall writes a lot or product recall mark.
func (t *Tx) PutRecall(lot bool, id uint32, r Recall) {
	t.kb = AppendRecallKey(t.kb[:0], lot, id)
	t.vb = r.AppendValue(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// DeleteRecall removes a lot or product recall mark (the recall was
// lifted; both records stay in the log).
func (t *Tx) DeleteRecall(lot bool, id uint32) {
	t.kb = AppendRecallKey(t.kb[:0], lot, id)
	t.b.Delete(t.kb)
}

// LoadRecalls reads every lot and product recall mark.
func LoadRecalls(db *store.DB) (lots, products map[uint32]Recall, err error) {
	lots, products = map[uint32]Recall{}, map[uint32]Recall{}
	for _, ks := range []store.KeySpace{store.RecallLotKeys, store.RecallProductKeys} {
		err := db.ScanPrefix(ks.Prefix(), func(k, v []byte) error {
			lot, id, err := store.DecodeRecallMarkKey(k)
			if err != nil {
				return err
			}
			r, err := DecodeRecall(v)
			if err != nil {
				return fmt.Errorf("recall key %x: %w", k, err)
			}
			if lot {
				lots[id] = r
			} else {
				products[id] = r
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return lots, products, nil
}
