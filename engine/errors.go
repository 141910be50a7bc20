package engine

import "tracecode/engine/store"

// The engine's own errors, the store's. The domain errors are package
// model's (model.ErrInvalid, model.FieldError …), the report errors package
// chain's: errors returned by the engine wrap one of them (test with
// errors.Is).
var (
	// ErrClosed is returned by every method after Close (it is the
	// store's: a call that reaches the store after Close returns it
	// wrapped).
	ErrClosed = store.ErrClosed
	// ErrDiskFull is returned by a write refused because the store's
	// filesystem is below its free-space reserve (store.Options.
	// MinFreeBytes): nothing was applied, reads go on, and the write may
	// be retried once space returns.
	ErrDiskFull = store.ErrDiskFull
)
