package gs1

import "fmt"

// Symbology identifiers (ISO/IEC 15424) that a barcode reader puts before
// GS1 data. Plain (non-GS1) data in the same symbols has another modifier
// (]Q1, ]d1, ]J0, ]C0) and is not element strings.
const (
	SymbologyGS1128     = "]C1" // GS1-128
	SymbologyDataBar    = "]e0" // GS1 DataBar and composite components
	SymbologyDataMatrix = "]d2" // GS1 DataMatrix
	SymbologyQR         = "]Q3" // GS1 QR Code
	SymbologyDotCode    = "]J1" // GS1 DotCode
)

// GS is the ASCII group separator that a reader transmits for an FNC1 used
// as a separator.
const GS = 0x1D

// ParseBarcodeData parses element strings as a barcode reader transmits them:
//
//   - an optional symbology identifier, one of the Symbology constants; any
//     other identifier is rejected, since it does not announce GS1 data;
//   - then the AIs and values concatenated. A value of a predefined-length AI
//     (AI.Fixed) has exactly that length and needs no separator; any other
//     value runs to the next GS (0x1D) or the end of the data. A GS right
//     after a predefined-length value, or at the very end, is tolerated.
//
// For GS1 test vectors, input that starts with '^' is read in their
// notation instead: the leading '^' is FNC1 in first position and each later
// '^' stands for GS. Only a leading '^' switches to this notation ('^' is not
// a valid value character either way). A single GS in first position (FNC1 as
// some readers send it) is also accepted.
//
// Every AI must be in the table and every value must pass (*AI).Validate;
// associations between AIs are left to ValidateElements. Errors are *AIError
// with Pos 1-based within s. Element values alias s.
func ParseBarcodeData(s string) ([]Element, error) {
	start := 0
	sep := byte(GS)
	switch {
	case len(s) > 0 && s[0] == ']':
		if len(s) < 3 {
			return nil, &AIError{Pos: 1, Reason: fmt.Sprintf("symbology identifier %q is truncated", s), Err: ErrSyntax}
		}
		switch id := s[:3]; id {
		case SymbologyGS1128, SymbologyDataBar, SymbologyDataMatrix, SymbologyQR, SymbologyDotCode:
		default:
			return nil, &AIError{Pos: 1, Reason: fmt.Sprintf("symbology identifier %q does not announce GS1 data (want ]C1, ]e0, ]d2, ]Q3 or ]J1)", id), Err: ErrSyntax}
		}
		start = 3
	case len(s) > 0 && s[0] == '^':
		sep = '^'
		start = 1
	case len(s) > 0 && s[0] == GS:
		start = 1
	}
	if start == len(s) {
		return nil, &AIError{Pos: 0, Reason: "no element strings", Err: ErrSyntax}
	}
	els := make([]Element, 0, 4)
	i := start
	for i < len(s) {
		a, ok := MatchAI(s[i:])
		if !ok {
			return nil, &AIError{Pos: i + 1, Reason: fmt.Sprintf("no known AI at position %d (%q)", i+1, clip(s[i:], 4)), Err: ErrUnknownAI}
		}
		vs := i + len(a.Code)
		var ve, next int
		if a.Fixed {
			ve = vs + a.MaxLen
			if ve > len(s) {
				return nil, &AIError{AI: a.Code, Pos: vs + 1, Reason: fmt.Sprintf("value at position %d has %d characters, want %d", vs+1, len(s)-vs, a.MaxLen), Err: ErrLength}
			}
			next = ve
			if next < len(s) && s[next] == sep {
				next++ // superfluous separator
			}
		} else {
			ve = vs
			for ve < len(s) && s[ve] != sep {
				ve++
			}
			next = ve
			if next < len(s) {
				next++
			}
		}
		if err := a.validate(s[vs:ve], vs); err != nil {
			return nil, err
		}
		els = append(els, Element{AI: a.Code, Value: s[vs:ve]})
		i = next
	}
	return els, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// AppendBarcodeData appends els as a reader would transmit them: the
// symbologyID verbatim (normally one of the Symbology constants; "" for none),
// then each AI and value, with a GS after every value of an AI that is not
// predefined-length, except the last; there is no trailing GS. Elements are
// written in the given order: GS1 recommends putting predefined-length AIs
// first, which saves separators, and OrderForBarcode does that. An AI not in
// the table is treated as variable length. It does not validate.
func AppendBarcodeData(dst []byte, els []Element, symbologyID string) []byte {
	dst = append(dst, symbologyID...)
	for i, e := range els {
		dst = append(dst, e.AI...)
		dst = append(dst, e.Value...)
		if i == len(els)-1 {
			break
		}
		if a, ok := LookupAI(e.AI); !ok || !a.Fixed {
			dst = append(dst, GS)
		}
	}
	return dst
}

// OrderForBarcode reorders els in place as GS1 recommends for encoding:
// predefined-length AIs first, then the others, each group keeping its
// order. The element set, and so its meaning, is unchanged.
func OrderForBarcode(els []Element) {
	// Stable partition by insertion: element lists are short.
	for i := 1; i < len(els); i++ {
		if a, ok := LookupAI(els[i].AI); !ok || !a.Fixed {
			continue
		}
		e := els[i]
		j := i
		for j > 0 {
			if b, ok := LookupAI(els[j-1].AI); ok && b.Fixed {
				break
			}
			els[j] = els[j-1]
			j--
		}
		els[j] = e
	}
}
