package backup

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// Online writes an online backup of db to w: a Pebble checkpoint —
// every write acknowledged before the call is in it whole, none after it
// in part — with the position of the last ledger record it holds, made
// at now. Writes go on meanwhile. tmp is a directory on which the
// checkpoint is staged and removed again; on the store's file system the
// checkpoint hard-links the tables instead of copying them. The caller
// keeps db open meanwhile.
func Online(db *store.DB, w io.Writer, tmp string, now time.Time) (*Manifest, error) {
	stage, err := os.MkdirTemp(tmp, ".tracecode-backup-")
	if err != nil {
		return nil, fmt.Errorf("engine: backup: %w", err)
	}
	defer os.RemoveAll(stage)
	dir := filepath.Join(stage, "store")
	m := &Manifest{Created: now.UTC()}
	if err := db.Checkpoint(dir); err != nil {
		return nil, err
	}
	if err := checkpointPosition(dir, m); err != nil {
		return nil, err
	}
	if err := Write(w, dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkpointPosition opens a checkpoint read-only and notes in m its last
// ledger record, its last block and its format version.
func checkpointPosition(dir string, m *Manifest) (err error) {
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	led, err := ledger.Open(db, nil)
	if err != nil {
		return err
	}
	m.LedgerSeq = led.NextSeq() - 1
	m.ReplSeq = db.ReplicatedSeq()
	it, err := db.NewIter(store.BlockKeys.Bounds())
	if err != nil {
		return err
	}
	if it.Last() {
		m.LastBlock, err = store.DecodeBlockKey(it.Key())
	}
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = db.Get(store.MetaKey(store.MetaSchema), func(v []byte) error {
		u, err := store.DecodeUint("schema", v)
		m.StoreFormat = uint64(u)
		return err
	})
	return err
}
