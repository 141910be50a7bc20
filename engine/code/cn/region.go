package cn

import "fmt"

const regionName = "region code"

// Region is a GB/T 2260 administrative-division code (行政区划代码): six
// digits, province (2) + prefecture (2) + county (2), e.g. 330000 浙江省,
// 330100 杭州市, 330106 西湖区.
//
//	PPCCXX   PP province (11-82), CC prefecture, XX county
//	PP0000   a province-level division
//	PPCC00   a prefecture-level division (CC ≠ 00); CC = 90 groups the
//	         county-level units a province administers directly
//	PPCCXX   a county-level division (CC ≠ 00, XX ≠ 00)
//
// A Region is valid by construction: its province prefix is one of the 34
// provincial-level divisions (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71,
// 81, 82) and a county part never follows a 00 prefecture. Whether a
// prefecture or county code is currently assigned is not checked: codes
// change every year and old codes stay in old records. The zero value is the
// "no region" value (IsZero); it contains nothing and nothing contains it.
// Region is comparable and usable as a map key.
type Region struct {
	code uint32 // the six digits as a number, 110000..829999; 0 for none
}

// Level is the level of an administrative division.
type Level uint8

// The levels, from the top. The zero Level is LevelNone, the level of the
// zero Region.
const (
	LevelNone     Level = iota
	LevelProvince       // 省级: province, autonomous region, municipality, SAR
	LevelCity           // 地级: prefecture-level city, prefecture, league
	LevelCounty         // 县级: county, district, county-level city, banner
)

// String returns "province", "city", "county" or "none".
func (l Level) String() string {
	switch l {
	case LevelProvince:
		return "province"
	case LevelCity:
		return "city"
	case LevelCounty:
		return "county"
	}
	return "none"
}

// ParseRegion validates a 6-digit GB/T 2260 code. White space around it is
// ignored (see the package doc). It allocates nothing when it succeeds.
func ParseRegion(s string) (Region, error) {
	t := trim(s)
	if err := checkDigits(regionName, t); err != nil {
		return Region{}, err
	}
	if len(t) != 6 {
		return Region{}, lengthError(regionName, t, 6)
	}
	return regionFromNumber(regionName, atoi(t), 1)
}

// NewRegion validates code, the six digits as a number (330106), as
// ParseRegion does.
func NewRegion(code int) (Region, error) {
	if code < 100000 || code > 999999 {
		return Region{}, fmt.Errorf("%w: %s %d is not six digits", ErrRegion, regionName, code)
	}
	return regionFromNumber(regionName, code, 1)
}

// regionFromNumber validates n, the value of six digits found at 1-based
// position pos of a code named code.
func regionFromNumber(code string, n, pos int) (Region, error) {
	if p := n / 10000; !validProvince(p) {
		return Region{}, &FieldError{Code: code, Field: "province", Pos: pos, Len: 2, Value: fmt.Sprintf("%02d", p),
			Reason: "not a GB/T 2260 province (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82)", Err: ErrRegion}
	}
	if n/100%100 == 0 && n%100 != 0 {
		return Region{}, &FieldError{Code: code, Field: "region", Pos: pos, Len: 6, Value: fmt.Sprintf("%06d", n),
			Reason: "a county part needs a prefecture part (PP00XX is not used)", Err: ErrRegion}
	}
	return Region{code: uint32(n)}, nil
}

// validProvince reports whether p is the 2-digit prefix of a provincial-level
// division.
func validProvince(p int) bool {
	switch {
	case 11 <= p && p <= 15, 21 <= p && p <= 23, 31 <= p && p <= 37,
		41 <= p && p <= 46, 50 <= p && p <= 54, 61 <= p && p <= 65,
		p == 71, p == 81, p == 82:
		return true
	}
	return false
}

// Level returns the level of r.
func (r Region) Level() Level {
	switch {
	case r.code == 0:
		return LevelNone
	case r.code%10000 == 0:
		return LevelProvince
	case r.code%100 == 0:
		return LevelCity
	}
	return LevelCounty
}

// Province returns the provincial-level division r belongs to (r itself for
// a province), or the zero Region for the zero Region.
func (r Region) Province() Region { return Region{code: r.code / 10000 * 10000} }

// City returns the prefecture-level code r belongs to (r itself for a
// prefecture), or the zero Region for a province or the zero Region. For a
// county a province administers directly (prefecture part 90) the result is
// the PP9000 grouping code, not a city.
func (r Region) City() Region {
	if r.Level() < LevelCity {
		return Region{}
	}
	return Region{code: r.code / 100 * 100}
}

// Contains reports whether o lies within r: a province contains every code
// with its prefix, a prefecture every county under it, and every region
// contains itself. This is the regulator-by-region check (330000 contains
// 330106; 330100 does not contain 330000).
func (r Region) Contains(o Region) bool {
	switch r.Level() {
	case LevelProvince:
		return o.code != 0 && r.code/10000 == o.code/10000
	case LevelCity:
		return r.code/100 == o.code/100
	case LevelCounty:
		return r == o
	}
	return false
}

// Uint32 returns the six digits as a number (330106), 0 for the zero Region.
func (r Region) Uint32() uint32 { return r.code }

// IsZero reports whether r is the zero Region.
func (r Region) IsZero() bool { return r.code == 0 }

// String returns the six digits, or "" for the zero Region.
func (r Region) String() string {
	if r.code == 0 {
		return ""
	}
	var b [6]byte
	return string(r.AppendText(b[:0]))
}

// AppendText appends the six digits to dst (nothing for the zero Region).
func (r Region) AppendText(dst []byte) []byte {
	if r.code == 0 {
		return dst
	}
	var b [6]byte
	putDigits(b[:], uint64(r.code))
	return append(dst, b[:]...)
}
