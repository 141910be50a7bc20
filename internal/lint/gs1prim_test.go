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

// gs1PrimitiveNames are fragments of function names that mark a GS1
// primitive: the check digit, a character set, the mod-10 sum, a Digital
// Link path-segment splitter. They belong to engine/code (gs1, digitallink).
var gs1PrimitiveNames = []string{"checkdigit", "cset", "mod10", "nextseg"}

// gs1Punct is the printable ASCII punctuation; CSET 82 (and its
// complement within printable ASCII) is mostly made of it, so a literal
// listing many of these characters is a character table.
const gs1Punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// minTableChars is how many distinct punctuation characters one list of
// character literals (a case clause, a composite literal) may hold before
// it counts as a character table; minTableRun is the same for one
// unbroken run in a string (a regular expression may reach 8).
const (
	minTableChars = 8
	minTableRun   = 10
)

// punctRun is the longest run of distinct punctuation characters in s, as
// a table string lists them ("!\"%&'()*+,-./"); JSON, paths and messages
// break such runs.
func punctRun(s string) int {
	best, start := 0, 0
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(gs1Punct, rune(s[i])) || strings.IndexByte(s[start:i], s[i]) >= 0 {
			if strings.ContainsRune(gs1Punct, rune(s[i])) {
				start += strings.IndexByte(s[start:i], s[i]) + 1
			} else {
				start = i + 1
			}
		}
		best = max(best, i+1-start)
	}
	return best
}

// gs1PrimitiveProblems returns where src defines a GS1 primitive of its
// own: a function named like one, or a table of GS1 characters.
func gs1PrimitiveProblems(fset *token.FileSet, f *ast.File) []string {
	var out []string
	punct := func(s string) int {
		seen := map[rune]bool{}
		for _, c := range s {
			if strings.ContainsRune(gs1Punct, c) {
				seen[c] = true
			}
		}
		return len(seen)
	}
	charLits := func(exprs []ast.Expr) string {
		var b strings.Builder
		for _, e := range exprs {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				e = kv.Key
			}
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.CHAR {
				if c, _, _, err := strconv.UnquoteChar(lit.Value[1:len(lit.Value)-1], '\''); err == nil {
					b.WriteRune(c)
				}
			}
		}
		return b.String()
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if strings.HasPrefix(n.Name.Name, "Test") || strings.HasPrefix(n.Name.Name, "Benchmark") || strings.HasPrefix(n.Name.Name, "Fuzz") {
				break
			}
			name := strings.ToLower(n.Name.Name)
			for _, frag := range gs1PrimitiveNames {
				if strings.Contains(name, frag) {
					out = append(out, fset.Position(n.Pos()).String()+": function "+n.Name.Name+" is a GS1 primitive: call engine/code")
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil && punctRun(s) >= minTableRun {
					out = append(out, fset.Position(n.Pos()).String()+": string literal lists "+strconv.Itoa(punctRun(s))+" punctuation characters in a row, a GS1 character table: call engine/code")
				}
			}
		case *ast.CaseClause:
			if s := charLits(n.List); punct(s) >= minTableChars {
				out = append(out, fset.Position(n.Pos()).String()+": case clause lists the characters "+strconv.Quote(s)+", a GS1 character table: call engine/code")
			}
		case *ast.CompositeLit:
			if s := charLits(n.Elts); punct(s) >= minTableChars {
				out = append(out, fset.Position(n.Pos()).String()+": composite literal lists the characters "+strconv.Quote(s)+", a GS1 character table: call engine/code")
			}
		}
		return true
	})
	return out
}

// TestServerDefinesNoGS1Primitive: the server is a protocol adapter; the
// GS1 check digit, the CSET 82 table and the Digital Link path rules are
// engine/code's, and the server calls them rather than keeping a copy.
func TestServerDefinesNoGS1Primitive(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "server")
	files := goFiles(t, dir)
	fset := token.NewFileSet()
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range gs1PrimitiveProblems(fset, f) {
			t.Error(p)
		}
	}
}

// TestGS1PrimitiveCheckCatchesCopies holds the check to the copies the
// server once kept: a mod-10 function, a CSET 82 switch and a table string.
func TestGS1PrimitiveCheckCatchesCopies(t *testing.T) {
	for name, src := range map[string]string{
		"check digit": `package p
func checkDigit(body []byte) byte { return 0 }`,
		"cset82 func": `package p
func validCSET(c byte) bool { return c > ' ' }`,
		"cset82 switch": `package p
func ok(c byte) bool {
	switch c {
	case '"', '#', '$', '@', '[', '\\', ']', '^', '` + "`" + `', '{', '|', '}', '~':
		return false
	}
	return true
}`,
		"cset82 string": `package p
const chars = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"`,
		"cset82 array": `package p
var bad = [256]bool{'"': true, '#': true, '$': true, '@': true, '[': true, '\\': true, ']': true, '^': true}`,
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name+".go", src, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p := gs1PrimitiveProblems(fset, f); len(p) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}
