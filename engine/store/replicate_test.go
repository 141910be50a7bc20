package store

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// fakeReplicator records what the store hands it and answers with err.
type fakeReplicator struct {
	seqs []uint64
	err  error
}

func (f *fakeReplicator) Committed(seq uint64, repr []byte) func() error {
	f.seqs = append(f.seqs, seq)
	return func() error { return f.err }
}

// TestReplicatorSeam: a replicated store stamps each commit with the next
// log position and hands it over in order; a failed replication fails the
// synced commit (the batch is durable here, not acknowledged); imports
// are refused; a replica applies the writer's batches in order only and
// ends with the same position and keys.
func TestReplicatorSeam(t *testing.T) {
	fr := &fakeReplicator{}
	w, err := Open(t.TempDir(), &Options{Replicator: fr})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var reprs [][]byte
	fr2 := &capture{fakeReplicator: fr, reprs: &reprs}
	w.opts.Replicator = fr2
	for i := 0; i < 3; i++ {
		b := w.NewBatch()
		b.Set([]byte{prefixMeta, 0x7f, byte(i)}, []byte{byte(i)})
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
	}
	if len(fr.seqs) != 3 || fr.seqs[0] != 1 || fr.seqs[2] != 3 || w.ReplicatedSeq() != 3 {
		t.Fatalf("positions handed over %v, store at %d", fr.seqs, w.ReplicatedSeq())
	}
	fr.err = errors.New("quorum lost")
	b := w.NewBatch()
	b.Set([]byte{prefixMeta, 0x7f, 9}, []byte{9})
	if err := b.Commit(true); !errors.Is(err, ErrReplication) {
		t.Errorf("a commit whose replication failed: %v", err)
	}
	if _, err := w.IngestSorted(context.Background(), func(func(k, v []byte) error) error { return nil }); !errors.Is(err, ErrReplication) {
		t.Errorf("an ingestion on a replicated store: %v", err)
	}
	if err := w.ApplyReplicated(5, nil); !errors.Is(err, ErrReplication) {
		t.Errorf("apply on a writer: %v", err)
	}

	r, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ApplyReplicated(2, reprs[1]); !errors.Is(err, ErrReplication) {
		t.Errorf("batch 2 before 1: %v", err)
	}
	for i, repr := range reprs {
		if err := r.ApplyReplicated(uint64(i+1), repr); err != nil {
			t.Fatal(err)
		}
	}
	if r.ReplicatedSeq() != 4 {
		t.Errorf("replica at %d, want 4", r.ReplicatedSeq())
	}
	for i := 0; i < 3; i++ {
		if ok, err := r.Has([]byte{prefixMeta, 0x7f, byte(i)}); !ok || err != nil {
			t.Errorf("key %d missing on the replica: %v", i, err)
		}
	}
	if err := r.ApplyReplicated(4, reprs[3]); !errors.Is(err, ErrReplication) {
		t.Errorf("batch 4 applied twice: %v", err)
	}
}

// capture keeps a copy of every batch besides answering as its fake.
type capture struct {
	*fakeReplicator
	reprs *[][]byte
}

func (c *capture) Committed(seq uint64, repr []byte) func() error {
	*c.reprs = append(*c.reprs, repr)
	return c.fakeReplicator.Committed(seq, repr)
}

