package store

// This file adds what the per-item records need on top of db.go:
// reverse positioning (the child→parent range index is read with SeekLT),
// indexed batches (a report reads its own staged writes before it commits)
// and snapshots (Verify checks one consistent view while writes go on).

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// SeekLT moves to the last key < k and reports whether there is one.
func (i *Iter) SeekLT(k []byte) bool { return i.it.SeekLT(k) }

// Last moves to the last key and reports whether there is one.
func (i *Iter) Last() bool { return i.it.Last() }

// Prev moves to the previous key.
func (i *Iter) Prev() bool { return i.it.Prev() }

// Error returns the error that ended the iteration early (a damaged block,
// a closed store), or nil when it ended at its bounds.
func (i *Iter) Error() error { return i.it.Error() }

// SetBounds changes the iterator's bounds to [lo, hi) (hi nil: none) and
// leaves it unpositioned. Reusing an iterator this way is cheaper than
// opening a new one. lo and hi must stay valid until the next SetBounds or
// Close.
func (i *Iter) SetBounds(lo, hi []byte) { i.it.SetBounds(lo, hi) }

// Refresh sets the bounds to [lo, hi) and, for an iterator opened on an
// indexed batch, makes it see the writes added to the batch since it was
// opened or last refreshed. It leaves the iterator unpositioned. lo and hi
// must stay valid as for SetBounds.
func (i *Iter) Refresh(lo, hi []byte) {
	i.it.SetOptions(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
}

// NewIterInto is NewIter filling an Iter the caller holds (a reused
// resolution state), so opening an iterator allocates no wrapper.
func (d *DB) NewIterInto(dst *Iter, lo, hi []byte) error {
	if !d.g.enter() {
		return errClosed("iterator")
	}
	it, err := d.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		d.g.leave()
		return fmt.Errorf("store: iterator: %w", err)
	}
	dst.it, dst.g = it, d.g
	return nil
}

// NewIndexedBatch returns a batch that can also be read: Get and NewIter
// on it see the database with the batch's writes applied on top. Indexing
// costs a skiplist insert per write; use it for reports that must see
// their own writes (a pack after an unpack in one document).
// After Close it returns a batch whose reads, writes and commit return
// ErrClosed.
func (d *DB) NewIndexedBatch() *Batch {
	if !d.g.enter() {
		return &Batch{d: d, err: errClosed("batch")}
	}
	defer d.g.leave()
	return &Batch{d: d, b: d.db.NewIndexedBatch()}
}

// Indexed reports whether the batch was made by NewIndexedBatch.
func (b *Batch) Indexed() bool { return b.b != nil && b.b.Indexed() }

// Get reads key through an indexed batch: the batch's own writes win over
// the database. fn gets the value, valid only during fn. It panics on a
// batch that is not indexed (a bug).
func (b *Batch) Get(key []byte, fn func(v []byte) error) (found bool, err error) {
	if b.b == nil {
		return false, fmt.Errorf("store: batch get %x: %w", key, ErrBatchClosed)
	}
	if !b.b.Indexed() {
		panic("BUG: store: Get on a batch that is not indexed")
	}
	if !b.d.g.enter() {
		return false, errClosed("batch get")
	}
	defer b.d.g.leave()
	v, closer, err := b.b.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: batch get %x: %w", key, err)
	}
	err = fn(v)
	if cerr := closer.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// NewIter returns an iterator over [lo, hi) of the database with the
// batch's writes applied, as of now; RefreshBatch updates its view. The
// batch must be indexed.
func (b *Batch) NewIter(lo, hi []byte) (*Iter, error) {
	if b.b == nil {
		return nil, fmt.Errorf("store: batch iterator: %w", ErrBatchClosed)
	}
	if !b.d.g.enter() {
		return nil, errClosed("batch iterator")
	}
	it, err := b.b.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		b.d.g.leave()
		return nil, fmt.Errorf("store: batch iterator: %w", err)
	}
	return &Iter{it: it, g: b.d.g}, nil
}

// Count returns the number of writes in the batch.
func (b *Batch) Count() uint32 {
	if b.b == nil {
		return 0
	}
	return b.b.Count()
}

// Snapshot is a consistent read-only view of the database at one moment.
// It pins old versions of keys: Close it promptly (the store's Close waits
// for open snapshots).
type Snapshot struct {
	s *pebble.Snapshot // nil: taken after the store closed, or closed
	g *gate
}

// NewSnapshot returns a view of the database as of now. After Close it
// returns a snapshot whose reads return ErrClosed.
func (d *DB) NewSnapshot() *Snapshot {
	if !d.g.enter() {
		return &Snapshot{}
	}
	return &Snapshot{s: d.db.NewSnapshot(), g: d.g}
}

// Get is DB.Get on the snapshot.
func (s *Snapshot) Get(key []byte, fn func(v []byte) error) (found bool, err error) {
	if s.s == nil {
		return false, errClosed("snapshot get")
	}
	v, closer, err := s.s.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: snapshot get %x: %w", key, err)
	}
	err = fn(v)
	if cerr := closer.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// NewIter returns an iterator over [lo, hi) of the snapshot.
func (s *Snapshot) NewIter(lo, hi []byte) (*Iter, error) {
	if s.s == nil {
		return nil, errClosed("snapshot iterator")
	}
	it, err := s.s.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, fmt.Errorf("store: snapshot iterator: %w", err)
	}
	return &Iter{it: it}, nil
}

// Scan is DB.Scan on the snapshot.
func (s *Snapshot) Scan(lo, hi []byte, fn func(k, v []byte) error) error {
	it, err := s.NewIter(lo, hi)
	if err != nil {
		return err
	}
	return it.each(fn)
}

// Close releases the snapshot.
func (s *Snapshot) Close() error {
	if s.s == nil {
		return nil
	}
	err := s.s.Close()
	s.s = nil
	s.g.leave()
	return err
}
