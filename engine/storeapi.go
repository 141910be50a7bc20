package engine

// The engine's store as operators and tools see it: readiness, metrics,
// disk usage by area and compaction. Nothing outside the engine reaches
// the store itself.

import (
	"context"
	"fmt"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// StoreStats is a numeric snapshot of the store's health (see store.Stats).
type StoreStats = store.Stats

// Area is a part of the key space holding one kind of record, for disk
// usage estimates (see store.Area).
type Area = store.Area

// The areas of the key space.
const (
	AreaTrace  = store.AreaTrace
	AreaLedger = store.AreaLedger
)

// Ping reads from the store: nil when it answers reads and the engine
// takes writes, ErrClosed after Close, ErrFailed (with the cause) after a
// failed commit, ErrDiskFull (with the free space) while writes are
// refused for want of space, the store's error otherwise. Readiness probes
// call it.
func (e *Engine) Ping() error {
	release, err := e.iss.HoldDB()
	if err != nil {
		return err
	}
	defer release()
	if err := e.iss.Failed(); err != nil {
		return fmt.Errorf("%w: %v", model.ErrFailed, err)
	}
	if err := e.db.Space(); err != nil {
		return fmt.Errorf("engine: writes refused: %w", err)
	}
	if _, err := e.db.Has(store.MetaKey(store.MetaSchema)); err != nil {
		return fmt.Errorf("engine: store read: %w", err)
	}
	return nil
}

// Stats returns the store's metrics (sizes, compactions, caches), for
// export to monitoring. After Close it returns the zero StoreStats.
func (e *Engine) Stats() StoreStats {
	release, err := e.iss.HoldDB()
	if err != nil {
		return StoreStats{}
	}
	defer release()
	return e.db.Stats()
}

// EstimateDiskUsage returns the approximate bytes of the tables holding
// area a's keys (memtables not included: Flush first to count them).
func (e *Engine) EstimateDiskUsage(a Area) (uint64, error) {
	release, err := e.iss.HoldDB()
	if err != nil {
		return 0, err
	}
	defer release()
	return e.db.EstimateAreaUsage(a)
}

// Compact compacts the whole store, for measurements (disk per record
// after compaction) and tools.
func (e *Engine) Compact(ctx context.Context) error {
	release, err := e.iss.HoldDB()
	if err != nil {
		return err
	}
	defer release()
	return e.db.CompactAll(ctx)
}
