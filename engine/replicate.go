package engine

import "tracecode/engine/store"

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

// Position returns the last batch applied (0: none).
func (r *ReplicaStore) Position() uint64 { return r.db.ReplicatedSeq() }

// Close closes the store.
func (r *ReplicaStore) Close() error { return r.db.Close() }
