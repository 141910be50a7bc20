package model

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors. Errors returned by the engine wrap one of these (test
// with errors.Is) and say which field or code is wrong.
var (
	// ErrFailed is returned by every write after a commit failed; the
	// engine must be reopened (Pebble's state after a failed fsync is not
	// trusted).
	ErrFailed = errors.New("engine: a commit failed; reopen the store")
	// ErrInvalid wraps bad input: a malformed field, a value out of range.
	ErrInvalid = errors.New("engine: invalid input")
	// ErrExists is returned when creating something that already exists.
	ErrExists = errors.New("engine: already exists")

	ErrUnknownOrg     = errors.New("engine: unknown organisation")
	ErrUnknownProduct = errors.New("engine: unknown product")
	ErrUnknownLot     = errors.New("engine: unknown lot")
	ErrUnknownBlock   = errors.New("engine: unknown block")
	// ErrWrongOrg: the product (or block) belongs to another organisation.
	ErrWrongOrg = errors.New("engine: belongs to another organisation")
	// ErrPrefixNotGranted: a GTIN's GS1 company prefix was not granted to
	// the organisation (see GrantGCP). It wraps ErrWrongOrg.
	ErrPrefixNotGranted = fmt.Errorf("%w: GS1 company prefix not granted", ErrWrongOrg)
	// ErrScheme: the product cannot carry codes of the requested scheme or
	// the format asked for does not exist for the block's scheme.
	ErrScheme = errors.New("engine: scheme not available")
	// ErrCap: the mint would take the product (or the short-code space)
	// past its cap, which keeps the guess probability low.
	ErrCap = errors.New("engine: code cap reached")
	// ErrConflict: a request id was reused with different parameters.
	ErrConflict = errors.New("engine: request id reused with different parameters")
	// ErrState: the block's state forbids the operation (streaming a voided
	// block, releasing a released range back, …).
	ErrState = errors.New("engine: operation not allowed in this state")
	// ErrNewerFormat: the store is at a format version newer than this
	// build reads (store.SchemaVersion); nothing was read or written.
	ErrNewerFormat = errors.New("engine: store format is newer than this build reads")
)

// FieldError reports an invalid input field.
type FieldError struct {
	Field  string // the field or flag: "count", "lot", "gtin", …
	Value  string // the offending value, quoted in the message (cut to maxQuotedValue bytes)
	Reason string // what is wrong and what is expected
}

// maxQuotedValue bounds how much of a rejected value an error message
// quotes: a 6 MB name is named by its start and its length, not echoed.
const maxQuotedValue = 64

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("engine: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("engine: %s %s: %s", e.Field, quoteValue(e.Value), e.Reason)
}

// quoteValue quotes v as %q does, cutting a long value at a UTF-8
// boundary after maxQuotedValue bytes and saying how long it was.
func quoteValue(v string) string {
	if len(v) <= maxQuotedValue {
		return strconv.Quote(v)
	}
	cut := maxQuotedValue
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "…(" + strconv.Itoa(len(v)) + " bytes)"
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// FieldErrorf returns a *FieldError for field and value, its reason
// formatted from format and args.
func FieldErrorf(field, value, format string, args ...any) error {
	return &FieldError{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// ConflictError reports a retried request id whose parameters differ from
// the request that first used it. Nothing is minted.
type ConflictError struct {
	RequestID string
	Block     uint64 // the block the request id already names
	Field     string // the first differing field: product, lot, level, scheme, count, allow-partial
	Stored    string // the value stored with the block
	Got       string // the value in the retried request
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("engine: request id %q already minted block %d with %s %s; this request has %s %s",
		e.RequestID, e.Block, e.Field, e.Stored, e.Field, e.Got)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// CapError reports a mint refused because it would exceed a cap.
type CapError struct {
	What      string // "product 7 under scheme sgtin96", "the short-code space"
	Cap       uint64 // the cap
	Issued    uint64 // codes already issued against it
	Requested uint64 // codes asked for
}

func (e *CapError) Error() string {
	left := uint64(0)
	if e.Cap > e.Issued {
		left = e.Cap - e.Issued
	}
	return fmt.Sprintf("engine: %d codes requested but %s allows %d more (cap %d, %d issued); "+
		"set allow-partial to receive what is left, or use another scheme",
		e.Requested, e.What, left, e.Cap, e.Issued)
}

// Unwrap makes errors.Is(err, ErrCap) true.
func (e *CapError) Unwrap() error { return ErrCap }
