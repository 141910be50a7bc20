// Package store is the only package that imports Pebble. It opens the
// database with tuned options, defines the key layout (one typed prefix
// byte, big-endian fixed-width ids; see keys.go and docs/storage.md) and the
// versioned value codecs, and wraps batches, iterators and SSTable
// ingestion. It knows nothing of the engine's rules: what it stores is
// decided by package engine.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// ErrNotFound is never returned by the wrappers (Get reports absence with
// found = false); it is exported for callers that need a sentinel.
var ErrNotFound = errors.New("store: not found")

// DB is an open Pebble database. Its methods are safe for concurrent use,
// except that a Batch or Iter belongs to one goroutine.
type DB struct {
	db    *pebble.DB
	cache *pebble.Cache
	po    *pebble.Options
	dir   string
	opts  Options
	seq   atomic.Uint64 // names temporary SSTable files
	// g admits work until Close, which waits for it; closed makes Close
	// happen once.
	g      *gate
	closed atomic.Bool
	// syncErr is the error of a failed deferred fsync (deferred.go); once
	// set, every commit is refused.
	syncErr atomic.Pointer[error]
	// repl is the store's replication log position (ReplicatedSeq); mu
	// also serializes commits while a Replicator is set.
	repl struct {
		mu  sync.Mutex
		seq uint64
	}
}

