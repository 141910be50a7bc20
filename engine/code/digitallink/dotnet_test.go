package digitallink

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// The secondary vectors: outputs of Solidsoft-Reply/Gs1DigitalLinkLib, a .NET
// port of GS1's compression prototype; see testdata/SOURCE.md. They are not
// normative, so element order is compared as a set and rows that rest on
// that library's older Digital Link tables are skipped with the reason.
const dotnetFile = "testdata/gs1dl-dotnet-vectors.json"

type dotnetTable struct {
	Feature  string              `json:"feature"`
	Scenario string              `json:"scenario"`
	Rows     []map[string]string `json:"rows"`
}

// dotnetSkip says why a Digital Link of these vectors is outside what this
// package parses, or "".
func dotnetSkip(uri string) string {
	_, path, _ := strings.Cut(strings.TrimPrefix(uri, "https://"), "/")
	seg, _, _ := strings.Cut(path, "/")
	if allDigits(seg) {
		if e := lookupAI(seg); e != nil && e.DLPKey == nil {
			return fmt.Sprintf("(%s) is not a Digital Link primary key in Syntax Dictionary %s", seg, gs1.DictionaryRelease)
		}
	} else if shortNameAI(seg) == "" {
		return fmt.Sprintf("short name %q is not among the reference engine's convenience alphas", seg)
	}
	return ""
}

// invalidValue says which element fails gs1 validation, or "": the port
// does not run the GS1 linters (e.g. (8006) piece 02 of total 01).
func invalidValue(els []gs1.Element) string {
	for _, el := range els {
		e := lookupAI(el.AI)
		if e == nil {
			return fmt.Sprintf("(%s) is not a GS1 AI", el.AI)
		}
		if err := e.Validate(el.Value); err != nil {
			return fmt.Sprintf("(%s) fails GS1 validation: %v", el.AI, err)
		}
	}
	return ""
}

// noKey says why els hold no primary key for this package, or "".
func noKey(els []gs1.Element) string {
	for _, el := range els {
		if e := lookupAI(el.AI); e != nil && e.DLPKey != nil {
			return ""
		}
	}
	return fmt.Sprintf("(%s) is not a Digital Link primary key in Syntax Dictionary %s", els[0].AI, gs1.DictionaryRelease)
}

func TestDotnetVectors(t *testing.T) {
	b, err := os.ReadFile(dotnetFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Tables []dotnetTable `json:"tables"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	pass, legacy, skip := 0, 0, map[string]int{}
	for _, tab := range f.Tables {
		for i, row := range tab.Rows {
			name := fmt.Sprintf("%s/%s/row%d", tab.Feature, tab.Scenario, i+1)
			switch tab.Feature {
			case "Gs1DigitalLinkToGs1ElementStrings", "ExtractFromGs1DigitalLink":
				uri := row["digitalLink"]
				if why := dotnetSkip(uri); why != "" {
					skip[why]++
					continue
				}
				var want []gs1.Element
				if es, ok := row["elementStrings"]; ok {
					if want, err = parseBracketed(es); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
				for k := 1; row[fmt.Sprintf("AI%d", k)] != ""; k++ {
					want = append(want, gs1.Element{AI: row[fmt.Sprintf("AI%d", k)], Value: row[fmt.Sprintf("Value%d", k)]})
				}
				if why := invalidValue(want); why != "" {
					skip[why]++
					continue
				}
				// Strict first; the legacy forms (13-digit GTINs, short
				// names) must fail strictly with ErrLegacy.
				d, err := Parse(uri)
				if errors.Is(err, ErrLegacy) {
					legacy++
					d, err = ParseOptions(uri, Options{AllowLegacy: true})
				}
				if err != nil {
					t.Errorf("%s: Parse(%q): %v", name, uri, err)
					continue
				}
				if got := d.Elements(); !slices.Equal(sortedByAI(got), sortedByAI(want)) {
					t.Errorf("%s: Parse(%q) = %v, want %v (as a set)", name, uri, got, want)
					continue
				}
				pass++
			case "Gs1ElementStringsToGs1DigitalLink":
				want := row["digitalLink"]
				base := row["uriStem"]
				if base == "" && strings.Contains(tab.Scenario, "with a URI stem") {
					// The step names no stem: it is the expected host.
					base = want[:strings.Index(want[len("https://"):], "/")+len("https://")]
				}
				els, err := parseBracketed(row["elementString"])
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if why := invalidValue(els); why != "" {
					skip[why]++
					continue
				}
				if why := noKey(els); why != "" {
					skip[why]++
					continue
				}
				if strings.HasPrefix(base, "https://") && strings.Contains(base, ":443/") {
					skip["the port normalises the base (drops :443); the base is emitted as given"]++
					continue
				}
				d, err := FromElements(els)
				if err != nil {
					t.Errorf("%s: FromElements(%s): %v", name, row["elementString"], err)
					continue
				}
				if got := string(d.AppendCanonical(nil, base)); got != want {
					t.Errorf("%s: FromElements(%s) = %s, want %s", name, row["elementString"], got, want)
					continue
				}
				pass++
			default:
				t.Fatalf("unexpected table %s", tab.Feature)
			}
		}
	}
	t.Logf(".NET vectors: pass %d (of which %d only with AllowLegacy), skip %v", pass, legacy, skip)
	if pass == 0 {
		t.Fatal("no row passed")
	}
}
