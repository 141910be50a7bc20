package gs1

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
)

// The GS1 Barcode Syntax Engine's own unit-test vectors (testdata/SOURCE.md),
// run against ParseHRI, ParseBarcodeData, AppendBarcodeData and
// ValidateElements. A case the package cannot meaningfully run is skipped
// with the reason from skipReason; the summary line reports the counts.

type vectorCase struct {
	Fn            string         `json:"fn"`
	SourceLine    int            `json:"source_line"`
	ShouldSucceed *bool          `json:"should_succeed"`
	Settings      map[string]any `json:"settings"`
	Comment       string         `json:"comment"`
	Validator     string         `json:"validator"`
	Bracketed     string         `json:"ai_data_bracketed"`
	ExpectAIData  string         `json:"expect_ai_data"`
	AIData        string         `json:"ai_data"`
	Symbology     string         `json:"symbology"`
	DataStr       string         `json:"data_str"`
	ExpectScan    *string        `json:"expect_scan_data"`
	ScanData      string         `json:"scan_data"`
	ExpectSymb    string         `json:"expect_symbology"`
	ExpectDataStr string         `json:"expect_data_str"`
}

func loadVectors(t *testing.T, name string) []vectorCase {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []vectorCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return f.Cases
}

// symbologyIDs maps the engine's symbology names to the identifier a reader
// sends for GS1 data in that symbol.
var symbologyIDs = map[string]string{
	"QR":              SymbologyQR,
	"DM":              SymbologyDataMatrix,
	"DotCode":         SymbologyDotCode,
	"DataBarExpanded": SymbologyDataBar,
	"GS1_128_CCA":     SymbologyGS1128,
	"GS1_128_CCC":     SymbologyGS1128,
}

// unknownAIIn returns an AI of bracketed data that is not in the table.
func unknownAIIn(bracketed string) string {
	for _, part := range strings.Split(bracketed, "(")[1:] {
		code, _, ok := strings.Cut(part, ")")
		if _, known := LookupAI(code); ok && !known {
			return code
		}
	}
	return ""
}

// skipReason says why a case is not run, or "".
func skipReason(c *vectorCase) string {
	if v, ok := c.Settings["AddCheckDigit"]; ok && v == true {
		return "engine setting AddCheckDigit (EAN/UPC check digit completion) is not supported"
	}
	if _, ok := c.Settings["PermitUnknownAIs"]; ok {
		if code := unknownAIIn(c.Bracketed); code != "" {
			return fmt.Sprintf("engine setting PermitUnknownAIs: AI (%s) is not in the dictionary and is rejected here", code)
		}
	}
	switch c.Fn {
	case "processAIdata":
		if c.AIData != "" && c.AIData[0] != '^' {
			return "ParseBarcodeData accepts bare element strings by design (no FNC1-in-first-position requirement)"
		}
	case "testGenerateScanData":
		switch {
		case c.ExpectScan == nil && c.Symbology == "NONE":
			return "no symbology: AppendBarcodeData takes the identifier as an argument"
		case strings.Contains(c.DataStr, "|") && (strings.HasPrefix(c.Symbology, "UPC") || strings.HasPrefix(c.Symbology, "EAN")):
			return "EAN/UPC primary with a composite is transmitted as two symbols (]E0…|]e0…), not element strings"
		case !strings.HasPrefix(c.DataStr, "^") && (c.ExpectScan != nil || symbologyIDs[c.Symbology] == ""):
			// Plain data that a GS1-only symbology must refuse is run:
			// it is not element strings, so ParseBarcodeData refuses it.
			return "plain (non-GS1) data or a bare primary GTIN is not element strings"
		case symbologyIDs[c.Symbology] == "" && !strings.Contains(c.DataStr, "|"):
			return "symbology " + c.Symbology + " does not carry element strings"
		}
	case "testProcessScanData":
		id := c.ScanData
		if len(id) > 3 {
			id = id[:3]
		}
		switch {
		case strings.Contains(c.ScanData, "|"):
			return "composite (linear|2D) data is not supported"
		case strings.HasPrefix(c.ScanData, "]E"):
			return "EAN/UPC (]E0, ]E4) data is not element strings; rejected here for the symbology, not for the reason tested"
		case *c.ShouldSucceed && !strings.HasPrefix(c.ExpectDataStr, "^"):
			return "plain (non-GS1) data (" + id + ") is not element strings"
		}
	}
	return ""
}

// toCaret renders barcode data without identifier in the vectors' ^ notation.
func toCaret(b []byte) string {
	return "^" + strings.ReplaceAll(string(b), "\x1d", "^")
}

