// Package fieldtest runs the golden vector files of the sector code
// parsers under engine/code/cn. A file is a sequence of cases separated by
// blank lines; a case is optional # comment lines, a line `KIND "INPUT"`
// (INPUT a Go string literal), `----`, and the expected output: what the
// package's run function prints for that kind and input. With -rewrite the
// expected outputs are replaced by the current ones, for review as a diff.
package fieldtest

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"tracecode/engine/code/cn"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden vector files with the current outputs")

// Golden checks every case of the file at path against run.
func Golden(t *testing.T, path string, run func(kind, in string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	n := 0
	for _, block := range strings.Split(strings.TrimSpace(string(data)), "\n\n") {
		head, want, ok := strings.Cut(block, "\n----\n")
		if !ok {
			head, want = strings.TrimSuffix(block, "\n----"), ""
		}
		lines := strings.Split(head, "\n")
		cmd := lines[len(lines)-1]
		if strings.HasPrefix(cmd, "#") {
			out.WriteString(block + "\n\n")
			continue
		}
		kind, lit, _ := strings.Cut(cmd, " ")
		in, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %s: bad input literal %s: %v", path, cmd, lit, err)
		}
		got := run(kind, in)
		n++
		if *rewrite {
			fmt.Fprintf(&out, "%s\n----\n%s\n\n", head, got)
			continue
		}
		if got != want {
			t.Errorf("%s: %s:\ngot:\n%s\nwant:\n%s", path, cmd, got, want)
		}
	}
	if n == 0 {
		t.Fatalf("%s: no cases", path)
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimSuffix(out.String(), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Error renders err for a golden file: "error: " and its text.
func Error(err error) string { return "error: " + err.Error() }

// WrapsSentinel reports whether err wraps one of the cn sentinels, as
// every parser error must.
func WrapsSentinel(err error) bool {
	for _, s := range []error{cn.ErrLength, cn.ErrSyntax, cn.ErrCheck, cn.ErrDate, cn.ErrRegion, cn.ErrRange} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Position returns the 1-based position and field an error names: a
// *cn.FieldError's field and first position, a *cn.CharError's position
// ("char"), a *cn.CheckError's ("check"); 0 and "" for a length error.
func Position(err error) (string, int) {
	var fe *cn.FieldError
	var ce *cn.CharError
	var ke *cn.CheckError
	switch {
	case errors.As(err, &fe):
		return fe.Field, fe.Pos
	case errors.As(err, &ce):
		return "char", ce.Pos
	case errors.As(err, &ke):
		return "check", ke.Pos
	}
	return "", 0
}
