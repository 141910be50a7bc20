package store

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Checkpoint writes a consistent copy of the open database into destDir,
// which must not exist: every batch committed before the call is in it
// whole, none committed after it is in it at all (Pebble's checkpoint,
// with the WAL synced first). Table files are hard-linked when destDir is
// on the same file system, copied otherwise. The copy opens like the
// original (Open); writes to the database go on meanwhile.
func (d *DB) Checkpoint(destDir string) error {
	if !d.g.enter() {
		return errClosed("checkpoint")
	}
	defer d.g.leave()
	if err := d.db.Checkpoint(destDir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("store: checkpoint to %s: %w", destDir, err)
	}
	return nil
}
