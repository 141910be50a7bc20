package lint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// modulePath is the module's import path; imports under it form the last group.
const modulePath = "tracecode"

// importKind orders the three import groups: standard library, third-party
// modules, then this module (goimports -local tracecode).
type importKind int

const (
	kindStd importKind = iota
	kindThirdParty
	kindLocal
)

func (k importKind) String() string {
	return [...]string{"standard library", "third-party", "tracecode"}[k]
}

func kindOf(path string) importKind {
	switch {
	case path == modulePath || strings.HasPrefix(path, modulePath+"/"):
		return kindLocal
	case strings.Contains(strings.SplitN(path, "/", 2)[0], "."):
		return kindThirdParty
	default:
		return kindStd
	}
}

// goFiles lists the module's Go files (relative to the module root), skipping
// testdata and hidden directories as the go command does.
func goFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files under %s", root)
	}
	return files
}

// moduleRoot is the directory holding go.mod, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// importGroupProblems returns what is wrong with the grouping of src's
// imports: each blank-line-separated group holds one kind, and the groups
// come in the order standard library, third-party, tracecode, each kind once.
func importGroupProblems(filename string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var problems []string
	prevLine, prevKind := -1, importKind(-1)
	groupKind, seen := importKind(-1), map[importKind]bool{}
	for _, imp := range f.Imports {
		path := strings.Trim(imp.Path.Value, "`\"")
		pos := fset.Position(imp.Pos())
		kind := kindOf(path)
		newGroup := prevLine < 0 || pos.Line > prevLine+1
		if doc := imp.Doc; doc != nil && prevLine >= 0 && fset.Position(doc.Pos()).Line == prevLine+1 {
			newGroup = false
		}
		switch {
		case newGroup:
			if seen[kind] {
				problems = append(problems, pos.String()+": "+kind.String()+" import "+path+" starts a second "+kind.String()+" group")
			} else if kind < prevKind {
				problems = append(problems, pos.String()+": "+kind.String()+" import "+path+" comes after the "+prevKind.String()+" group")
			}
			groupKind = kind
		case kind != groupKind:
			problems = append(problems, pos.String()+": "+kind.String()+" import "+path+" is in a "+groupKind.String()+" group")
		}
		seen[kind] = true
		prevKind = max(prevKind, kind)
		prevLine = fset.Position(imp.End()).Line
	}
	return problems, nil
}

func TestImportGrouping(t *testing.T) {
	root := moduleRoot(t)
	for _, path := range goFiles(t, root) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		problems, err := importGroupProblems(rel, src)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for _, p := range problems {
			t.Errorf("%s (fix: goimports -local tracecode -w, after joining the import block's groups)", p)
		}
	}
}

func TestImportGroupProblems(t *testing.T) {
	for _, tc := range []struct {
		name, imports string
		want          int
	}{
		{"three groups in order", "\"fmt\"\n\"os\"\n\n\"github.com/a/b\"\n\n\"tracecode/engine\"\n", 0},
		{"std only", "\"fmt\"\n", 0},
		{"std and local", "\"fmt\"\n\n\"tracecode/engine\"\n", 0},
		{"mixed std and third-party", "\"github.com/a/b\"\n\"slices\"\n", 1},
		{"local before third-party", "\"fmt\"\n\n\"tracecode/engine\"\n\n\"github.com/a/b\"\n", 1},
		{"two local groups", "\"fmt\"\n\n\"tracecode/engine\"\n\n\"tracecode/server\"\n", 1},
		{"local in std group", "\"fmt\"\n\"tracecode/engine\"\n", 1},
		{"commented import stays in its group", "\"fmt\"\n// os for files\n\"os\"\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "package p\n\nimport (\n" + tc.imports + ")\n"
			got, err := importGroupProblems("p.go", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("got %d problems %q, want %d", len(got), got, tc.want)
			}
		})
	}
}

// cmdOnlyImports may be imported only under cmd/: terminal drawing belongs
// to the binary, not to the libraries (bench, loadtest, engine, server)
// that other programs embed.
var cmdOnlyImports = []string{"github.com/schollz/progressbar/v3"}

func TestTerminalUIOnlyInCmd(t *testing.T) {
	root := moduleRoot(t)
	for _, path := range goFiles(t, root) {
		rel, _ := filepath.Rel(root, path)
		if strings.HasPrefix(rel, "cmd"+string(filepath.Separator)) {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, "`\"")
			for _, banned := range cmdOnlyImports {
				if p == banned {
					t.Errorf("%s imports %s: progress bars are drawn by cmd/tracecode (give the library a callback)", rel, p)
				}
			}
		}
	}
}
