package store

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// TestBatchFamilies: a batch's families are those of the keys it sets
// or deletes, the replication position counting for none; a replica's
// store refuses local commits.
func TestBatchFamilies(t *testing.T) {
	repr := func(keys ...[]byte) []byte {
		b := new(pebble.Batch)
		for _, k := range keys {
			if err := b.Set(k, []byte{1}, nil); err != nil {
				t.Fatal(err)
			}
		}
		return b.Repr()
	}
	cases := []struct {
		keys [][]byte
		want Families
	}{
		{[][]byte{MetaKey(MetaReplSeq)}, 0},
		{[][]byte{MetaKey(MetaReplSeq), MetaKey(MetaNextBlock), {prefixBlock, 1}}, FamIssue},
		{[][]byte{{prefixItemState, 1}, {prefixEvent, 2}}, FamTrace},
		{[][]byte{{prefixSectorProduct, 1}}, FamSector},
		{[][]byte{{prefixRecallObject, 1}, {prefixAPIKey, 1}, {prefixScanStats, 1}}, FamNotices | FamKeys | FamScans},
		{[][]byte{{prefixCreditRecord}, {prefixSession}, {prefixStatCount}}, FamDuties | FamAccounts | FamStats},
	}
	for i, c := range cases {
		got, err := BatchFamilies(repr(c.keys...))
		if err != nil || got != c.want {
			t.Errorf("case %d: families %b, %v; want %b", i, got, err, c.want)
		}
	}
	bad := append(make([]byte, 12), byte(pebble.InternalKeyKindSet), 0xFF, 0xFF, 0xFF)
	bad[8] = 1 // one record, whose key length runs past the end
	for _, r := range [][]byte{{1, 2, 3}, bad} {
		if _, err := BatchFamilies(r); !errors.Is(err, ErrCorrupt) {
			t.Errorf("a damaged batch %x: %v, want ErrCorrupt", r, err)
		}
	}

	d, err := Open(t.TempDir(), &Options{Replica: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b := d.NewBatch()
	b.Set([]byte{prefixOrg, 1}, []byte{1})
	if err := b.Commit(true); !errors.Is(err, ErrReplica) {
		t.Errorf("a local commit on a replica's store: %v, want ErrReplica", err)
	}
	if _, err := Open(t.TempDir(), &Options{Replica: true, Replicator: nopReplicator{}}); err == nil {
		t.Error("a store both writer and replica opened")
	}
}

type nopReplicator struct{}

func (nopReplicator) Committed(uint64, []byte) func() error { return nil }
