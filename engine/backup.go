package engine

import (
	"io"

	"tracecode/engine/backup"
)

// Backup writes an online backup of the store to w (backup.Online):
// a checkpoint with every write acknowledged before the call, staged in
// tmp, with the position of its last ledger record. Writes go on
// meanwhile.
func (e *Engine) Backup(w io.Writer, tmp string) (*backup.Manifest, error) {
	release, err := e.iss.HoldDB()
	if err != nil {
		return nil, err
	}
	defer release()
	return backup.Online(e.db, w, tmp, e.Now())
}
