package cn

import (
	"fmt"
	"unicode/utf8"
)

const regionName = "region code"

// Region is an administrative-division code: a GB/T 2260 code (行政区划代码)
// of six digits, province (2) + prefecture (2) + county (2), e.g. 330000
// 浙江省, 330100 杭州市, 330106 西湖区; or a township code of nine digits,
// the county's six and a township part of three (the first nine of the
// 12-digit statistics division code, 统计用区划代码), e.g. 620102001.
//
//	PPCCXX      PP province (11-82), CC prefecture, XX county
//	PP0000      a province-level division
//	PPCC00      a prefecture-level division (CC ≠ 00); CC = 90 groups the
//	            county-level units a province administers directly
//	PPCCXX      a county-level division (CC ≠ 00, XX ≠ 00)
//	PPCCXXTTT   a township, town or subdistrict (乡、镇、街道; TTT ≠ 000)
//	            under the county PPCCXX, or under the prefecture PPCC00 of
//	            a prefecture-level city without counties (441900003)
//
// A Region is valid by construction: its province prefix is one of the 34
// provincial-level divisions (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71,
// 81, 82), a county part never follows a 00 prefecture and a township part
// never follows a province. Whether a code is currently assigned is not
// checked by the parsers: codes change every year and old codes stay in old
// records; Known asks the embedded division tree. The zero value is the "no
// region" value (IsZero); it contains nothing and nothing contains it.
// Region is comparable and usable as a map key.
type Region struct {
	code uint32 // the six or nine digits as a number (110000..829999, 110100001..829999999); 0 for none
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
	LevelTownship       // 乡级: township, town, subdistrict (乡、镇、街道)
)

// String returns "province", "city", "county", "township" or "none".
func (l Level) String() string {
	switch l {
	case LevelTownship:
		return "township"
	case LevelProvince:
		return "province"
	case LevelCity:
		return "city"
	case LevelCounty:
		return "county"
	}
	return "none"
}

// ParseRegion validates a 6-digit GB/T 2260 code (province, prefecture or
// county) or a 9-digit township code; the length decides the level's range.
// White space around it is ignored (see the package doc). It allocates
// nothing when it succeeds.
func ParseRegion(s string) (Region, error) {
	t := trim(s)
	if err := checkDigits(regionName, t); err != nil {
		return Region{}, err
	}
	switch len(t) {
	case 6:
		return regionFromNumber(regionName, atoi(t), 1)
	case 9:
		return townshipFromNumber(regionName, atoi(t), 1)
	}
	return Region{}, fmt.Errorf("%w: %s %q has %d characters, want 6 (province, prefecture, county) or 9 (township)",
		ErrLength, regionName, t, utf8.RuneCountInString(t))
}

// NewRegion validates code, the six or nine digits as a number (330106,
// 620102001), as ParseRegion does.
func NewRegion(code int) (Region, error) {
	switch {
	case 100000 <= code && code <= 999999:
		return regionFromNumber(regionName, code, 1)
	case 100000000 <= code && code <= 999999999:
		return townshipFromNumber(regionName, code, 1)
	}
	return Region{}, fmt.Errorf("%w: %s %d is not six or nine digits", ErrRegion, regionName, code)
}

// townshipFromNumber validates n, the value of nine digits found at 1-based
// position pos of a code named code.
func townshipFromNumber(code string, n, pos int) (Region, error) {
	r, err := regionFromNumber(code, n/1000, pos)
	if err != nil {
		return Region{}, err
	}
	switch {
	case r.Level() == LevelProvince:
		return Region{}, &FieldError{Code: code, Field: "region", Pos: pos, Len: 9, Value: fmt.Sprintf("%09d", n),
			Reason: "a township part needs a prefecture or county part (PP0000TTT is not used)", Err: ErrRegion}
	case n%1000 == 0:
		return Region{}, &FieldError{Code: code, Field: "township", Pos: pos + 6, Len: 3, Value: "000",
			Reason: "000 is not a township (a 6-digit code names the county)", Err: ErrRegion}
	}
	return Region{code: uint32(n)}, nil
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
	case r.code >= 1e8:
		return LevelTownship
	case r.code%10000 == 0:
		return LevelProvince
	case r.code%100 == 0:
		return LevelCity
	}
	return LevelCounty
}

// Province returns the provincial-level division r belongs to (r itself for
// a province), or the zero Region for the zero Region.
func (r Region) Province() Region { return Region{code: r.six() / 10000 * 10000} }

// six returns the six-digit part of r's code (r's code but for a township).
func (r Region) six() uint32 {
	if r.code >= 1e8 {
		return r.code / 1000
	}
	return r.code
}

// key returns r's code padded to nine digits (620102 → 620102000): the order
// of the division tree, where every division follows its parent.
func (r Region) key() uint32 {
	if r.code < 1e8 {
		return r.code * 1000
	}
	return r.code
}

// County returns the six-digit division r's code starts with when r is a
// township (a county, or for a prefecture-level city without counties the
// city: 441900003 → 441900), r itself for a county, and the zero Region
// otherwise.
func (r Region) County() Region {
	if r.Level() < LevelCounty {
		return Region{}
	}
	return Region{code: r.six()}
}

// City returns the prefecture-level code r belongs to (r itself for a
// prefecture), or the zero Region for a province or the zero Region. For a
// county a province administers directly (prefecture part 90) the result is
// the PP9000 grouping code, not a city.
func (r Region) City() Region {
	if r.Level() < LevelCity {
		return Region{}
	}
	return Region{code: r.six() / 100 * 100}
}

// Contains reports whether o lies within r: a province contains every code
// with its prefix, a prefecture every county and township under it, a county
// its townships, and every region contains itself. This is the
// regulator-by-region check (330000 contains 330106; 330100 does not contain
// 330000; 620102 contains 620102001).
func (r Region) Contains(o Region) bool {
	rk, ok := r.key(), o.key()
	switch r.Level() {
	case LevelProvince:
		return ok != 0 && rk/1e7 == ok/1e7
	case LevelCity:
		return rk/1e5 == ok/1e5
	case LevelCounty:
		return rk/1e3 == ok/1e3
	case LevelTownship:
		return r == o
	}
	return false
}

// Uint32 returns the six or nine digits as a number (330106, 620102001), 0
// for the zero Region.
func (r Region) Uint32() uint32 { return r.code }

// IsZero reports whether r is the zero Region.
func (r Region) IsZero() bool { return r.code == 0 }

// String returns the six or nine digits, or "" for the zero Region.
func (r Region) String() string {
	if r.code == 0 {
		return ""
	}
	var b [9]byte
	return string(r.AppendText(b[:0]))
}

// AppendText appends the six or nine digits to dst (nothing for the zero
// Region).
func (r Region) AppendText(dst []byte) []byte {
	if r.code == 0 {
		return dst
	}
	var b [9]byte
	n := 6
	if r.code >= 1e8 {
		n = 9
	}
	putDigits(b[:n], uint64(r.code))
	return append(dst, b[:n]...)
}
