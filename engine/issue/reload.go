package issue

import "tracecode/engine/store"

// Reload reads the issuance state — organisations, products, lots,
// blocks, counters and keys — from the store again and publishes it: a
// replica's engine calls it after applying writer batches that touched
// them (store.FamIssue). It holds the write lock while it publishes, so
// no writer builds on the state it replaces.
func (e *Book) Reload() error {
	release, err := e.HoldDB()
	if err != nil {
		return err
	}
	defer release()
	open, err := keyOpener(e.db, e.kek.Load())
	if err != nil {
		return err
	}
	_, sealed, err := storeKEK(e.db)
	if err != nil {
		return err
	}
	var schema store.Uint
	if _, err := e.db.Get(store.MetaKey(store.MetaSchema), func(v []byte) (err error) {
		schema, err = store.DecodeUint("schema", v)
		return err
	}); err != nil {
		return err
	}
	st, err := loadState(e.db, e.opts.BloomFPRate, open)
	if err != nil {
		return err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	e.st = st
	e.mu.Unlock()
	e.sealed.Store(sealed)
	if uint64(schema) > e.format.Load() {
		e.format.Store(uint64(schema))
	}
	// A block's formatter holds its product's key and bases, which a
	// replica learns with the block: rebuild them from the new state.
	e.formatters.Clear()
	return nil
}
