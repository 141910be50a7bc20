package gs1

import "fmt"

// Linters: content checks that the GS1 Barcode Syntax Dictionary attaches to
// AI components (the names after a component type, "N6,yymmd0"). Each is
// written here from the GS1 General Specifications and the behaviour of the
// GS1 Barcode Syntax Engine's reference linters; the generator refers to
// them as lint<Name>, so a linter added to a future dictionary fails to
// compile until it is implemented here.
//
// Every linter the current dictionary names is implemented:
//
//	csum            GS1 mod-10 check digit over the component
//	csumalpha       GS1 alphanumeric check character pair (GMN, MUDI)
//	gcppos1/2       a GS1 Company Prefix starts at position 1/2: checked as
//	                "at least 4 digits there"; whether the prefix is actually
//	                allocated needs GS1's prefix list and is not checked
//	yymmd0 yymmdd   YYMMDD date, day 00 ("last day of the month") allowed
//	                only by yymmd0; YY is read in a 1972–2071 window, which
//	                only matters for 29 February
//	yyyymmdd        full Gregorian date
//	hh mi ss hhmi   hour 00–23, minute and second 00–59
//	iso3166 iso3166999 iso3166alpha2 iso4217 iso5218 mediatype packagetype
//	                code lists (lint_lists.go)
//	importeridx     one of - 0-9 A-Z _ a-z
//	pcenc           every '%' starts a %XX hex escape
//	yesno zero hyphen winding nonzero nozeroprefix hasnondigit
//	latitude longitude pieceoftotal posinseqslash iban
//	couponcode couponposoffer  North American coupon structures, fully (coupon.go)
//
// Linters of other dictionary releases (key, hhmm, yyyymmd0, latlong, …) are
// not named by this one and so are not here.
type lintID uint8

const (
	lintCsum lintID = iota + 1
	lintCsumalpha
	lintGcppos1
	lintGcppos2
	lintYymmd0
	lintYymmdd
	lintYyyymmdd
	lintHh
	lintMi
	lintSs
	lintHhmi
	lintIso3166
	lintIso3166999
	lintIso3166alpha2
	lintIso4217
	lintIso5218
	lintMediatype
	lintPackagetype
	lintImporteridx
	lintPcenc
	lintYesno
	lintZero
	lintHyphen
	lintWinding
	lintNonzero
	lintNozeroprefix
	lintHasnondigit
	lintLatitude
	lintLongitude
	lintPieceoftotal
	lintPosinseqslash
	lintIban
	lintCouponcode
	lintCouponposoffer
)

