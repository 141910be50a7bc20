package server

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

// TestServerImportsNoStorePackages holds the server to being a protocol
// adapter over the engine's API: no file of package server (or a package
// below it), tests included, imports the store, the ledger or the
// aggregation index.
func TestServerImportsNoStorePackages(t *testing.T) {
	forbidden := []string{"tracecode/engine/store", "tracecode/engine/ledger", "tracecode/engine/agg"}
	n := 0
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" || d.Name() == "assets" {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(dir, build.ImportComment)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		n++
		for _, imps := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
			for _, imp := range imps {
				if slices.Contains(forbidden, imp) {
					t.Errorf("package %s (%s) imports %s; use the engine's API", pkg.Name, dir, imp)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no Go package under server/")
	}
}
