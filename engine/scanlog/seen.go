package scanlog

import (
	"errors"
	"sync/atomic"

	"tracecode/engine/store"
)

// seenFilter is a Bloom filter of the items whose counts the store holds,
// so that the first scan of an item never scanned before does not read
// the store. Profile of the bench's resolve/http (a fresh server over a
// 10^6-item world, 10^5 codes each scanned once to warm up): the store
// read of Record's first touch was 18 % of the handler's CPU, nearly all
// of it looking for counts that did not exist.
//
// Invariant, once ready: every ref whose counts are stored was added. The
// filter exists from Open; every flush adds the refs it writes before it
// commits them, and the builder adds every ref an iterator opened after
// Open finds, so a count is added whether it was written before the
// iterator's snapshot or after. The log is the only writer of the counts
// while it is open. A false positive only costs the read it
// would have done anyway; a full filter degrades to reading every time.
type seenFilter struct {
	bits  []atomic.Uint64
	ready atomic.Bool
}

// seenBitsPerEntry sizes the filter from Options.CacheEntries: 16 bits per
// entry (four probes: about 0.2 % false positives at CacheEntries stored
// counts, 16 % at four times as many).
const seenBitsPerEntry = 16

func newSeenFilter(entries int) *seenFilter {
	words := max(entries*seenBitsPerEntry/64, 1024)
	return &seenFilter{bits: make([]atomic.Uint64, words)}
}

// probes returns the four bit positions of r.
func (f *seenFilter) probes(r Ref) [4]uint64 {
	h := (uint64(r.Product)<<40 ^ r.Counter ^ uint64(r.Product)>>24) * 0x9E3779B97F4A7C15
	h ^= h >> 29
	h2 := (h ^ 0xC2B2AE3D27D4EB4F) * 0xFF51AFD7ED558CCD
	h2 ^= h2 >> 32
	n := uint64(len(f.bits)) * 64
	var p [4]uint64
	for i := range p {
		p[i] = (h + uint64(i)*(h2|1)) % n
	}
	return p
}

func (f *seenFilter) add(r Ref) {
	for _, b := range f.probes(r) {
		w := &f.bits[b/64]
		if m := uint64(1) << (b % 64); w.Load()&m == 0 {
			w.Or(m)
		}
	}
}

// absent reports whether the store surely holds no counts of r (false
// until the filter is built).
func (f *seenFilter) absent(r Ref) bool {
	if !f.ready.Load() {
		return false
	}
	for _, b := range f.probes(r) {
		if f.bits[b/64].Load()&(uint64(1)<<(b%64)) == 0 {
			return true
		}
	}
	return false
}

var errStopped = errors.New("scanlog: stopped")

// buildSeen fills l.seen with the refs of the stored counts, in the
// background from Open; a store error leaves it unbuilt (every first
// touch reads, as without it).
func (l *Log) buildSeen() {
	defer close(l.seenDone)
	lo := store.ScanStatsKeys.Prefix()
	it, err := l.db.NewIter(lo, store.PrefixEnd(lo))
	if err != nil {
		return
	}
	if l.addStored(it) == nil && it.Close() == nil {
		l.seen.ready.Store(true)
		return
	}
	it.Close() //nolint:errcheck // the filter stays unbuilt either way
}

// addStored adds the ref of every key of it to l.seen.
func (l *Log) addStored(it *store.Iter) error {
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if n++; n%4096 == 0 {
			select {
			case <-l.stop:
				return errStopped
			default:
			}
		}
		product, counter, err := store.DecodeScanStatsKey(it.Key())
		if err != nil {
			return err
		}
		l.seen.add(Ref{Product: product, Counter: counter})
	}
	return nil
}