// Open opens or creates the database in dir. o may be nil for defaults.
func Open(dir string, o *Options) (*DB, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := opts.FS.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	po, cache := opts.pebbleOptions()
	db, err := pebble.Open(dir, po)
	if err != nil {
		cache.Unref()
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	d := &DB{db: db, cache: cache, po: po, dir: dir, opts: opts, g: newGate()}
	if err := d.loadReplicatedSeq(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Options returns the options the database was opened with, defaults filled.
func (d *DB) Options() Options { return d.opts }

// PebbleFormatVersion returns the Pebble format major version the store is at:
// PebbleFormat for a store this build created, higher for one a newer build
// ratcheted.
func (d *DB) PebbleFormatVersion() uint64 {
	if !d.g.enter() {
		return 0
	}
	defer d.g.leave()
	return uint64(d.db.FormatMajorVersion())
}

// Dir returns the data directory.
func (d *DB) Dir() string { return d.dir }

// Close closes the database. It stops admitting work — every later call,
// and every call on its batches, iterators and snapshots, returns
// ErrClosed — and waits for the work in progress (calls, commits, open
// iterators and snapshots) to end before closing Pebble. A second Close
// returns ErrClosed.
func (d *DB) Close() error {
	if !d.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	d.g.close()
	err := d.db.Close()
	d.cache.Unref()
	return err
}

// errClosed is ErrClosed with the operation that found the store closed.
func errClosed(op string) error { return fmt.Errorf("store: %s: %w", op, ErrClosed) }

// Get looks key up and, if present, calls fn with the value. The value is
// valid only during fn. found is false (and err nil) if key is absent.
func (d *DB) Get(key []byte, fn func(v []byte) error) (found bool, err error) {
	if !d.g.enter() {
		return false, errClosed("get")
	}
	defer d.g.leave()
	v, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: get %x: %w", key, err)
	}
	err = fn(v)
	if cerr := closer.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// Empty reports whether the database holds no key at all.
func (d *DB) Empty() (bool, error) {
	held, err := d.AnyIn(nil, nil)
	return !held, err
}

// AnyIn reports whether the database holds a key in [lo, hi) (hi nil: no
// upper bound).
func (d *DB) AnyIn(lo, hi []byte) (bool, error) {
	it, err := d.NewIter(lo, hi)
	if err != nil {
		return false, err
	}
	ok := it.First()
	if err := it.Close(); err != nil {
		return false, err
	}
	return ok, nil
}

// Has reports whether key is present.
func (d *DB) Has(key []byte) (bool, error) {
	return d.Get(key, func([]byte) error { return nil })
}

// Scan calls fn for every key in [lo, hi) in order (hi nil: no upper
// bound). Key and value are valid only during fn. fn returning an error
// stops the scan with that error.
func (d *DB) Scan(lo, hi []byte, fn func(k, v []byte) error) error {
	it, err := d.NewIter(lo, hi)
	if err != nil {
		return err
	}
	return it.each(fn)
}

// each calls fn for every remaining key from First, then closes it.
func (i *Iter) each(fn func(k, v []byte) error) error {
	for ok := i.First(); ok; ok = i.Next() {
		v, err := i.Value()
		if err == nil {
			err = fn(i.Key(), v)
		}
		if err != nil {
			i.Close()
			return err
		}
	}
	return i.Close()
}

// ScanPrefix is Scan over every key starting with prefix.
func (d *DB) ScanPrefix(prefix []byte, fn func(k, v []byte) error) error {
	return d.Scan(prefix, PrefixEnd(prefix), fn)
}

// Iter is a bounded forward iterator. It pins the tables it reads: keep it
// short-lived, and Close it (the store's Close waits for open iterators).
type Iter struct {
	it *pebble.Iterator
	g  *gate // left at Close; nil once closed
}

// NewIter returns an iterator over [lo, hi); hi nil means no upper bound.
func (d *DB) NewIter(lo, hi []byte) (*Iter, error) {
	if !d.g.enter() {
		return nil, errClosed("iterator")
	}
	it, err := d.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		d.g.leave()
		return nil, fmt.Errorf("store: iterator: %w", err)
	}
	return &Iter{it: it, g: d.g}, nil
}

// First moves to the first key and reports whether there is one.
func (i *Iter) First() bool { return i.it.First() }

// SeekGE moves to the first key ≥ k.
func (i *Iter) SeekGE(k []byte) bool { return i.it.SeekGE(k) }

// Next moves to the next key.
func (i *Iter) Next() bool { return i.it.Next() }

// Key returns the current key, valid until the next move.
func (i *Iter) Key() []byte { return i.it.Key() }

// Value returns the current value, valid until the next move.
func (i *Iter) Value() ([]byte, error) { return i.it.ValueAndErr() }

// Close releases the iterator and returns any iteration error.
func (i *Iter) Close() error {
	err := i.it.Close()
	if i.g != nil {
		i.g.leave()
		i.g = nil
	}
	return err
}

// Batch is an atomic group of writes. It is not safe for concurrent use.
//
// A batch remembers the first error of Set, Delete or DeleteRange and
// Commit returns it instead of committing, so a batch that dropped a write
// is never applied in part. Close is idempotent: it may follow Commit (as
// a deferred Close does) or another Close.
type Batch struct {
	d   *DB
	b   *pebble.Batch // nil once committed or closed
	err error         // the first failed write
	// deferSync: a synced Commit applies the batch and leaves the fsync
	// to WaitDurable (DeferSync); durable is that wait, set by Commit.
	deferSync bool
	durable   func() error
}

// NewBatch returns an empty write-only batch.
// After Close it returns a batch whose writes and commit return ErrClosed.
func (d *DB) NewBatch() *Batch {
	if !d.g.enter() {
		return &Batch{d: d, err: errClosed("batch")}
	}
	defer d.g.leave()
	return &Batch{d: d, b: d.db.NewBatch()}
}

// ErrBatchClosed is returned by writes to, and commits of, a batch that
// was already committed or closed.
var ErrBatchClosed = errors.New("store: batch already committed or closed")

// note records err as the batch's error if it is the first one.
func (b *Batch) note(op string, key []byte, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("store: batch %s %x: %w", op, key, err)
	if b.err == nil {
		b.err = err
	}
	return err
}

// Set adds key=value. Both are copied. It returns Pebble's error (the
// batch is then refused by Commit).
func (b *Batch) Set(key, value []byte) error {
	if b.b == nil {
		if b.err != nil {
			return b.err
		}
		return b.note("set", key, ErrBatchClosed)
	}
	return b.note("set", key, b.b.Set(key, value, nil))
}

// Delete adds a deletion of key. It returns Pebble's error (the batch is
// then refused by Commit).
func (b *Batch) Delete(key []byte) error {
	if b.b == nil {
		if b.err != nil {
			return b.err
		}
		return b.note("delete", key, ErrBatchClosed)
	}
	return b.note("delete", key, b.b.Delete(key, nil))
}

// DeleteRange adds a deletion of every key in [lo, hi). It returns Pebble's
// error (the batch is then refused by Commit).
func (b *Batch) DeleteRange(lo, hi []byte) error {
	if b.b == nil {
		if b.err != nil {
			return b.err
		}
		return b.note("delete range", lo, ErrBatchClosed)
	}
	return b.note("delete range", lo, b.b.DeleteRange(lo, hi, nil))
}

// Err returns the first error of the batch's writes, or nil.
func (b *Batch) Err() error { return b.err }

// Empty reports whether the batch holds no writes.
func (b *Batch) Empty() bool { return b.b == nil || b.b.Empty() }

// Len returns the size of the batch's representation in bytes.
func (b *Batch) Len() int {
	if b.b == nil {
		return 0
	}
	return b.b.Len()
}

// Commit applies the batch atomically. With sync it returns only after the
// write-ahead log is fsynced: the writes survive a crash or power loss.
// Concurrent synced commits share one fsync (Pebble's group commit). A
// batch one of whose writes failed is not applied: Commit returns that
// error. The batch is closed afterwards (a later Close does nothing) and
// must not be reused.
func (b *Batch) Commit(sync bool) error {
	if b.b == nil {
		if b.err != nil {
			return fmt.Errorf("store: commit refused: %w", b.err)
		}
		return fmt.Errorf("store: commit: %w", ErrBatchClosed)
	}
	if b.err != nil {
		b.Close()
		return fmt.Errorf("store: commit refused: %w", b.err)
	}
	if !b.d.g.enter() {
		b.Close()
		return errClosed("commit")
	}
	defer b.d.g.leave()
	if err := b.d.syncFailed(); err != nil {
		b.Close()
		return fmt.Errorf("store: commit refused: %w", err)
	}
	if err := b.d.Space(); err != nil {
		b.Close()
		return fmt.Errorf("store: commit refused: %w", err)
	}
	if b.d.opts.Replica {
		b.Close()
		return fmt.Errorf("store: commit: %w", ErrReplica)
	}
	b.sortForCommit()
	deferred := sync && b.deferSync
	wo := pebble.NoSync
	if sync && !deferred {
		wo = pebble.Sync
	}
	if r := b.d.opts.Replicator; r != nil {
		wait, err := b.commitReplicated(r, wo)
		b.Close()
		if err != nil {
			return err
		}
		if deferred {
			b.durable = b.d.deferredWait(wait)
			return nil
		}
		if sync && wait != nil {
			if err := wait(); err != nil {
				return fmt.Errorf("%w: committed here, not replicated: %w", ErrReplication, err)
			}
		}
		return nil
	}
	err := b.b.Commit(wo)
	pb := b.b
	b.b = nil
	if cerr := pb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if deferred {
		b.durable = b.d.deferredWait(nil)
	}
	return nil
}

// Close discards an uncommitted batch. It does nothing on a batch already
// committed or closed: Pebble pools a closed batch for reuse, and closing
// it twice would hand one batch to two writers.
func (b *Batch) Close() {
	if b.b == nil {
		return
	}
	pb := b.b
	b.b = nil
	_ = pb.Close()
}

// SyncWAL returns once everything committed so far is durable: it writes an
// empty log record with fsync, and the WAL is synced in order.
func (d *DB) SyncWAL() error {
	if !d.g.enter() {
		return errClosed("sync")
	}
	defer d.g.leave()
	if err := d.Space(); err != nil {
		return fmt.Errorf("store: sync refused: %w", err)
	}
	if err := d.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

// IngestSorted writes the key/value pairs that gen produces into a new
// SSTable and ingests it into the database atomically (Pebble's bulk load:
// the file is linked into the LSM at one sequence number, with write
// amplification 1). gen must call add with strictly increasing keys, none
// of which may exist in the database. On error nothing is ingested.
func (d *DB) IngestSorted(ctx context.Context, gen func(add func(k, v []byte) error) error) (n int, err error) {
	if d.opts.Replica {
		return 0, fmt.Errorf("store: ingest: %w", ErrReplica)
	}
	if d.opts.Replicator != nil {
		// An ingested table is not a batch: the log cannot carry it yet.
		return 0, fmt.Errorf("%w: SSTable ingestion (imports) is not replicated", ErrReplication)
	}
	if !d.g.enter() {
		return 0, errClosed("ingest")
	}
	defer d.g.leave()
	if err := d.Space(); err != nil {
		return 0, fmt.Errorf("store: ingest refused: %w", err)
	}
	path := filepath.Join(d.dir, fmt.Sprintf("ingest-%d-%d.sst", os.Getpid(), d.seq.Add(1)))
	f, err := d.opts.FS.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return 0, fmt.Errorf("store: ingest: %w", err)
	}
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), d.po.MakeWriterOptions(6, d.db.TableFormat()))
	var last []byte
	err = gen(func(k, v []byte) error {
		if last != nil && string(k) <= string(last) {
			return fmt.Errorf("store: ingest: key %x does not follow %x", k, last)
		}
		last = append(last[:0], k...)
		n++
		return w.Set(k, v)
	})
	if cerr := w.Close(); err == nil {
		err = cerr // Close finishes the table and fsyncs it
	}
	if err == nil && n > 0 {
		err = d.db.Ingest(ctx, []string{path}) // removes the file on success
	}
	if err != nil || n == 0 {
		_ = d.opts.FS.Remove(path)
	}
	if err != nil {
		return 0, fmt.Errorf("store: ingest: %w", err)
	}
	return n, nil
}

