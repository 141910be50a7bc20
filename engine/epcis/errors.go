package epcis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. A *DocumentError from ParseDocument unwraps to ErrInvalid;
// errors.Is(err, ErrLimit) is also true when a size limit was exceeded, and
// errors.Is(err, ErrSyntax) when the input is not well-formed JSON.
var (
	ErrInvalid = errors.New("epcis: invalid document")
	ErrLimit   = errors.New("epcis: size limit exceeded")
	ErrSyntax  = errors.New("epcis: malformed JSON")
)

// EventError is one thing wrong with a document: which event (Index, the
// 0-based position in the event list, or -1 for the document itself), its
// eventID when it has one, the JSON path of the offending value and why it
// is wrong.
type EventError struct {
	Index   int    // 0-based position in eventList; -1: the document, not an event
	EventID string // the event's eventID, if it has one
	Field   string // JSON path, e.g. "epcisBody.eventList[3].epcList[12]"
	Reason  string // what is wrong, e.g. `"urn:x" is not a URN (urn:NID:NSS)`
	limit   bool   // a size limit was exceeded
	syntax  bool   // the JSON is malformed
}

func (e *EventError) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		b.WriteString("event ")
		b.WriteString(strconv.Itoa(e.Index))
		if e.EventID != "" {
			b.WriteString(" (")
			b.WriteString(e.EventID)
			b.WriteString(")")
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// DocumentError lists every problem found in a document. ParseDocument
// returns it instead of a partial result: the caller applies the whole
// document or nothing of it.
type DocumentError struct {
	Errors []EventError // in document order; never empty
	// Dropped counts errors found after ParseOptions.MaxErrors were kept.
	Dropped int
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	b.WriteString("epcis: invalid document: ")
	n := len(e.Errors) + e.Dropped
	if n == 1 {
		b.WriteString(e.Errors[0].Error())
		return b.String()
	}
	fmt.Fprintf(&b, "%d errors; first: %s", n, e.Errors[0].Error())
	return b.String()
}

// Is makes errors.Is match ErrInvalid always, ErrLimit when a size limit was
// exceeded and ErrSyntax when the JSON is malformed.
func (e *DocumentError) Is(target error) bool {
	switch target {
	case ErrInvalid:
		return true
	case ErrLimit:
		for i := range e.Errors {
			if e.Errors[i].limit {
				return true
			}
		}
	case ErrSyntax:
		for i := range e.Errors {
			if e.Errors[i].syntax {
				return true
			}
		}
	}
	return false
}

// ByEvent groups the errors by event index (-1 for the document itself).
func (e *DocumentError) ByEvent() map[int][]EventError {
	m := make(map[int][]EventError)
	for _, x := range e.Errors {
		m[x.Index] = append(m[x.Index], x)
	}
	return m
}
