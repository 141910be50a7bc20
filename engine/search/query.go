// Package search is the index behind the one-stop public query: products
// by name or GTIN and organisations by name or unified social credit code
// (USCC). Names are matched by prefix and substring after normalisation
// (NFKC, case folding, runs of spaces made one), so that full-width and
// half-width forms, upper and lower case, and simplified Chinese typed in
// any input method meet; GTINs and USCCs are matched exactly after their
// check characters are checked. The index holds public master data only
// (ids, names, GTIN, USCC) and lives in memory: the engine builds it when
// the store opens and puts every organisation and product its master data
// writes publish.
package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/gs1"
)

// Limits of a query and of an answer.
const (
	// MaxQueryRunes is the longest query, in characters after
	// normalisation (a full company name is well under it).
	MaxQueryRunes = 64
	// MaxQueryBytes bounds the raw query before it is normalised.
	MaxQueryBytes = 512
	// DefaultLimit is the number of hits an answer holds unless asked.
	DefaultLimit = 20
	// MaxLimit is the most hits an answer holds.
	MaxLimit = 50
)

// ErrInvalid is wrapped by every query error.
var ErrInvalid = errors.New("search: invalid query")

// QueryKind is what a query asks for.
type QueryKind uint8

// The query kinds.
const (
	// QueryText matches product and organisation names.
	QueryText QueryKind = iota + 1
	// QueryGTIN is one product by its GTIN.
	QueryGTIN
	// QueryUSCC is one organisation by its unified social credit code.
	QueryUSCC
)

// String returns "text", "gtin" or "uscc".
func (k QueryKind) String() string {
	switch k {
	case QueryText:
		return "text"
	case QueryGTIN:
		return "gtin"
	case QueryUSCC:
		return "uscc"
	}
	return fmt.Sprintf("QueryKind(%d)", uint8(k))
}

// Query is a parsed query.
type Query struct {
	Kind QueryKind
	// Text is the normalised text (QueryText), the GTIN's 14 digits
	// (QueryGTIN) or the USCC (QueryUSCC).
	Text string
	GTIN gs1.GTIN
}

// String returns the query in the form ParseQuery reads back to the same
// query.
func (q Query) String() string { return q.Text }

var folder = cases.Fold()

// Normalize returns s in the form names are matched in: NFKC, case
// folded, spaces (any Unicode space) collapsed to one and trimmed.
func Normalize(s string) string {
	s = folder.String(norm.NFKC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseQuery reads a query: 8, 12, 13 or 14 digits are a GTIN; 18
// letters and digits with at least 8 digits are a USCC; anything else is
// a name (or part of one). Spaces and hyphens inside a GTIN or USCC are
// ignored. A GTIN or USCC whose check character is wrong is an error
// naming the character, its position and the one expected.
func ParseQuery(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, fmt.Errorf("%w: q: %d bytes, at most %d", ErrInvalid, len(s), MaxQueryBytes)
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return Query{}, fmt.Errorf("%w: q: byte %d is not UTF-8", ErrInvalid, i+1)
	}
	t := Normalize(s)
	if t == "" {
		return Query{}, fmt.Errorf("%w: q: empty; give a product or enterprise name (or part of one), a GTIN or a unified social credit code", ErrInvalid)
	}
	if n := utf8.RuneCountInString(t); n > MaxQueryRunes {
		return Query{}, fmt.Errorf("%w: q: %d characters, at most %d", ErrInvalid, n, MaxQueryRunes)
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, t)
	if isGTINShape(compact) {
		g, err := gs1.ParseGTIN(compact)
		if err != nil {
			return Query{}, fmt.Errorf("%w: GTIN %s: %w (the check digit is digit %d of %d)", ErrInvalid, compact, err, len(compact), len(compact))
		}
		return Query{Kind: QueryGTIN, Text: g.String(), GTIN: g}, nil
	}
	if isUSCCShape(compact) {
		u, err := cn.ParseUSCC(compact)
		if err != nil {
			return Query{}, fmt.Errorf("%w: unified social credit code %s: %w", ErrInvalid, compact, err)
		}
		return Query{Kind: QueryUSCC, Text: u.String()}, nil
	}
	return Query{Kind: QueryText, Text: t}, nil
}

// isGTINShape reports whether s is 8, 12, 13 or 14 ASCII digits.
func isGTINShape(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUSCCShape reports whether s is 18 ASCII letters and digits with at
// least 8 digits (a name of 18 Latin letters is not taken for a code).
func isUSCCShape(s string) bool {
	if len(s) != 18 {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digits >= 8
}
