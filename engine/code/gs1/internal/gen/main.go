// Command gen turns the GS1 Barcode Syntax Dictionary into the Go table in
// engine/code/gs1/ai_table.go. It is run by `go generate` in package gs1:
//
//	//go:generate go run ./internal/gen
//
// The output depends only on the dictionary file, so running it twice gives
// the same bytes; CI runs `go generate ./engine/code/...` and fails on a diff.
//
// # Dictionary format (from the file's own header)
//
//		AIs  [Flags]  Specification  [Attributes...]  [# Title]
//
//	  - AIs: one AI ("01") or an inclusive range of equal-length AIs
//	    ("3100-3105", "91-99"); a range becomes one table entry per AI.
//	  - Flags: '*' predefined length (no FNC1 separator needed after it),
//	    '?' allowed as a GS1 Digital Link data attribute. Other characters of
//	    the reserved flag set are rejected, so a new flag cannot be missed.
//	  - Specification: whitespace-separated components "Type[,linter...]",
//	    Type = charset N|X|Y|Z then a length "14" or "..20"; "[Type]" marks an
//	    optional component (only trailing components may be optional, only the
//	    last may have variable length; both are checked here).
//	  - Attributes: req=A,B+C (one requisite group: one alternative must be
//	    present, '+' joins AIs that must be present together; several req=
//	    attributes must all hold), ex=A,B (mutually exclusive), dlpkey or
//	    dlpkey=A,B|C (Digital Link primary key with alternative ordered
//	    qualifier paths), dlattr. A pattern such as "31nn" matches any digit
//	    at each 'n'. Unknown attributes are rejected.
//	  - Title: the text after the first '#'.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type component struct {
	charset  byte
	min, max int
	optional bool
	linters  []string
}

type entry struct {
	code   string
	title  string
	fixed  bool
	dlattr bool
	comps  []component
	spec   string     // specification text, for the generated comment
	req    [][]string // raw req= groups, patterns kept
	ex     []string   // raw ex= list, patterns kept
	dlpkey [][]string // nil unless a primary key
	line   int
}

var (
	reAI      = regexp.MustCompile(`^[0-9]{2,4}$`)
	reType    = regexp.MustCompile(`^([NXYZ])(\.\.)?([0-9]{1,2})$`)
	rePattern = regexp.MustCompile(`^[0-9][0-9n]{1,3}$`)
	reLinter  = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
)

const flagChars = "*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~"

func main() {
	in := flag.String("in", "internal/gen/gs1-syntax-dictionary.txt", "dictionary file")
	out := flag.String("out", "ai_table.go", "generated Go file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	src, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	release, entries, err := parse(src)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	code, err := generate(release, entries)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, code, 0o644); err != nil {
		log.Fatal(err)
	}
}

