package store_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"tracecode/engine/store"
	"tracecode/engine/store/storetest"
)

// TestDeferredSyncGroupCommit: writers serialised by a lock of their own
// commit with DeferSync under it and wait for durability after it. While
// one fsync is held, no writer is acknowledged, yet every writer applies
// its batch (each sees the one before: the lock does not wait for the
// disk); once the fsync is released, all of them are acknowledged with a
// handful of fsyncs, not one each.
func TestDeferredSyncGroupCommit(t *testing.T) {
	fs := storetest.NewWALSyncFS(vfs.NewMem())
	db, err := store.Open("/db", &store.Options{CacheSize: 8 << 20, FS: fs, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer fs.Release() // before Close, which syncs the log

	const writers = 16
	var (
		lock    sync.Mutex // the writers' own lock, as the report lock is
		applied atomic.Int64
		acked   atomic.Int64
		ackCh   = make(chan struct{}, writers)
		wg      sync.WaitGroup
		errs    = make(chan error, writers)
	)
	before := fs.Syncs()
	fs.Hold()
	write := func(i uint32) {
		lock.Lock()
		// The batch before this one is readable: it was applied.
		if i > 0 {
			if found, err := db.Has(store.AppendOrgKey(nil, i-1)); err != nil || !found {
				lock.Unlock()
				errs <- err
				if err == nil {
					t.Errorf("writer %d does not see writer %d's applied batch", i, i-1)
				}
				return
			}
		}
		b := db.NewBatch()
		b.DeferSync()
		b.Set(store.AppendOrgKey(nil, i), store.Uint(i).AppendBinary(nil))
		err := b.Commit(true)
		applied.Add(1)
		lock.Unlock()
		if err == nil {
			err = b.WaitDurable()
		}
		if err != nil {
			errs <- err
			return
		}
		acked.Add(1)
		ackCh <- struct{}{}
	}
	// The first writer's fsync is held; the others apply theirs behind it
	// in order.
	wg.Go(func() { write(0) })
	select {
	case <-fs.Held:
	case <-ackCh:
		t.Fatal("a deferred commit was acknowledged before any fsync")
	case err := <-errs:
		t.Fatal(err)
	}
	if applied.Load() != 1 {
		t.Fatal("the fsync started inside Commit: the sync was not deferred")
	}
	for i := uint32(1); i < writers; i++ {
		wg.Go(func() { write(i) })
		for applied.Load() <= int64(i) && len(errs) == 0 {
			runtime.Gosched()
		}
	}
	if n := acked.Load(); n != 0 {
		t.Fatalf("%d writers acknowledged while the fsync was held", n)
	}
	fs.Release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := acked.Load(); n != writers {
		t.Fatalf("%d of %d writers acknowledged", n, writers)
	}
	// One held fsync, then one (Pebble may split it in two) for the rest.
	if n := fs.Syncs() - before; n > writers/4 {
		t.Fatalf("%d fsyncs for %d deferred commits: not grouped", n, writers)
	}
	// A batch without DeferSync still waits for its own fsync in Commit.
	b := db.NewBatch()
	b.Set(store.AppendOrgKey(nil, 999), nil)
	s0 := fs.Syncs()
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if fs.Syncs() == s0 {
		t.Fatal("a synced commit without DeferSync returned before any fsync")
	}
	if err := b.WaitDurable(); err != nil {
		t.Fatal(err)
	}
}
