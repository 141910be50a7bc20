package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// workItemRef matches a reference to a numbered issue: the word issue or
// issues, an optional #, a number; the verb followed by a power of ten
// ("issue" 10^8 codes) is not one.
var workItemRef = regexp.MustCompile(`(?i)\bissues? ?#?[0-9]+([^0-9^]|$)`)

// TestNoWorkItemReferences keeps issue numbers out of the Go source and the
// documentation: a comment, test name or doc section says what the code is,
// not which work item added it (the numbers mean nothing to a reader of the
// tree, and go stale when the tracker moves).
func TestNoWorkItemReferences(t *testing.T) {
	root := moduleRoot(t)
	files := goFiles(t, root)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, docs...)
	for _, name := range []string{"README.md", "CONTRIBUTING.md", "Makefile"} {
		if _, err := os.Stat(filepath.Join(root, name)); err == nil {
			files = append(files, filepath.Join(root, name))
		}
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(src), "\n") {
			if m := workItemRef.FindString(line); m != "" {
				t.Errorf("%s:%d: %q refers to a work item: say what the code is", rel, i+1, strings.TrimSpace(m))
			}
		}
	}
}

func TestWorkItemRef(t *testing.T) {
	n := "4" // built here so that this file does not match itself
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"// This file (issue " + n + ") adds", true},
		{"## 9. Per-item records (Issue #" + n + "2)", true},
		{"the issues " + n + " and 5", true},
		{"ends with issue " + n, true},
		{"| issue " + n + "0^8 codes | 0.12 ms |", false},
		{"// issuance of codes", false},
		{"item 13 is sold", false},
	} {
		if got := workItemRef.MatchString(tc.line); got != tc.want {
			t.Errorf("%q: match %v, want %v", tc.line, got, tc.want)
		}
	}
}
