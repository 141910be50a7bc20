package store

import (
	"errors"
	"fmt"
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
// outside 0xF0–0xFF (tests and tools), and registers every prefix
// constant of this package under its own name and value — so a prefix
// cannot be written without being documented. The constants are
// unexported: other packages build keys with the constructors and scan
// them through KeySpaces.
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
		if fi, err := os.Stat(filepath.Join("..", "..", p.Owner)); err != nil || !fi.IsDir() {
			t.Errorf("%s: owner %q is not a package of the module", p.Name, p.Owner)
		}
		reg[p.Name] = p.Prefix
	}
	consts := prefixConstants(t)
	if len(consts) == 0 {
		t.Fatal("found no prefix constant")
	}
	for name, v := range consts {
		if got, ok := reg[name]; !ok || got != v {
			t.Errorf("constant prefix%s = 0x%02x: registry has %v (0x%02x)", name, v, ok, got)
		}
	}
	for name := range reg {
		if _, ok := consts[name]; !ok {
			t.Errorf("registry entry %s has no constant prefix%s", name, name)
		}
	}
	if p, ok := LookupPrefix(prefixParentHistory); !ok || p.Name != "ParentHistory" {
		t.Errorf("LookupPrefix(0x94): %+v %v", p, ok)
	}
	if _, ok := LookupPrefix(0xF1); ok {
		t.Error("LookupPrefix found an unregistered prefix")
	}
}

// prefixConstants reads the package's `prefixX byte = 0xNN` constants
// from its source, and fails on an exported PrefixX constant.
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
					if strings.HasPrefix(n.Name, "Prefix") {
						t.Errorf("%s: %s is exported: name it prefix%s (other packages use the key constructors and KeySpaces)", f, n.Name, strings.TrimPrefix(n.Name, "Prefix"))
					}
					if !strings.HasPrefix(n.Name, "prefix") || len(n.Name) == 6 || n.Name[6] < 'A' || n.Name[6] > 'Z' || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: %s is not a literal byte", f, n.Name)
						continue
					}
					v, err := strconv.ParseUint(lit.Value, 0, 8)
					if err != nil {
						t.Errorf("%s: %s = %s: %v", f, n.Name, lit.Value, err)
					}
					out[strings.TrimPrefix(n.Name, "prefix")] = byte(v)
				}
			}
		}
	}
	return out
}

// docRow matches a row of docs/storage.md's key tables.
var docRow = regexp.MustCompile("^\\| `0x([0-9A-Fa-f]{2})` \\|")

// docHeader is the header of every key table of docs/storage.md.
const docHeader = "| prefix | name | key after the prefix | value | written by | owner |\n| --- | --- | --- | --- | --- | --- |\n"

// docCells renders p's row of docs/storage.md's key tables, cell by cell.
func docCells(p PrefixInfo) []string {
	return []string{"`0x" + strings.ToUpper(strconv.FormatUint(uint64(p.Prefix)|0x100, 16)[1:]) + "`", p.Name, p.Key, p.Value, p.WrittenBy, "`" + p.Owner + "`"}
}

// docLine renders p's row as a markdown table line.
func docLine(p PrefixInfo) string {
	cells := docCells(p)
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return "| " + strings.Join(cells, " | ") + " |"
}

