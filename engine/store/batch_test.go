package store

import (
	"errors"
	"testing"
)

// TestBatchCloseAfterCommit closes committed batches again (as a deferred
// Close after Commit does) while another writer holds a fresh batch from
// Pebble's pool: the second Close must not reset the other writer's batch,
// whose write must commit.
func TestBatchCloseAfterCommit(t *testing.T) {
	db, err := Open(t.TempDir(), &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := uint32(1); i <= 200; i++ {
		a := db.NewBatch()
		a.Set(AppendOrgKey(nil, 1_000_000+i), Uint(i).AppendBinary(nil))
		if err := a.Commit(true); err != nil {
			t.Fatal(err)
		}
		other := db.NewBatch() // Pebble may hand out a's pooled batch
		other.Set(AppendOrgKey(nil, i), Uint(i).AppendBinary(nil))
		a.Close() // must not touch the pooled batch
		a.Close()
		if err := other.Commit(true); err != nil {
			t.Fatalf("round %d: the other writer's commit: %v", i, err)
		}
		other.Close()
		if found, err := db.Has(AppendOrgKey(nil, i)); err != nil || !found {
			t.Fatalf("round %d: the other writer's key is missing after a second Close of a committed batch (found %v, %v)", i, found, err)
		}
	}
}

// TestBatchWriteErrors: a write to a committed batch returns an error, and
// a batch one of whose writes failed is refused whole by Commit.
func TestBatchWriteErrors(t *testing.T) {
	db, err := Open(t.TempDir(), &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	b := db.NewBatch()
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(AppendOrgKey(nil, 1), nil); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("Set on a committed batch = %v, want ErrBatchClosed", err)
	}
	if err := b.Delete(AppendOrgKey(nil, 1)); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("Delete on a committed batch = %v, want ErrBatchClosed", err)
	}
	if err := b.Commit(true); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("second Commit = %v, want ErrBatchClosed", err)
	}

	// A failed write (injected: Pebble's own failures need a 4 GiB batch)
	// makes Commit refuse the whole batch.
	b = db.NewBatch()
	if err := b.Set(AppendOrgKey(nil, 2), Uint(2).AppendBinary(nil)); err != nil {
		t.Fatal(err)
	}
	injected := errors.New("injected")
	if err := b.note("set", AppendOrgKey(nil, 3), injected); !errors.Is(err, injected) {
		t.Fatalf("note = %v", err)
	}
	if err := b.Commit(true); !errors.Is(err, injected) {
		t.Fatalf("Commit of a batch with a failed write = %v, want the write's error", err)
	}
	if found, _ := db.Has(AppendOrgKey(nil, 2)); found {
		t.Fatal("a batch with a failed write was applied in part")
	}
	b.Close() // idempotent after a refused commit
}
