package engine

import (
	"strings"
	"testing"

	"tracecode/engine/model"
)

// TestFieldErrorQuotesAPrefix: an error about a huge value names its
// start and its length instead of repeating it.
func TestFieldErrorQuotesAPrefix(t *testing.T) {
	name := strings.Repeat("名", 2<<20) // 6 MiB
	msg := (&model.FieldError{Field: "name", Value: name, Reason: "has 2097152 characters, at most 200 allowed"}).Error()
	if len(msg) > 300 || !strings.Contains(msg, "(6291456 bytes)") || !strings.Contains(msg, "at most 200 allowed") {
		t.Fatalf("error of a 6 MiB value is %d bytes: %.300s", len(msg), msg)
	}
	if msg := (&model.FieldError{Field: "lot", Value: "L1", Reason: "x"}).Error(); msg != `engine: lot "L1": x` {
		t.Fatalf("short value: %s", msg)
	}
}