func parse(src []byte) (release string, entries []*entry, err error) {
	sc := bufio.NewScanner(bytes.NewReader(src))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "#") {
			if r, ok := strings.CutPrefix(line, "# Release:"); ok {
				release = strings.TrimSpace(r)
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		es, err := parseLine(line)
		if err != nil {
			return "", nil, fmt.Errorf("line %d: %w: %q", n, err, line)
		}
		for _, e := range es {
			e.line = n
		}
		entries = append(entries, es...)
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	if release == "" {
		return "", nil, fmt.Errorf("no '# Release:' header line")
	}
	seen := map[string]bool{}
	prefixLen := map[string]int{}
	for _, e := range entries {
		if seen[e.code] {
			return "", nil, fmt.Errorf("line %d: AI %s defined twice", e.line, e.code)
		}
		seen[e.code] = true
		// The length of an AI is fixed by its first two digits (GS1 General
		// Specifications); MatchAI relies on it.
		p := e.code[:2]
		if l, ok := prefixLen[p]; ok && l != len(e.code) {
			return "", nil, fmt.Errorf("line %d: AI %s: AIs starting %s have length %d", e.line, e.code, p, l)
		}
		prefixLen[p] = len(e.code)
	}
	return release, entries, nil
}

func parseLine(line string) ([]*entry, error) {
	title := ""
	if i := strings.IndexByte(line, '#'); i >= 0 {
		title = strings.TrimSpace(line[i+1:])
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return nil, fmt.Errorf("too few fields")
	}
	var proto entry
	proto.title = title
	i := 1
	if strings.IndexByte(flagChars, f[1][0]) >= 0 && f[1][0] != '[' {
		for _, c := range []byte(f[1]) {
			switch c {
			case '*':
				proto.fixed = true
			case '?':
				proto.dlattr = true
			default:
				return nil, fmt.Errorf("unknown flag %q", c)
			}
		}
		i++
	}
	var spec []string
	for ; i < len(f) && (f[i][0] == '[' || (f[i][0] >= 'A' && f[i][0] <= 'Z')); i++ {
		c, err := parseComponent(f[i])
		if err != nil {
			return nil, err
		}
		proto.comps = append(proto.comps, c)
		spec = append(spec, f[i])
	}
	if len(proto.comps) == 0 {
		return nil, fmt.Errorf("no specification")
	}
	proto.spec = strings.Join(spec, " ")
	for k, c := range proto.comps {
		last := k == len(proto.comps)-1
		if c.min != c.max && !last {
			return nil, fmt.Errorf("variable-length component %d is not the last", k+1)
		}
		if k > 0 && proto.comps[k-1].optional && !c.optional {
			return nil, fmt.Errorf("mandatory component %d follows an optional one", k+1)
		}
	}
	for ; i < len(f); i++ {
		key, val, hasVal := strings.Cut(f[i], "=")
		switch key {
		case "req":
			var group []string
			for _, alt := range strings.Split(val, ",") {
				for _, p := range strings.Split(alt, "+") {
					if !rePattern.MatchString(p) {
						return nil, fmt.Errorf("bad req pattern %q", p)
					}
				}
				group = append(group, alt)
			}
			proto.req = append(proto.req, group)
		case "ex":
			for _, p := range strings.Split(val, ",") {
				if !rePattern.MatchString(p) {
					return nil, fmt.Errorf("bad ex pattern %q", p)
				}
				proto.ex = append(proto.ex, p)
			}
		case "dlpkey":
			if proto.dlpkey != nil {
				return nil, fmt.Errorf("dlpkey given twice")
			}
			if !hasVal {
				proto.dlpkey = [][]string{{}}
				break
			}
			for _, path := range strings.Split(val, "|") {
				q := strings.Split(path, ",")
				for _, a := range q {
					if !reAI.MatchString(a) {
						return nil, fmt.Errorf("bad dlpkey qualifier %q", a)
					}
				}
				proto.dlpkey = append(proto.dlpkey, q)
			}
		case "dlattr":
			if hasVal {
				return nil, fmt.Errorf("dlattr takes no value")
			}
			proto.dlattr = true
		default:
			return nil, fmt.Errorf("unknown attribute %q", f[i])
		}
	}
	lo, hi, isRange := strings.Cut(f[0], "-")
	if !isRange {
		hi = lo
	}
	if !reAI.MatchString(lo) || !reAI.MatchString(hi) || len(lo) != len(hi) || hi < lo {
		return nil, fmt.Errorf("bad AI or AI range %q", f[0])
	}
	a, _ := strconv.Atoi(lo)
	b, _ := strconv.Atoi(hi)
	var out []*entry
	for v := a; v <= b; v++ {
		e := proto
		e.code = fmt.Sprintf("%0*d", len(lo), v)
		out = append(out, &e)
	}
	return out, nil
}

func parseComponent(tok string) (component, error) {
	var c component
	if strings.HasPrefix(tok, "[") {
		end := strings.IndexByte(tok, ']')
		if end < 0 {
			return c, fmt.Errorf("unterminated [ in %q", tok)
		}
		c.optional = true
		tok = tok[1:end] + tok[end+1:]
	}
	parts := strings.Split(tok, ",")
	m := reType.FindStringSubmatch(parts[0])
	if m == nil {
		return c, fmt.Errorf("bad component type %q", parts[0])
	}
	c.charset = m[1][0]
	c.max, _ = strconv.Atoi(m[3])
	c.min = c.max
	if m[2] != "" {
		c.min = 1
	}
	if c.max == 0 {
		return c, fmt.Errorf("zero-length component %q", parts[0])
	}
	for _, l := range parts[1:] {
		if !reLinter.MatchString(l) {
			return c, fmt.Errorf("bad linter name %q", l)
		}
		c.linters = append(c.linters, l)
	}
	return c, nil
}

// matchPattern reports whether AI code matches a req/ex pattern, where 'n'
// stands for any digit.
func matchPattern(pattern, code string) bool {
	if len(pattern) != len(code) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != 'n' && pattern[i] != code[i] {
			return false
		}
	}
	return true
}

