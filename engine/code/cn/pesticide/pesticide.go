// Package pesticide parses the national pesticide trace code (农药追溯码,
// MARA 公告第2579号, 2017) and pesticide registration certificate numbers
// (农药登记证号).
//
// The trace code is 32 digits, printed in a QR code or Data Matrix as the
// national trace URL followed by the digits:
//
//	digit  1      registration kind: 1 PD (正式登记), 2 WP (卫生用农药),
//	              3 temporary registration (临时登记)
//	digits 2-7    the last six digits of the registration certificate number
//	digit  8      production: 1 own, 2 contract-made (委托加工),
//	              3 contract-packed (委托分装)
//	digits 9-11   specification code (规格码, the enterprise's own)
//	digits 12-32  random part (21 digits)
//
// There is no check digit. The layout is from secondary copies of the
// announcement (docs/categories.md); the URL's host and path are not fixed
// by it, so ParseQR accepts any http(s) URL ending in the 32 digits.
package pesticide

import (
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const (
	codeName = "pesticide trace code"
	qrName   = "pesticide trace QR"
	regName  = "pesticide registration number"
)

// Kind is the registration kind, the code's first digit.
type Kind byte

// The registration kinds.
const (
	KindPD        Kind = '1' // 正式登记 (PD)
	KindWP        Kind = '2' // 卫生用农药 (WP)
	KindTemporary Kind = '3' // 临时登记 (LS)
)

// Prefix returns the registration number prefix of the kind: PD, WP or LS.
func (k Kind) Prefix() string {
	switch k {
	case KindPD:
		return "PD"
	case KindWP:
		return "WP"
	case KindTemporary:
		return "LS"
	}
	return ""
}

// Production is how the packaged product was made, digit 8.
type Production byte

// The production kinds.
const (
	Own            Production = '1' // 自产
	ContractMade   Production = '2' // 委托加工
	ContractPacked Production = '3' // 委托分装
)

// Name returns the production kind's name in Chinese and English.
func (p Production) Name() (zh, en string) {
	switch p {
	case Own:
		return "自产", "own production"
	case ContractMade:
		return "委托加工", "contract manufacture"
	case ContractPacked:
		return "委托分装", "contract packing"
	}
	return "", ""
}

// Len is the number of digits of a trace code.
const Len = 32

// PrefixLen is the number of digits before the random part: kind,
// registration, production and specification.
const PrefixLen = 11

// RandomLen is the number of digits of the random part.
const RandomLen = Len - PrefixLen

// Code is a 32-digit pesticide trace code. The zero value is not valid.
type Code [Len]byte

// Parse validates a 32-digit trace code: digits only, a known registration
// kind (digit 1) and production kind (digit 8).
func Parse(s string) (Code, error) {
	var c Code
	t := field.Trim(s)
	if err := field.Digits(codeName, t, 0, len(t)); err != nil {
		return c, err
	}
	if len(t) != Len {
		return c, field.Length(codeName, t, "32")
	}
	if err := checkPrefix(codeName, t, 0); err != nil {
		return c, err
	}
	copy(c[:], t)
	return c, nil
}

// checkPrefix checks the kind and production digits of the 32 digits at
// t[off:], reporting positions within t.
func checkPrefix(name, t string, off int) error {
	if k := Kind(t[off]); k.Prefix() == "" {
		return field.Bad(name, "registration kind", off+1, 1, t[off:off+1], "is not 1 (PD), 2 (WP) or 3 (temporary)", cn.ErrRange)
	}
	if p := Production(t[off+7]); p < Own || p > ContractPacked {
		return field.Bad(name, "production kind", off+8, 1, t[off+7:off+8], "is not 1 (own), 2 (contract-made) or 3 (contract-packed)", cn.ErrRange)
	}
	return nil
}

// New builds a trace code from its 11-digit prefix (kind, registration,
// production, specification) and 21-digit random part.
func New(prefix, random string) (Code, error) {
	var c Code
	if err := field.Digits(codeName+" prefix", prefix, 0, len(prefix)); err != nil {
		return c, err
	}
	if len(prefix) != PrefixLen {
		return c, field.Length(codeName+" prefix", prefix, "11")
	}
	if err := field.Digits(codeName+" random part", random, 0, len(random)); err != nil {
		return c, err
	}
	if len(random) != RandomLen {
		return c, field.Length(codeName+" random part", random, "21")
	}
	if err := checkPrefix(codeName, prefix+random, 0); err != nil {
		return c, err
	}
	copy(c[:], prefix)
	copy(c[PrefixLen:], random)
	return c, nil
}

// Kind returns the registration kind.
func (c Code) Kind() Kind { return Kind(c[0]) }

// RegistrationSuffix returns the last six digits of the registration
// certificate number.
func (c Code) RegistrationSuffix() string { return string(c[1:7]) }

// Production returns the production kind.
func (c Code) Production() Production { return Production(c[7]) }

// Spec returns the 3-digit specification code.
func (c Code) Spec() string { return string(c[8:11]) }

// Prefix returns digits 1-11, which name the product and package.
func (c Code) Prefix() string { return string(c[:PrefixLen]) }

// Random returns the 21-digit random part.
func (c Code) Random() string { return string(c[PrefixLen:]) }

// String returns the 32 digits.
func (c Code) String() string { return string(c[:]) }

// AppendText appends the 32 digits to dst.
func (c Code) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c Code) IsZero() bool { return c[0] == 0 }

