package storetest

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// WALSyncFS wraps a filesystem (store.Options.FS) to count the fsyncs of
// write-ahead-log files and, while held, to make them wait: group-commit
// tests and benchmarks read how many fsyncs their writes cost, and whether
// a writer is answered before its fsync.
type WALSyncFS struct {
	vfs.FS
	syncs atomic.Int64
	hold  atomic.Bool
	// Held receives (without blocking) when a held fsync starts waiting.
	Held    chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewWALSyncFS wraps fs.
func NewWALSyncFS(fs vfs.FS) *WALSyncFS {
	return &WALSyncFS{FS: fs, Held: make(chan struct{}, 1), release: make(chan struct{})}
}

// Syncs returns the fsyncs of log files so far.
func (fs *WALSyncFS) Syncs() int64 { return fs.syncs.Load() }

// Hold makes every later fsync of a log file wait until Release.
func (fs *WALSyncFS) Hold() { fs.hold.Store(true) }

// Release lets held fsyncs go on, and later ones run at once. It may be
// called more than once.
func (fs *WALSyncFS) Release() {
	fs.once.Do(func() { fs.hold.Store(false); close(fs.release) })
}

func (fs *WALSyncFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return &walSyncFile{File: f, fs: fs}, nil
}

// Create wraps the created file if it is a log.
func (fs *WALSyncFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, c)
	return fs.wrap(name, f, err)
}

// ReuseForWrite wraps the recycled file if it is a log.
func (fs *WALSyncFS) ReuseForWrite(old, name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(old, name, c)
	return fs.wrap(name, f, err)
}

type walSyncFile struct {
	vfs.File
	fs *WALSyncFS
}

func (f *walSyncFile) sync(do func() error) error {
	f.fs.syncs.Add(1)
	if f.fs.hold.Load() {
		select {
		case f.fs.Held <- struct{}{}:
		default:
		}
		<-f.fs.release
	}
	return do()
}

func (f *walSyncFile) Sync() error     { return f.sync(f.File.Sync) }
func (f *walSyncFile) SyncData() error { return f.sync(f.File.SyncData) }
