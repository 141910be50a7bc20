package ledger

import (
	"encoding/binary"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// The event indexes find the records about a code, a run of codes, a lot
// or a product. Keys end with the record's sequence number, so a scan
// returns records in log order; values say the role.
//
// # Representation (value version 1)
//
//	0x88 | product u32 | counter u64 | seq u64   → ver=1 | role u8            one code (product 0: an SSCC)
//	0x89 | product u32 | first u64 | seq u64     → ver=1 | role u8 | span uvarint
//	0x8A | lot u32 | seq u64                     → ver=1 | role u8
//	0x8B | product u32 | seq u64                 → ver=1 | role u8
//	0x8C | lot u32 | seq u64                     → ver=1 | role u8            reached through containment
//	0x8D | product u32 | counter u64 | seq u64   → ver=1 | role u8            packed into or out of this parent
//
// A run of at least MinRun consecutive codes is indexed as 0x89 run keys,
// split at multiples of RunWindow so that the runs holding counter c all
// start in [c rounded down to RunWindow, c]: a resolver finds them with
// one bounded scan. Shorter runs get one 0x88 key per code, which a
// resolver finds with one prefix scan.
const (
	MinRun    = 8
	RunWindow = 1 << 16
)

const indexVersion = 1

// appendIndexValue appends the value of a one-code, lot, product, reach or
// parent index key.
func appendIndexValue(dst []byte, role Role) []byte {
	w := wire.Writer{B: dst}
	w.Version(indexVersion)
	w.U8(byte(role))
	return w.B
}

// appendRunIndexValue appends the value of a run index key: the run is
// span+1 counters long.
func appendRunIndexValue(dst []byte, role Role, span uint64) []byte {
	w := wire.Writer{B: dst}
	w.Version(indexVersion)
	w.U8(byte(role))
	w.Uvarint(span)
	return w.B
}

// DecodeRunIndexValue decodes the value of a run index key (0x89): the
// role of the run in its record and its span (the run is span+1 counters
// long). Errors wrap store.ErrCorrupt or store.ErrVersion.
func DecodeRunIndexValue(v []byte) (Role, uint64, error) {
	d := wire.Reader{What: "run index", B: v}
	d.Version(indexVersion)
	d.Field = "role"
	role := Role(d.U8())
	d.Field = "span"
	span := d.Uvarint()
	d.Field = ""
	return role, span, d.Done()
}

// IndexNode records that record seq is about code (product, counter).
func (t *Tx) IndexNode(product uint32, counter, seq uint64, role Role) {
	t.kb = store.AppendSeq(store.AppendEvNodeKey(t.kb[:0], product, counter), seq)
	t.vb = appendIndexValue(t.vb[:0], role)
	t.b.Set(t.kb, t.vb)
}

// IndexRun records that record seq is about counters first..last of
// product.
func (t *Tx) IndexRun(product uint32, first, last, seq uint64, role Role) {
	if last-first+1 < MinRun {
		for c := first; ; c++ {
			t.IndexNode(product, c, seq, role)
			if c == last {
				return
			}
		}
	}
	for lo := first; ; {
		hi := min(last, lo-lo%RunWindow+RunWindow-1)
		t.kb = store.AppendSeq(store.AppendEvRunKey(t.kb[:0], product, lo), seq)
		t.vb = appendRunIndexValue(t.vb[:0], role, hi-lo)
		t.b.Set(t.kb, t.vb)
		if hi == last {
			return
		}
		lo = hi + 1
	}
}

func (t *Tx) index32(appendKey func([]byte, uint32) []byte, id uint32, seq uint64, role Role) {
	t.kb = store.AppendSeq(appendKey(t.kb[:0], id), seq)
	t.vb = appendIndexValue(t.vb[:0], role)
	t.b.Set(t.kb, t.vb)
}

// IndexLot records that record seq names lot.
func (t *Tx) IndexLot(lot uint32, seq uint64, role Role) {
	t.index32(store.AppendEvLotKey, lot, seq, role)
}

// IndexProduct records that record seq names a whole product.
func (t *Tx) IndexProduct(product uint32, seq uint64, role Role) {
	t.index32(store.AppendEvProductKey, product, seq, role)
}

// IndexParent records that record seq packed children into parent code
// (product, counter), or took some out. Kept apart from IndexNode so that
// a case's packing does not make every item inside scan the case's
// records: packing records concern the children they moved, which find
// them through their own runs and history.
func (t *Tx) IndexParent(product uint32, counter, seq uint64, role Role) {
	t.kb = store.AppendSeq(store.AppendEvParentKey(t.kb[:0], product, counter), seq)
	t.vb = appendIndexValue(t.vb[:0], role)
	t.b.Set(t.kb, t.vb)
}

// IndexLotReach records that record seq reached items of lot through
// containment (an event on a pallet holding cases of the lot), for the
// forward trace.
func (t *Tx) IndexLotReach(lot uint32, seq uint64, role Role) {
	t.index32(store.AppendLotReachKey, lot, seq, role)
}

// Hit is one index entry found by an IndexReader.
type Hit struct {
	Seq  uint64
	Role Role
}

// IndexReader reads the event indexes with one iterator. Use it from one
// goroutine for one short task, then Close it.
type IndexReader struct {
	it     *store.Iter
	kb     []byte
	shared bool
}

// NewIndexReader opens an IndexReader over a database or snapshot
// iterator source.
func NewIndexReader(db *store.DB) (*IndexReader, error) {
	it, err := db.NewIter(IndexLower, IndexUpper)
	if err != nil {
		return nil, err
	}
	return &IndexReader{it: it, kb: make([]byte, 0, 32)}, nil
}

// Reset points an IndexReader at it, an iterator whose bounds include
// [IndexLower, IndexUpper); the caller keeps ownership (Close does
// nothing). A reused IndexReader value allocates nothing.
func (r *IndexReader) Reset(it *store.Iter) { r.it, r.kb, r.shared = it, r.kb[:0], true }

// IndexLower and IndexUpper bound the keys an IndexReader reads.
var IndexLower, IndexUpper = store.EventIndexBounds()

// Close releases the iterator (unless it was shared).
func (r *IndexReader) Close() error {
	if r.shared {
		return nil
	}
	return r.it.Close()
}

// scan calls fn for every key starting with prefix (of length n+8, the
// last 8 bytes the seq), decoding the role.
func (r *IndexReader) scan(prefix []byte, fn func(h Hit) bool) error {
	n := len(prefix)
	for ok := r.it.SeekGE(prefix); ok; ok = r.it.Next() {
		k := r.it.Key()
		if len(k) != n+8 || string(k[:n]) != string(prefix) {
			break
		}
		v, err := r.it.Value()
		if err != nil {
			return err
		}
		if len(v) < 2 || v[0] != indexVersion {
			return fmt.Errorf("%w: index value %x of key %x", store.ErrCorrupt, v, k)
		}
		if !fn(Hit{Seq: binary.BigEndian.Uint64(k[n:]), Role: Role(v[1])}) {
			break
		}
	}
	return nil
}

// Node calls fn with the records about code (product, counter) indexed one
// code at a time, in log order.
func (r *IndexReader) Node(product uint32, counter uint64, fn func(h Hit) bool) error {
	r.kb = store.AppendEvNodeKey(r.kb[:0], product, counter)
	return r.scan(r.kb, fn)
}

// Parent calls fn with the records that packed children into (or out of)
// parent code (product, counter), in log order.
func (r *IndexReader) Parent(product uint32, counter uint64, fn func(h Hit) bool) error {
	r.kb = store.AppendEvParentKey(r.kb[:0], product, counter)
	return r.scan(r.kb, fn)
}

// Runs calls fn with the records indexed as runs that hold counter of
// product (order: by run start, then log order).
func (r *IndexReader) Runs(product uint32, counter uint64, fn func(h Hit) bool) error {
	r.kb = store.AppendEvRunKey(r.kb[:0], product, counter-counter%RunWindow)
	for ok := r.it.SeekGE(r.kb); ok; ok = r.it.Next() {
		k := r.it.Key()
		kp, first, seq, err := store.DecodeEvRunKey(k)
		if err != nil || kp != product {
			break
		}
		if first > counter {
			break
		}
		v, err := r.it.Value()
		if err != nil {
			return err
		}
		role, span, err := DecodeRunIndexValue(v)
		if err != nil {
			return fmt.Errorf("%w (key %x)", err, k)
		}
		if counter-first <= span && !fn(Hit{Seq: seq, Role: role}) {
			break
		}
	}
	return nil
}

func (r *IndexReader) by32(appendKey func([]byte, uint32) []byte, id uint32, fn func(h Hit) bool) error {
	r.kb = appendKey(r.kb[:0], id)
	return r.scan(r.kb, fn)
}

// Lot calls fn with the records naming lot, in log order.
func (r *IndexReader) Lot(lot uint32, fn func(h Hit) bool) error {
	return r.by32(store.AppendEvLotKey, lot, fn)
}

// Product calls fn with the records naming product as a whole.
func (r *IndexReader) Product(product uint32, fn func(h Hit) bool) error {
	return r.by32(store.AppendEvProductKey, product, fn)
}

// LotReach calls fn with the records that reached items of lot through
// containment.
func (r *IndexReader) LotReach(lot uint32, fn func(h Hit) bool) error {
	return r.by32(store.AppendLotReachKey, lot, fn)
}
