package engine

import (
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Sentinel errors. Errors returned by the engine wrap one of these (test
// with errors.Is); they are defined in package model, which every engine
// part shares, except the store's own.
var (
	// ErrClosed is returned by every method after Close (it is the
	// store's: a call that reaches the store after Close returns it
	// wrapped).
	ErrClosed = store.ErrClosed
	// ErrDiskFull is returned by a write refused because the store's
	// filesystem is below its free-space reserve (store.Options.
	// MinFreeBytes): nothing was applied, reads go on, and the write may
	// be retried once space returns.
	ErrDiskFull         = store.ErrDiskFull
	ErrFailed           = model.ErrFailed
	ErrInvalid          = model.ErrInvalid
	ErrExists           = model.ErrExists
	ErrUnknownOrg       = model.ErrUnknownOrg
	ErrUnknownProduct   = model.ErrUnknownProduct
	ErrUnknownLot       = model.ErrUnknownLot
	ErrUnknownBlock     = model.ErrUnknownBlock
	ErrWrongOrg         = model.ErrWrongOrg
	ErrPrefixNotGranted = model.ErrPrefixNotGranted
	ErrScheme           = model.ErrScheme
	ErrCap              = model.ErrCap
	ErrConflict         = model.ErrConflict
	ErrState            = model.ErrState
	ErrNewerFormat      = model.ErrNewerFormat
)

// The error types (see package model).
type (
	FieldError    = model.FieldError
	ConflictError = model.ConflictError
	CapError      = model.CapError
)

func fieldErr(field, value, format string, args ...any) error {
	return model.FieldErrorf(field, value, format, args...)
}
