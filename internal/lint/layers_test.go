package lint

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// partForbidden lists, for each engine part, the packages it must not
// import (tests included): a part asks the rest of the engine through
// small interfaces of its own, never through the facade or a sibling
// part that sits above it.
var partForbidden = map[string][]string{
	"engine/issue": {"tracecode/engine", "tracecode/engine/chain", "tracecode/engine/resolve", "tracecode/engine/verify"},
	"engine/chain": {"tracecode/engine", "tracecode/engine/verify"},
	// The parts behind the facade ask the engine through an interface of
	// their own (verify.Engine, complaint.Codes, label.Codes,
	// credit.Registry, spotcheck.Engine, epcisq.Engine, notice.Engine,
	// sector.Engine, stats.Registry, scanreview.Resolver; epcissub
	// through epcisq.Office and epcissub.Capturer).
	"engine/verify":    {"tracecode/engine"},
	"engine/credit":    {"tracecode/engine"},
	"engine/spotcheck": {"tracecode/engine"},
	"engine/complaint": {"tracecode/engine"},
	"engine/label":     {"tracecode/engine"},
	"engine/epcisq":    {"tracecode/engine"},
	"engine/epcissub":  {"tracecode/engine"},
	"engine/site":      {"tracecode/engine"},
	"engine/search":    {"tracecode/engine"},
	"engine/amend":     {"tracecode/engine"},
	"engine/config":    {"tracecode/engine"},
	"engine/onestop":   {"tracecode/engine"},
	"engine/export":    {"tracecode/engine"},
	"engine/replica":   {"tracecode/engine"},

	// The notice, category, statistics and scan-review offices.
	"engine/notice":     {"tracecode/engine"},
	"engine/sector":     {"tracecode/engine"},
	"engine/stats":      {"tracecode/engine"},
	"engine/scanreview": {"tracecode/engine"},
	"engine/drugexport": {"tracecode/engine"}, // through drugexport.Source
}

func TestEnginePartsImports(t *testing.T) {
	root := moduleRoot(t)
	for dir, forbidden := range partForbidden {
		pkg, err := build.ImportDir(filepath.Join(root, dir), build.ImportComment)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, imps := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
			for _, imp := range imps {
				if slices.Contains(forbidden, imp) {
					t.Errorf("%s imports %s; give it a small interface instead (docs/architecture.md)", dir, imp)
				}
			}
		}
	}
	// The rule is checked against a real import list: the part imports
	// the model it works on.
	pkg, err := build.ImportDir(filepath.Join(root, "engine/issue"), build.ImportComment)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pkg.Imports, func(p string) bool { return strings.HasSuffix(p, "/engine/model") }) {
		t.Fatalf("engine/issue imports %v, not engine/model: the import rule reads the wrong package", pkg.Imports)
	}
}
