package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// vocabTypes are the engine/epcis string types whose constants name the
// EPCIS/CBV vocabulary.
var vocabTypes = map[string]bool{"EventType": true, "Action": true, "BizStep": true, "Disposition": true,
	"SourceDestType": true, "BizTransactionType": true}

// vocabFields are field names that hold vocabulary values in the engine's
// records (ledger.Summary, epcis.Event, ledger.Pair).
var vocabFields = map[string]bool{"EventType": true, "Action": true, "BizStep": true, "Disposition": true, "Type": true}

// epcisTerms reads the values of engine/epcis's vocabulary constants
// (EventType, Action, BizStep, … typed string constants).
func epcisTerms(t *testing.T, root string) map[string]string {
	t.Helper()
	terms := map[string]string{}
	dir := filepath.Join(root, "engine", "epcis")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || !vocabTypes[typ.Name] {
					continue
				}
				for i, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						terms[s] = "epcis." + vs.Names[i].Name
					}
				}
			}
		}
	}
	if len(terms) < 50 {
		t.Fatalf("found only %d vocabulary constants in engine/epcis", len(terms))
	}
	return terms
}

// rawVocab returns the places in src where an EPCIS/CBV term is written as
// a raw string literal in logic: compared (==, !=, case), assigned to or
// keyed as a vocabulary field, or searched for with slices.Contains.
func rawVocab(fset *token.FileSet, f *ast.File, terms map[string]string) []string {
	var out []string
	check := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, _ := strconv.Unquote(lit.Value)
		if c, ok := terms[s]; ok {
			out = append(out, fset.Position(lit.Pos()).String()+": raw "+lit.Value+", want "+c)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				check(n.X)
				check(n.Y)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				check(e)
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && vocabFields[k.Name] {
				check(n.Value)
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && vocabFields[sel.Sel.Name] && i < len(n.Rhs) {
					check(n.Rhs[i])
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Contains" {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "slices" && len(n.Args) == 2 {
					check(n.Args[1])
				}
			}
		}
		return true
	})
	return out
}

// TestEngineUsesTypedVocabulary keeps the engine's logic on engine/epcis's
// typed constants (epcis.BizStepShipping, epcis.ObjectEvent,
// epcis.DispRecalled): a misspelt raw string compiles and silently never
// matches. The vocabulary's own package and the demo data set are exempt.
func TestEngineUsesTypedVocabulary(t *testing.T) {
	root := moduleRoot(t)
	terms := epcisTerms(t, root)
	for _, path := range goFiles(t, filepath.Join(root, "engine")) {
		rel, _ := filepath.Rel(root, path)
		if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(rel, filepath.Join("engine", "epcis")+"/") ||
			strings.HasPrefix(rel, filepath.Join("engine", "demo")+"/") {
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
		for _, p := range rawVocab(fset, f, terms) {
			t.Error(p)
		}
	}
}

func TestRawVocab(t *testing.T) {
	terms := map[string]string{"shipping": "epcis.BizStepShipping", "ObjectEvent": "epcis.ObjectEvent", "recalled": "epcis.DispRecalled"}
	src := `package p
var names = []string{"recalled", "sold"}
func f(s S) {
	if s.BizStep == "shipping" {}
	switch s.EventType { case "ObjectEvent": }
	s.Disposition = "recalled"
	_ = S{EventType: "ObjectEvent", Note: "shipping"}
	_ = slices.Contains(s.SetDisp, "recalled")
	_ = s.BizStep == epcis.BizStepShipping
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := rawVocab(fset, f, terms)
	if len(got) != 5 {
		t.Errorf("got %d findings, want 5 (compare, case, assignment, keyed field, slices.Contains): %q", len(got), got)
	}
}
