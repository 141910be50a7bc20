package recall

import (
	"fmt"
	"slices"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Hold is a stop-trade order on a lot (停售): while it stands, a sale or
// dispensing of an item of the lot is refused and raises an alert.
//
// # Representation (key 0xA2 | lot u32, value version 1)
//
//	ver=1 | since varint | by str | reason str | producer uvarint | region uvarint
type Hold struct {
	Lot      uint32 `json:"lot"`
	Since    int64  `json:"since"`
	By       string `json:"by"`
	Reason   string `json:"reason"`
	Producer uint32 `json:"producer"`
	// Region is the division of the regulator that ordered it (0: the
	// producer's own hold).
	Region uint32 `json:"region,omitzero"`
}

// HoldKey returns the store key of lot's hold.
func HoldKey(lot uint32) []byte { return store.HoldKey(lot) }

// AppendBinary appends the stored value of h.
func (h *Hold) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.Varint(h.Since)
	w.Str(h.By)
	w.Str(h.Reason)
	w.U32(h.Producer)
	w.U32(h.Region)
	return w.B
}

// DecodeHold decodes the value v of key k.
func DecodeHold(k, v []byte) (Hold, error) {
	lot, err := store.DecodeHoldKey(k)
	if err != nil {
		return Hold{}, err
	}
	h := Hold{Lot: lot}
	d := wire.NewReader("hold", v)
	d.Version(version)
	d.Field = "since"
	h.Since = d.Varint()
	d.Field = "by"
	h.By = d.Str()
	d.Field = "reason"
	h.Reason = d.Str()
	d.Field = "producer"
	h.Producer = d.U32()
	d.Field = "region"
	h.Region = d.U32()
	return h, d.Done()
}

// loadHolds reads every hold into the book's set.
func (bk *Book) loadHolds() error {
	return bk.db.ScanPrefix(store.HoldKeys.Prefix(), func(k, v []byte) error {
		h, err := DecodeHold(k, v)
		if err == nil {
			bk.holds.Store(h.Lot, h)
		}
		return err
	})
}

// Held reports whether lot is on hold (a map lookup: the report path
// asks it for every sale).
func (bk *Book) Held(lot uint32) bool {
	_, ok := bk.holds.Load(lot)
	return ok
}

// Holds returns the holds in force, by lot.
func (bk *Book) Holds() []Hold {
	var out []Hold
	bk.holds.Range(func(_, v any) bool { out = append(out, v.(Hold)); return true })
	slices.SortFunc(out, func(a, b Hold) int { return int(a.Lot) - int(b.Lot) })
	return out
}

// PutHold puts lot h.Lot on hold; stage stages the holders'
// notifications into the same batch. A lot already on hold is refused.
func (bk *Book) PutHold(h Hold, stage func(b *store.Batch) error) error {
	if err := checkText("reason", h.Reason, 1000, true); err != nil {
		return err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	if bk.Held(h.Lot) {
		return fmt.Errorf("%w: lot %d is on hold already", ErrState, h.Lot)
	}
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Set(HoldKey(h.Lot), h.AppendBinary(nil)); err != nil {
		return err
	}
	if err := stage(b); err != nil {
		return err
	}
	if err := b.Commit(true); err != nil {
		return err
	}
	bk.holds.Store(h.Lot, h)
	bk.ob.Kick()
	return nil
}

// ReleaseHold ends lot's hold.
func (bk *Book) ReleaseHold(lot uint32) (Hold, error) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	v, ok := bk.holds.Load(lot)
	if !ok {
		return Hold{}, fmt.Errorf("%w: lot %d is not on hold", ErrNotFound, lot)
	}
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Delete(HoldKey(lot)); err != nil {
		return Hold{}, err
	}
	if err := b.Commit(true); err != nil {
		return Hold{}, err
	}
	bk.holds.Delete(lot)
	return v.(Hold), nil
}
