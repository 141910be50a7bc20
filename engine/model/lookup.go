package model

import (
	"errors"
	"fmt"

	"tracecode/engine/code"
	"tracecode/engine/serial"
)

// Lookup errors. A *LookupError wraps exactly one of these (and, for
// ErrBadCode, the parser's error, so errors.As finds e.g. a
// *gs1.CheckDigitError with the expected digit).
var (
	ErrBadCode         = errors.New("engine: not a valid code")
	ErrNoSerial        = errors.New("engine: code identifies no single item")
	ErrUnsupportedCode = errors.New("engine: code kind not issued by this engine")
	ErrNeverIssued     = errors.New("engine: code never issued")
	ErrNotImported     = errors.New("engine: foreign serial in no imported block")
	ErrReleased        = errors.New("engine: code released unused, never printed")
	ErrVoided          = errors.New("engine: code voided")
	ErrLotMismatch     = errors.New("engine: lot on the code differs from the lot it was issued for")
)

// LookupError says precisely why a code does not resolve to a valid issued
// code. The LookupResult returned with it holds whatever was found
// (product, block, counter) before the failure.
type LookupError struct {
	Kind   error  // one of the Err… sentinels above, or ErrUnknownProduct
	Detail string // human-readable specifics: the counter, the high-water mark, the block
	Err    error  // the underlying error (the parser's, for ErrBadCode), may be nil
}

func (e *LookupError) Error() string {
	msg := e.Kind.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the kind and the underlying error.
func (e *LookupError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// LookupErrorf returns a *LookupError of kind, its detail formatted from
// format and args.
func LookupErrorf(kind error, format string, args ...any) *LookupError {
	return &LookupError{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// LookupResult is what Lookup found. Fields are zero when not reached.
type LookupResult struct {
	Format  code.Format // the syntax the input was scanned in
	Org     Org
	Product Product
	Lot     Lot // zero if the block has no lot
	Block   Block
	Counter uint64 // the code's product counter
	Offset  uint64 // Counter − Block.Start: the code's position in its block
	Serial  string // the serial as scanned: AI (21), the NMPA 13 digits, the short code
	Scheme  serial.Scheme
	State   CodeState
}
