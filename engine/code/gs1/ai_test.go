package gs1

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		ai, value string
		want      error  // nil: valid
		msg       string // expected full error text, if set
		pos       int    // expected AIError.Pos, if want != nil and pos != 0
	}{
		// Keys with check digits (standards.md §1).
		{ai: "01", value: "09520123456788"},
		{ai: "01", value: "09520123456789", want: ErrCheckDigit, msg: "gs1: AI (01): check digit is 9, expected 8", pos: 14},
		{ai: "01", value: "0952012345678", want: ErrLength, msg: "gs1: AI (01): value has 13 characters, want 14"},
		{ai: "01", value: "095201234567888", want: ErrLength},
		{ai: "01", value: "0952012345678A", want: ErrSyntax, msg: `gs1: AI (01): character 'A' at position 14 is not a digit`, pos: 14},
		{ai: "01", value: "", want: ErrLength, msg: "gs1: AI (01): value is empty"},
		{ai: "00", value: "006141411234567890"},
		{ai: "00", value: "952012345678912345"},
		{ai: "00", value: "006141411234567891", want: ErrCheckDigit, pos: 18},
		{ai: "414", value: "9520123456788"},
		{ai: "414", value: "4012345000115"},
		{ai: "414", value: "4012345000116", want: ErrCheckDigit},
		{ai: "02", value: "80614141123458"},
		// Dates.
		{ai: "17", value: "201225"},
		{ai: "17", value: "201200"},                           // yymmd0: day 00 = last day of month
		{ai: "17", value: "240229"},                           // leap year
		{ai: "17", value: "000229"},                           // 2000 was a leap year
		{ai: "17", value: "230229", want: ErrInvalid, pos: 5}, // not a leap year
		{ai: "17", value: "201232", want: ErrInvalid, msg: "gs1: AI (17): day 32 at position 5 is not a valid day", pos: 5},
		{ai: "17", value: "201325", want: ErrInvalid, msg: "gs1: AI (17): month 13 at position 3 is not a valid month", pos: 3},
		{ai: "17", value: "200025", want: ErrInvalid, pos: 3},
		{ai: "11", value: "200431", want: ErrInvalid, pos: 5},
		{ai: "4326", value: "201200", want: ErrInvalid, pos: 5}, // yymmdd: no day 00
		{ai: "4326", value: "201231"},
		{ai: "7006", value: "200100", want: ErrInvalid},
		{ai: "7250", value: "19991231"},
		{ai: "7250", value: "19000229", want: ErrInvalid, pos: 7}, // 1900 was not a leap year
		{ai: "7250", value: "20000229"},
		{ai: "7003", value: "2012251430"},
		{ai: "7003", value: "2012252430", want: ErrInvalid, msg: "gs1: AI (7003): hour 24 at position 7 is not a valid hour", pos: 7},
		{ai: "7003", value: "2012251460", want: ErrInvalid, pos: 9},
		{ai: "7003", value: "201225", want: ErrLength},
		{ai: "7011", value: "201225"},
		{ai: "7011", value: "2012251200"},
		{ai: "7011", value: "20122512", want: ErrLength, pos: 7},
		{ai: "8008", value: "20122512"},
		{ai: "8008", value: "2012251230"},
		{ai: "8008", value: "201225123059"},
		{ai: "8008", value: "201225123060", want: ErrInvalid, pos: 11},
		{ai: "7007", value: "211225211231"},
		{ai: "7007", value: "211225"},
		{ai: "7007", value: "21122521", want: ErrLength, msg: "gs1: AI (7007): component 2 at position 7 has 2 characters, want 6"},
		{ai: "7007", value: "2112252112", want: ErrLength},
		// Variable length, CSET 82.
		{ai: "10", value: "ABC123"},
		{ai: "10", value: "!\"%&'()*+,-./:;<=>?_"},
		{ai: "10", value: "ABC 123", want: ErrSyntax, pos: 4},
		{ai: "10", value: "ABC#", want: ErrSyntax, pos: 4},
		{ai: "10", value: "12345678901234567890"},
		{ai: "10", value: "123456789012345678901", want: ErrLength, msg: "gs1: AI (10): value has 21 characters, want 1 to 20"},
		{ai: "21", value: "12345"},
		{ai: "235", value: "ABCDEFGHIJKLMNOPQRSTUVWXYZ12"},
		{ai: "235", value: "ABCDEFGHIJKLMNOPQRSTUVWXYZ123", want: ErrLength},
		{ai: "99", value: "~ABC", want: ErrSyntax, pos: 1},
		// Measures.
		{ai: "3103", value: "001250"},
		{ai: "3103", value: "00125", want: ErrLength},
		{ai: "242", value: "1"},
		{ai: "242", value: "1234567", want: ErrLength},
		// Multi-component with check digits.
		{ai: "8003", value: "02112345678900ABC"},
		{ai: "8003", value: "02112345678900"},
		{ai: "8003", value: "02112345678901ABC", want: ErrCheckDigit, msg: "gs1: AI (8003): check digit at position 14 is 1, expected 0", pos: 14},
		{ai: "8003", value: "12112345678900", want: ErrInvalid, pos: 1}, // zero linter
		{ai: "8006", value: "095201234567880102"},
		{ai: "8006", value: "095201234567880302", want: ErrInvalid, pos: 15}, // piece 03 of 02
		{ai: "8006", value: "095201234567880002", want: ErrInvalid, pos: 15},
		{ai: "8006", value: "095201234567880100", want: ErrInvalid, pos: 17},
		{ai: "253", value: "9520123456788ABC"},
		{ai: "255", value: "9520123456788"},
		{ai: "8017", value: "952012345678912345"},
		// Country and currency codes.
		{ai: "422", value: "528"},
		{ai: "422", value: "999", want: ErrInvalid, pos: 1},
		{ai: "423", value: "528528528"},
		{ai: "423", value: "5285", want: ErrLength},
		{ai: "423", value: "528000", want: ErrInvalid, pos: 4},
		{ai: "7030", value: "999ABC"},
		{ai: "7030", value: "528ABC"},
		{ai: "7030", value: "000ABC", want: ErrInvalid},
		{ai: "3912", value: "978123"},
		{ai: "3912", value: "000123", want: ErrInvalid, pos: 1},
		{ai: "4307", value: "NL"},
		{ai: "4307", value: "XX", want: ErrInvalid},
		{ai: "421", value: "528123AB"},
		// Other linters.
		{ai: "4300", value: "ACME%20Corp"},
		{ai: "4300", value: "ACME%2", want: ErrInvalid, pos: 5},
		{ai: "4300", value: "100%", want: ErrInvalid, pos: 4},
		{ai: "4321", value: "1"},
		{ai: "4321", value: "2", want: ErrInvalid},
		{ai: "4330", value: "001250-"},
		{ai: "4330", value: "001250"},
		{ai: "4330", value: "001250+", want: ErrInvalid, pos: 7},
		{ai: "4309", value: "18000000003600000000"},
		{ai: "4309", value: "18000000013600000000", want: ErrInvalid, pos: 1},
		{ai: "4309", value: "18000000003600000001", want: ErrInvalid, pos: 11},
		{ai: "8001", value: "12341234512398"},
		{ai: "8001", value: "00001234512398", want: ErrInvalid, pos: 1},
		{ai: "8001", value: "12341234512358", want: ErrInvalid, pos: 13}, // winding 5
		{ai: "7040", value: "1ABC"},
		{ai: "7040", value: "1AB.", want: ErrInvalid, pos: 4},
		{ai: "7041", value: "BX"},
		{ai: "7041", value: "QQQ", want: ErrInvalid},
		{ai: "7241", value: "01"},
		{ai: "7241", value: "50", want: ErrInvalid},
		{ai: "7252", value: "9"},
		{ai: "7252", value: "3", want: ErrInvalid},
		{ai: "7258", value: "1/3"},
		{ai: "7258", value: "3/2", want: ErrInvalid},
		{ai: "7258", value: "0/2", want: ErrInvalid},
		{ai: "8007", value: "GB98MIDL07009312345678"},
		{ai: "8007", value: "GB99MIDL07009312345678", want: ErrCheckDigit, pos: 3},
		{ai: "8007", value: "XX98MIDL07009312345678", want: ErrInvalid, pos: 1},
		{ai: "8011", value: "1234"},
		{ai: "8011", value: "0123", want: ErrInvalid, pos: 1},
		{ai: "8010", value: "0614141ABC-/#"},
		{ai: "8010", value: "0614141abc", want: ErrSyntax, pos: 8},  // CSET 39 has no lower case
		{ai: "8010", value: "061A141ABC", want: ErrInvalid, pos: 4}, // gcppos1
		{ai: "8013", value: "1987654Ad4X4bL5ttr2310c2K"},
		{ai: "8013", value: "1987654Ad4X4bL5ttr2310cXK", want: ErrCheckDigit, pos: 24},
		{ai: "8014", value: "1987654Ad4X4bL5ttr2310c2K"},
		{ai: "8014", value: "06141400398922", want: ErrInvalid, pos: 1}, // hasnondigit
		{ai: "8013", value: "06141400398922"},
		{ai: "8030", value: "ABCdef-_09"},
		{ai: "8030", value: "AB="},
		{ai: "8030", value: "ABC=", want: ErrSyntax, pos: 4},
		{ai: "8030", value: "ABCD=", want: ErrSyntax},
		{ai: "8030", value: "AB+C", want: ErrSyntax, pos: 3},
		{ai: "8112", value: "0061414112345612345678"},
		{ai: "8112", value: "2061414112345612345678", want: ErrInvalid, pos: 1},
		{ai: "8112", value: "006141411234561234567", want: ErrLength},
		{ai: "8110", value: "106141416543213500110123"},
		{ai: "8110", value: "10614141654321350011012", want: ErrLength, pos: 22}, // truncated family code
		{ai: "8110", value: "10614141654321A500110000310123", want: ErrSyntax, pos: 15},
		{ai: "8110", value: "706141416543213500110000310123", want: ErrInvalid, pos: 1},
		{ai: "401", value: "0614141ABC"},
		{ai: "401", value: "06A4141ABC", want: ErrInvalid, pos: 3},
	}
	for _, tc := range tests {
		a, ok := LookupAI(tc.ai)
		if !ok {
			t.Fatalf("LookupAI(%q) not found", tc.ai)
		}
		err := a.Validate(tc.value)
		if tc.want == nil {
			if err != nil {
				t.Errorf("(%s)%s: unexpected error: %v", tc.ai, tc.value, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("(%s)%s: error %v, want %v", tc.ai, tc.value, err, tc.want)
			continue
		}
		var ae *AIError
		if !errors.As(err, &ae) || ae.AI != tc.ai {
			t.Errorf("(%s)%s: error %#v is not an *AIError for the AI", tc.ai, tc.value, err)
			continue
		}
		if tc.msg != "" && err.Error() != tc.msg {
			t.Errorf("(%s)%s: message %q, want %q", tc.ai, tc.value, err.Error(), tc.msg)
		}
		if tc.pos != 0 && ae.Pos != tc.pos {
			t.Errorf("(%s)%s: Pos %d, want %d (%v)", tc.ai, tc.value, ae.Pos, tc.pos, err)
		}
	}
}

func TestCheckDigitErrorDetail(t *testing.T) {
	a, _ := LookupAI("01")
	err := a.Validate("09520123456789")
	var cde *CheckDigitError
	if !errors.As(err, &cde) || cde.Expected != '8' || cde.Got != '9' || cde.Key != "AI (01)" {
		t.Fatalf("got %#v, want a CheckDigitError expecting 8", err)
	}
}

// TestTableGolden pins entries of the generated table that other packages
// (Digital Link, barcode parsing) rely on.
func TestTableGolden(t *testing.T) {
	get := func(code string) *AI {
		t.Helper()
		a, ok := LookupAI(code)
		if !ok {
			t.Fatalf("AI %s missing", code)
		}
		return a
	}
	type want struct {
		title          string
		fixed, dlattr  bool
		comps          []Component
		minLen, maxLen int
		req            [][]string
		ex             []string
		dlpkey         [][]string
	}
	cmp := func(code string, w want) {
		t.Helper()
		a := get(code)
		if a.Code != code || a.Title != w.title || a.Fixed != w.fixed || a.DLAttr != w.dlattr || a.MinLen != w.minLen || a.MaxLen != w.maxLen {
			t.Errorf("AI %s: got %+v", code, *a)
		}
		if len(a.Components) != len(w.comps) {
			t.Errorf("AI %s: components %+v, want %+v", code, a.Components, w.comps)
		} else {
			for i, c := range a.Components {
				wc := w.comps[i]
				if c.Charset != wc.Charset || c.Min != wc.Min || c.Max != wc.Max || c.Optional != wc.Optional || !reflect.DeepEqual(c.Linters, wc.Linters) || len(c.lints) > len(c.Linters) || len(c.lints) == 0 && len(c.Linters) > 0 && c.Linters[0] == "csum" {
					t.Errorf("AI %s component %d: %+v, want %+v", code, i+1, c, wc)
				}
			}
		}
		if !reflect.DeepEqual(a.Req, w.req) || !reflect.DeepEqual(a.Ex, w.ex) || !reflect.DeepEqual(a.DLPKey, w.dlpkey) {
			t.Errorf("AI %s: req %q ex %q dlpkey %q, want %q %q %q", code, a.Req, a.Ex, a.DLPKey, w.req, w.ex, w.dlpkey)
		}
	}
	cmp("00", want{title: "SSCC", fixed: true, dlattr: true, minLen: 18, maxLen: 18,
		comps:  []Component{{Charset: 'N', Min: 18, Max: 18, Linters: []string{"csum", "gcppos2"}}},
		dlpkey: [][]string{{}}})
	cmp("01", want{title: "GTIN", fixed: true, dlattr: true, minLen: 14, maxLen: 14,
		comps:  []Component{{Charset: 'N', Min: 14, Max: 14, Linters: []string{"csum", "gcppos2"}}},
		ex:     []string{"255", "37"},
		dlpkey: [][]string{{"22", "10", "21"}, {"235"}}})
	cmp("10", want{title: "BATCH/LOT", dlattr: true, minLen: 1, maxLen: 20,
		comps: []Component{{Charset: 'X', Min: 1, Max: 20}},
		req:   [][]string{{"01", "02", "03", "8006", "8026"}}})
	cmp("21", want{title: "SERIAL", minLen: 1, maxLen: 20,
		comps: []Component{{Charset: 'X', Min: 1, Max: 20}},
		req:   [][]string{{"01", "03", "8006"}}, ex: []string{"235"}})
	cmp("414", want{title: "LOC No.", fixed: true, dlattr: true, minLen: 13, maxLen: 13,
		comps:  []Component{{Charset: 'N', Min: 13, Max: 13, Linters: []string{"csum", "gcppos1"}}},
		dlpkey: [][]string{{"254"}, {"7040"}}})
	cmp("3103", want{title: "NET WEIGHT (kg)", fixed: true, dlattr: true, minLen: 6, maxLen: 6,
		comps: []Component{{Charset: 'N', Min: 6, Max: 6}},
		req:   [][]string{{"01", "02"}},
		ex:    []string{"3100", "3101", "3102", "3104", "3105"}})
	cmp("7003", want{title: "EXPIRY TIME", dlattr: true, minLen: 10, maxLen: 10,
		comps: []Component{{Charset: 'N', Min: 6, Max: 6, Linters: []string{"yymmdd"}}, {Charset: 'N', Min: 4, Max: 4, Linters: []string{"hhmi"}}},
		req:   [][]string{{"01", "02"}}})
	cmp("8003", want{title: "GRAI", dlattr: true, minLen: 14, maxLen: 30,
		comps: []Component{
			{Charset: 'N', Min: 1, Max: 1, Linters: []string{"zero"}},
			{Charset: 'N', Min: 13, Max: 13, Linters: []string{"csum", "gcppos1"}},
			{Charset: 'X', Min: 1, Max: 16, Optional: true}},
		dlpkey: [][]string{{}}})
	cmp("250", want{title: "SECONDARY SERIAL", dlattr: true, minLen: 1, maxLen: 30,
		comps: []Component{{Charset: 'X', Min: 1, Max: 30}},
		req:   [][]string{{"01", "8006"}, {"21"}}})
	cmp("3920", want{title: "PRICE", dlattr: true, minLen: 1, maxLen: 15,
		comps: []Component{{Charset: 'N', Min: 1, Max: 15}},
		req:   [][]string{{"01"}, {"30", "31nn", "32nn", "35nn", "36nn"}},
		ex:    []string{"3921", "3922", "3923", "3924", "3925", "3926", "3927", "3928", "3929", "3930", "3931", "3932", "3933", "3934", "3935", "3936", "3937", "3938", "3939"}})
	cmp("8030", want{title: "DIGSIG", dlattr: true, minLen: 1, maxLen: 90,
		comps: []Component{{Charset: 'Z', Min: 1, Max: 90}},
		req:   [][]string{{"00", "01+21", "253", "255", "8003", "8004", "8006+21", "8010+8011", "8017", "8018"}}})
	cmp("8110", want{dlattr: true, minLen: 1, maxLen: 70,
		comps: []Component{{Charset: 'X', Min: 1, Max: 70, Linters: []string{"couponcode"}}}})

	// Whole-table invariants.
	n, fixed := 0, 0
	for i := range AIs() {
		a := &AIs()[i]
		n++
		if a.Fixed {
			fixed++
			if a.MinLen != a.MaxLen {
				t.Errorf("AI %s: predefined length but %d..%d", a.Code, a.MinLen, a.MaxLen)
			}
			if want, ok := predefinedLen(a.Code); !ok || want != a.MinLen {
				t.Errorf("AI %s: '*' flag but not in the predefined-length table (len %d, table %d %v)", a.Code, a.MinLen, want, ok)
			}
		} else if _, ok := predefinedLen(a.Code); ok {
			t.Errorf("AI %s: in the predefined-length table without '*'", a.Code)
		}
		if b, ok := MatchAI(a.Code + "123"); !ok || b != a {
			t.Errorf("MatchAI(%s…) = %v, %v", a.Code, b, ok)
		}
		for _, e := range a.Ex {
			if e == a.Code {
				t.Errorf("AI %s excludes itself", a.Code)
			}
		}
		for _, p := range a.DLPKey {
			for _, q := range p {
				if _, ok := LookupAI(q); !ok {
					t.Errorf("AI %s: qualifier %s not in table", a.Code, q)
				}
			}
		}
		if i > 0 && AIs()[i-1].Code >= a.Code {
			t.Errorf("table not sorted at %s", a.Code)
		}
	}
	if n < 500 || fixed < 100 {
		t.Errorf("table has %d AIs, %d predefined-length: too few", n, fixed)
	}
	if _, ok := LookupAI("89"); ok {
		t.Error("LookupAI(89) found an AI that does not exist")
	}
	for _, bad := range []string{"", "0", "1A", "01234", "0x"} {
		if _, ok := LookupAI(bad); ok {
			t.Errorf("LookupAI(%q) succeeded", bad)
		}
	}
	if a, ok := MatchAI("7100ABC"); !ok || a.Code != "710" {
		t.Errorf("MatchAI(7100ABC) = %v %v, want (710)", a, ok)
	}
	if _, ok := MatchAI("3"); ok {
		t.Error("MatchAI(3) succeeded")
	}
	if _, ok := MatchAI("310"); ok {
		t.Error("MatchAI(310) succeeded with too little data")
	}
}

// predefinedLen is the GS1 General Specifications table of element strings
// with predefined length, keyed by the first two digits of the AI (value
// length without the AI), as in standards.md §2.
func predefinedLen(code string) (int, bool) {
	switch p := code[:2]; {
	case p == "00":
		return 18, true
	case p == "01" || p == "02" || p == "03":
		return 14, true
	case p == "04":
		return 16, true
	case p >= "11" && p <= "19":
		return 6, true
	case p == "20":
		return 2, true
	case p >= "31" && p <= "36":
		return 6, true
	case p == "41":
		return 13, true
	}
	return 0, false
}

// TestEveryLinterImplemented checks that each linter named in the
// dictionary is wired (the generator emits lint<Name> identifiers, so a
// missing one would not compile) and rejects an obviously wrong value.
func TestEveryLinterImplemented(t *testing.T) {
	garbage := map[string]struct{ ai, value string }{
		"couponcode":     {"8110", "ABC"},
		"couponposoffer": {"8112", "9"},
		"csum":           {"01", "09520123456780"},
		"csumalpha":      {"8013", "1987654Ad4X4bL5ttr2310c22"},
		"gcppos1":        {"401", "A"},
		"gcppos2":        {"01", "09520123456780"}, // cannot fail for N components; csum reports first
		"hasnondigit":    {"8014", "06141400398922"},
		"hh":             {"8008", "20122599"},
		"hhmi":           {"7003", "2012259999"},
		"hyphen":         {"4330", "001250X"},
		"iban":           {"8007", "GB00MIDL07009312345678"},
		"importeridx":    {"7040", "1AB!"},
		"iso3166":        {"422", "000"},
		"iso3166999":     {"7030", "998A"},
		"iso3166alpha2":  {"4307", "ZZ"},
		"iso4217":        {"3910", "0001"},
		"iso5218":        {"7252", "5"},
		"latitude":       {"4309", "99999999990000000000"},
		"longitude":      {"4309", "00000000009999999999"},
		"mediatype":      {"7241", "00"},
		"mi":             {"8008", "2012251299"},
		"nonzero":        {"8001", "00000000000000"},
		"nozeroprefix":   {"8011", "0"},
		"packagetype":    {"7041", "ZZZZ"},
		"pcenc":          {"4300", "%%"},
		"pieceoftotal":   {"8006", "095201234567880000"},
		"posinseqslash":  {"7258", "1-2"},
		"ss":             {"8008", "201225121299"},
		"winding":        {"8001", "12341234512338"},
		"yesno":          {"4321", "7"},
		"yymmd0":         {"17", "991399"},
		"yymmdd":         {"4326", "990100"},
		"yyyymmdd":       {"7250", "20251301"},
		"zero":           {"8003", "52112345678900"},
	}
	for _, name := range dictionaryLinters {
		g, ok := garbage[name]
		if !ok {
			t.Errorf("linter %q has no garbage case here", name)
			continue
		}
		a, _ := LookupAI(g.ai)
		if a.Validate(g.value) == nil {
			t.Errorf("linter %s: (%s)%s accepted", name, g.ai, g.value)
		}
		found := false
		for _, c := range a.Components {
			for _, l := range c.Linters {
				found = found || l == name
			}
		}
		if !found {
			t.Errorf("case for %s uses AI %s, which does not name it", name, g.ai)
		}
	}
}

func TestValidateZeroAlloc(t *testing.T) {
	gtin, _ := LookupAI("01")
	exp, _ := LookupAI("17")
	lot, _ := LookupAI("10")
	// The resolver's hand-dispatched route validates SSCCs, serials and
	// CPVs with the same rule, per scan.
	sscc, _ := LookupAI("00")
	serial, _ := LookupAI("21")
	cpv, _ := LookupAI("22")
	n := testing.AllocsPerRun(100, func() {
		if _, ok := LookupAI("01"); !ok {
			panic("missing")
		}
		if _, ok := MatchAI("0109520123456788"); !ok {
			panic("missing")
		}
		if gtin.Validate("09520123456788") != nil || exp.Validate("201225") != nil || lot.Validate("ABC123") != nil {
			panic("invalid")
		}
		if sscc.Validate("106141411234567897") != nil || serial.Validate("AGH8L5826AKZK") != nil || cpv.Validate("2A") != nil {
			panic("invalid")
		}
	})
	if n != 0 {
		t.Fatalf("LookupAI/MatchAI/Validate allocate %v times per run, want 0", n)
	}
}

func TestErrorMessagesNameTheAI(t *testing.T) {
	for i := range AIs() {
		a := &AIs()[i]
		err := a.Validate(strings.Repeat("\x00", a.MinLen))
		if err == nil {
			t.Errorf("AI %s accepts NUL bytes", a.Code)
			continue
		}
		if !strings.HasPrefix(err.Error(), "gs1: AI ("+a.Code+"): ") {
			t.Errorf("AI %s: error %q does not name the AI", a.Code, err)
		}
	}
}

func BenchmarkLookupAI(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := LookupAI("01"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkMatchAI(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := MatchAI("3103001250"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	for _, bc := range []struct{ ai, value string }{
		{"01", "09520123456788"},
		{"17", "201225"},
		{"10", "ABC123"},
		{"00", "106141411234567897"},
		{"21", "AGH8L5826AKZK"},
		{"8003", "02112345678900ABC"},
	} {
		b.Run("ai="+bc.ai, func(b *testing.B) {
			a, _ := LookupAI(bc.ai)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.value)))
			for i := 0; i < b.N; i++ {
				if err := a.Validate(bc.value); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLookupValidateGTIN is the hot path of element-string checks: find
// (01) and validate a 14-digit GTIN.
func BenchmarkLookupValidateGTIN(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a, _ := LookupAI("01")
		if err := a.Validate("09520123456788"); err != nil {
			b.Fatal(err)
		}
	}
}
