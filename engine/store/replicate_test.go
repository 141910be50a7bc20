package store

import (
	"context"
	"errors"
	"testing"
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
