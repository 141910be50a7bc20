package ledger

import (
	"math"
	"strings"

	"tracecode/engine/code/cn"
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
//	0x9A | division u32 | bizStep | 0x00 | eventTime u64 | seq u64     → ver=1
//
// Terms and identifiers are the summary's strings (CBV terms as the
// parser normalised them, identifiers as captured). The region index
// (EvRegion) holds an event once, under the division its business
// location lay in as the Division function of the ledger's Options
// answers it when the record is appended — the location's site's region
// then (a township or county), which a later move of the site does not
// change; a query checks each event against today's sites all the same.
// A query of a division walks the division and every division below it
// that holds entries (RegionSubtree: GB/T 2260 codes nest by prefix, so
// they are two ranges of division numbers). Its bizStep is "" when the
// event has none or the step index does not hold it. Only KindEPCIS records
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

// QueryRegionKey appends the region index prefix of a division and
// bizStep term ("" for events without one), without the time and seq.
func QueryRegionKey(dst []byte, division uint32, bizStep string) []byte {
	return store.AppendEvRegionKey(dst, division, bizStep)
}

// QueryRegionTime appends an event time to a region index prefix
// (QueryRegionKey): the start of the prefix's entries at or after t.
func QueryRegionTime(dst []byte, t int64) []byte { return store.AppendEvRegionTime(dst, t) }

// QueryRegionBounds returns the region index range [lo, hi) of division's
// events with bizStep term (QueryRegionKey) and event times in [ge, lt)
// (math.MinInt64 / math.MaxInt64 for open ends).
func QueryRegionBounds(division uint32, bizStep string, ge, lt int64) (lo, hi []byte) {
	p := QueryRegionKey(nil, division, bizStep)
	lo = QueryRegionTime(p, ge)
	if lt == math.MaxInt64 {
		return lo, store.PrefixEnd(p)
	}
	return lo, QueryRegionTime(p[:len(p):len(p)], lt)
}

// QueryRegionDivision returns the range of every region index entry of
// division (all its bizStep terms).
func QueryRegionDivision(division uint32) (lo, hi []byte) {
	lo = store.EvRegionDivisionPrefix(division)
	return lo, store.PrefixEnd(lo)
}

// QueryRegionDivisionRange returns the range of every region index entry
// of the divisions numbered [lo, hi).
func QueryRegionDivisionRange(lo, hi uint32) (from, to []byte) {
	from = store.EvRegionDivisionPrefix(lo)
	if hi == 0 { // 2^32 wrapped: to the end of the index
		return from, store.PrefixEnd(from[:1])
	}
	return from, store.EvRegionDivisionPrefix(hi)
}

// DecodeRegionKey decodes a complete region index key.
func DecodeRegionKey(k []byte) (division uint32, bizStep []byte, eventTime int64, seq uint64, err error) {
	return store.DecodeEvRegionKey(k)
}

// regionIndexable reports whether the region index holds events located
// in division d: a GB/T 2260 code (any level); 0 is none.
func regionIndexable(d uint32) bool {
	if d == 0 { // no division: checked first, NewRegion's error allocates
		return false
	}
	_, err := cn.NewRegion(int(d))
	return err == nil
}

// RegionSubtree returns the ranges [lo, hi) of division numbers whose
// region index entries lie in division d: d and every division below it
// (GB/T 2260 codes nest by prefix: a province PP0000 holds the six-digit
// codes PP0000–PP9999 and the townships PP0000000–PP9999999, a city
// PPCC00 its counties and their townships, a county its townships). nil
// for a code that is not a division.
func RegionSubtree(d uint32) [][2]uint32 {
	r, err := cn.NewRegion(int(d))
	if err != nil {
		return nil
	}
	var span uint32
	switch r.Level() {
	case cn.LevelTownship:
		return [][2]uint32{{d, d + 1}}
	case cn.LevelProvince:
		span = 10000
	case cn.LevelCity:
		span = 100
	default:
		span = 1
	}
	return [][2]uint32{{d, d + span}, {d * 1000, (d + span) * 1000}}
}

// Division answers the division (GB/T 2260, any level) a business
// location lay in when record seq was appended; 0: none known.
type Division func(location string, seq uint64) uint32

// queryKeys calls fn with every query index key of s; div (nil: none)
// places its business location in a division (the region index).
func queryKeys(kb []byte, s *Summary, div Division, fn func(k []byte)) []byte {
	if s.Kind != KindEPCIS {
		return kb
	}
	if div != nil && s.BizLocation != "" {
		// One key, under the location's own division: until this
		// layout an event had one under each level of its division path
		// (township, county, city, province), a third of a captured
		// event's keys in the bench's capture family.
		if d := div(s.BizLocation, s.Seq); regionIndexable(d) {
			step := string(s.BizStep)
			if !QueryIndexable(step) {
				step = ""
			}
			kb = store.AppendSeq(QueryRegionTime(QueryRegionKey(kb[:0], d, step), s.EventTime), s.Seq)
			fn(kb)
		}
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
	t.kb = queryKeys(t.kb, s, t.division, func(k []byte) { t.b.Set(k, []byte{queryIndexVersion}) })
}

// division answers the ledger's Division for the records of one Tx,
// remembering each location's answer: a Tx is one report, and the
// answers change only between reports (a site's move waits for the
// report lock).
func (t *Tx) division(location string, seq uint64) uint32 {
	if t.l.opts.Division == nil {
		return 0
	}
	if d, ok := t.divs[location]; ok {
		return d
	}
	if t.divs == nil {
		t.divs = make(map[string]uint32, 8)
	}
	d := t.l.opts.Division(location, seq)
	t.divs[location] = d
	return d
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

// The meta record MetaQueryIndexed's values once every record is
// indexed: queryIndexesBuilt with the region index of one key per event
// (EvRegion under the location's own division), queryIndexesBuiltPath
// with the region index of a key per level of the division path (stores
// written before it; Open replaces it: the EvRegion keys are dropped and
// every record indexed again), queryIndexesBuiltV1 without a region index
// (a store written before EvRegion, also indexed again from the first
// record). A smaller value is the last record a build interrupted by a
// crash had indexed: with queryBuildOneKey set, a build writing the
// one-key region index (it resumes after that record); without, a build
// of an older layout's (indexed again from the first record).
const (
	queryIndexesBuilt     = math.MaxUint64 - 2
	queryIndexesBuiltPath = math.MaxUint64 - 1
	queryIndexesBuiltV1   = math.MaxUint64
	queryBuildOneKey      = 1 << 62
)

// QueryIndexesBuilt reports whether the meta record marks the query
// indexes built (built), and with the region index (region).
func QueryIndexesBuilt(db *store.DB) (built, region bool, err error) {
	done, err := queryIndexMark(db)
	return done >= queryIndexesBuilt, done == queryIndexesBuilt, err
}

func queryIndexMark(db *store.DB) (uint64, error) {
	var done store.Uint
	_, err := db.Get(store.MetaKey(store.MetaQueryIndexed), func(v []byte) (err error) {
		done, err = store.DecodeUint("query indexes built", v)
		return err
	})
	return uint64(done), err
}

// BuildQueryIndexes writes the query index keys of every record of a store
// written before the query indexes (or the region index, or its one-key
// layout) existed, in batches of batch records, each synced with the meta
// record MetaQueryIndexed advanced to its last record (a crash resumes
// after it); the last batch marks the indexes built, after which every
// record is indexed as it is appended. div places business locations in
// divisions (nil: the region index stays empty, and a store that has one
// keeps it). A build from the first record drops the region index's keys
// first (in its first batch), so that none of an older layout remain.
// Open calls it before the ledger takes appends. It returns how many
// records it read.
func BuildQueryIndexes(db *store.DB, batch int, div Division) (int, error) {
	if batch <= 0 {
		batch = 4096
	}
	done, err := queryIndexMark(db)
	if err != nil {
		return 0, err
	}
	mark, flag := uint64(queryIndexesBuilt), uint64(queryBuildOneKey)
	if div == nil {
		mark, flag = queryIndexesBuiltV1, 0 // without the region index
	}
	switch {
	case done == mark, done == queryIndexesBuilt:
		return 0, nil
	case div == nil && done >= queryIndexesBuilt:
		return 0, nil // an older region index, rebuilt at an Open with a Division
	case done >= queryIndexesBuilt:
		done = 0 // indexed again (the others are set again as they are)
	case div != nil && done&queryBuildOneKey == 0:
		done = 0 // an older layout's build: its region keys are dropped
	}
	done &^= queryBuildOneKey
	it, err := db.NewIter(store.EventKeys.Bounds())
	if err != nil {
		return 0, err
	}
	defer it.Close()
	read := 0
	b := db.NewBatch()
	defer func() { b.Close() }()
	if done == 0 && div != nil {
		// Drop an older layout's region keys — only when there are any:
		// a range tombstone stays in the memtable until it is flushed and
		// makes every iterator opened meanwhile allocate (a fresh store's
		// first resolves did, one allocation each).
		lo, hi := store.EvRegionKeys.Bounds()
		held, err := db.AnyIn(lo, hi)
		if err != nil {
			return 0, err
		}
		if held {
			if err := b.DeleteRange(store.EvRegionKeys.Bounds()); err != nil {
				return 0, err
			}
		}
	}
	var kb, vb []byte
	n := 0
	for ok := it.SeekGE(AppendSummaryKey(nil, done+1)); ok; ok = it.Next() {
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
		kb = queryKeys(kb, &s, div, func(k []byte) { b.Set(k, []byte{queryIndexVersion}) })
		read++
		if n++; n == batch {
			vb = store.Uint(seq | flag).AppendBinary(vb[:0])
			b.Set(store.MetaKey(store.MetaQueryIndexed), vb)
			if err := b.Commit(true); err != nil {
				return read, err
			}
			b.Close()
			b = db.NewBatch()
			n = 0
		}
	}
	vb = store.Uint(mark).AppendBinary(vb[:0])
	b.Set(store.MetaKey(store.MetaQueryIndexed), vb)
	return read, b.Commit(true)
}

// QueryTimeBounds returns the event-time index range [lo, hi) of event
// times in [ge, lt) (math.MinInt64 / math.MaxInt64 for open ends).
func QueryTimeBounds(ge, lt int64) (lo, hi []byte) {
	return store.EvTimeBounds(ge, lt)
}
