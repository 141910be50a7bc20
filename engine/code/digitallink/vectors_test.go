package digitallink

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
)

// vectorFile is GS1's reference engine test vectors; see testdata/SOURCE.md.
const vectorFile = "testdata/gs1-syntax-engine-dl-vectors.json"

type vectorCase struct {
	Fn            string         `json:"fn"`
	Line          int            `json:"source_line"`
	ShouldSucceed bool           `json:"should_succeed"`
	Comment       string         `json:"comment"`
	Settings      map[string]any `json:"settings"`
	// parseDLuri
	URI          string `json:"dl_uri"`
	ExpectAIData string `json:"expect_ai_data"`
	// testGenerateDLuri
	AIData    string  `json:"ai_data_bracketed"`
	Stem      *string `json:"stem"`
	ExpectURI string  `json:"expect_dl_uri"`
	// URIescape / URIunescape
	Input        string `json:"input"`
	ExpPathEsc   string `json:"expect_path_escaped"`
	ExpQueryEsc  string `json:"expect_query_escaped"`
	ExpPathUnes  string `json:"expect_path_unescaped"`
	ExpQueryUnes string `json:"expect_query_unescaped"`
}

func loadVectors(t testing.TB) []vectorCase {
	t.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Count int          `json:"count"`
		Cases []vectorCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != f.Count || f.Count != 171 {
		t.Fatalf("%s: %d cases, header says %d, want 171", vectorFile, len(f.Cases), f.Count)
	}
	return f.Cases
}

// convenienceAlphaLines are the parseDLuri cases run with the engine's
// permitConvenienceAlphas field set (no setter, so not in settings).
var convenienceAlphaLines = map[int]bool{1437: true, 1438: true, 1439: true}

// vectorOptions maps a case's engine settings to Options. skip is non-empty
// when the case needs an engine option this package does not offer.
func vectorOptions(c vectorCase) (opt Options, skip string) {
	for k, v := range c.Settings {
		on, _ := v.(bool)
		switch k {
		case "PermitZeroSuppressedGTINinDLuris":
			opt.AllowLegacy = opt.AllowLegacy || on
		case "PermitUnknownAIs":
			// Unknown AIs are always rejected here. With validation
			// vUNKNOWN_AI_NOT_DL_ATTR still on, the engine rejects
			// them as data attributes too, so the outcome is ours.
		case "ValidationEnabled(gs1_encoder_vUNKNOWN_AI_NOT_DL_ATTR)":
			if !on && c.Settings["PermitUnknownAIs"] == true {
				return opt, "needs PermitUnknownAIs with vUNKNOWN_AI_NOT_DL_ATTR off (unknown AIs as data attributes): not offered"
			}
		default:
			return opt, "unknown engine setting " + k
		}
	}
	if convenienceAlphaLines[c.Line] {
		opt.AllowLegacy = true
	}
	return opt, ""
}

// elementString formats els in the engine's "^" notation: FNC1 first, and
// FNC1 after every AI that is not of predefined length, except the last.
func elementString(els []gs1.Element) string {
	var b strings.Builder
	b.WriteByte('^')
	for i, el := range els {
		b.WriteString(el.AI)
		b.WriteString(el.Value)
		if e := lookupAI(el.AI); (e == nil || !e.Fixed) && i < len(els)-1 {
			b.WriteByte('^')
		}
	}
	return b.String()
}

// parseBracketed parses "(01)123(10)ABC" with "\(" for a literal bracket.
func parseBracketed(s string) ([]gs1.Element, error) {
	var els []gs1.Element
	for len(s) > 0 {
		if s[0] != '(' {
			return nil, fmt.Errorf("want '(' at %q", s)
		}
		c := strings.IndexByte(s, ')')
		if c < 0 {
			return nil, fmt.Errorf("no ')' in %q", s)
		}
		ai := s[1:c]
		s = s[c+1:]
		var v strings.Builder
		for len(s) > 0 && s[0] != '(' {
			if s[0] == '\\' && len(s) > 1 && s[1] == '(' {
				s = s[1:]
			}
			v.WriteByte(s[0])
			s = s[1:]
		}
		els = append(els, gs1.Element{AI: ai, Value: v.String()})
	}
	return els, nil
}

func TestReferenceVectors(t *testing.T) {
	cases := loadVectors(t)
	pass := map[string]int{}
	skip := map[string]int{}
	for _, c := range cases {
		name := fmt.Sprintf("%s/line%d", c.Fn, c.Line)
		opt, why := vectorOptions(c)
		if why != "" {
			skip[c.Fn]++
			t.Logf("skip %s: %s", name, why)
			continue
		}
		ok := t.Run(name, func(t *testing.T) {
			switch c.Fn {
			case "parseDLuri":
				d, err := ParseOptions(c.URI, opt)
				if !c.ShouldSucceed {
					if err == nil {
						t.Fatalf("Parse(%q) = %s, want error (%s)", c.URI, elementString(d.Elements()), c.Comment)
					}
					t.Logf("%q: %v", c.URI, err)
					return
				}
				if err != nil {
					t.Fatalf("Parse(%q): %v", c.URI, err)
				}
				if got := elementString(d.Elements()); got != c.ExpectAIData {
					t.Fatalf("Parse(%q) = %s, want %s", c.URI, got, c.ExpectAIData)
				}
			case "testGenerateDLuri":
				els, err := parseBracketed(c.AIData)
				if err != nil {
					t.Fatal(err)
				}
				d, err := FromElements(els)
				if !c.ShouldSucceed {
					if err == nil {
						t.Fatalf("FromElements(%s) = %s, want error (%s)", c.AIData, d.AppendCanonical(nil, ""), c.Comment)
					}
					t.Logf("%s: %v", c.AIData, err)
					return
				}
				if err != nil {
					t.Fatalf("FromElements(%s): %v", c.AIData, err)
				}
				base := ""
				if c.Stem != nil {
					base = *c.Stem
				}
				if got := string(d.AppendCanonical(nil, base)); got != c.ExpectURI {
					t.Fatalf("FromElements(%s) = %s, want %s", c.AIData, got, c.ExpectURI)
				}
			case "URIescape":
				if got := string(AppendEscape(nil, c.Input, false)); got != c.ExpPathEsc {
					t.Errorf("path escape %q = %q, want %q", c.Input, got, c.ExpPathEsc)
				}
				if got := string(AppendEscape(nil, c.Input, true)); got != c.ExpQueryEsc {
					t.Errorf("query escape %q = %q, want %q", c.Input, got, c.ExpQueryEsc)
				}
			case "URIunescape":
				// The JSON holds the engine's output bytes as code points
				// (\u00ff for byte 0xFF); map them back to bytes.
				want := func(s string) string {
					b := make([]byte, 0, len(s))
					for _, r := range s {
						b = append(b, byte(r))
					}
					return string(b)
				}
				for _, q := range []bool{false, true} {
					exp := c.ExpPathUnes
					if q {
						exp = c.ExpQueryUnes
					}
					got, err := Unescape(c.Input, q)
					if err != nil || got != want(exp) {
						t.Errorf("Unescape(%q, query=%v) = %q, %v; want %q", c.Input, q, got, err, want(exp))
					}
				}
			default:
				t.Fatalf("unknown fn %q", c.Fn)
			}
		})
		if ok {
			pass[c.Fn]++
		}
	}
	t.Logf("reference vectors: pass %v, skip %v", pass, skip)
}