// TestStorageDocMatchesRegistry: docs/storage.md's key tables and the
// registry are the same rows, cell by cell — prefix, name, key layout,
// value, who writes it, the owning package — in key order, none missing on
// either side, every table under the one header. With -rewrite it rewrites
// every row whose prefix is registered from the registry (a new prefix
// needs a row with its byte in the right table first).
func TestStorageDocMatchesRegistry(t *testing.T) {
	const path = "../../docs/storage.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *rewrite {
		var out strings.Builder
		for line := range strings.Lines(string(doc)) {
			if m := docRow.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseUint(m[1], 16, 8)
				if p, ok := LookupPrefix(byte(v)); ok {
					line = docLine(p) + "\n"
				}
			}
			out.WriteString(line)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		doc = []byte(out.String())
	}
	var rows [][]string
	prev := ""
	for line := range strings.Lines(string(doc)) {
		line = strings.TrimRight(line, "\n")
		if !docRow.MatchString(line) {
			prev = line
			continue
		}
		if !docRow.MatchString(prev) && !strings.HasSuffix(string(doc[:strings.Index(string(doc), line)]), docHeader) {
			t.Errorf("docs/storage.md: the table holding %.20s… does not start with the header\n%s", line, docHeader)
		}
		prev = line
		cells := regexp.MustCompile(`(^|[^\\])\|`).FindAllStringIndex(line, -1)
		var row []string
		for i := 0; i+1 < len(cells); i++ {
			lo, hi := cells[i][1], cells[i+1][1]-1
			row = append(row, strings.ReplaceAll(strings.TrimSpace(line[lo:hi]), `\|`, "|"))
		}
		rows = append(rows, row)
	}
	for i, p := range Prefixes {
		want := docCells(p)
		if i >= len(rows) {
			t.Errorf("docs/storage.md has no row for %s (0x%02x)", p.Name, p.Prefix)
			continue
		}
		if got := rows[i]; strings.Join(got, " ‖ ") != strings.Join(want, " ‖ ") {
			t.Errorf("docs/storage.md row %d (run go test ./engine/store -run StorageDoc -rewrite):\n got %q\nwant %q", i, got, want)
		}
	}
	for _, r := range rows[min(len(rows), len(Prefixes)):] {
		t.Errorf("docs/storage.md has a row the registry lacks: %q", r)
	}
}

// docRange matches a row of docs/storage.md's table of prefix ranges.
var docRange = regexp.MustCompile("^\\| `0x([0-9A-F]{2})–0x([0-9A-F]{2})` \\| ")

// TestStorageDocRanges: the ranges docs/storage.md and keys.go list tile
// 0x01–0xFF in order, keys.go's are the document's, and every registered
// prefix lies in one below 0xF0.
func TestStorageDocRanges(t *testing.T) {
	doc, err := os.ReadFile("../../docs/storage.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("keys.go")
	if err != nil {
		t.Fatal(err)
	}
	srcRange := regexp.MustCompile(`(?m)^//\t0x([0-9A-F]{2})–0x([0-9A-F]{2})  `)
	type span struct{ lo, hi uint64 }
	parse := func(ms [][]string) []span {
		var out []span
		for _, m := range ms {
			lo, _ := strconv.ParseUint(m[1], 16, 8)
			hi, _ := strconv.ParseUint(m[2], 16, 8)
			out = append(out, span{lo, hi})
		}
		return out
	}
	var docMs [][]string
	for line := range strings.Lines(string(doc)) {
		if m := docRange.FindStringSubmatch(line); m != nil {
			docMs = append(docMs, m)
		}
	}
	ranges := parse(docMs)
	if got := parse(srcRange.FindAllStringSubmatch(string(src), -1)); fmt.Sprint(got) != fmt.Sprint(ranges) {
		t.Errorf("keys.go lists the ranges %x, docs/storage.md %x", got, ranges)
	}
	next := uint64(0x01)
	for _, r := range ranges {
		if r.lo != next || r.hi < r.lo {
			t.Errorf("docs/storage.md: range 0x%02X–0x%02X does not follow 0x%02X", r.lo, r.hi, next-1)
		}
		next = r.hi + 1
	}
	if next != 0x100 {
		t.Errorf("docs/storage.md: the ranges end at 0x%02X, not 0xFF", next-1)
	}
	for _, p := range Prefixes {
		in := false
		for _, r := range ranges {
			in = in || (uint64(p.Prefix) >= r.lo && uint64(p.Prefix) <= r.hi && r.lo < 0xF0)
		}
		if !in {
			t.Errorf("%s (0x%02X) lies in no documented range below 0xF0", p.Name, p.Prefix)
		}
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
