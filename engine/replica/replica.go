// Package replica is the replica's side of the store's replication log
// (docs/replication.md): a store that applies a writer's committed
// batches (Store) and the key families a batch touched (Families), which
// say what a replica's engine must reload (engine.Engine.Refresh).
package replica

import (
	"fmt"

	"tracecode/engine/store"
)

// Store is a store kept as a replica of a writer's: it applies the
// writer's committed batches, in order, and is opened by engine.Open once
// caught up (a standby promoted to writer, or a read-only view).
type Store struct{ db *store.DB }

// Open opens (or creates) the store in dir to apply a writer's batches.
func Open(dir string) (*Store, error) {
	db, err := store.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Apply applies the writer's batch at log position seq (store.DB.ApplyReplicated).
func (r *Store) Apply(seq uint64, repr []byte) error { return r.db.ApplyReplicated(seq, repr) }

// ApplyBatches applies consecutive batches from position first under one
// sync (store.DB.ApplyReplicatedBatches).
func (r *Store) ApplyBatches(first uint64, reprs [][]byte) error {
	return r.db.ApplyReplicatedBatches(first, reprs)
}

// Position returns the last batch applied (0: none).
func (r *Store) Position() uint64 { return r.db.ReplicatedSeq() }

// Close closes the store.
func (r *Store) Close() error { return r.db.Close() }

// Families are the key families a writer's batch touched
// (store.Families): what a replica's engine must reload.
type Families = store.Families

// The families a replica's server cares about (store.FamKeys …).
const (
	FamKeys     = store.FamKeys
	FamAccounts = store.FamAccounts
	FamScans    = store.FamScans
	FamStats    = store.FamStats
	FamAll      = store.FamAll
)

// BatchFamilies returns the families the consecutive batches reprs, from
// log position first, touched (store.BatchFamilies), naming the position
// of a batch it cannot read.
func BatchFamilies(first uint64, reprs [][]byte) (Families, error) {
	var f Families
	for i, repr := range reprs {
		bf, err := store.BatchFamilies(repr)
		if err != nil {
			return 0, fmt.Errorf("engine: batch %d: %w", first+uint64(i), err)
		}
		f |= bf
	}
	return f, nil
}
