package digitallink

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error from this package is an *Error that wraps
// exactly one of these (and, for bad values, the gs1 error that says why).
var (
	ErrCharacter    = errors.New("digitallink: character not allowed in a URI")
	ErrScheme       = errors.New("digitallink: scheme is not http or https")
	ErrHost         = errors.New("digitallink: bad or missing host")
	ErrNoPrimaryKey = errors.New("digitallink: no primary key in the path")
	// ErrCompressed: Parse met a compressed Digital Link; Decompress
	// turns it into the long form.
	ErrCompressed = errors.New("digitallink: compressed Digital Link")
	// ErrBadCompressed: the segment of a compressed Digital Link is not
	// base64url or its bit stream is truncated or malformed.
	ErrBadCompressed = errors.New("digitallink: bad compressed Digital Link")
	// ErrCompress: a value or parameter cannot be put in the compressed
	// form.
	ErrCompress         = errors.New("digitallink: cannot compress")
	ErrLegacy           = errors.New("digitallink: deprecated Digital Link form")
	ErrTrailingSlash    = errors.New("digitallink: path ends in a slash")
	ErrEmptyValue       = errors.New("digitallink: empty AI value")
	ErrEncoding         = errors.New("digitallink: bad percent-encoding")
	ErrValue            = errors.New("digitallink: bad AI value")
	ErrUnknownAI        = errors.New("digitallink: unknown AI")
	ErrNotQualifier     = errors.New("digitallink: AI is not a key qualifier of the primary key")
	ErrQualifierOrder   = errors.New("digitallink: key qualifiers out of order")
	ErrQualifierInQuery = errors.New("digitallink: key qualifier in the query")
	ErrNotAttribute     = errors.New("digitallink: AI is not a Digital Link data attribute")
	ErrDuplicateAI      = errors.New("digitallink: duplicate AI")
	ErrAssociation      = errors.New("digitallink: AIs may not be combined so")
)

// Error reports what is wrong with a Digital Link and where.
type Error struct {
	// Pos is the 1-based byte offset in the URI of the first offending
	// byte, or 0 when the error is not tied to a URI (Build, FromElements).
	Pos int
	// Segment is the URI component at fault as written: the scheme, the
	// host, a path segment or a query parameter; for Build and FromElements
	// the AI.
	Segment string
	// Reason says what is wrong, for a person.
	Reason string
	// Err is the sentinel (ErrQualifierOrder, …); Cause, if not nil, is the
	// underlying error, e.g. a *gs1.AIError or gs1's check-digit error.
	Err, Cause error
}

func (e *Error) Error() string {
	if e.Pos > 0 {
		return fmt.Sprintf("%v at position %d (%q): %s", e.Err, e.Pos, e.Segment, e.Reason)
	}
	if e.Segment != "" {
		return fmt.Sprintf("%v (%s): %s", e.Err, e.Segment, e.Reason)
	}
	return fmt.Sprintf("%v: %s", e.Err, e.Reason)
}

// Unwrap makes errors.Is and errors.As see both the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// errAt builds an *Error at the 0-based offset off of the URI (Pos = off+1).
func errAt(sentinel error, off int, segment, reason string) *Error {
	return &Error{Pos: off + 1, Segment: segment, Reason: reason, Err: sentinel}
}
