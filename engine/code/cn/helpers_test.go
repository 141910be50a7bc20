package cn

import (
	"errors"
	"testing"
)

// wantCharError fails t unless err is a *CharError at 1-based position pos
// for character c.
func wantCharError(t *testing.T, err error, pos int, c rune) {
	t.Helper()
	var ce *CharError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CharError", err)
	}
	if ce.Pos != pos || ce.Char != c {
		t.Fatalf("error %v: got position %d char %q, want position %d char %q", err, ce.Pos, ce.Char, pos, c)
	}
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("error %v does not wrap ErrSyntax", err)
	}
}

// wantFieldError fails t unless err is a *FieldError for field at pos
// wrapping sentinel.
func wantFieldError(t *testing.T, err error, field string, pos int, sentinel error) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FieldError", err)
	}
	if fe.Field != field || fe.Pos != pos {
		t.Fatalf("error %v: got field %q position %d, want %q %d", err, fe.Field, fe.Pos, field, pos)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v does not wrap %v", err, sentinel)
	}
}