// QR is the content of a pesticide trace QR code: a trace URL ending in
// the 32 digits.
type QR struct {
	// URL is the text before the digits, as scanned
	// ("https://host/path?code=").
	URL  string
	Code Code
}

// ParseQR validates a QR's content: an http or https URL whose last 32
// characters are the trace code, preceded by '/' or '='. A bare code is
// accepted too (URL empty).
func ParseQR(s string) (QR, error) {
	t := field.Trim(s)
	if !hasPrefixFold(t, "http://") && !hasPrefixFold(t, "https://") {
		c, err := Parse(t)
		return QR{Code: c}, err
	}
	if err := field.ASCII(qrName, t); err != nil {
		return QR{}, err
	}
	if len(t) < Len+len("http://x/") {
		return QR{}, field.Length(qrName, t, "a URL followed by the 32 digits")
	}
	at := len(t) - Len
	if sep := t[at-1]; sep != '/' && sep != '=' {
		return QR{}, field.Char(qrName, t, at-1, "'/' or '=' before the 32 digits")
	}
	if err := field.Digits(qrName, t, at, len(t)); err != nil {
		return QR{}, err
	}
	if err := checkPrefix(qrName, t, at); err != nil {
		return QR{}, err
	}
	var q QR
	q.URL = t[:at]
	copy(q.Code[:], t[at:])
	return q, nil
}

// AppendText appends the QR content (URL then digits) to dst.
func (q QR) AppendText(dst []byte) []byte {
	return q.Code.AppendText(append(dst, q.URL...))
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// RegNumber is a pesticide registration certificate number: PD (正式登记),
// WP (卫生用农药) or LS (临时登记) followed by the 4-digit year of
// registration and a 4-digit sequence, e.g. PD20080001. The zero value is
// not valid.
type RegNumber [10]byte

// ParseRegNumber validates a registration number; the prefix letters may
// be lower case.
func ParseRegNumber(s string) (RegNumber, error) {
	var r RegNumber
	t := field.Trim(s)
	if err := field.ASCII(regName, t); err != nil {
		return r, err
	}
	if len(t) != len(r) {
		return r, field.Length(regName, t, "10 (PD, WP or LS, a 4-digit year and a 4-digit sequence)")
	}
	copy(r[:], t)
	r[0], r[1] = upper(r[0]), upper(r[1])
	switch string(r[:2]) {
	case "PD", "WP", "LS":
	default:
		if !field.IsUpper(r[0]) {
			return RegNumber{}, field.Char(regName, t, 0, "a letter of PD, WP or LS")
		}
		return RegNumber{}, field.Bad(regName, "kind", 1, 2, t[:2], "is not PD, WP or LS", cn.ErrRange)
	}
	if err := field.Digits(regName, t, 2, 10); err != nil {
		return RegNumber{}, err
	}
	if y := field.Atoi(t[2:6]); y < 1978 || y > 2099 {
		return RegNumber{}, field.Bad(regName, "year", 3, 4, t[2:6], "is not a registration year 1978-2099", cn.ErrDate)
	}
	return r, nil
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 0x20
	}
	return c
}

// Kind returns the registration kind the prefix names.
func (r RegNumber) Kind() Kind {
	switch string(r[:2]) {
	case "PD":
		return KindPD
	case "WP":
		return KindWP
	}
	return KindTemporary
}

// Year returns the year of registration.
func (r RegNumber) Year() int { return field.Atoi(r[2:6]) }

// Suffix returns the last six digits, which trace codes carry.
func (r RegNumber) Suffix() string { return string(r[4:]) }

// Matches reports whether trace code c names this registration: the same
// kind and the same last six digits.
func (r RegNumber) Matches(c Code) bool {
	return r.Kind() == c.Kind() && string(r[4:]) == string(c[1:7])
}

// String returns the registration number.
func (r RegNumber) String() string { return string(r[:]) }

// AppendText appends the registration number to dst.
func (r RegNumber) AppendText(dst []byte) []byte { return append(dst, r[:]...) }

// IsZero reports whether r is the zero value.
func (r RegNumber) IsZero() bool { return r[0] == 0 }
