// Package eartag parses the 15-digit livestock ear-tag number (畜禽标识编码,
// 畜禽标识和养殖档案管理办法):
//
//	digit  1     species: 1 pig, 2 cattle, 3 sheep and goats (7 is reported
//	             for breeding sows by one secondary source: accepted)
//	digits 2-7   the GB/T 2260 code of the county where the animal was tagged
//	digits 8-15  sequence within the county and species
//
// The tag also carries a 2D code of the same number. There is no check
// digit. Tag is a small comparable array with AppendText; parsing
// allocates nothing unless it fails; the county is named through the
// division tree of package cn.
package eartag

import (
	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const name = "ear tag"

// Species is the tag's first digit.
type Species byte

// The species of the tag layout.
const (
	Pig          Species = '1'
	Cattle       Species = '2'
	Sheep        Species = '3'
	BreedingSow  Species = '7'
	speciesValid         = "1 pig, 2 cattle, 3 sheep/goat or 7 breeding sow"
)

// Name returns the species' name in Chinese and English ("" if unknown).
func (s Species) Name() (zh, en string) {
	switch s {
	case Pig:
		return "猪", "pig"
	case Cattle:
		return "牛", "cattle"
	case Sheep:
		return "羊", "sheep/goat"
	case BreedingSow:
		return "种母猪", "breeding sow"
	}
	return "", ""
}

// Tag is a 15-digit ear-tag number. The zero value is not valid.
type Tag [15]byte

// Parse validates an ear-tag number: 15 digits, a known species and a
// well-formed GB/T 2260 county (or prefecture) code.
func Parse(s string) (Tag, error) {
	var t Tag
	in := field.Trim(s)
	if err := field.Digits(name, in, 0, len(in)); err != nil {
		return t, err
	}
	if len(in) != len(t) {
		return t, field.Length(name, in, "15")
	}
	if sp := Species(in[0]); sp != Pig && sp != Cattle && sp != Sheep && sp != BreedingSow {
		return t, field.Bad(name, "species", 1, 1, in[:1], "is not "+speciesValid, cn.ErrRange)
	}
	if _, err := field.Region(name, "county", in, 1); err != nil {
		return t, err
	}
	copy(t[:], in)
	return t, nil
}

// New builds a tag from its species, county and sequence (< 10^8).
func New(sp Species, county cn.Region, seq uint32) (Tag, error) {
	var t Tag
	if zh, _ := sp.Name(); zh == "" {
		return t, field.Bad(name, "species", 1, 1, string(rune(sp)), "is not "+speciesValid, cn.ErrRange)
	}
	if county.Level() != cn.LevelCounty && county.Level() != cn.LevelCity {
		return t, field.Bad(name, "county", 2, 6, county.String(), "is not a county or prefecture code", cn.ErrRegion)
	}
	if seq > 99_999_999 {
		return t, field.Bad(name, "sequence", 8, 8, "", "has more than 8 digits", cn.ErrRange)
	}
	t[0] = byte(sp)
	field.PutDigits(t[1:7], uint64(county.Uint32()))
	field.PutDigits(t[7:], uint64(seq))
	return t, nil
}

// Species returns the species.
func (t Tag) Species() Species { return Species(t[0]) }

// County returns the division where the animal was tagged.
func (t Tag) County() cn.Region {
	r, _ := cn.NewRegion(field.Atoi(t[1:7])) // validated by Parse
	return r
}

// Sequence returns the 8-digit sequence.
func (t Tag) Sequence() string { return string(t[7:]) }

// String returns the 15 digits.
func (t Tag) String() string { return string(t[:]) }

// AppendText appends the 15 digits to dst.
func (t Tag) AppendText(dst []byte) []byte { return append(dst, t[:]...) }

// IsZero reports whether t is the zero value.
func (t Tag) IsZero() bool { return t[0] == 0 }
