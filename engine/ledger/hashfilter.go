package ledger

import (
	"bytes"
	"sync"

	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/store"
)

// The hash filter: an in-memory bloom filter of every record's content
// hash, so that a capture need not look up in the store the hashes of
// events that are certainly new (BenchmarkCapture500's profile: the
// duplicate check's seeks into the memtable were a fifth of a capture's
// CPU). It answers "certainly not in the store" or "maybe"; a "maybe" is
// looked up as before.
//
// It is never stored: Open starts building it from the event-by-hash
// index in the background, and until that scan ends every answer is
// "maybe". A crash loses nothing, since the next Open rebuilds it.
//
// A "certainly not" must never be wrong. The filter holds every hash in
// the store because:
//   - a hash committed before the build's scan started is found by the
//     scan (event-by-hash keys are never deleted, and every chunk of the
//     scan reads a newer state than the first);
//   - every hash committed since the filter was made went through
//     Tx.Append, which adds it when the record is staged, and again at
//     Publish when the filter was replaced in between (a commit fails
//     or not, an extra hash only costs a "maybe").
//
// When more hashes than it was sized for are added, the filter is
// replaced by one twice as large and built again; meanwhile it answers
// "maybe". A replica or read-only store has no filter (every answer is
// "maybe"): it takes no captures.
type hashFilter struct {
	db *store.DB

	mu    sync.Mutex
	f     *bloom.BloomFilter // GUARDED_BY(mu); nil: no filter
	gen   uint64             // GUARDED_BY(mu); bumped when f is replaced
	ready bool               // GUARDED_BY(mu); every hash in the store is in f
	n     uint               // GUARDED_BY(mu); hashes added to f
	cap   uint               // GUARDED_BY(mu); hashes f was sized for
}

// hashFilterMinCap is the fewest hashes a filter is sized for (a
// variable for the tests).
var hashFilterMinCap uint = 1 << 18

// Hash filter sizing: its false-positive rate, and the most hashes it is
// sized for (beyond it the false-positive rate grows instead: 8·2^23
// bytes hold 56 million hashes at 1 %).
const (
	hashFilterFP     = 0.01
	hashFilterMaxCap = 56 << 20
	// hashFilterChunk is how many keys one iterator of the build reads: a
	// store being closed waits for at most one chunk.
	hashFilterChunk = 1 << 16
)

// start makes a filter for about n hashes and starts building it.
func (hf *hashFilter) start(n uint64) {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	hf.resize(uint(min(n, hashFilterMaxCap)))
}

// resize replaces the filter by one sized for 2·n hashes (within the
// bounds) and starts its build. hf.mu is held.
func (hf *hashFilter) resize(n uint) {
	hf.cap = min(max(2*n, hashFilterMinCap), hashFilterMaxCap)
	hf.f = bloom.NewWithEstimates(hf.cap, hashFilterFP)
	hf.gen++
	hf.ready, hf.n = false, 0
	go hf.build(hf.gen)
}

// build adds every hash of the event-by-hash index to the filter of
// generation gen, chunk by chunk, and marks it ready. It gives up when
// the store closes or fails, or the filter is replaced.
func (hf *hashFilter) build(gen uint64) {
	lo, hi := store.EventByHashKeys.Bounds()
	lo = bytes.Clone(lo)
	var keys [][32]byte
	for {
		it, err := hf.db.NewIter(lo, hi)
		if err != nil {
			return
		}
		keys = keys[:0]
		ok := it.SeekGE(lo)
		for ; ok && len(keys) < hashFilterChunk; ok = it.Next() {
			h, err := store.DecodeEventByHashKey(it.Key())
			if err != nil {
				it.Close()
				return
			}
			keys = append(keys, [32]byte(h))
		}
		if ok {
			lo = append(lo[:0], it.Key()...)
		}
		if err := it.Close(); err != nil {
			return
		}
		hf.mu.Lock()
		if hf.gen != gen {
			hf.mu.Unlock()
			return
		}
		for i := range keys {
			hf.f.Add(keys[i][:])
		}
		hf.n += uint(len(keys))
		if !ok {
			hf.ready = true
		}
		hf.mu.Unlock()
		if !ok {
			return
		}
	}
}

// add adds hashes to the filter and returns the generation of the filter
// they went into (it may be replaced right after, when full).
func (hf *hashFilter) add(hs ...[32]byte) uint64 {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	if hf.f == nil {
		return 0
	}
	for i := range hs {
		hf.f.Add(hs[i][:])
	}
	hf.n += uint(len(hs))
	gen := hf.gen
	if hf.n > hf.cap && hf.cap < hashFilterMaxCap {
		hf.resize(hf.n)
	}
	return gen
}

// generation returns the filter's generation.
func (hf *hashFilter) generation() uint64 {
	hf.mu.Lock()
	defer hf.mu.Unlock()
	return hf.gen
}

// HashesNew sets isNew[i] when hash i is certainly not the content hash
// of a record in the store (nor of one a Tx staged since the ledger
// opened), and leaves it false when it may be: look those up
// (HashesKnown). It answers false for all until the ledger's filter of
// the hashes is built.
func (l *Ledger) HashesNew(hashes [][32]byte, isNew []bool) {
	hf := &l.hashes
	hf.mu.Lock()
	defer hf.mu.Unlock()
	if hf.f == nil || !hf.ready {
		return
	}
	for i := range hashes {
		isNew[i] = !hf.f.Test(hashes[i][:])
	}
}

// HashFilterReady reports whether the filter of record hashes is built
// (HashesNew then answers).
func (l *Ledger) HashFilterReady() bool {
	l.hashes.mu.Lock()
	defer l.hashes.mu.Unlock()
	return l.hashes.f != nil && l.hashes.ready
}