// lintErr builds the error of a linter; pos is 1-based within the value or 0.
func lintErr(pos int, sentinel error, format string, args ...any) *AIError {
	return &AIError{Pos: pos, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// runLint applies one linter to part, the component that starts at 0-based
// offset off of the value of AI code. The error's AI field is left for the
// caller. It allocates only on failure.
func runLint(id lintID, part string, off int) *AIError {
	switch id {
	case lintCsum:
		return lintCheckDigit(part, off)
	case lintCsumalpha:
		return lintCheckPair(part, off)
	case lintGcppos1:
		return lintGCP(part, off)
	case lintGcppos2:
		if len(part) == 0 {
			return lintErr(off+1, ErrLength, "no room for a GS1 Company Prefix at position %d", off+2)
		}
		return lintGCP(part[1:], off+1)
	case lintYymmd0:
		return lintDate(part, off, false, true)
	case lintYymmdd:
		return lintDate(part, off, false, false)
	case lintYyyymmdd:
		return lintDate(part, off, true, false)
	case lintHh:
		return lintTwoDigits(part, off, 23, "hour")
	case lintMi:
		return lintTwoDigits(part, off, 59, "minute")
	case lintSs:
		return lintTwoDigits(part, off, 59, "second")
	case lintHhmi:
		if len(part) != 4 {
			return lintErr(off+1, ErrLength, "time at position %d has %d digits, want HHMM", off+1, len(part))
		}
		if err := lintTwoDigits(part[:2], off, 23, "hour"); err != nil {
			return err
		}
		return lintTwoDigits(part[2:], off+2, 59, "minute")
	case lintIso3166:
		if !num3In(&iso3166Num, part) {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an ISO 3166 numeric country code", part, off+1)
		}
	case lintIso3166999:
		if part != "999" && !num3In(&iso3166Num, part) {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an ISO 3166 numeric country code or 999", part, off+1)
		}
	case lintIso3166alpha2:
		if !alpha2In(part) {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an ISO 3166 alpha-2 country code", part, off+1)
		}
	case lintIso4217:
		if !num3In(&iso4217Num, part) {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an ISO 4217 numeric currency code", part, off+1)
		}
	case lintIso5218:
		if part != "0" && part != "1" && part != "2" && part != "9" {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an ISO 5218 sex code (0, 1, 2 or 9)", part, off+1)
		}
	case lintMediatype:
		if len(part) != 2 || !isDigits(part) || !(part >= "01" && part <= "10" || part >= "80") {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an AIDC media type (01-10, 80-99)", part, off+1)
		}
	case lintPackagetype:
		if _, ok := packageTypes[part]; !ok {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not a PackageTypeCode", part, off+1)
		}
	case lintImporteridx:
		if len(part) != 1 || !(part[0] == '-' || part[0] == '_' || isAlnum(part[0])) {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not an importer index (one of - 0-9 A-Z _ a-z)", part, off+1)
		}
	case lintPcenc:
		for i := 0; i < len(part); i++ {
			if part[i] == '%' && (i+2 >= len(part) || !isHex(part[i+1]) || !isHex(part[i+2])) {
				return lintErr(off+i+1, ErrInvalid, "'%%' at position %d does not start a %%XX hex escape", off+i+1)
			}
		}
	case lintYesno:
		if part != "0" && part != "1" {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not 0 (no) or 1 (yes)", part, off+1)
		}
	case lintZero:
		if part != "0" {
			return lintErr(off+1, ErrInvalid, "%q at position %d must be 0", part, off+1)
		}
	case lintHyphen:
		for i := 0; i < len(part); i++ {
			if part[i] != '-' {
				return lintErr(off+i+1, ErrInvalid, "%q at position %d must be '-'", part[i], off+i+1)
			}
		}
	case lintWinding:
		if part != "0" && part != "1" && part != "9" {
			return lintErr(off+1, ErrInvalid, "%q at position %d is not a winding direction (0, 1 or 9)", part, off+1)
		}
	case lintNonzero:
		for i := 0; i < len(part); i++ {
			if part[i] != '0' {
				return nil
			}
		}
		return lintErr(off+1, ErrInvalid, "%q at position %d must not be zero", part, off+1)
	case lintNozeroprefix:
		if len(part) > 0 && part[0] == '0' {
			return lintErr(off+1, ErrInvalid, "value at position %d must not start with 0", off+1)
		}
	case lintHasnondigit:
		if isDigits(part) {
			return lintErr(off+1, ErrInvalid, "value at position %d must contain a character other than a digit", off+1)
		}
	case lintLatitude:
		if v, ok := atou(part); !ok || v > 1800000000 {
			return lintErr(off+1, ErrInvalid, "latitude %q at position %d is above 1800000000 (90° north)", part, off+1)
		}
	case lintLongitude:
		if v, ok := atou(part); !ok || v > 3600000000 {
			return lintErr(off+1, ErrInvalid, "longitude %q at position %d is above 3600000000 (180° east)", part, off+1)
		}
	case lintPieceoftotal:
		return lintPieceOfTotal(part, off)
	case lintPosinseqslash:
		return lintPosInSeq(part, off)
	case lintIban:
		return lintIBAN(part, off)
	case lintCouponcode:
		return lintCoupon(part, off)
	case lintCouponposoffer:
		return lintCouponPosOffer(part, off)
	default:
		panic("BUG: linter without implementation")
	}
	return nil
}

// lintCheckDigit checks the GS1 mod-10 check digit at the end of part: the
// body digits weighted 3, 1, 3, … from the right. It is on the hot path of
// every key, so it sums in two strided passes rather than calling
// CheckDigit (which re-derives the weight per digit).
func lintCheckDigit(part string, off int) *AIError {
	n := len(part)
	if n < 2 {
		return lintErr(off+1, ErrLength, "component at position %d is too short for a check digit", off+1)
	}
	sum := 0
	for i := n - 2; i >= 0; i -= 2 {
		d := part[i] - '0'
		if d > 9 {
			return lintErr(off+i+1, ErrSyntax, "character %q at position %d is not a digit", part[i], off+i+1)
		}
		sum += 3 * int(d)
	}
	for i := n - 3; i >= 0; i -= 2 {
		d := part[i] - '0'
		if d > 9 {
			return lintErr(off+i+1, ErrSyntax, "character %q at position %d is not a digit", part[i], off+i+1)
		}
		sum += int(d)
	}
	cd := byte('0' + (10-sum%10)%10)
	if part[n-1] == cd {
		return nil
	}
	if part[n-1]-'0' > 9 {
		return lintErr(off+n, ErrSyntax, "character %q at position %d is not a digit", part[n-1], off+n)
	}
	cde := &CheckDigitError{Got: part[n-1], Expected: cd}
	if off == 0 {
		return &AIError{Pos: n, Reason: fmt.Sprintf("check digit is %c, expected %c", part[n-1], cd), Err: cde}
	}
	return &AIError{Pos: off + n, Reason: fmt.Sprintf("check digit at position %d is %c, expected %c", off+n, part[n-1], cd), Err: cde}
}

// cset32 is the alphabet of the alphanumeric check characters.
const cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// alphaPrimes weights the data characters of csumalpha from the right.
var alphaPrimes = [...]uint16{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509}

// cset82Value[c] is 1 + the weight of c in CSET 82 (0: not in CSET 82).
var cset82Value [256]uint8

func init() {
	for i := 0; i < len(cset82Chars); i++ {
		cset82Value[cset82Chars[i]] = uint8(i + 1)
	}
}

// lintCheckPair checks the GS1 alphanumeric check character pair: the CSET
// 82 values of the data characters, weighted by the primes 2, 3, 5, … from
// the right, summed mod 1021; the 10-bit sum split into two 5-bit halves
// indexes CSET 32.
func lintCheckPair(part string, off int) *AIError {
	n := len(part)
	if n < 2 {
		return lintErr(off+1, ErrLength, "component at position %d is too short for a check character pair", off+1)
	}
	if n-2 > len(alphaPrimes) {
		return lintErr(off+1, ErrLength, "component at position %d is too long for the check character pair", off+1)
	}
	sum := 0
	for i := 0; i < n-2; i++ {
		v := cset82Value[part[i]]
		if v == 0 {
			return lintErr(off+i+1, ErrSyntax, "character %q at position %d is not in GS1 CSET 82", part[i], off+i+1)
		}
		sum += int(v-1) * int(alphaPrimes[n-3-i])
	}
	sum %= 1021
	want0, want1 := cset32[sum>>5], cset32[sum&31]
	if part[n-2] == want0 && part[n-1] == want1 {
		return nil
	}
	return &AIError{Pos: off + n - 1, Reason: fmt.Sprintf("check characters at position %d are %q, expected %q", off+n-1, part[n-2:], string([]byte{want0, want1})), Err: ErrCheckDigit}
}

// lintGCP checks that part starts with at least the 4 digits of the shortest
// GS1 Company Prefix.
func lintGCP(part string, off int) *AIError {
	if len(part) < 4 {
		return lintErr(off+1, ErrInvalid, "too short for a GS1 Company Prefix at position %d", off+1)
	}
	for i := 0; i < 4; i++ {
		if c := part[i]; c < '0' || c > '9' {
			return lintErr(off+i+1, ErrInvalid, "character %q at position %d is not a digit: a GS1 Company Prefix starts at position %d", c, off+i+1, off+1)
		}
	}
	return nil
}

// lintDate checks YYMMDD (or YYYYMMDD if long). zeroDay allows day 00.
func lintDate(part string, off int, long, zeroDay bool) *AIError {
	want := 6
	if long {
		want = 8
	}
	if len(part) != want || !isDigits(part) {
		return lintErr(off+1, ErrSyntax, "date at position %d is not %d digits", off+1, want)
	}
	var year int
	if long {
		year = int(part[0]-'0')*1000 + int(part[1]-'0')*100 + int(part[2]-'0')*10 + int(part[3]-'0')
		off += 2
		part = part[2:]
	} else {
		// Leap years are those with YY divisible by 4 throughout the
		// 1972–2071 window (2000 was a leap year).
		year = 2000 + int(part[0]-'0')*10 + int(part[1]-'0')
	}
	mm := int(part[2]-'0')*10 + int(part[3]-'0')
	if mm < 1 || mm > 12 {
		return lintErr(off+3, ErrInvalid, "month %s at position %d is not a valid month", part[2:4], off+3)
	}
	dd := int(part[4]-'0')*10 + int(part[5]-'0')
	if dd == 0 && zeroDay {
		return nil
	}
	if dd < 1 || dd > daysIn(year, mm) {
		return lintErr(off+5, ErrInvalid, "day %s at position %d is not a valid day", part[4:6], off+5)
	}
	return nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// lintTwoDigits checks a two-digit field in 00..max.
func lintTwoDigits(part string, off, max int, what string) *AIError {
	if len(part) != 2 || !isDigits(part) {
		return lintErr(off+1, ErrSyntax, "%s at position %d is not two digits", what, off+1)
	}
	if v := int(part[0]-'0')*10 + int(part[1]-'0'); v > max {
		return lintErr(off+1, ErrInvalid, "%s %s at position %d is not a valid %s", what, part, off+1, what)
	}
	return nil
}

// lintPieceOfTotal checks PP…TT…: equal-width piece number and total, both
// non-zero, piece ≤ total.
func lintPieceOfTotal(part string, off int) *AIError {
	if len(part) == 0 || len(part)%2 != 0 || !isDigits(part) {
		return lintErr(off+1, ErrSyntax, "piece/total at position %d is not an even number of digits", off+1)
	}
	h := len(part) / 2
	p, t := part[:h], part[h:]
	switch {
	case isZeros(p):
		return lintErr(off+1, ErrInvalid, "piece number %s at position %d is zero", p, off+1)
	case isZeros(t):
		return lintErr(off+h+1, ErrInvalid, "total %s at position %d is zero", t, off+h+1)
	case p > t: // equal widths: string order is numeric order
		return lintErr(off+1, ErrInvalid, "piece number %s at position %d exceeds the total %s", p, off+1, t)
	}
	return nil
}

// lintPosInSeq checks "<pos>/<end>": digits without leading zeros, pos ≤ end.
func lintPosInSeq(part string, off int) *AIError {
	slash := -1
	for i := 0; i < len(part); i++ {
		if part[i] == '/' {
			if slash >= 0 {
				slash = -1
				break
			}
			slash = i
		} else if part[i] < '0' || part[i] > '9' {
			slash = -1
			break
		}
	}
	if slash <= 0 || slash == len(part)-1 {
		return lintErr(off+1, ErrInvalid, "%q at position %d is not <position>/<count>", part, off+1)
	}
	p, e := part[:slash], part[slash+1:]
	if p[0] == '0' {
		return lintErr(off+1, ErrInvalid, "position %q at position %d is zero or has a leading zero", p, off+1)
	}
	if e[0] == '0' {
		return lintErr(off+slash+2, ErrInvalid, "count %q at position %d is zero or has a leading zero", e, off+slash+2)
	}
	if len(p) > len(e) || (len(p) == len(e) && p > e) {
		return lintErr(off+1, ErrInvalid, "position %s at position %d exceeds the count %s", p, off+1, e)
	}
	return nil
}

// lintIBAN checks an International Bank Account Number (ISO 13616): a
// country code, then 0-9 A-Z, 11 to 34 characters, mod 97 of the rearranged
// number equal to 1.
func lintIBAN(part string, off int) *AIError {
	if len(part) < 4 {
		return lintErr(off+1, ErrLength, "IBAN at position %d is too short", off+1)
	}
	if !alpha2In(part[:2]) {
		return lintErr(off+1, ErrInvalid, "IBAN country code %q at position %d is not an ISO 3166 alpha-2 code", part[:2], off+1)
	}
	if len(part) > 34 {
		return lintErr(off+1, ErrLength, "IBAN at position %d has %d characters, at most 34", off+1, len(part))
	}
	if len(part) <= 10 {
		return lintErr(off+1, ErrLength, "IBAN at position %d has %d characters, too short", off+1, len(part))
	}
	sum := 0
	for k := 4; k < len(part)+4; k++ {
		i := k
		if i >= len(part) {
			i -= len(part)
		}
		c := part[i]
		switch {
		case c >= '0' && c <= '9':
			sum = (sum*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			sum = (sum*100 + int(c-'A') + 10) % 97
		default:
			return lintErr(off+i+1, ErrSyntax, "character %q at position %d is not allowed in an IBAN (0-9, A-Z)", c, off+i+1)
		}
	}
	if sum != 1 {
		return &AIError{Pos: off + 3, Reason: fmt.Sprintf("IBAN check digits %s at position %d are wrong", part[2:4], off+3), Err: ErrCheckDigit}
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// atou parses up to 19 decimal digits.
func atou(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(s[i]-'0')
	}
	return v, true
}
