package store

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// walSyncFS counts the fsyncs of write-ahead-log files and, while hold is
// set, makes them wait until release is closed.
type walSyncFS struct {
	vfs.FS
	syncs   atomic.Int64
	hold    atomic.Bool
	held    chan struct{} // receives when a held sync starts waiting
	release chan struct{}
}

func (fs *walSyncFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return &walSyncFile{File: f, fs: fs}, nil
}

func (fs *walSyncFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, c)
	return fs.wrap(name, f, err)
}

func (fs *walSyncFS) ReuseForWrite(old, name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(old, name, c)
	return fs.wrap(name, f, err)
}

type walSyncFile struct {
	vfs.File
	fs *walSyncFS
}

func (f *walSyncFile) sync(do func() error) error {
	f.fs.syncs.Add(1)
	if f.fs.hold.Load() {
		select {
		case f.fs.held <- struct{}{}:
		default:
		}
		<-f.fs.release
	}
	return do()
}

func (f *walSyncFile) Sync() error     { return f.sync(f.File.Sync) }
func (f *walSyncFile) SyncData() error { return f.sync(f.File.SyncData) }

// TestDeferredSyncGroupCommit: writers serialised by a lock of their own
// commit with DeferSync under it and wait for durability after it. While
// one fsync is held, no writer is acknowledged, yet every writer applies
// its batch (each sees the one before: the lock does not wait for the
// disk); once the fsync is released, all of them are acknowledged with a
// handful of fsyncs, not one each.
func TestDeferredSyncGroupCommit(t *testing.T) {
	fs := &walSyncFS{FS: vfs.NewMem(), held: make(chan struct{}, 1), release: make(chan struct{})}
	db, err := Open("/db", &Options{CacheSize: 8 << 20, FS: fs, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var once sync.Once
	unhold := func() { once.Do(func() { fs.hold.Store(false); close(fs.release) }) }
	defer unhold() // before Close, which syncs the log

	const writers = 16
	var (
		lock    sync.Mutex // the writers' own lock, as the report lock is
		applied atomic.Int64
		acked   atomic.Int64
		ackCh   = make(chan struct{}, writers)
		wg      sync.WaitGroup
		errs    = make(chan error, writers)
	)
	before := fs.syncs.Load()
	fs.hold.Store(true)
	write := func(i uint32) {
		lock.Lock()
		// The batch before this one is readable: it was applied.
		if i > 0 {
			if found, err := db.Has(AppendOrgKey(nil, i-1)); err != nil || !found {
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
		b.Set(AppendOrgKey(nil, i), Uint(i).AppendBinary(nil))
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
	case <-fs.held:
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
	unhold()
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
	if n := fs.syncs.Load() - before; n > writers/4 {
		t.Fatalf("%d fsyncs for %d deferred commits: not grouped", n, writers)
	}
	// A batch without DeferSync still waits for its own fsync in Commit.
	b := db.NewBatch()
	b.Set(AppendOrgKey(nil, 999), nil)
	s0 := fs.syncs.Load()
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if fs.syncs.Load() == s0 {
		t.Fatal("a synced commit without DeferSync returned before any fsync")
	}
	if err := b.WaitDurable(); err != nil {
		t.Fatal(err)
	}
}
