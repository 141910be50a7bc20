package store

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tracecode/engine/model"
)

// TestPrefixRegistry: the registry is in key order without a duplicate,
// outside 0xF0–0xFF (tests and tools), and registers every Prefix
// constant of this package under its own name and value — so a prefix
// cannot be written without being documented.
func TestPrefixRegistry(t *testing.T) {
	last := -1
	reg := map[string]byte{}
	for _, p := range Prefixes {
		if int(p.Prefix) <= last {
			t.Errorf("registry not in key order (or a duplicate) at %s 0x%02x", p.Name, p.Prefix)
		}
		last = int(p.Prefix)
		if p.Prefix >= 0xF0 {
			t.Errorf("%s (0x%02x) is in the range of tests and tools", p.Name, p.Prefix)
		}
		if p.Key == "" || p.Value == "" || p.WrittenBy == "" || p.Owner == "" {
			t.Errorf("%s: an empty column: %+v", p.Name, p)
		}
		reg[p.Name] = p.Prefix
	}
	consts := prefixConstants(t)
	if len(consts) == 0 {
		t.Fatal("found no Prefix constant")
	}
	for name, v := range consts {
		if got, ok := reg[name]; !ok || got != v {
			t.Errorf("constant Prefix%s = 0x%02x: registry has %v (0x%02x)", name, v, ok, got)
		}
	}
	for name := range reg {
		if _, ok := consts[name]; !ok {
			t.Errorf("registry entry %s has no constant Prefix%s", name, name)
		}
	}
	if p, ok := LookupPrefix(PrefixParentHistory); !ok || p.Name != "ParentHistory" {
		t.Errorf("LookupPrefix(0x94): %+v %v", p, ok)
	}
	if _, ok := LookupPrefix(0xF1); ok {
		t.Error("LookupPrefix found an unregistered prefix")
	}
}

// prefixConstants reads the package's `PrefixX byte = 0xNN` constants
// from its source.
func prefixConstants(t *testing.T) map[string]byte {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]byte{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Prefix") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: Prefix%s is not a literal byte", f, n.Name)
						continue
					}
					v, err := strconv.ParseUint(lit.Value, 0, 8)
					if err != nil {
						t.Errorf("%s: %s = %s: %v", f, n.Name, lit.Value, err)
					}
					out[strings.TrimPrefix(n.Name, "Prefix")] = byte(v)
				}
			}
		}
	}
	return out
}

// docRow matches a row of docs/storage.md's key tables.
var docRow = regexp.MustCompile("^\\| `0x([0-9A-Fa-f]{2})` \\|")

// TestStorageDocMatchesRegistry: docs/storage.md's key tables and the
// registry are the same rows, cell by cell — prefix, name, key layout,
// value, who writes it — in key order, none missing on either side.
func TestStorageDocMatchesRegistry(t *testing.T) {
	doc, err := os.ReadFile("../../docs/storage.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for line := range strings.Lines(string(doc)) {
		line = strings.TrimRight(line, "\n")
		if !docRow.MatchString(line) {
			continue
		}
		cells := regexp.MustCompile(`(^|[^\\])\|`).FindAllStringIndex(line, -1)
		var row []string
		for i := 0; i+1 < len(cells); i++ {
			lo, hi := cells[i][1], cells[i+1][1]-1
			row = append(row, strings.ReplaceAll(strings.TrimSpace(line[lo:hi]), `\|`, "|"))
		}
		rows = append(rows, row)
	}
	for i, p := range Prefixes {
		want := []string{"`0x" + strings.ToUpper(strconv.FormatUint(uint64(p.Prefix)|0x100, 16)[1:]) + "`", p.Name, p.Key, p.Value, p.WrittenBy}
		if i >= len(rows) {
			t.Errorf("docs/storage.md has no row for %s (0x%02x)", p.Name, p.Prefix)
			continue
		}
		if got := rows[i]; strings.Join(got, " ‖ ") != strings.Join(want, " ‖ ") {
			t.Errorf("docs/storage.md row %d:\n got %q\nwant %q", i, got, want)
		}
	}
	for _, r := range rows[min(len(rows), len(Prefixes)):] {
		t.Errorf("docs/storage.md has a row the registry lacks: %q", r)
	}
}

// TestDecodeErrorsNameField: a damaged store value read through the one
// codec (wire.Reader) wraps the one ErrCorrupt and names the record and
// the field; an unknown version wraps the one ErrVersion.
func TestDecodeErrorsNameField(t *testing.T) {
	v := AppendBlock(nil, &model.Block{Product: 1, Count: 10})
	_, err := DecodeBlock(7, v[:len(v)-1])
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "block value: note length: ") {
		t.Errorf("truncated block: %v", err)
	}
	bad := append([]byte(nil), v...)
	bad[0] = 9
	if _, err := DecodeBlock(7, bad); !errors.Is(err, ErrVersion) {
		t.Errorf("block version 9: %v", err)
	}
	u := Uint(5).AppendBinary(nil)
	_, err = DecodeUint("next lot", append(u, 0))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "next lot value: 1 trailing bytes") {
		t.Errorf("trailing byte: %v", err)
	}
}
