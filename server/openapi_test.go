package server

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// openAPIRoutes reads "METHOD /path" pairs from docs/openapi.yaml: path
// keys are indented two spaces under "paths:", methods four.
func openAPIRoutes(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	inPaths, path := false, ""
	pathRE := regexp.MustCompile(`^  (/[^:]*):\s*$`)
	methodRE := regexp.MustCompile(`^    (get|put|post|delete|patch|head|options):`)
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ' && line[0] != '#':
			inPaths = false
		case !inPaths:
		case pathRE.MatchString(line):
			path = pathRE.FindStringSubmatch(line)[1]
		case methodRE.MatchString(line):
			out[strings.ToUpper(methodRE.FindStringSubmatch(line)[1])+" "+path] = true
		}
	}
	return out
}

// Every route the server serves is documented in docs/openapi.yaml, and
// every documented route is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	doc := openAPIRoutes(t)
	served := map[string]bool{}
	for _, r := range env.srv.routes {
		served[r.method+" "+r.pattern] = true
	}
	var missing, extra []string
	for k := range served {
		if !doc[k] {
			missing = append(missing, k)
		}
	}
	for k := range doc {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, k := range missing {
		t.Errorf("served but not in docs/openapi.yaml: %s", k)
	}
	for _, k := range extra {
		t.Errorf("in docs/openapi.yaml but not served: %s", k)
	}

	// And the table is what the dispatcher really serves: every pattern,
	// filled with sample values, reaches a handler (not the no-route 404).
	op := env.key("operator")
	samples := map[string]string{"{gtin}": "06901234000115", "{lot}": "1", "{serial}": "A1", "{cpv}": "V1",
		"{sscc}": "069012340000000018", "{short}": "ABC", "{org}": "1", "{product}": "1", "{block}": "1",
		"{key}": "0000000000000001", "{code}": "01/06901234000115/21/A1", "{recall}": "1", "{alert}": "1",
		"{uscc}": "91620102MA71LY016E", "{entry}": "1", "{tracking}": "TS0000000000AB", "{photo}": "1",
		"{eventType}": "ObjectEvent", "{epc}": "urn:epc:id:sscc:6901234.0000000001", "{bizStep}": "shipping",
		"{bizLocation}": "urn:epc:id:sgln:6901234.00001.0", "{readPoint}": "urn:epc:id:sgln:6901234.00001.0", "{disposition}": "in_transit", "{name}": "q1",
		"{plan}": "1", "{draw}": "1", "{n}": "1", "{id}": "1", "{dataset}": "statistics",
		"{site}": "1"}
	for _, r := range env.srv.routes {
		path := r.pattern
		for k, v := range samples {
			path = strings.ReplaceAll(path, k, v)
		}
		if strings.Contains(path, "{") {
			t.Errorf("no sample value for a parameter of %s", r.pattern)
			continue
		}
		if path == "/resolve" {
			path += "?code=x"
		}
		res := env.api(r.method, path, op, "", "Accept", "application/json")
		if strings.Contains(string(res.body), "problems/no-route") || res.status == 405 {
			t.Errorf("%s %s (%s) is not dispatched: %d %s", r.method, path, r.pattern, res.status, res.body)
		}
	}
}

// docs/api.md mentions every route too.
func TestAPIDocMentionsRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range env.srv.routes {
		if !strings.Contains(doc, r.pattern) {
			t.Errorf("docs/api.md does not mention %s %s", r.method, r.pattern)
		}
	}
}
