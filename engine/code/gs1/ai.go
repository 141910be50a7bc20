package gs1

//go:generate go run ./internal/gen

import (
	"errors"
	"fmt"
)

// More sentinel errors (see also ErrCheckDigit, ErrLength, ErrSyntax in
// keys.go). Every error returned for an AI value is an *AIError that wraps
// exactly one sentinel, so errors.Is tells the class of the problem.
var (
	ErrUnknownAI = errors.New("gs1: unknown AI")
	// ErrInvalid: the characters and lengths are right but a linter
	// rejected the content (a date, a country code, a piece number, …).
	ErrInvalid = errors.New("gs1: invalid value")
	// ErrRequiredAI: an AI is present without an AI that it requires (req=).
	ErrRequiredAI = errors.New("gs1: required AI missing")
	// ErrExclusiveAI: two AIs that must not appear together (ex=).
	ErrExclusiveAI = errors.New("gs1: mutually exclusive AIs")
	// ErrDuplicateAI: the same AI appears twice with different values.
	ErrDuplicateAI = errors.New("gs1: AI repeated with a different value")
)

// AIError reports a problem with the value of one Application Identifier.
// Error() reads "gs1: AI (17): day 32 at position 5 is not a valid day".
type AIError struct {
	AI     string // the AI code, "17"
	Pos    int    // 1-based byte position within the value (or, for the element-string parsers, within the input); 0 if the problem has no single position
	Reason string // what is wrong, in words, including the position when there is one
	Err    error  // the sentinel (ErrLength, ErrSyntax, ErrInvalid, …) or a *CheckDigitError, which wraps ErrCheckDigit
}

func (e *AIError) Error() string {
	if e.AI == "" {
		return "gs1: " + e.Reason
	}
	return "gs1: AI (" + e.AI + "): " + e.Reason
}

// Unwrap returns the sentinel (or *CheckDigitError) so errors.Is and
// errors.As work.
func (e *AIError) Unwrap() error { return e.Err }

// AI describes one Application Identifier, as generated from the GS1 Barcode
// Syntax Dictionary (see DictionaryRelease). Values returned by LookupAI and
// MatchAI point into a shared table and must not be modified.
type AI struct {
	Code  string // "01", "3103", "8003": 2 to 4 digits; its length is fixed by the first two digits
	Title string // the dictionary's short title, "GTIN"; empty for a few AIs (8110, 8112) that have none
	// Fixed is the '*' flag: the AI has a predefined length, so no FNC1
	// separator is needed after it in barcode data. Only AIs whose first
	// two digits are in the GS1 predefined-length table carry it; a fixed
	// length alone (7003 is N10) is not enough.
	Fixed bool
	// DLAttr is the '?' flag: the AI may appear as a GS1 Digital Link query
	// attribute (the dlattr attribute, unused in the current release, sets
	// it too).
	DLAttr     bool
	Components []Component // in order; trailing components may be Optional
	// MinLen and MaxLen bound the value length in bytes: MinLen sums the
	// mandatory components' Min, MaxLen every component's Max.
	MinLen, MaxLen int
	// Req lists the requisite groups, one per req= attribute; every group
	// must be satisfied. A group is a list of alternatives, one of which
	// must be present; an alternative is one AI pattern or several joined by
	// '+', which must all be present ("01+21"). A pattern is an AI code in
	// which 'n' matches any digit ("31nn"). Example: (250) has
	// {{"01","8006"},{"21"}}: (01) or (8006), and (21).
	Req [][]string
	// Ex lists the AIs that must not appear together with this one. The
	// dictionary's patterns are resolved against the table ("310n" becomes
	// 3100…3105) and the AI itself is left out, so each entry is a plain
	// AI code; sorted.
	Ex []string
	// DLPKey is non-nil iff the AI is a GS1 Digital Link primary key. Each
	// inner slice is one allowed ordered path of key qualifiers; each
	// qualifier in a path is optional but those present must keep the
	// order, and qualifiers from different paths must not be mixed. A path
	// of length zero means "no qualifiers". (01): {{"22","10","21"},{"235"}};
	// (00): {{}}.
	DLPKey [][]string
}

