package digitallink

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.golden")

// sentinels names every sentinel for the golden output.
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrCharacter", ErrCharacter}, {"ErrScheme", ErrScheme}, {"ErrHost", ErrHost},
	{"ErrCompressed", ErrCompressed}, {"ErrLegacy", ErrLegacy}, {"ErrTrailingSlash", ErrTrailingSlash},
	{"ErrEmptyValue", ErrEmptyValue}, {"ErrEncoding", ErrEncoding}, {"ErrValue", ErrValue},
	{"ErrUnknownAI", ErrUnknownAI}, {"ErrNotQualifier", ErrNotQualifier},
	{"ErrQualifierOrder", ErrQualifierOrder}, {"ErrQualifierInQuery", ErrQualifierInQuery},
	{"ErrNotAttribute", ErrNotAttribute}, {"ErrDuplicateAI", ErrDuplicateAI},
	{"ErrNoPrimaryKey", ErrNoPrimaryKey}, {"ErrAssociation", ErrAssociation},
}

// describeErr formats err as "error <Sentinel> pos=N segment=… : message".
func describeErr(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return "error (not an *Error): " + err.Error()
	}
	name := "?"
	for _, s := range sentinels {
		if e.Err == s.err {
			name = s.name
		}
	}
	return fmt.Sprintf("error %s pos=%d segment=%q\n  %s", name, e.Pos, e.Segment, e.Reason)
}

// describeDL formats a parsed DL for the golden file.
func describeDL(d DL) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scheme=%s host=%s stem=%q\n", d.Scheme, d.Host, d.Stem)
	fmt.Fprintf(&b, "key (%s)%s\n", d.Key.AI, d.Key.Value)
	for _, q := range d.Qualifiers {
		fmt.Fprintf(&b, "qualifier (%s)%s\n", q.AI, q.Value)
	}
	for _, a := range d.Attrs {
		fmt.Fprintf(&b, "attr (%s)%s\n", a.AI, a.Value)
	}
	for _, o := range d.Other {
		fmt.Fprintf(&b, "other %s=%s\n", o.Key, o.Value)
	}
	if lt := d.LinkType(); lt != "" {
		fmt.Fprintf(&b, "linkType %s\n", lt)
	}
	fmt.Fprintf(&b, "elements %s\n", elementString(d.Elements()))
	fmt.Fprintf(&b, "canonical %s", d.AppendCanonical(nil, ""))
	return b.String()
}

// runCommand executes one golden-file command and returns its output.
//
//	parse URI            strict Parse
//	parse-legacy URI     ParseOptions with AllowLegacy
//	parse-associations URI  ParseOptions with CheckAssociations
//	build BASE (AI)v...  Build: the first element is the key, then
//	                     qualifiers up to "?", then attributes
//	elements (AI)v...    FromElements, printed canonical
func runCommand(cmd, arg string) string {
	switch cmd {
	case "parse", "parse-legacy", "parse-associations":
		d, err := ParseOptions(arg, Options{AllowLegacy: cmd == "parse-legacy", CheckAssociations: cmd == "parse-associations"})
		if err != nil {
			return describeErr(err)
		}
		return describeDL(d)
	case "build":
		base, data, _ := strings.Cut(arg, " ")
		if base == "-" {
			base = ""
		}
		path, query, _ := strings.Cut(data, "?")
		pels, err := parseBracketed(path)
		if err != nil || len(pels) == 0 {
			return fmt.Sprintf("bad test input: %v", err)
		}
		qels, err := parseBracketed(query)
		if err != nil {
			return fmt.Sprintf("bad test input: %v", err)
		}
		s, err := Build(base, pels[0], pels[1:], qels)
		if err != nil {
			return describeErr(err)
		}
		return s
	case "elements":
		els, err := parseBracketed(arg)
		if err != nil {
			return fmt.Sprintf("bad test input: %v", err)
		}
		d, err := FromElements(els)
		if err != nil {
			return describeErr(err)
		}
		return string(d.AppendCanonical(nil, ""))
	}
	return "unknown command " + cmd
}

// TestGolden runs testdata/*.golden: blocks of "command argument", a
// "----" line, the expected output and a blank line; lines starting with
// '#' are comments. go test -run TestGolden -rewrite regenerates them.
func TestGolden(t *testing.T) {
	for _, file := range []string{"testdata/parse.golden", "testdata/build.golden"} {
		t.Run(file, func(t *testing.T) { runGolden(t, file) })
	}
}

func runGolden(t *testing.T, file string) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			out.WriteString(l + "\n")
			continue
		}
		cmd, arg, _ := strings.Cut(l, " ")
		start := line
		if !sc.Scan() || sc.Text() != "----" {
			t.Fatalf("%s:%d: want ---- after the command", file, start)
		}
		line++
		var want []string
		for sc.Scan() {
			line++
			if sc.Text() == "" {
				break
			}
			want = append(want, sc.Text())
		}
		got := runCommand(cmd, arg)
		if w := strings.Join(want, "\n"); got != w && !*rewrite {
			t.Errorf("%s:%d: %s\n got:\n%s\nwant:\n%s", file, start, l, got, w)
		}
		out.WriteString(l + "\n----\n" + got + "\n\n")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