// resolveEx turns ex= patterns into the sorted list of table AIs they match,
// without the AI itself ("an AI is not exclusive of itself even if it matches
// a pattern"). A plain code missing from the table is kept as is.
func resolveEx(e *entry, all []*entry) []string {
	set := map[string]bool{}
	for _, p := range e.ex {
		if !strings.Contains(p, "n") {
			if p != e.code {
				set[p] = true
			}
			continue
		}
		for _, o := range all {
			if o.code != e.code && matchPattern(p, o.code) {
				set[o.code] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func lintIdent(name string) string {
	return "lint" + strings.ToUpper(name[:1]) + name[1:]
}

func strList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "{" + strings.Join(q, ", ") + "}"
}

func generate(release string, entries []*entry) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by engine/code/gs1/internal/gen from gs1-syntax-dictionary.txt; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package gs1\n\n")
	fmt.Fprintf(&b, "// DictionaryRelease is the release of the GS1 Barcode Syntax Dictionary\n// that the AI table was generated from.\n")
	fmt.Fprintf(&b, "const DictionaryRelease = %q\n\n", release)

	// Component specifications are shared between the AIs that use the same
	// one, in order of first use.
	specName := map[string]string{}
	var specOrder []string
	specOf := map[string]*entry{}
	linterSet := map[string]bool{}
	for _, e := range entries {
		if _, ok := specName[e.spec]; !ok {
			specName[e.spec] = fmt.Sprintf("spec%d", len(specOrder))
			specOrder = append(specOrder, e.spec)
			specOf[e.spec] = e
		}
		for _, c := range e.comps {
			for _, l := range c.linters {
				linterSet[l] = true
			}
		}
	}
	linters := make([]string, 0, len(linterSet))
	for l := range linterSet {
		linters = append(linters, l)
	}
	sort.Strings(linters)
	fmt.Fprintf(&b, "// dictionaryLinters lists every linter named in the dictionary, sorted.\n")
	fmt.Fprintf(&b, "var dictionaryLinters = []string%s\n\n", strList(linters))

	fmt.Fprintf(&b, "// Component specifications, shared by the AIs that use them. They must\n// not be modified.\nvar (\n")
	for _, s := range specOrder {
		e := specOf[s]
		fmt.Fprintf(&b, "\t%s = []Component{ // %s\n", specName[s], s)
		for _, c := range e.comps {
			fmt.Fprintf(&b, "\t\t{Charset: '%c', Min: %d, Max: %d", c.charset, c.min, c.max)
			if c.optional {
				fmt.Fprintf(&b, ", Optional: true")
			}
			if len(c.linters) > 0 {
				var ids []string
				for _, l := range c.linters {
					if c.charset == 'N' && (l == "gcppos1" && c.min >= 4 || l == "gcppos2" && c.min >= 5) {
						// "A GS1 Company Prefix (at least 4 digits)
						// starts at position 1 or 2" cannot fail on a
						// numeric component that long; leaving it out
						// keeps key validation short.
						continue
					}
					ids = append(ids, lintIdent(l))
				}
				fmt.Fprintf(&b, ", Linters: []string%s", strList(c.linters))
				if len(ids) > 0 {
					fmt.Fprintf(&b, ", lints: []lintID{%s}", strings.Join(ids, ", "))
				}
			}
			fmt.Fprintf(&b, "},\n")
		}
		fmt.Fprintf(&b, "\t}\n")
	}
	fmt.Fprintf(&b, ")\n\n")

	fmt.Fprintf(&b, "// aiTable holds one entry per AI, sorted by code as in the dictionary.\n")
	fmt.Fprintf(&b, "var aiTable = [...]AI{\n")
	for _, e := range entries {
		minLen, maxLen := 0, 0
		for _, c := range e.comps {
			if !c.optional {
				minLen += c.min
			}
			maxLen += c.max
		}
		fmt.Fprintf(&b, "\t{Code: %q, Title: %q", e.code, e.title)
		if e.fixed {
			fmt.Fprintf(&b, ", Fixed: true")
		}
		if e.dlattr {
			fmt.Fprintf(&b, ", DLAttr: true")
		}
		fmt.Fprintf(&b, ", Components: %s, MinLen: %d, MaxLen: %d", specName[e.spec], minLen, maxLen)
		if len(e.req) > 0 {
			groups := make([]string, len(e.req))
			for i, g := range e.req {
				groups[i] = strList(g)
			}
			fmt.Fprintf(&b, ", Req: [][]string{%s}", strings.Join(groups, ", "))
		}
		if ex := resolveEx(e, entries); len(ex) > 0 {
			fmt.Fprintf(&b, ", Ex: []string%s", strList(ex))
		}
		if e.dlpkey != nil {
			paths := make([]string, len(e.dlpkey))
			for i, p := range e.dlpkey {
				paths[i] = strList(p)
			}
			fmt.Fprintf(&b, ", DLPKey: [][]string{%s}", strings.Join(paths, ", "))
		}
		fmt.Fprintf(&b, "},\n")
	}
	fmt.Fprintf(&b, "}\n")
	return format.Source(b.Bytes())
}
