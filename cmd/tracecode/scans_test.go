package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine"
	"tracecode/engine/demo"
)

// TestScansReviewCLI: scans review takes the same rule as the API: the
// Lanzhou regulator clears a Lanzhou item's flag, a producer's key may
// not, and a verdict flag is required.
func TestScansReviewCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	e, err := engine.Open(dir, &engine.Options{DLBase: "https://tc.test", ShortBase: "https://tc.test"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := demo.Seed(context.Background(), e, e.APIKeys(), dir, "https://tc.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	token := func(prefix string) string {
		for _, k := range info.Keys {
			if strings.HasPrefix(k.Name, prefix) {
				return k.Token
			}
		}
		t.Fatalf("no demo key %q", prefix)
		return ""
	}
	var code string
	for _, u := range info.URLs {
		if strings.HasPrefix(u.What, "chilled pork") {
			code = u.URL
		}
	}
	d := "--data=" + dir
	out := mustCLI(t, "scans", "review", d, "--key", token("兰州市市场监管"), "--clear", "--reason", "inspected", code)
	if !strings.Contains(out, "cleared; suspicious false") {
		t.Errorf("regulator clears: %s", out)
	}
	if _, stderr, rc := runCLI(t, "", "scans", "review", d, "--key", token("兰州陇原"), "--confirm", "--reason", "x", code); rc == 0 || !strings.Contains(stderr, "regulator") {
		t.Errorf("producer confirms: exit %d, %s", rc, stderr)
	}
	if _, stderr, rc := runCLI(t, "", "scans", "review", d, "--key", token("兰州市市场监管"), "--reason", "x", code); rc == 0 || !strings.Contains(stderr, "--confirm") {
		t.Errorf("no verdict: exit %d, %s", rc, stderr)
	}
}
