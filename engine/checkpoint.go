package engine

import "context"

// Checkpoint publishes every organisation's log: it writes a Merkle
// checkpoint (the RFC 6962 root over the log, docs/chain.md) for each
// organisation whose log grew since its latest checkpoint, and returns how
// many it wrote — 0 when no log grew. Reports write one every
// ledger.Options.CheckpointEvery records on their own; serve calls this
// once a day (--checkpoint-every) and `tracecode checkpoint` before an
// audit, so that the day's records are covered by a published root.
// Committed with fsync; reports wait while it runs.
func (e *Engine) Checkpoint(ctx context.Context) (int, error) {
	ts, err := e.tr()
	if err != nil {
		return 0, err
	}
	ts.Lock()
	defer ts.Unlock()
	b := e.db.NewBatch()
	lt := ts.Ledger().Begin(b)
	n := lt.CheckpointAll(e.nowMillis())
	if n == 0 {
		b.Close()
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		b.Close()
		return 0, err
	}
	err = e.iss.Commit(b, nil, nil, nil) // fsync; a failure poisons the engine
	if err != nil {
		return 0, err
	}
	lt.Publish()
	return n, nil
}