// Flush flushes the memtable to an SSTable.
func (d *DB) Flush() error {
	if !d.g.enter() {
		return errClosed("flush")
	}
	defer d.g.leave()
	return d.db.Flush()
}

// CompactAll compacts the whole key space, for measurements.
func (d *DB) CompactAll(ctx context.Context) error {
	if !d.g.enter() {
		return errClosed("compact")
	}
	defer d.g.leave()
	return d.db.Compact(ctx, []byte{0}, []byte{0xff, 0xff}, true)
}

// CompactRange flushes the memtable and compacts the keys in [lo, hi)
// down to the bottom level, so that overwritten versions of them are gone
// from the live tables.
func (d *DB) CompactRange(ctx context.Context, lo, hi []byte) error {
	if !d.g.enter() {
		return errClosed("compact")
	}
	defer d.g.leave()
	if err := d.db.Flush(); err != nil {
		return fmt.Errorf("store: flush: %w", err)
	}
	if err := d.db.Compact(ctx, lo, hi, false); err != nil {
		return fmt.Errorf("store: compact %x–%x: %w", lo, hi, err)
	}
	return nil
}

// EstimateDiskUsage returns the approximate bytes of tables holding keys in
// [lo, hi).
func (d *DB) EstimateDiskUsage(lo, hi []byte) (uint64, error) {
	if !d.g.enter() {
		return 0, errClosed("estimate disk usage")
	}
	defer d.g.leave()
	return d.db.EstimateDiskUsage(lo, hi)
}
