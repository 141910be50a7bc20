package engine

import (
	"fmt"

	"tracecode/engine/store"
)

// ReplicatedSeq returns the store's position in the replication log: the
// last batch it committed as a writer or applied as a replica (0: none;
// docs/replication.md).
func (e *Engine) ReplicatedSeq() uint64 { return e.db.ReplicatedSeq() }

// ReplicaStore is a store kept as a replica of a writer's: it applies the
// writer's committed batches, in order, and is opened by Open once caught
// up (a standby promoted to writer, or a read-only view).
type ReplicaStore struct{ db *store.DB }

// OpenReplicaStore opens (or creates) the store in dir to apply a
// writer's batches.
func OpenReplicaStore(dir string) (*ReplicaStore, error) {
	db, err := store.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	return &ReplicaStore{db: db}, nil
}

// Apply applies the writer's batch at log position seq (store.DB.ApplyReplicated).
func (r *ReplicaStore) Apply(seq uint64, repr []byte) error { return r.db.ApplyReplicated(seq, repr) }

// ApplyBatches applies consecutive batches from position first under one
// sync (store.DB.ApplyReplicatedBatches).
func (r *ReplicaStore) ApplyBatches(first uint64, reprs [][]byte) error {
	return r.db.ApplyReplicatedBatches(first, reprs)
}

// Position returns the last batch applied (0: none).
func (r *ReplicaStore) Position() uint64 { return r.db.ReplicatedSeq() }

// Close closes the store.
func (r *ReplicaStore) Close() error { return r.db.Close() }

// ReplicaFamilies are the key families a writer's batch touched
// (store.Families): what a replica's engine must reload.
type ReplicaFamilies = store.Families

// The families a replica's server cares about (store.FamKeys …).
const (
	FamKeys     = store.FamKeys
	FamAccounts = store.FamAccounts
	FamScans    = store.FamScans
	FamStats    = store.FamStats
	FamAll      = store.FamAll
)

// OpenReplica opens the store in dir as a replica's (store.Options.Replica):
// it serves reads and takes writes only from the writer's log, through
// ApplyReplicated. The store must hold at least the log's first batch
// (fill it with ReplicaStore first): an engine's first Open writes, and a
// replica's store takes no local write.
func OpenReplica(dir string, o *Options) (*Engine, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.Store.Replica = true
	opts.Store.Replicator = nil
	return Open(dir, &opts)
}

// ApplyReplicated applies the writer's batch at log position seq to a
// replica's store and returns the families it touched. Until Refresh
// with them, the engine's in-memory state (blocks, products, the report
// chain's caches …) may not show it.
func (e *Engine) ApplyReplicated(seq uint64, repr []byte) (ReplicaFamilies, error) {
	return e.ApplyReplicatedBatches(seq, [][]byte{repr})
}

// ApplyReplicatedBatches applies consecutive batches from position first
// under one sync, all or none (store.DB.ApplyReplicatedBatches), and
// returns the families they touched, as ApplyReplicated.
func (e *Engine) ApplyReplicatedBatches(first uint64, reprs [][]byte) (ReplicaFamilies, error) {
	var f ReplicaFamilies
	for i, repr := range reprs {
		bf, err := store.BatchFamilies(repr)
		if err != nil {
			return 0, fmt.Errorf("engine: batch %d: %w", first+uint64(i), err)
		}
		f |= bf
	}
	if err := e.db.ApplyReplicatedBatches(first, reprs); err != nil {
		return 0, err
	}
	return f, nil
}

// Refresh reloads the in-memory state of the families f from a
// replica's store: the issuance state (store.FamIssue), the report chain
// with its resolve caches (FamIssue or FamTrace: a new block changes what
// a code resolves to), the recalls, alerts and outbox (FamNotices) and the
// credit book and complaint desk (FamDuties, reopened on next use). Call
// it from one goroutine; readers meanwhile see the old state or the new.
func (e *Engine) Refresh(f ReplicaFamilies) error {
	if f&store.FamIssue != 0 {
		if err := e.iss.Reload(); err != nil {
			return err
		}
		e.search.Load().Refresh(e.iss)
	}
	if f&(store.FamIssue|store.FamTrace) != 0 {
		if err := e.loadTrace(); err != nil {
			return err
		}
	}
	if f&store.FamNotices != 0 {
		if old := e.notices.Load(); old != nil {
			n, err := e.newNotices(old.cfg)
			if err != nil {
				return err
			}
			e.notices.Store(n)
		}
	}
	if f&store.FamDuties != 0 {
		e.duties.mu.Lock()
		e.duties.credit.Store(nil)
		e.duties.complaints.Store(nil)
		e.duties.mu.Unlock()
	}
	return nil
}
