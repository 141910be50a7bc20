package store

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/batchrepr"
)

// Replicator is the store's seam for replication (docs/replication.md).
// The writer's store stamps every batch it commits with the next position
// of the replication log (meta MetaReplSeq, in the batch itself) and hands
// the committed batch to the Replicator; a replica's store applies those
// batches with ApplyReplicated. Stores so kept hold the same keys and
// values at the same position.
type Replicator interface {
	// Committed is called right after a batch is committed, in commit
	// order (commits are serialized while a Replicator is set), with the
	// batch's log position and a copy of its representation. It must not
	// block. A synced commit then calls the returned wait and returns its
	// error: nil once the batch is replicated.
	Committed(seq uint64, repr []byte) (wait func() error)
}

// ErrReplication is wrapped by the errors of replicated commits and
// applies.
var ErrReplication = errors.New("store: replication")

// ReplicatedSeq returns the store's position in the replication log: the
// last batch it committed as the writer or applied as a replica (0: none).
func (d *DB) ReplicatedSeq() uint64 {
	d.repl.mu.Lock()
	defer d.repl.mu.Unlock()
	return d.repl.seq
}

// loadReplicatedSeq reads MetaReplSeq at Open.
func (d *DB) loadReplicatedSeq() error {
	_, err := d.Get(MetaKey(MetaReplSeq), func(v []byte) error {
		u, err := DecodeUint("replication position", v)
		d.repl.seq = uint64(u)
		return err
	})
	return err
}

// commitReplicated commits b stamped with the next log position and hands
// it to r, holding the replication lock so that positions follow commit
// order. REQUIRES the gate entered.
func (b *Batch) commitReplicated(r Replicator, wo *pebble.WriteOptions) (wait func() error, err error) {
	d := b.d
	d.repl.mu.Lock()
	defer d.repl.mu.Unlock()
	seq := d.repl.seq + 1
	if err := b.b.Set(MetaKey(MetaReplSeq), Uint(seq).AppendBinary(nil), nil); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	if err := b.b.Commit(wo); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	d.repl.seq = seq
	return r.Committed(seq, bytes.Clone(b.b.Repr())), nil
}

// ApplyReplicated applies, with fsync, a batch the writer's store
// committed at log position seq (its representation, as its Replicator
// received it): ApplyReplicatedBatches of one batch.
func (d *DB) ApplyReplicated(seq uint64, repr []byte) error {
	return d.ApplyReplicatedBatches(seq, [][]byte{repr})
}

// ApplyReplicatedBatches applies consecutive batches the writer's store
// committed, the first at log position first, as one Pebble batch with
// one fsync: all of them or none, the store's position (which every
// batch sets itself) moving with their data, so that a crash leaves the
// store at a batch boundary it reports — a record is never applied twice
// nor skipped. first must be the store's position + 1, and each batch
// must carry its own position. A store with a Replicator (a writer)
// refuses them.
func (d *DB) ApplyReplicatedBatches(first uint64, reprs [][]byte) error {
	if d.opts.Replicator != nil {
		return fmt.Errorf("%w: apply refused: this store is a writer", ErrReplication)
	}
	if len(reprs) == 0 {
		return nil
	}
	if !d.g.enter() {
		return errClosed("apply")
	}
	defer d.g.leave()
	d.repl.mu.Lock()
	defer d.repl.mu.Unlock()
	if first != d.repl.seq+1 {
		return fmt.Errorf("%w: batch %d applied after %d", ErrReplication, first, d.repl.seq)
	}
	for i, repr := range reprs {
		seq := first + uint64(i)
		got, err := batchPosition(repr)
		if err != nil {
			return fmt.Errorf("%w: batch %d: %w", ErrReplication, seq, err)
		}
		if got != seq {
			return fmt.Errorf("%w: batch %d carries position %d", ErrReplication, seq, got)
		}
	}
	last := first + uint64(len(reprs)) - 1
	// One batch holding every batch's entries in order: the header of the
	// first, the count of all.
	size, count := 0, uint64(0)
	for _, repr := range reprs {
		h, _ := batchrepr.ReadHeader(repr) // checked by batchPosition
		size += len(repr) - batchrepr.HeaderLen
		count += uint64(h.Count)
	}
	if count > math.MaxUint32 {
		return fmt.Errorf("%w: batches %d–%d hold %d entries, more than a batch may", ErrReplication, first, last, count)
	}
	all := make([]byte, batchrepr.HeaderLen, batchrepr.HeaderLen+size)
	for _, repr := range reprs {
		all = append(all, repr[batchrepr.HeaderLen:]...)
	}
	batchrepr.SetCount(all, uint32(count))
	pb := d.db.NewBatch()
	defer pb.Close()
	if err := pb.SetRepr(all); err != nil {
		return fmt.Errorf("%w: batches %d–%d: %v", ErrReplication, first, last, err)
	}
	if err := d.db.Apply(pb, pebble.Sync); err != nil {
		return fmt.Errorf("store: apply batches %d–%d: %w", first, last, err)
	}
	d.repl.seq = last
	return nil
}
