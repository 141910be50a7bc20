package ledger

import (
	"fmt"

	"tracecode/engine/store"
)

// Reader reads many records' summaries and payload bodies, as a query
// reads the events an index walk finds: through one store iterator per
// keyspace, each moved forward by SeekGE, instead of a point Get per
// record. A Get builds and drops a Pebble iterator stack (every memtable
// and level) for each key; a walk's records come in increasing sequence
// order (an index range ends in the seq; the region index's time order is
// the seq order of events captured in time order), so a SeekGE past the
// last one mostly steps within the block already read. The profile of the
// bench's step-region-time query had the payload Get at half its CPU.
// Records read out of order are still found (a SeekGE backwards is a
// full seek).
//
// A Reader is not safe for concurrent use; Close releases its iterators.
type Reader struct {
	l        *Ledger
	sum, pay *store.Iter
	kb       [9]byte
	// slab holds copies of bodies: each body returned is a slice of it
	// that is never written again, so it outlives the Reader; a body that
	// does not fit starts a new slab (one allocation per slab, not one per
	// event).
	slab []byte
}

// readerSlab is the size of a Reader's body slab: about a hundred
// captured events' JSON.
const readerSlab = 64 << 10

// NewReader returns a Reader of l's records. Its iterators open at the
// first read.
func (l *Ledger) NewReader() *Reader { return &Reader{l: l} }

// Close releases the Reader's iterators.
func (r *Reader) Close() error {
	var err error
	for _, it := range []*store.Iter{r.sum, r.pay} {
		if it != nil {
			if cerr := it.Close(); err == nil {
				err = cerr
			}
		}
	}
	r.sum, r.pay = nil, nil
	return err
}

// seek positions *it (opened over ks at the first call) at key and
// returns its value when the key is there.
func (r *Reader) seek(it **store.Iter, ks store.KeySpace, key []byte) ([]byte, bool, error) {
	if *it == nil {
		lo, hi := ks.Bounds()
		i, err := r.l.db.NewIter(lo, hi)
		if err != nil {
			return nil, false, err
		}
		*it = i
	}
	if !(*it).SeekGE(key) || string((*it).Key()) != string(key) {
		return nil, false, (*it).Error()
	}
	v, err := (*it).Value()
	return v, err == nil, err
}

// Summary is Ledger.Summary through the Reader's iterator: the cache
// first, then the store (the summary read is cached).
func (r *Reader) Summary(seq uint64) (*Summary, bool, error) {
	if s := r.l.cache.get(seq); s != nil {
		return s, true, nil
	}
	v, found, err := r.seek(&r.sum, store.EventKeys, AppendSummaryKey(r.kb[:0], seq))
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("ledger: record %d: %w", seq, err)
		}
		return nil, false, err
	}
	d, err := DecodeSummary(seq, v)
	if err != nil {
		return nil, false, fmt.Errorf("ledger: record %d: %w", seq, err)
	}
	r.l.cache.put(&d)
	return &d, true, nil
}

// PayloadBody is Ledger.PayloadBody through the Reader's iterator: the
// body is a copy (in the Reader's slab) that outlives the Reader.
func (r *Reader) PayloadBody(seq uint64) ([]byte, bool, error) {
	v, found, err := r.seek(&r.pay, store.EventPayloadKeys, AppendPayloadKey(r.kb[:0], seq))
	if err == nil && found {
		var b []byte
		if b, err = DecodePayloadBody(v); err == nil {
			if len(b) > cap(r.slab)-len(r.slab) {
				r.slab = make([]byte, 0, max(readerSlab, len(b)))
			}
			n := len(r.slab)
			r.slab = append(r.slab, b...)
			return r.slab[n:len(r.slab):len(r.slab)], true, nil
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("ledger: payload of record %d: %w", seq, err)
	}
	return nil, false, nil
}