// TestApplyReplicatedBatchesPowerLoss: a replica's store applies the
// writer's batches in groups of one to eight under one sync each, on a
// crashable in-memory filesystem; at random points a crash (a clone of
// the filesystem keeping a random share of what was not synced) is taken
// while a group applies. Every clone reopens at a position at or after
// the last group acknowledged, holding exactly the writer's contents at
// that position — no batch half applied, none applied twice or skipped —
// and, applying the rest from its position, ends byte-identical to the
// writer.
func TestApplyReplicatedBatchesPowerLoss(t *testing.T) {
	const n = 400
	rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
	var reprs [][]byte
	w, err := Open("", &Options{FS: vfs.NewMem(), Replicator: &capture{fakeReplicator: &fakeReplicator{}, reprs: &reprs}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	key := func(i int) []byte { return []byte{prefixMeta, 0x7f, byte(i >> 8), byte(i)} }
	want := [][][2][]byte{contents(t, w)} // want[p]: the writer at position p
	for i := 1; i <= n; i++ {
		b := w.NewBatch()
		b.Set(key(i%7), []byte{byte(i), byte(i >> 8)}) // overwritten by later batches
		b.Delete(key((i + 3) % 7))
		b.Set(key(16+i), bytes.Repeat([]byte{byte(i)}, 1+i*37%900))
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
		want = append(want, contents(t, w))
	}

	fs := vfs.NewCrashableMem()
	r, err := Open("", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	// apply applies batches from..to of the writer's to db in groups.
	apply := func(db *DB, from, to int) {
		for i := from; i <= to; {
			j := min(to, i+rng.IntN(8))
			if err := db.ApplyReplicatedBatches(uint64(i), reprs[i-1:j]); err != nil {
				t.Fatalf("batches %d–%d: %v", i, j, err)
			}
			i = j + 1
		}
	}
	crashes := 0
	for at := 1; at <= n; {
		j := min(n, at+rng.IntN(8))
		if rng.IntN(4) > 0 {
			if err := r.ApplyReplicatedBatches(uint64(at), reprs[at-1:j]); err != nil {
				t.Fatal(err)
			}
			at = j + 1
			continue
		}
		crashes++
		acked := at - 1
		done := make(chan *vfs.MemFS)
		pct := rng.IntN(101)
		cloneRNG := rand.New(rand.NewPCG(uint64(at), 2))
		go func() { done <- fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: cloneRNG}) }()
		if err := r.ApplyReplicatedBatches(uint64(at), reprs[at-1:j]); err != nil {
			t.Fatal(err)
		}
		at = j + 1
		clone, err := Open("", &Options{FS: <-done})
		if err != nil {
			t.Fatalf("reopen after a crash while applying %d–%d: %v", acked+1, j, err)
		}
		p := int(clone.ReplicatedSeq())
		if p < acked || p > j {
			t.Fatalf("crash while applying %d–%d (%d%% of unsynced data kept): reopened at position %d", acked+1, j, pct, p)
		}
		if got := contents(t, clone); !slices.EqualFunc(got, want[p], eqKV) {
			t.Fatalf("crash while applying %d–%d: at position %d the store differs from the writer's there", acked+1, j, p)
		}
		apply(clone, p+1, n)
		if got := contents(t, clone); !slices.EqualFunc(got, want[n], eqKV) {
			t.Fatalf("crash while applying %d–%d: the replica caught up from %d differs from the writer", acked+1, j, p)
		}
		if err := clone.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := contents(t, r); r.ReplicatedSeq() != n || !slices.EqualFunc(got, want[n], eqKV) {
		t.Fatalf("replica at %d differs from the writer", r.ReplicatedSeq())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d crashes", crashes)
	// A group whose batch carries another position, or out of order, is
	// refused whole.
	z, err := Open("", &Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if err := z.ApplyReplicatedBatches(1, [][]byte{reprs[0], reprs[2]}); !errors.Is(err, ErrReplication) || z.ReplicatedSeq() != 0 {
		t.Errorf("batches 1 and 3 as 1–2: %v, position %d", err, z.ReplicatedSeq())
	}
	if err := z.ApplyReplicatedBatches(1, [][]byte{reprs[0], {1, 2}}); !errors.Is(err, ErrReplication) || z.ReplicatedSeq() != 0 {
		t.Errorf("a damaged second batch: %v, position %d", err, z.ReplicatedSeq())
	}
	if ok, _ := z.Has(key(1)); ok {
		t.Error("a refused group wrote its first batch")
	}
}

// contents lists every key and value of db in key order.
func contents(t *testing.T, db *DB) [][2][]byte {
	t.Helper()
	var kvs [][2][]byte
	if err := db.Scan(nil, nil, func(k, v []byte) error {
		kvs = append(kvs, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return kvs
}

func eqKV(a, b [2][]byte) bool { return bytes.Equal(a[0], b[0]) && bytes.Equal(a[1], b[1]) }
