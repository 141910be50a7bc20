package store

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestStorageDocListsTracePrefixes keeps docs/storage.md §9 in step with
// TracePrefixes.
func TestStorageDocListsTracePrefixes(t *testing.T) {
	doc, err := os.ReadFile("../../docs/storage.md")
	if err != nil {
		t.Skip("docs/storage.md not found:", err)
	}
	for _, p := range TracePrefixes {
		row := fmt.Sprintf("| `0x%02x` | %s |", p.Prefix, p.Name)
		if !strings.Contains(strings.ToLower(string(doc)), strings.ToLower(row)) {
			t.Errorf("docs/storage.md has no registry row %q", row)
		}
	}
}
