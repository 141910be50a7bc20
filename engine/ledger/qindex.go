package ledger

import (
	"math"
	"strings"

	"tracecode/engine/store"
)

// The query indexes find captured EPCIS events by what the EPCIS query
// interface asks for most: an event time range, a business step or
// disposition, a read point or business location. Every key ends with the
// record's sequence number, and a value is the version byte alone.
//
// # Representation (value version 1)
//
//	0x98 | eventTime u64 (unix ms + 2^63) | seq u64        → ver=1
//	0x99 | field u8 (1 bizStep, 2 disposition) | term | 0x00 | seq u64 → ver=1
//	0x9B | role u8 (1 readPoint, 2 bizLocation) | id | 0x00 | seq u64  → ver=1
//
// Terms and identifiers are the summary's strings (CBV terms as the
// parser normalised them, identifiers as captured). Only KindEPCIS records
// are indexed (the query answers captured events); a string that is empty,
// longer than MaxIndexedTerm or holds a 0x00 byte is not indexed, and a
// query on it filters instead (QueryIndexable).
const (
	// QueryStepBizStep and QueryStepDisposition are the field bytes of
	// the step index.
	QueryStepBizStep     byte = 1
	QueryStepDisposition byte = 2
	// QueryPlaceReadPoint and QueryPlaceBizLocation are the role bytes of
	// the place index.
	QueryPlaceReadPoint   byte = 1
	QueryPlaceBizLocation byte = 2
	// MaxIndexedTerm bounds the strings the step and place indexes hold.
	MaxIndexedTerm = 512
)

const queryIndexVersion = 1

// QueryIndexable reports whether the step and place indexes hold s.
func QueryIndexable(s string) bool {
	return s != "" && len(s) <= MaxIndexedTerm && !strings.ContainsRune(s, 0)
}

// QueryTimeKey appends the event-time index key prefix of unix ms t.
func QueryTimeKey(dst []byte, t int64) []byte {
	return store.AppendEvTimeKey(dst, t)
}

// QueryStepKey appends the step index prefix of a term (without the seq).
func QueryStepKey(dst []byte, field byte, term string) []byte {
	return store.AppendEvStepKey(dst, field, term)
}

// QueryPlaceKey appends the place index prefix of a location (without
// the seq).
func QueryPlaceKey(dst []byte, role byte, id string) []byte {
	return store.AppendEvPlaceKey(dst, role, id)
}

// queryKeys calls fn with every query index key of s.
func queryKeys(kb []byte, s *Summary, fn func(k []byte)) []byte {
	if s.Kind != KindEPCIS {
		return kb
	}
	kb = store.AppendSeq(QueryTimeKey(kb[:0], s.EventTime), s.Seq)
	fn(kb)
	for _, t := range [...]struct {
		p     func([]byte, byte, string) []byte
		field byte
		term  string
	}{
		{QueryStepKey, QueryStepBizStep, string(s.BizStep)},
		{QueryStepKey, QueryStepDisposition, string(s.Disposition)},
		{QueryPlaceKey, QueryPlaceReadPoint, s.ReadPoint},
		{QueryPlaceKey, QueryPlaceBizLocation, s.BizLocation},
	} {
		if QueryIndexable(t.term) {
			kb = store.AppendSeq(t.p(kb[:0], t.field, t.term), s.Seq)
			fn(kb)
		}
	}
	return kb
}

// indexQuery writes the query index keys of s (appended, s.Seq set).
func (t *Tx) indexQuery(s *Summary) {
	t.kb = queryKeys(t.kb, s, func(k []byte) { t.b.Set(k, []byte{queryIndexVersion}) })
}

// QueryKeySeq returns the record sequence number a query index key ends
// with, and whether the key has a query index layout.
func QueryKeySeq(k []byte) (uint64, bool) {
	return store.DecodeQueryIndexSeq(k)
}

// QueryTimeOf returns the event time (unix ms) of an event-time key.
func QueryTimeOf(k []byte) int64 {
	t, _ := store.DecodeEvTimeKey(k)
	return t
}

// queryIndexesBuilt is the meta record's value once every record is
// indexed; a smaller value is the last record a build interrupted by a
// crash had indexed.
const queryIndexesBuilt = math.MaxUint64

// QueryIndexesBuilt reports whether the meta record marks the query
// indexes built.
func QueryIndexesBuilt(db *store.DB) (bool, error) {
	var done store.Uint
	_, err := db.Get(store.MetaKey(store.MetaQueryIndexed), func(v []byte) (err error) {
		done, err = store.DecodeUint("query indexes built", v)
		return err
	})
	return uint64(done) == queryIndexesBuilt, err
}

// BuildQueryIndexes writes the query index keys of every record of a store
// written before the query indexes existed, in batches of batch records,
// each synced with the meta record MetaQueryIndexed advanced to its last
// record (a crash resumes after it); the last batch marks the indexes
// built, after which every record is indexed as it is appended. Open calls
// it before the ledger takes appends. It returns how many records it read.
func BuildQueryIndexes(db *store.DB, batch int) (int, error) {
	if batch <= 0 {
		batch = 4096
	}
	var done store.Uint
	if _, err := db.Get(store.MetaKey(store.MetaQueryIndexed), func(v []byte) (err error) {
		done, err = store.DecodeUint("query indexes built", v)
		return err
	}); err != nil {
		return 0, err
	}
	if uint64(done) == queryIndexesBuilt {
		return 0, nil
	}
	it, err := db.NewIter(store.EventKeys.Bounds())
	if err != nil {
		return 0, err
	}
	defer it.Close()
	read := 0
	b := db.NewBatch()
	defer func() { b.Close() }()
	var kb, vb []byte
	n := 0
	for ok := it.SeekGE(AppendSummaryKey(nil, uint64(done)+1)); ok; ok = it.Next() {
		seq, err := store.DecodeSeqKey(it.Key())
		if err != nil {
			return read, err
		}
		v, err := it.Value()
		if err != nil {
			return read, err
		}
		s, err := DecodeSummary(seq, v)
		if err != nil {
			return read, err
		}
		kb = queryKeys(kb, &s, func(k []byte) { b.Set(k, []byte{queryIndexVersion}) })
		read++
		if n++; n == batch {
			vb = store.Uint(seq).AppendBinary(vb[:0])
			b.Set(store.MetaKey(store.MetaQueryIndexed), vb)
			if err := b.Commit(true); err != nil {
				return read, err
			}
			b.Close()
			b = db.NewBatch()
			n = 0
		}
	}
	vb = store.Uint(queryIndexesBuilt).AppendBinary(vb[:0])
	b.Set(store.MetaKey(store.MetaQueryIndexed), vb)
	return read, b.Commit(true)
}

// QueryTimeBounds returns the event-time index range [lo, hi) of event
// times in [ge, lt) (math.MinInt64 / math.MaxInt64 for open ends).
func QueryTimeBounds(ge, lt int64) (lo, hi []byte) {
	return store.EvTimeBounds(ge, lt)
}
