package cn

import "fmt"

const drugName = "drug trace code"

// DrugCode is a 20-digit NMPA drug trace code (药品追溯码) in the form
// NMPAB/T 1002-2019 《药品追溯码编码要求》 allows besides the ISO (GS1) form:
//
//	digits 1-7   药品标识码 (drug identification code): marketing-authorisation
//	             holder, product, dosage form, strength, package spec and level
//	digits 8-20  生产标识码 (production code, at least the unit serial; may
//	             carry lot, dates) followed by the check digit(s)
//
// Codes issued through 码上放心 (formerly 中国药品电子监管码) start with 8.
//
// The check algorithm is not public: NMPAB/T 1002-2019 requires a 校验位 but
// the copies we could read do not define it, and how the last 13 digits of a
// 码上放心 code split (often said to be 9 serial + 4 check) is unconfirmed. This
// type therefore validates structure only (20 ASCII digits) and never
// computes or verifies a check digit; a structurally valid DrugCode may still
// be a code the regulator would reject.
//
// The array holds the 20 ASCII digits. The zero value is not a valid code.
// DrugCode is comparable and usable as a map key.
type DrugCode [20]byte

// ParseDrugCode validates a 20-digit drug trace code. White space around the
// code is ignored (see the package doc); nothing else is. An error names the
// 1-based position of the first non-digit, or the length found.
// It allocates nothing when it succeeds.
func ParseDrugCode(s string) (DrugCode, error) {
	var c DrugCode
	t := trim(s)
	if err := checkDigits(drugName, t); err != nil {
		return c, err
	}
	if len(t) != len(c) {
		return c, lengthError(drugName, t, len(c))
	}
	copy(c[:], t)
	return c, nil
}

// maxSerial13 is the largest 13-digit number.
const maxSerial13 = 9_999_999_999_999

// NewDrugCode builds a drug trace code from its 7-digit drug identification
// code and the number formed by its last 13 digits (0 ≤ serial13 < 10^13,
// written with leading zeros). It computes no check digit: serial13 must
// already end with whatever check the code's issuer defines.
func NewDrugCode(productID string, serial13 uint64) (DrugCode, error) {
	var c DrugCode
	if err := checkDigits(drugName+" product ID", productID); err != nil {
		return c, err
	}
	if len(productID) != 7 {
		return c, lengthError(drugName+" product ID", productID, 7)
	}
	if serial13 > maxSerial13 {
		return c, fmt.Errorf("%w: %s serial %d has more than 13 digits", ErrRange, drugName, serial13)
	}
	copy(c[:7], productID)
	putDigits(c[7:], serial13)
	return c, nil
}

// ProductID returns the 7-digit drug identification code (药品标识码).
func (c DrugCode) ProductID() string { return string(c[:7]) }

// Serial returns digits 8-20: the production code and check digit(s), whose
// split is not public.
func (c DrugCode) Serial() string { return string(c[7:]) }

// IsMaShangFangXin reports whether the code starts with 8, the prefix of
// codes issued through 码上放心. It is a platform convention, not a validity
// rule: other issuers' codes are valid DrugCodes too.
func (c DrugCode) IsMaShangFangXin() bool { return c[0] == '8' }

// String returns the 20 digits.
func (c DrugCode) String() string { return string(c[:]) }

// AppendText appends the 20 digits to dst.
func (c DrugCode) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c DrugCode) IsZero() bool { return c[0] == 0 }