// Component is one part of an AI value. Components consume the value left to
// right: each takes Max bytes (only the last may have Min < Max and then takes
// the rest); an Optional component is skipped when the value is exhausted.
type Component struct {
	// Charset is 'N' (digits), 'X' (GS1 CSET 82), 'Y' (CSET 39: digits,
	// A–Z, '#', '-', '/') or 'Z' (CSET 64: base64url, '=' padding allowed).
	Charset  byte
	Min, Max int      // length bounds in bytes; Min == Max for fixed-length components
	Optional bool     // written "[…]" in the dictionary
	Linters  []string // dictionary linter names applied in order, e.g. "csum", "gcppos2"
	// lints is Linters resolved at generation time, less the gcppos checks
	// that cannot fail on a long enough numeric component.
	lints []lintID
}

// aiIndex maps an AI code to 1 + its index in aiTable (0 = no such AI).
// Slot: 2-digit codes at 0..99, 3-digit at 100..1099, 4-digit at 1100..11099.
var aiIndex [11100]uint16

// aiLenByPrefix gives the AI length (2..4) for each first-two-digit prefix
// that starts some table AI, 0 otherwise.
var aiLenByPrefix [100]uint8

func init() {
	for i := range aiTable {
		a := &aiTable[i]
		slot, ok := aiSlot(a.Code)
		if !ok || aiIndex[slot] != 0 {
			panic("BUG: bad or duplicate AI in generated table: " + a.Code)
		}
		aiIndex[slot] = uint16(i + 1)
		aiLenByPrefix[int(a.Code[0]-'0')*10+int(a.Code[1]-'0')] = uint8(len(a.Code))
	}
}

