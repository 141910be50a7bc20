package chain

import "context"

// Checkpoint publishes every organisation's log: it writes a Merkle
// checkpoint (the RFC 6962 root over the log, docs/chain.md) for each
// organisation whose log grew since its latest checkpoint, and returns how
// many it wrote — 0 when no log grew. Reports write one every
// ledger.Options.CheckpointEvery records on their own; serve calls this
// once a day (--checkpoint-every) and `tracecode checkpoint` before an
// audit, so that the day's records are covered by a published root.
// Committed with fsync; reports wait while it runs. After the store's
// Close it returns ErrClosed (the store's).
func (c *Chain) Checkpoint(ctx context.Context) (int, error) {
	c.Lock()
	defer c.Unlock()
	b := c.db.NewBatch()
	if err := b.Err(); err != nil {
		return 0, err
	}
	lt := c.Ledger().Begin(b)
	n := lt.CheckpointAll(c.nowMillis())
	if n == 0 {
		b.Close()
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		b.Close()
		return 0, err
	}
	// fsync; a failure poisons the engine
	if err := c.iss.CommitReport(b, nil, nil, nil); err != nil {
		return 0, err
	}
	lt.Publish()
	return n, nil
}
