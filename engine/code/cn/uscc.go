package cn

import "errors"

const usccName = "USCC"

// USCC is an 18-character unified social credit code (统一社会信用代码,
// GB 32100-2015), the national identifier of every legal person and other
// organisation:
//
//	pos 1      registration department (登记管理部门代码)
//	pos 2      organisation type (机构类别代码)
//	pos 3-8    registering authority's region, GB/T 2260 (行政区划码)
//	pos 9-17   organisation code, GB 11714 (主体标识码); pos 17 is its check
//	pos 18     check character over positions 1-17
//
// Characters come from the 31-symbol alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY
// (no I, O, S, V, Z), each valued by its index. The GB 32100 check character
// makes Σ_{i=1..18} v_i·3^(i−1) ≡ 0 (mod 31): with weights 3^(i−1) mod 31 on
// positions 1-17, check = 31 − (Σ mod 31), 31 → 0. The GB 11714 check over
// positions 9-16 uses weights 3,7,9,10,5,8,4,2, digits valued 0-9 and letters
// A=10 … Z=35: C = 11 − (Σ mod 11), 10 → X, 11 → 0.
//
// The registration department and organisation type are not checked against
// a list (the lists have grown since 2015). The region must be a valid Region
// or 100000, the national level used by central registrations.
//
// The array holds the 18 upper-case characters. The zero value is not a valid
// code. USCC is comparable and usable as a map key.
type USCC [18]byte

// usccAlphabet lists the symbols by value.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWant describes the alphabet in errors.
const usccWant = "in 0-9 A-H J-N P-R T U W-Y"

// usccValue maps a byte to its value + 1, 0 for bytes outside the alphabet;
// lower case maps like upper case.
var usccValue = func() (t [256]uint8) {
	for i := 0; i < len(usccAlphabet); i++ {
		c := usccAlphabet[i]
		t[c] = uint8(i + 1)
		if c >= 'A' {
			t[c+'a'-'A'] = uint8(i + 1)
		}
	}
	return t
}()

// usccWeights[i] = 3^i mod 31, the weight of 1-based position i+1.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are GB 11714's weights for positions 1-8 of the organisation code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ParseUSCC validates a unified social credit code: length, alphabet, the
// region, the GB 11714 organisation-code check (position 17) and the
// GB 32100 check (position 18). Lower case is folded to upper case and white
// space around the code is ignored (see the package doc). A failed check
// returns a *CheckError naming the check, its position and the expected
// character; when both checks fail the error joins both, the organisation-code
// check first. It allocates nothing when it succeeds.
func ParseUSCC(s string) (USCC, error) {
	var c USCC
	t := trim(s)
	for i := 0; i < len(t); i++ {
		if usccValue[t[i]] == 0 {
			return c, charError(usccName, t, i, usccWant)
		}
	}
	if len(t) != len(c) {
		return c, lengthError(usccName, t, len(c))
	}
	for i := 0; i < len(t); i++ {
		c[i] = usccAlphabet[usccValue[t[i]]-1]
	}
	for i := 2; i < 8; i++ {
		if b := c[i]; b < '0' || b > '9' {
			return USCC{}, charError(usccName, t, i, "a digit (region code, GB/T 2260)")
		}
	}
	if _, err := usccRegion(c); err != nil {
		return USCC{}, err
	}
	var orgErr, err error
	if want := orgCheck(c[8:16]); c[16] != want {
		orgErr = &CheckError{Code: usccName, Check: "GB 11714 organisation-code check", Pos: 17, Got: c[16], Expected: want}
	}
	if want := usccCheck(c[:17]); c[17] != want {
		err = &CheckError{Code: usccName, Check: "GB 32100 check", Pos: 18, Got: c[17], Expected: want}
	}
	switch {
	case orgErr != nil && err != nil:
		return USCC{}, errors.Join(orgErr, err)
	case orgErr != nil:
		return USCC{}, orgErr
	case err != nil:
		return USCC{}, err
	}
	return c, nil
}

// NewUSCC builds a unified social credit code from its registration
// department, organisation type, region (the zero Region stands for 100000,
// the national level) and the first 8 characters of its organisation code,
// computing both check characters. Lower case is folded to upper case.
func NewUSCC(dept, orgType byte, region Region, org8 string) (USCC, error) {
	var c USCC
	if usccValue[dept] == 0 {
		return c, &CharError{Code: usccName, Pos: 1, Char: rune(dept), Want: usccWant}
	}
	if usccValue[orgType] == 0 {
		return c, &CharError{Code: usccName, Pos: 2, Char: rune(orgType), Want: usccWant}
	}
	for i := 0; i < len(org8); i++ {
		if usccValue[org8[i]] == 0 {
			e := charError(usccName, org8, i, usccWant)
			e.Pos += 8
			return c, e
		}
	}
	if len(org8) != 8 {
		return c, lengthError(usccName+" organisation code", org8, 8)
	}
	c[0] = usccAlphabet[usccValue[dept]-1]
	c[1] = usccAlphabet[usccValue[orgType]-1]
	if region.IsZero() {
		copy(c[2:8], "100000")
	} else {
		putDigits(c[2:8], uint64(region.code))
	}
	for i := 0; i < 8; i++ {
		c[8+i] = usccAlphabet[usccValue[org8[i]]-1]
	}
	c[16] = orgCheck(c[8:16])
	c[17] = usccCheck(c[:17])
	return c, nil
}

// usccRegion validates positions 3-8 (digits already checked).
func usccRegion(c USCC) (Region, error) {
	n := atoi(c[2:8])
	if n == 100000 {
		return Region{}, nil
	}
	return regionFromNumber(usccName, n, 3)
}

// usccSum returns Σ v_i·3^(i−1) over body, 17 upper-case alphabet bytes.
func usccSum(body []byte) int {
	sum := 0
	for i, b := range body {
		sum += int(usccValue[b]-1) * usccWeights[i]
	}
	return sum
}

// usccCheck returns the GB 32100 check character for the 17 characters body.
func usccCheck(body []byte) byte {
	return usccAlphabet[(31-usccSum(body)%31)%31]
}

// orgCheck returns the GB 11714 check character for the first 8 characters of
// an organisation code (digits and upper-case letters).
func orgCheck(body []byte) byte {
	sum := 0
	for i, b := range body {
		v := int(b - '0')
		if b >= 'A' {
			v = int(b-'A') + 10
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// Dept returns the registration department character (position 1).
func (c USCC) Dept() byte { return c[0] }

// OrgType returns the organisation type character (position 2).
func (c USCC) OrgType() byte { return c[1] }

// Region returns the registering authority's region (positions 3-8), or the
// zero Region when the code holds 100000, the national level.
func (c USCC) Region() Region {
	r, err := usccRegion(c)
	if err != nil {
		return Region{} // only for a USCC not made by ParseUSCC or NewUSCC
	}
	return r
}

// OrgCode returns the 9-character GB 11714 organisation code (positions
// 9-17), including its check character.
func (c USCC) OrgCode() string { return string(c[8:17]) }

// Check returns the GB 32100 check character (position 18).
func (c USCC) Check() byte { return c[17] }

// String returns the 18 characters.
func (c USCC) String() string { return string(c[:]) }

// AppendText appends the 18 characters to dst.
func (c USCC) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c USCC) IsZero() bool { return c[0] == 0 }