// aiSlot computes the aiIndex slot of a 2–4 digit code.
func aiSlot(code string) (int, bool) {
	n := len(code)
	if n < 2 || n > 4 {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	switch n {
	case 3:
		v += 100
	case 4:
		v += 1100
	}
	return v, true
}

// LookupAI returns the AI with exactly this code ("01", "3103"). It
// allocates nothing.
func LookupAI(code string) (*AI, bool) {
	slot, ok := aiSlot(code)
	if !ok {
		return nil, false
	}
	i := aiIndex[slot]
	if i == 0 {
		return nil, false
	}
	return &aiTable[i-1], true
}

// MatchAI returns the AI whose code prefixes data, e.g. "0109520…" gives
// (01). The first two digits fix the AI length (GS1 General Specifications),
// so at most one AI can match. It allocates nothing.
func MatchAI(data string) (*AI, bool) {
	if len(data) < 2 || data[0] < '0' || data[0] > '9' || data[1] < '0' || data[1] > '9' {
		return nil, false
	}
	n := int(aiLenByPrefix[int(data[0]-'0')*10+int(data[1]-'0')])
	if n == 0 || len(data) < n {
		return nil, false
	}
	return LookupAI(data[:n])
}

// AIs returns every AI in the table, sorted lexically by code as in the
// dictionary. The slice is shared and must not be modified.
func AIs() []AI { return aiTable[:] }

// Validate checks a value against the AI's specification: its length, the
// character set and length of each component, and every linter the
// dictionary names (see lint.go for what each one checks). It returns nil or
// an *AIError whose Pos is 1-based within value; it allocates only when it
// returns an error.
func (a *AI) Validate(value string) error {
	if err := a.validate(value, 0); err != nil {
		return err
	}
	return nil
}

// validate is Validate for a value that starts at 0-based offset base of a
// larger input (an element string): positions in the error, and in its
// message, are 1-based within that input.
func (a *AI) validate(value string, base int) *AIError {
	if len(value) == 0 || len(value) > a.MaxLen || len(value) < a.MinLen {
		// A wrong length concerns the whole value: Pos is 0 for Validate
		// and the start of the value inside a larger input.
		pos := 0
		if base > 0 {
			pos = base + 1
		}
		if len(value) == 0 {
			return a.errf(pos, ErrLength, "%s is empty", a.valueAt(base))
		}
		return a.errf(pos, ErrLength, "%s has %d characters, %s", a.valueAt(base), len(value), a.lenWant())
	}
	off := 0
	for i := range a.Components {
		c := &a.Components[i]
		rem := len(value) - off
		if rem == 0 && c.Optional {
			break
		}
		if rem < c.Min {
			// Only reachable inside an optional fixed-length tail: the
			// total length check covers the mandatory components.
			return a.errf(base+off+1, ErrLength, "component %d at position %d has %d characters, want %d", i+1, base+off+1, rem, c.Min)
		}
		n := c.Max
		if n > rem {
			n = rem
		}
		part := value[off : off+n]
		lints := c.lints
		if c.Charset == 'N' && len(lints) > 0 && lints[0] == lintCsum {
			// Keys: the check-digit pass also checks that every byte
			// is a digit; only on failure is the charset pass run, to
			// report the leftmost bad byte. (Profile: the separate
			// charset pass was a fifth of validating a GTIN.)
			if err := lintCheckDigit(part, base+off); err != nil {
				if cerr := a.checkCharset('N', part, base+off); cerr != nil {
					return cerr
				}
				return a.lintFailed(err)
			}
			lints = lints[1:]
		} else if err := a.checkCharset(c.Charset, part, base+off); err != nil {
			return err
		}
		for _, id := range lints {
			if err := runLint(id, part, base+off); err != nil {
				return a.lintFailed(err)
			}
		}
		off += n
	}
	if off < len(value) {
		// Unreachable while MaxLen is the sum of the components' Max, kept
		// so that a table bug cannot silently accept trailing data.
		return a.errf(base+off+1, ErrLength, "unexpected data at position %d", base+off+1)
	}
	return nil
}

// lintFailed completes a linter's error with the AI.
func (a *AI) lintFailed(err *AIError) *AIError {
	err.AI = a.Code
	if cde, ok := err.Err.(*CheckDigitError); ok {
		cde.Key = "AI (" + a.Code + ")"
	}
	return err
}

// valueAt names the value in messages: "value", or "value at position N"
// inside a larger input.
func (a *AI) valueAt(base int) string {
	if base == 0 {
		return "value"
	}
	return fmt.Sprintf("value at position %d", base+1)
}

func (a *AI) lenWant() string {
	switch {
	case a.MinLen == a.MaxLen:
		return fmt.Sprintf("want %d", a.MinLen)
	case len(a.Components) > 1 && a.Components[len(a.Components)-1].Min == a.Components[len(a.Components)-1].Max:
		// Fixed-length optional tail: list the possible lengths.
		s := fmt.Sprintf("want %d", a.MinLen)
		n := a.MinLen
		for _, c := range a.Components {
			if c.Optional {
				n += c.Max
				s += fmt.Sprintf(" or %d", n)
			}
		}
		return s
	default:
		return fmt.Sprintf("want %d to %d", a.MinLen, a.MaxLen)
	}
}

func (a *AI) errf(pos int, sentinel error, format string, args ...any) *AIError {
	return &AIError{AI: a.Code, Pos: pos, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// checkCharset checks part, which starts at 0-based offset off in the input.
func (a *AI) checkCharset(cs byte, part string, off int) *AIError {
	switch cs {
	case 'N':
		for i := 0; i < len(part); i++ {
			if c := part[i]; c-'0' > 9 {
				return a.errf(off+i+1, ErrSyntax, "character %q at position %d is not a digit", c, off+i+1)
			}
		}
	case 'X':
		for i := 0; i < len(part); i++ {
			if c := part[i]; !cset82[c] {
				return a.errf(off+i+1, ErrSyntax, "character %q at position %d is not in GS1 CSET 82", c, off+i+1)
			}
		}
	case 'Y':
		for i := 0; i < len(part); i++ {
			if c := part[i]; !cset39[c] {
				return a.errf(off+i+1, ErrSyntax, "character %q at position %d is not in GS1 CSET 39", c, off+i+1)
			}
		}
	case 'Z':
		// CSET 64 is base64url; up to two '=' may pad the data to a
		// multiple of three characters.
		n := len(part)
		for n > 0 && part[n-1] == '=' {
			n--
		}
		if pads := len(part) - n; pads > 2 || (pads > 0 && len(part)%3 != 0) {
			return a.errf(off+n+1, ErrSyntax, "bad base64url padding at position %d", off+n+1)
		}
		for i := 0; i < n; i++ {
			if c := part[i]; !cset64[c] {
				return a.errf(off+i+1, ErrSyntax, "character %q at position %d is not in GS1 CSET 64", c, off+i+1)
			}
		}
	default:
		panic("BUG: unknown charset in AI table")
	}
	return nil
}

// Character sets, as 256-entry membership tables.
var cset82, cset39, cset64 [256]bool

// CSET82 is GS1 AI encodable character set 82, in the order the
// alphanumeric check-character algorithm (csumalpha) weights it.
const cset82Chars = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

func init() {
	for i := 0; i < len(cset82Chars); i++ {
		cset82[cset82Chars[i]] = true
	}
	for _, c := range []byte("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		cset39[c] = true
	}
	for _, c := range []byte("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz") {
		cset64[c] = true
	}
}
