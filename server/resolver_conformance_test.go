package server

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// lookaheadPattern evaluates a schema pattern that starts with a negative
// lookahead, "(?!(A|B))REST", which Go's RE2 lacks: the string must not
// start with A or B, and must match REST. GS1's linkset schema uses it for
// its link-type keys.
type lookaheadPattern struct {
	src       string
	not, rest *regexp.Regexp
}

func (p lookaheadPattern) MatchString(s string) bool {
	return !p.not.MatchString(s) && p.rest.MatchString(s)
}
func (p lookaheadPattern) String() string { return p.src }

func compileLookahead(p string) (jsonschema.Regexp, error) {
	if inner, ok := strings.CutPrefix(p, "(?!("); ok {
		if i := strings.Index(inner, "))"); i >= 0 {
			not, err := regexp.Compile("^(?:" + inner[:i] + ")")
			if err != nil {
				return nil, err
			}
			rest, err := regexp.Compile(inner[i+2:])
			if err != nil {
				return nil, err
			}
			return lookaheadPattern{p, not, rest}, nil
		}
	}
	return regexp.Compile(p)
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileLookahead)
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestResolverConformance runs the checks of GS1's resolver conformance
// suite that need no network, for an item with a serial, a GTIN, a GTIN
// with a lot and an SSCC, as the suite makes its requests (no Accept for
// the default request, Accept: application/linkset+json for the linkset,
// OPTIONS for CORS): the linkset validates against GS1's schema and has an
// itemDescription in every entry, each level's anchor is the request with
// qualifiers removed, there is exactly one default link per level with a
// title and nothing else, the default request redirects to it exactly,
// each single link type redirects to its href, the query string is passed
// on, an unknown lot walks up (not 404), the Link headers name the linkset
// and the JSON-LD context, link types are GS1's, and the description file
// validates against its schema.
func TestResolverConformance(t *testing.T) {
	env := newTestEnv(t, nil)
	linksetSchema := compileSchema(t, "testdata/resolver/gs1-linkset-schema.json")
	descSchema := compileSchema(t, "testdata/resolver/description-file-schema.json")
	var gs1Types map[string]any
	b, err := os.ReadFile("testdata/resolver/currentLinkTypes-2024-05-30.json")
	if err != nil || json.Unmarshal(b, &gs1Types) != nil {
		t.Fatal(err)
	}
	item := env.url("infant formula on a shop shelf")
	segs := strings.Split(item, "/") // "", "01", GTIN, "10", lot, "21", serial
	if len(segs) != 7 || segs[3] != "10" {
		t.Fatalf("demo item URL %s", item)
	}
	gtin, lot := "/01/"+segs[2], "/01/"+segs[2]+"/10/"+segs[4]
	sscc := env.url("a pallet of the drug, by its SSCC")

	for _, dl := range []string{item, gtin, lot, sscc} {
		t.Run(dl, func(t *testing.T) {
			// The linkset, as the suite fetches it.
			r := env.get(dl, "Accept", "application/linkset+json")
			if r.status != 200 || !strings.HasPrefix(r.h("Content-Type"), "application/linkset+json") {
				t.Fatalf("linkset: %d %s %s", r.status, r.h("Content-Type"), r.body)
			}
			link := r.h("Link")
			if !strings.Contains(link, `rel="http://www.w3.org/ns/json-ld#context"`) || !strings.Contains(link, `type="application/ld+json"`) {
				t.Errorf("linkset Link header lacks the JSON-LD context: %q", link)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := linksetSchema.Validate(v); err != nil {
				t.Fatalf("linkset outside GS1's schema: %v\n%s", err, r.body)
			}
			// The suite's own reading: GS1 namespaces folded to gs1:.
			folded := regexp.MustCompile(`https://((ref\.)|(www\.))?gs1\.org/voc/`).ReplaceAll(r.body, []byte("gs1:"))
			var ls struct {
				Linkset []map[string]json.RawMessage `json:"linkset"`
			}
			if err := json.Unmarshal(folded, &ls); err != nil {
				t.Fatal(err)
			}
			// Walk up from the request as the suite does, matching anchors.
			cur, found := testBase+dl, 0
			seen := map[string]bool{}
			for strings.Count(strings.TrimPrefix(cur, testBase), "/") >= 2 {
				for _, entry := range ls.Linkset {
					var anchor, desc string
					json.Unmarshal(entry["anchor"], &anchor)
					if anchor != cur {
						continue
					}
					found++
					if json.Unmarshal(entry["itemDescription"], &desc) != nil || desc == "" {
						t.Errorf("%s: no itemDescription", anchor)
					}
					for lt, raw := range entry {
						if lt == "anchor" || lt == "itemDescription" || seen[lt] {
							continue
						}
						seen[lt] = true
						if name, ok := strings.CutPrefix(lt, "gs1:"); ok && gs1Types[name] == nil {
							t.Errorf("%s is not a ratified GS1 link type", lt)
						}
						var objs []map[string]any
						json.Unmarshal(raw, &objs)
						if lt == "gs1:defaultLink" {
							if len(objs) != 1 || len(objs[0]) != 2 || objs[0]["title"] == nil {
								t.Errorf("%s: default link %v: want exactly one, with href and title only", anchor, objs)
								continue
							}
							// The default request (curl: Accept */*) redirects to it.
							d := env.get(dl, "Accept", "*/*")
							if d.status/100 != 3 || d.h("Location") != objs[0]["href"] {
								t.Errorf("default request: %d Location %q, want the default link %v", d.status, d.h("Location"), objs[0]["href"])
							}
							if !strings.Contains(d.h("Link"), `rel="linkset"`) {
								t.Errorf("no Link to the linkset when redirecting: %q", d.h("Link"))
							}
							// The query string is passed on.
							if q := env.get(dl+"?foo=bar", "Accept", "*/*"); !strings.Contains(q.h("Location"), "foo=bar") {
								t.Errorf("query not passed on: %q", q.h("Location"))
							}
							continue
						}
						if len(objs) == 1 {
							lr := env.get(dl+"?linkType="+lt, "Accept", "*/*")
							if lr.status/100 != 3 || lr.h("Location") != objs[0]["href"] {
								t.Errorf("?linkType=%s: %d %q, want %v", lt, lr.status, lr.h("Location"), objs[0]["href"])
							}
						}
					}
				}
				cur = cur[:strings.LastIndexByte(cur, '/')]
				cur = cur[:strings.LastIndexByte(cur, '/')]
			}
			if found == 0 || !seen["gs1:defaultLink"] {
				t.Errorf("no linkset entry anchored at %s or above it with a default link:\n%s", dl, r.body)
			}
			// CORS and the linkset Link header on the preflight.
			o := env.do("OPTIONS", dl, nil, "Access-Control-Request-Method", "GET")
			if o.h("Access-Control-Allow-Origin") == "" || !strings.Contains(o.h("Access-Control-Allow-Methods"), "HEAD") ||
				!strings.Contains(o.h("Link"), `rel="linkset"`) {
				t.Errorf("OPTIONS: %d ACAO %q methods %q Link %q", o.status, o.h("Access-Control-Allow-Origin"), o.h("Access-Control-Allow-Methods"), o.h("Link"))
			}
		})
	}

	// An unknown lot of a known GTIN walks up to the GTIN's links.
	if r := env.get(gtin+"/10/KL8G", "Accept", "*/*"); r.status == 404 || r.h("Location") != testBase+gtin+"?format=html" {
		t.Errorf("unknown lot: %d Location %q, want the product's default link", r.status, r.h("Location"))
	}
	// The JSON still tells the truth about the lot.
	if r := env.get(gtin+"/10/KL8G", "Accept", "application/json"); r.status != 404 {
		t.Errorf("unknown lot as JSON: %d", r.status)
	}
	// An unknown serial of a known product: the default request lands on
	// its scan page, which says "not genuine" (404).
	fake := env.url("a code never issued")
	r := env.get(fake, "Accept", "*/*")
	if r.status != 307 || r.h("X-Tracecode-Status") != "not_genuine" {
		t.Fatalf("fake serial: %d %q", r.status, r.h("X-Tracecode-Status"))
	}
	if page := env.get(strings.TrimPrefix(r.h("Location"), testBase)); page.status != 404 {
		t.Errorf("the fake serial's default link %s answers %d, want the 404 not-genuine page", r.h("Location"), page.status)
	}
	// The description file.
	d := env.get("/.well-known/gs1resolver")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	if err := descSchema.Validate(v); err != nil {
		t.Errorf("description file outside GS1's schema: %v", err)
	}
	if c := env.get("/linkset-context.jsonld"); c.status != 200 || c.h("Content-Type") != "application/ld+json" || !json.Valid(c.body) {
		t.Errorf("JSON-LD context: %d %s", c.status, c.h("Content-Type"))
	}
}
