package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tracecode/engine/store"
)

// keyPrefixUses returns where f names a key prefix: a store.PrefixX
// constant (store.PrefixEnd, a helper over any key, is not a prefix), or a
// []byte literal starting with the byte of a registered prefix in hex.
func keyPrefixUses(fset *token.FileSet, f *ast.File, registered map[byte]string) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			x, ok := n.X.(*ast.Ident)
			name := n.Sel.Name
			if ok && x.Name == "store" && strings.HasPrefix(name, "Prefix") && len(name) > 6 &&
				name[6] >= 'A' && name[6] <= 'Z' && name != "PrefixEnd" {
				out = append(out, fmt.Sprintf("%s: names store.%s (build the key with a store constructor, scan it through a store.KeySpace)", fset.Position(n.Pos()), name))
			}
		case *ast.CompositeLit:
			at, ok := n.Type.(*ast.ArrayType)
			if !ok || at.Len != nil || len(n.Elts) == 0 {
				return true
			}
			if id, ok := at.Elt.(*ast.Ident); !ok || (id.Name != "byte" && id.Name != "uint8") {
				return true
			}
			lit, ok := n.Elts[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.INT || !strings.HasPrefix(strings.ToLower(lit.Value), "0x") {
				return true // prefixes are written in hex; a decimal 1 is a value's version byte
			}
			v, err := strconv.ParseUint(lit.Value, 0, 8)
			if name, reg := registered[byte(v)]; err == nil && reg {
				out = append(out, fmt.Sprintf("%s: a key starting with %s, the prefix of %s (use its store constructor)", fset.Position(n.Pos()), lit.Value, name))
			}
		}
		return true
	})
	return out
}

// TestOnlyStoreNamesKeyPrefixes: engine/store owns the key layout. No
// other package's code (tests may build damaged keys) names a prefix
// constant or writes a registered prefix byte at the start of a []byte
// literal; they call store's key constructors, decoders and key spaces.
func TestOnlyStoreNamesKeyPrefixes(t *testing.T) {
	root := moduleRoot(t)
	registered := map[byte]string{}
	for _, p := range store.Prefixes {
		registered[p.Prefix] = p.Name
	}
	storeDir := filepath.Join("engine", "store") + string(filepath.Separator)
	checked := 0
	for _, top := range []string{"engine", "server", "cmd", "bench", "loadtest"} {
		dir := filepath.Join(root, top)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		for _, path := range goFiles(t, dir) {
			rel, _ := filepath.Rel(root, path)
			if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(rel, storeDir) {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, rel, src, 0)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				continue
			}
			checked++
			for _, p := range keyPrefixUses(fset, f, registered) {
				t.Error(p)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: the walk is broken", checked)
	}
}

func TestKeyPrefixUses(t *testing.T) {
	src := `package p
func f(db *store.DB, b []byte) {
	db.ScanPrefix([]byte{store.PrefixCustody}, nil)
	_ = append([]byte{0x8E}, b...)
	_ = []uint8{0x90, 1}
	_ = store.PrefixEnd(b)
	_ = []byte{0xEF, 0xBB, 0xBF}
	_ = []byte{0xF1}
	_ = []byte{1, 2}
	_ = store.Prefixes
	_ = store.CustodyKeys.Prefix()
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := keyPrefixUses(fset, f, map[byte]string{0x8E: "Custody", 0x90: "ChildParent"})
	want := []string{"p.go:3:23: names store.PrefixCustody", "p.go:4:13: a key starting with 0x8E, the prefix of Custody", "p.go:5:6: a key starting with 0x90"}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d: %q, want it to start with %q", i, got[i], want[i])
		}
	}
}
