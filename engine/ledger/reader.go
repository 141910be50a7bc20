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
// full seek). The first few reads of each keyspace are point Gets: an
// iterator costs more to open than a Get, which a query of one record
// (MATCH_anyEPC of one code) would pay for nothing.
//
// A Reader is not safe for concurrent use; Close releases its iterators.
type Reader struct {
	l        *Ledger
	sum, pay *store.Iter
	gets     [2]int // point reads made of each keyspace (summaries, payloads)
	kb       [9]byte
	// slab holds copies of bodies: each body returned is a slice of it
	// that is never written again, so it outlives the Reader; a body that
	// does not fit starts a new slab (one allocation per slab, not one per
	// event).
	slab []byte
}

// readerSlab is the largest size of a Reader's body slab (about a
// hundred captured events' JSON); the first is 4 KiB, each next one twice
// the last.
const readerSlab = 64 << 10

// readerGets is how many records of a keyspace a Reader reads by point
// Gets before it opens an iterator.
const readerGets = 4

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

// read calls fn with the value of key (in keyspace ks, the i-th of the
// Reader's) when the store holds it: a point Get for the first
// readerGets reads, then through *it (opened over ks then), positioned at
// key.
func (r *Reader) read(i int, it **store.Iter, ks store.KeySpace, key []byte, fn func(v []byte) error) (bool, error) {
	if r.gets[i] < readerGets {
		r.gets[i]++
		return r.l.db.Get(key, fn)
	}
	v, found, err := r.seek(it, ks, key)
	if err != nil || !found {
		return false, err
	}
	return true, fn(v)
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
	var s *Summary
	found, err := r.read(0, &r.sum, store.EventKeys, AppendSummaryKey(r.kb[:0], seq), func(v []byte) error {
		d, err := DecodeSummary(seq, v)
		s = &d
		return err
	})
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("ledger: record %d: %w", seq, err)
		}
		return nil, false, err
	}
	r.l.cache.put(s)
	return s, true, nil
}

// PayloadBody is Ledger.PayloadBody through the Reader's iterator: the
// body is a copy (in the Reader's slab) that outlives the Reader.
func (r *Reader) PayloadBody(seq uint64) ([]byte, bool, error) {
	var body []byte
	found, err := r.read(1, &r.pay, store.EventPayloadKeys, AppendPayloadKey(r.kb[:0], seq), func(v []byte) error {
		b, err := DecodePayloadBody(v)
		if err != nil {
			return err
		}
		if len(b) > cap(r.slab)-len(r.slab) {
			r.slab = make([]byte, 0, max(min(2*cap(r.slab), readerSlab), 4<<10, len(b)))
		}
		n := len(r.slab)
		r.slab = append(r.slab, b...)
		body = r.slab[n:len(r.slab):len(r.slab)]
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("ledger: payload of record %d: %w", seq, err)
	}
	return body, found, nil
}
