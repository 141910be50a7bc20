package store

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Deferred sync: the group commit of writers that are serialised by a
// lock of their own (the report transaction's). Such a writer commits its
// batch without fsync while it holds its lock — the batch is applied, so
// the next writer reads it — releases the lock, and only then waits for
// the fsync before acknowledging. While one fsync runs, the writers queued
// behind the lock apply their batches; their waits share the next fsync
// (Pebble syncs the write-ahead log in order and coalesces concurrent
// sync requests). One fsync thus covers many acknowledged batches, and an
// acknowledged batch is durable, as is every batch applied before it.
//
// What readers may see: a batch is visible from its Commit, up to one
// fsync before it is durable. A crash in that window loses it; its writer
// was never answered (and retries with its request id). A failed fsync
// poisons the store: every later Commit is refused with the error.

// DeferSync makes Commit(true) apply the batch without waiting for the
// fsync; WaitDurable then waits for it. Commit(false) is unchanged.
func (b *Batch) DeferSync() { b.deferSync = true }

// WaitDurable returns once the batch, committed with DeferSync and
// Commit(true), is durable: its write-ahead-log record is fsynced (and,
// with a Replicator, its replication acknowledged). It returns nil at once
// for a batch committed without sync or without DeferSync, and an error if
// the fsync failed: the batch is applied in this process but may be lost,
// and the store refuses every later commit.
func (b *Batch) WaitDurable() error {
	if b.durable == nil {
		return nil
	}
	w := b.durable
	b.durable = nil
	return w()
}

// deferredWait returns the wait of a batch applied without sync: an fsync
// of the write-ahead log shared with concurrent waiters, then the
// replication's wait if any.
func (d *DB) deferredWait(repl func() error) func() error {
	return func() error {
		if err := d.syncDeferred(); err != nil {
			return err
		}
		if repl != nil {
			if err := repl(); err != nil {
				return fmt.Errorf("%w: committed here, not replicated: %w", ErrReplication, err)
			}
		}
		return nil
	}
}

// syncDeferred fsyncs the write-ahead log up to everything applied so far.
// Unlike SyncWAL it does not check the free-space reserve: the batches it
// makes durable are already applied.
func (d *DB) syncDeferred() error {
	if err := d.syncFailed(); err != nil {
		return err
	}
	if !d.g.enter() {
		return errClosed("sync")
	}
	defer d.g.leave()
	if err := d.db.LogData(nil, pebble.Sync); err != nil {
		err = fmt.Errorf("store: fsync of applied batches failed, they may be lost: %w", err)
		d.syncErr.CompareAndSwap(nil, &err)
		return err
	}
	return nil
}

// syncFailed returns the error of a failed deferred fsync, if any.
func (d *DB) syncFailed() error {
	if p := d.syncErr.Load(); p != nil {
		return *p
	}
	return nil
}
