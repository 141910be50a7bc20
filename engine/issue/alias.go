package issue

import (
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// The domain types and errors under the short names the issuance code
// uses (package engine re-exports the same names to its callers).
type (
	Org          = model.Org
	Product      = model.Product
	ProductState = model.ProductState
	Lot          = model.Lot
	Block        = model.Block
	Level        = model.Level
	Scheme       = serial.Scheme
	Category     = model.Category
	LevelSet     = model.LevelSet
	Link         = model.Link

	FieldError    = model.FieldError
	ConflictError = model.ConflictError
	CapError      = model.CapError
	LookupError   = model.LookupError
	LookupResult  = model.LookupResult
)

var (
	ErrClosed           = store.ErrClosed
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
	ErrBadCode          = model.ErrBadCode
	ErrNoSerial         = model.ErrNoSerial
	ErrUnsupportedCode  = model.ErrUnsupportedCode
	ErrNeverIssued      = model.ErrNeverIssued
	ErrNotImported      = model.ErrNotImported
	ErrReleased         = model.ErrReleased
	ErrVoided           = model.ErrVoided
	ErrLotMismatch      = model.ErrLotMismatch
)

const (
	StateIssued   = model.StateIssued
	StateReleased = model.StateReleased
	StateVoided   = model.StateVoided
)

func fieldErr(field, value, format string, args ...any) error {
	return model.FieldErrorf(field, value, format, args...)
}
