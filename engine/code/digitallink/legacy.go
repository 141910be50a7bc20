package digitallink

// shortNames maps the deprecated "convenience alpha" path names of GS1
// Digital Link URI Syntax 1.2 to AIs: the list of gs1-syntax-engine
// (src/c-lib/dl.c alpha_ai_map), which accepts them only when asked to.
// Only Options.AllowLegacy turns them on.
var shortNames = map[string]string{
	"cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255",
	"gdti": "253", "giai": "8004", "ginc": "401", "gln": "414",
	"glnx": "254", "gmn": "8013", "grai": "8003", "gsin": "402",
	"gsrn": "8018", "gsrnp": "8017", "gtin": "01", "itip": "8006",
	"lot": "10", "party": "417", "refno": "8020", "ser": "21",
	"srin": "8019", "sscc": "00",
}

// shortNameAI returns the AI of a short name segment, or "". Like the
// reference engine it considers only 3 to 5 bytes not starting with a digit.
func shortNameAI(seg string) string {
	if len(seg) < 3 || len(seg) > 5 || ('0' <= seg[0] && seg[0] <= '9') {
		return ""
	}
	return shortNames[seg]
}

// isZeroSuppressedGTIN reports whether v has the length of a GTIN-8, -12 or
// -13, which URI Syntax 1.2 allowed for AI (01) and which the legacy option
// left-pads with zeros to 14 digits.
func isZeroSuppressedGTIN(v string) bool {
	return len(v) == 8 || len(v) == 12 || len(v) == 13
}

// padGTIN left-pads v (8, 12 or 13 bytes) with '0' to 14 bytes.
func padGTIN(v string) string {
	var b [14]byte
	n := copy(b[14-len(v):], v)
	for i := 0; i < 14-n; i++ {
		b[i] = '0'
	}
	return string(b[:])
}

// looksCompressed reports whether the path segment seg could be a
// compressed Digital Link: at least 10 base64url characters mixing upper
// case with lower case or digits (GS1 DL compression packs the element
// string into one such segment). Only used to word the error for a path
// that holds no primary key.
func looksCompressed(seg string) bool {
	if len(seg) < 10 {
		return false
	}
	var upper, lower, digit bool
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		case c == '-' || c == '_':
		default:
			return false
		}
	}
	return upper && (lower || digit)
}
