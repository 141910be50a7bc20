package engine

import (
	"errors"
	"fmt"

	"tracecode/engine/scanlog"
)

// NewScanForwarder returns the scan counter of a replica's engine, with
// the suspicious-copy thresholds of o (nil: defaults).
func (e *Engine) NewScanForwarder(o *scanlog.Options) *scanlog.Forwarder {
	return scanlog.NewForwarder(e.db, o)
}

// ErrScanMessage wraps the error of a damaged scans-stream message: it
// was skipped (nothing of it merged); the next message may be merged.
var ErrScanMessage = errors.New("engine: damaged scans-stream message skipped")

// MergeScans merges the scans-stream message at seq (body: its deltas)
// into the writer's scan log l, once (see scanlog.Log.Merge), and hands
// every item it leaves suspicious to the clone-scan rule, as a local
// scan's would be. A damaged body merges nothing, is skipped, and the
// error wraps ErrScanMessage naming the message; any other error merged
// nothing and the message is to be merged again.
func (e *Engine) MergeScans(l *scanlog.Log, seq uint64, body []byte) error {
	ds, err := scanlog.DecodeDeltas(body)
	if err != nil {
		if _, merr := l.Merge(seq, nil); merr != nil {
			return merr
		}
		return fmt.Errorf("%w: message %d: %w", ErrScanMessage, seq, err)
	}
	sus, err := l.Merge(seq, ds)
	if err != nil {
		return err
	}
	if n := e.notices.Load(); n != nil {
		for _, d := range sus {
			n.SuspiciousScan(d.Ref.Product, d.Ref.Counter, d.Stats.Regions[0], d.Stats.Last)
		}
	}
	return nil
}
