package engine

import (
	"tracecode/engine/replica"
	"tracecode/engine/store"
)

// ReplicatedSeq returns the store's position in the replication log: the
// last batch it committed as a writer or applied as a replica (0: none;
// docs/replication.md).
func (e *Engine) ReplicatedSeq() uint64 { return e.db.ReplicatedSeq() }

// OpenReplica opens the store in dir as a replica's (store.Options.Replica):
// it serves reads and takes writes only from the writer's log, through
// ApplyReplicatedBatches. The store must hold at least the log's first
// batch (fill it with a replica.Store first): an engine's first Open
// writes, and a replica's store takes no local write.
func OpenReplica(dir string, o *Options) (*Engine, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.Store.Replica = true
	opts.Store.Replicator = nil
	return Open(dir, &opts)
}

// ApplyReplicatedBatches applies the writer's consecutive batches from log
// position first to a replica's store under one sync, all or none
// (store.DB.ApplyReplicatedBatches), and returns the families they touched
// (replica.BatchFamilies). Until Refresh with them, the engine's in-memory
// state (blocks, products, the report chain's caches …) may not show them.
func (e *Engine) ApplyReplicatedBatches(first uint64, reprs [][]byte) (replica.Families, error) {
	f, err := replica.BatchFamilies(first, reprs)
	if err != nil {
		return 0, err
	}
	if err := e.db.ApplyReplicatedBatches(first, reprs); err != nil {
		return 0, err
	}
	if f&store.FamTrace != 0 {
		e.replTargets.Add(reprs)
	}
	return f, nil
}

// Refresh reloads the in-memory state of the families f from a
// replica's store: the issuance state (store.FamIssue), the report chain
// with its resolve caches (FamIssue or FamTrace: a new block changes what
// a code resolves to), the recalls, alerts and outbox (FamNotices) and the
// credit book and complaint desk (FamDuties, reopened on next use), then
// tells OnChanged's function what the batches can have changed
// (replica.Targets.Scopes). Call it from one goroutine; readers meanwhile
// see the old state or the new.
func (e *Engine) Refresh(f replica.Families) error {
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
	if fn := e.changed.Load(); fn != nil {
		(*fn)(e.replTargets.Scopes(f, e.trace.Load().ScopesOf))
	}
	return nil
}
