// Package epcistest validates EPCIS documents against GS1's schemas in
// tests: the EPCIS 2.0 JSON Schema (santhosh-tekuri/jsonschema, offline)
// and the XSDs (xmllint). The schemas are the copies in
// engine/epcis/testdata (see its SOURCE.md); callers pass their path.
package epcistest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// negPrefix is a pattern "^(?!(A|B))": the string must not start with A or
// B. The EPCIS schema's vocabulary patterns are of this form; Go's RE2 has
// no lookahead, so it is evaluated as the negation of "^(?:A|B)".
type negPrefix struct {
	src string
	re  *regexp.Regexp
}

func (n negPrefix) MatchString(s string) bool { return !n.re.MatchString(s) }
func (n negPrefix) String() string            { return n.src }

// lookaheadRegexp compiles schema patterns: the negative-prefix form as
// negPrefix, every other pattern with Go's regexp.
func lookaheadRegexp(p string) (jsonschema.Regexp, error) {
	if inner, ok := strings.CutPrefix(p, "^(?!("); ok && strings.HasSuffix(inner, "))") {
		re, err := regexp.Compile("^(?:" + strings.TrimSuffix(inner, "))") + ")")
		if err != nil {
			return nil, err
		}
		return negPrefix{p, re}, nil
	}
	return regexp.Compile(p)
}

// Schema compiles GS1's EPCIS 2.0 JSON Schema at path (formats asserted).
func Schema(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(lookaheadRegexp)
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// ValidateJSON reports whether doc (JSON) validates against sch; the
// error names every violation.
func ValidateJSON(sch *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// XMLLint returns xmllint's path; without it the test is skipped, or
// fails under TRACECODE_CI (make test installs Debian's libxml2-utils).
func XMLLint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("TRACECODE_CI") != "" {
			t.Fatal("xmllint (Debian libxml2-utils) is required under TRACECODE_CI")
		}
		t.Skip("xmllint not installed (Debian libxml2-utils; make test installs it)")
	}
	return p
}

// ValidateXML validates the XML documents docs against the XSD at xsd
// with xmllint (offline) and fails the test naming the problems. It
// writes them to a temporary directory first.
func ValidateXML(t testing.TB, xsd string, docs map[string][]byte) {
	t.Helper()
	if len(docs) == 0 {
		return
	}
	xmllint := XMLLint(t)
	abs, err := filepath.Abs(xsd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"--noout", "--nonet", "--schema", abs}
	i := 0
	for name, b := range docs {
		p := filepath.Join(dir, strconv.Itoa(i)+"-"+strings.NewReplacer("/", "_", ",", "_", " ", "_").Replace(name)+".xml")
		i++
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	if out, err := exec.Command(xmllint, args...).CombinedOutput(); err != nil {
		t.Errorf("xmllint %s: %v\n%s", filepath.Base(xsd), err, out)
	}
}