// runVector runs one case and returns an error describing a mismatch.
func runVector(c *vectorCase) error {
	want := c.ShouldSucceed == nil || *c.ShouldSucceed
	check := func(err error) error {
		if want && err != nil {
			return fmt.Errorf("unexpected error: %v", err)
		}
		if !want && err == nil {
			return errors.New("accepted, want rejection")
		}
		if err != nil {
			var ae *AIError
			if !errors.As(err, &ae) {
				return fmt.Errorf("error %v is not an *AIError", err)
			}
		}
		return nil
	}
	switch c.Fn {
	case "parseAIdata":
		els, err := ParseHRI(c.Bracketed)
		if e := check(err); e != nil || err != nil {
			return e
		}
		if got := toCaret(AppendBarcodeData(nil, els, "")); got != c.ExpectAIData {
			return fmt.Errorf("barcode data %q, want %q", got, c.ExpectAIData)
		}
	case "processAIdata":
		_, err := ParseBarcodeData(c.AIData)
		return check(err)
	case "validateAIs":
		els, err := ParseHRI(c.Bracketed)
		if err == nil {
			err = ValidateElements(els)
		}
		if e := check(err); e != nil || err == nil {
			return e
		}
		var sentinel error
		switch c.Validator {
		case "validateAIrepeats":
			sentinel = ErrDuplicateAI
		case "validateAImutex":
			sentinel = ErrExclusiveAI
		case "validateAIrequisites", "validateDigSigRequiresSerialisedKey":
			sentinel = ErrRequiredAI
		}
		if !errors.Is(err, sentinel) {
			return fmt.Errorf("error %v, want %v", err, sentinel)
		}
	case "testGenerateScanData":
		// A composite "linear|2D" is transmitted as one ]e0 message: the
		// elements of both components in order, separated as usual.
		id := symbologyIDs[c.Symbology]
		var els []Element
		var err error
		for _, part := range strings.Split(c.DataStr, "|") {
			var p []Element
			if p, err = ParseBarcodeData(part); err != nil {
				break
			}
			els = append(els, p...)
		}
		if strings.Contains(c.DataStr, "|") {
			id = SymbologyDataBar
		}
		if c.ExpectScan == nil {
			if err == nil {
				return errors.New("data accepted, want rejection")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("unexpected error: %v", err)
		}
		want := *c.ExpectScan
		if strings.Contains(c.Comment, "Trailing FNC1") {
			// The engine keeps a trailing FNC1 that its input had;
			// AppendBarcodeData never writes one.
			want = strings.TrimSuffix(want, "\x1d")
		}
		if got := string(AppendBarcodeData(nil, els, id)); got != want {
			return fmt.Errorf("scan data %q, want %q", got, want)
		}
	case "testProcessScanData":
		els, err := ParseBarcodeData(c.ScanData)
		if e := check(err); e != nil || err != nil {
			return e
		}
		if got := toCaret(AppendBarcodeData(nil, els, "")); got != c.ExpectDataStr {
			return fmt.Errorf("data %q, want %q", got, c.ExpectDataStr)
		}
		if id := symbologyIDs[c.ExpectSymb]; id != "" && !strings.HasPrefix(c.ScanData, id) && c.ExpectSymb != "GS1_128_CCA" {
			return fmt.Errorf("symbology %s, scan data %q", c.ExpectSymb, c.ScanData)
		}
	default:
		return fmt.Errorf("unknown fn %q", c.Fn)
	}
	return nil
}

// syntaxEngineVectorCounts pins, per vector file and function, how many
// vectors pass and how many skipReason skips: a vector that starts being
// skipped, or a new vector file version, fails the test until the counts
// here are updated on purpose.
var syntaxEngineVectorCounts = map[string]struct{ passed, skipped map[string]int }{
	"gs1-syntax-engine-ai-vectors.json": {
		passed:  map[string]int{"parseAIdata": 27, "processAIdata": 78, "validateAIs": 67},
		skipped: map[string]int{"processAIdata": 1, "validateAIs": 10},
	},
	"gs1-syntax-engine-scandata-vectors.json": {
		passed:  map[string]int{"testGenerateScanData": 16, "testProcessScanData": 23},
		skipped: map[string]int{"testGenerateScanData": 29, "testProcessScanData": 31},
	},
}

func TestGS1SyntaxEngineVectors(t *testing.T) {
	for _, file := range []string{"gs1-syntax-engine-ai-vectors.json", "gs1-syntax-engine-scandata-vectors.json"} {
		passed, skipped := map[string]int{}, map[string]int{}
		vectors := loadVectors(t, file)
		ran := 0
		for _, c := range vectors {
			c := c
			name := fmt.Sprintf("%s/line%d", c.Fn, c.SourceLine)
			t.Run(name, func(t *testing.T) {
				ran++
				if r := skipReason(&c); r != "" {
					skipped[c.Fn]++
					t.Skip(r)
				}
				if err := runVector(&c); err != nil {
					t.Errorf("%s line %d %s%s%s%s: %v", c.Fn, c.SourceLine, c.Bracketed, c.AIData, c.DataStr, c.ScanData, err)
					return
				}
				passed[c.Fn]++
			})
		}
		t.Logf("%s: passed %v, skipped %v", file, passed, skipped)
		if ran < len(vectors) {
			continue // -run selected some vectors: the totals are not comparable
		}
		want := syntaxEngineVectorCounts[file]
		if !maps.Equal(passed, want.passed) || !maps.Equal(skipped, want.skipped) {
			t.Errorf("%s: passed %v, skipped %v; want passed %v, skipped %v", file, passed, skipped, want.passed, want.skipped)
		}
	}
}
