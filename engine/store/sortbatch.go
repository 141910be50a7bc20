package store

import (
	"bytes"
	"math"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// Sorted commits. Pebble applies a batch to the memtable in the order its
// writes were made, one skiplist insert each, and an insert is cheap only
// when it lands next to the previous one (the inserter keeps its splice).
// A report writes a dozen kinds of keys per record in turn — summary,
// payload, log entry, hash, query and code indexes, item state — so each
// insert searches the whole memtable. Committed in key order instead, the
// keys of one kind follow each other and most inserts reuse the splice
// (BenchmarkCapture500's profile: the commit's memtable inserts were a
// fifth of a capture's CPU).
//
// Reordering changes nothing a reader can see as long as the batch holds
// point writes only: the batch is applied atomically, and writes to the
// same key keep their order (the sort is stable), so the last one still
// wins. A batch with a range deletion (which covers keys by sequence
// number) or any other kind is committed as made.

// minSortedCommit is the fewest writes worth sorting.
const minSortedCommit = 64

// sortedEntry is one point write of a batch being sorted; i is its place
// in the batch (the tie-break that keeps writes to one key in order).
type sortedEntry struct {
	kind pebble.InternalKeyKind
	i    int32
	k, v []byte
}

func compareEntries(a, b sortedEntry) int {
	if c := bytes.Compare(a.k, b.k); c != 0 {
		return c
	}
	return int(a.i - b.i)
}

// sortForCommit replaces b's Pebble batch by one holding the same writes
// in key order, when b holds at least minSortedCommit point writes and
// nothing else. The writes are spread by their first byte (the key
// space) keeping their order, and only a key space whose writes were not
// made in order is sorted: most are (a record's sequence number grows).
func (b *Batch) sortForCommit() {
	n := int(b.b.Count())
	if n < minSortedCommit || n > math.MaxInt32 {
		return
	}
	var start [257]int
	for r := b.b.Reader(); ; {
		kind, k, _, ok, err := r.Next()
		if !ok {
			if err != nil {
				return // Pebble's commit reports it
			}
			break
		}
		if kind != pebble.InternalKeyKindSet && kind != pebble.InternalKeyKindDelete || len(k) == 0 {
			return
		}
		start[int(k[0])+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	if start[256] != n {
		return
	}
	ends := start
	ents := make([]sortedEntry, n)
	pos := start
	i := int32(0)
	for r := b.b.Reader(); ; i++ {
		kind, k, v, ok, _ := r.Next()
		if !ok {
			break
		}
		ents[pos[k[0]]] = sortedEntry{kind: kind, i: i, k: k, v: v}
		pos[k[0]]++
	}
	moved := false
	for c := range 256 {
		part := ents[ends[c]:ends[c+1]]
		for j := 1; j < len(part); j++ {
			if bytes.Compare(part[j-1].k, part[j].k) > 0 {
				slices.SortFunc(part, compareEntries)
				break
			}
		}
		for j := range part {
			if int(part[j].i) != ends[c]+j {
				moved = true
				break
			}
		}
	}
	if !moved {
		return
	}
	nb := b.d.db.NewBatchWithSize(b.b.Len())
	for i := range ents {
		e := &ents[i]
		var err error
		if e.kind == pebble.InternalKeyKindSet {
			err = nb.Set(e.k, e.v, nil)
		} else {
			err = nb.Delete(e.k, nil)
		}
		if err != nil {
			nb.Close()
			return
		}
	}
	old := b.b
	b.b = nb
	_ = old.Close()
}
