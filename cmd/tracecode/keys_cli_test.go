package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeysCLI: a KEK made with keys new-kek seals a new store; the store
// does not open without it; rotate-kek moves it to a new KEK, after which
// the old one fails and the new one works; a store created without a KEK
// warns on every write and is sealed by keys encrypt.
func TestKeysCLI(t *testing.T) {
	data, keys := t.TempDir(), t.TempDir()
	d := "--data=" + data
	k1, k2 := filepath.Join(keys, "kek1"), filepath.Join(keys, "kek2")
	if _, errOut, code := runCLI(t, "", "keys", "new-kek", d, "--out", filepath.Join(data, "kek")); code == 0 || !strings.Contains(errOut, "inside the data directory") {
		t.Fatalf("new-kek inside the data directory: %d %q", code, errOut)
	}
	id := regexp.MustCompile(`KEK ([0-9a-f]{16}) written`)
	m1 := id.FindStringSubmatch(mustCLI(t, "keys", "new-kek", "--out", k1))
	m2 := id.FindStringSubmatch(mustCLI(t, "keys", "new-kek", "--out", k2))
	if m1 == nil || m2 == nil {
		t.Fatal("new-kek printed no id")
	}
	if fi, err := os.Stat(k1); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("KEK file mode: %v %v", fi.Mode(), err)
	}
	if _, errOut, code := runCLI(t, "", "keys", "new-kek", "--out", k1); code == 0 || !strings.Contains(errOut, "exists") {
		t.Fatalf("new-kek over an existing file: %d %q", code, errOut)
	}

	_, errOut, code := runCLI(t, "", "product", "add", d, "--kek-file", k1, "--gtin", "6901234567892", "--name", "奶粉", "--category", "food")
	if code != 0 || strings.Contains(errOut, "WARNING") {
		t.Fatalf("product add with a KEK: %d %q", code, errOut)
	}
	dl := mustCLI(t, "mint", d, "--kek-file", k1, "--gtin", "6901234567892", "--lot", "B1", "--count", "5", "--format", "dl")
	if _, errOut, code := runCLI(t, dl, "lookup", d); code == 0 || !strings.Contains(errOut, m1[1]) {
		t.Fatalf("lookup without the KEK: %d %q; want a refusal naming KEK %s", code, errOut, m1[1])
	}
	if out, _, code := runCLI(t, dl, "lookup", d, "--kek-file", k1); code != 0 || strings.Count(out, `"ok":true`) != 5 {
		t.Fatalf("lookup with the KEK: %d %q", code, out)
	}
	out := mustCLI(t, "keys", "rotate-kek", d, "--kek-file", k1, "--new-kek-file", k2)
	if !strings.Contains(out, "re-sealed under KEK "+m2[1]) {
		t.Fatalf("rotate-kek: %q", out)
	}
	if _, errOut, code := runCLI(t, dl, "lookup", d, "--kek-file", k1); code == 0 || !strings.Contains(errOut, m2[1]) {
		t.Fatalf("lookup with the old KEK: %d %q", code, errOut)
	}
	if out, _, code := runCLI(t, dl, "lookup", d, "--kek-file", k2); code != 0 || strings.Count(out, `"ok":true`) != 5 {
		t.Fatalf("lookup with the new KEK: %d %q", code, out)
	}
	if err := os.Chmod(k2, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, dl, "lookup", d, "--kek-file", k2); code == 0 || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("a KEK file others can read: %d %q", code, errOut)
	}

	if _, errOut, code := runCLI(t, "", "keys", "encrypt", "--data="+filepath.Join(keys, "none"), "--kek-file", k1); code == 0 || !strings.Contains(errOut, "no store in") {
		t.Fatalf("keys encrypt without a store: %d %q", code, errOut)
	}
	clear := "--data=" + t.TempDir()
	_, errOut, code = runCLI(t, "", "product", "add", clear, "--gtin", "6901234567892", "--name", "奶粉", "--category", "food")
	if code != 0 || !strings.Contains(errOut, "WARNING: the FF1 keys") {
		t.Fatalf("product add without a KEK: %d %q; want the clear-key warning", code, errOut)
	}
	dl = mustCLI(t, "mint", clear, "--gtin", "6901234567892", "--lot", "B1", "--count", "5", "--format", "dl")
	if out := mustCLI(t, "keys", "encrypt", clear, "--kek-file", k1); !strings.Contains(out, "sealed under KEK "+m1[1]) {
		t.Fatalf("keys encrypt: %q", out)
	}
	if _, _, code := runCLI(t, dl, "lookup", clear); code == 0 {
		t.Fatal("the sealed store opened without its KEK")
	}
	if out, _, code := runCLI(t, dl, "lookup", clear, "--kek-file", k1); code != 0 || strings.Count(out, `"ok":true`) != 5 {
		t.Fatalf("lookup after keys encrypt: %d %q", code, out)
	}
}
