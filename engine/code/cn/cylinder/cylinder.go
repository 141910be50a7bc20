// Package cylinder parses the gas-cylinder registration code (气瓶登记代码,
// TSG R5001-2005) that a cylinder's permanent QR or RFID tag carries:
//
//	V PP FFF NNNNNN
//	│ │  │   └ sequence 6: digits, or a letter and 5 digits past 999999
//	│ │  └ filler 3: the filling unit's number within the province, or for
//	│ │    vehicle cylinders O and the 2-digit city
//	│ └ province 2 (GB/T 2260 prefix)
//	└ variety 1: 1 seamless, 2 welded, 3 LPG (may be omitted), 4 acetylene,
//	  5 vehicle, 6 cryogenic
//
// The code is written with or without the spaces between groups; LPG
// cylinders may omit the variety (11 characters). There is no check digit.
// Code is a small comparable value with AppendText; parsing allocates
// nothing unless it fails. Errors are the cn package's, with 1-based
// positions within the trimmed input (spaces included).
package cylinder

import (
	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const name = "gas-cylinder registration code"

// Variety is the cylinder variety, the code's first digit.
type Variety byte

// The varieties of TSG R5001-2005.
const (
	Seamless  Variety = '1' // 无缝气瓶
	Welded    Variety = '2' // 焊接气瓶
	LPG       Variety = '3' // 液化石油气钢瓶
	Acetylene Variety = '4' // 溶解乙炔气瓶
	Vehicle   Variety = '5' // 车用气瓶
	Cryogenic Variety = '6' // 低温绝热气瓶
)

// Name returns the variety's name in Chinese and English.
func (v Variety) Name() (zh, en string) {
	switch v {
	case Seamless:
		return "无缝气瓶", "seamless"
	case Welded:
		return "焊接气瓶", "welded"
	case LPG:
		return "液化石油气钢瓶", "LPG"
	case Acetylene:
		return "溶解乙炔气瓶", "acetylene"
	case Vehicle:
		return "车用气瓶", "vehicle"
	case Cryogenic:
		return "低温绝热气瓶", "cryogenic"
	}
	return "", ""
}

// Code is a 气瓶登记代码.
type Code struct {
	c       [12]byte // variety, province 2, filler 3, sequence 6 (ASCII)
	omitted bool     // written without the variety (LPG only)
}

// groups are the lengths of the code's groups with and without variety.
var (
	full  = [...]int{1, 2, 3, 6}
	short = [...]int{2, 3, 6}
)

// Parse validates a registration code, compact (12 characters, 11 for LPG
// without the variety) or grouped with single spaces ("1 62 001 000123").
// Lower-case letters are folded to upper case.
func Parse(s string) (Code, error) {
	var c Code
	t := field.Trim(s)
	if err := field.ASCII(name, t); err != nil {
		return Code{}, err
	}
	// Gather the characters, remembering each one's offset in t.
	var at [12]int
	n := 0
	var groups []int
	switch len(t) {
	case 12, 15:
		groups = full[:]
	case 11, 13:
		groups = short[:]
		c.omitted = true
	default:
		return Code{}, field.Length(name, t, "12 (11 for LPG without the variety), or grouped with spaces: 15 (13)")
	}
	spaced := len(t) == 15 || len(t) == 13
	i := 0
	for g, l := range groups {
		if spaced && g > 0 {
			if t[i] != ' ' {
				return Code{}, field.Char(name, t, i, "a space between groups")
			}
			i++
		}
		for range l {
			if n == len(c.c) || i >= len(t) {
				return Code{}, field.Length(name, t, "12 (11 for LPG without the variety)")
			}
			at[n+boolInt(c.omitted)] = i
			b := t[i]
			if b >= 'a' && b <= 'z' {
				b -= 0x20
			}
			c.c[n+boolInt(c.omitted)] = b
			n++
			i++
		}
	}
	if c.omitted {
		c.c[0] = byte(LPG)
	}
	// Variety.
	if !c.omitted {
		if v := Variety(c.c[0]); v < Seamless || v > Cryogenic {
			if !field.IsDigit(c.c[0]) {
				return Code{}, field.Char(name, t, at[0], "a variety digit 1-6")
			}
			return Code{}, field.Bad(name, "variety", at[0]+1, 1, t[at[0]:at[0]+1], "is not 1 seamless, 2 welded, 3 LPG, 4 acetylene, 5 vehicle or 6 cryogenic", cn.ErrRange)
		}
	}
	// Province.
	for k := 1; k <= 2; k++ {
		if !field.IsDigit(c.c[k]) {
			return Code{}, field.Char(name, t, at[k], "a digit")
		}
	}
	if _, err := cn.NewRegion(field.Atoi(c.c[1:3]) * 10000); err != nil {
		return Code{}, field.Bad(name, "province", at[1]+1, 2, string(c.c[1:3]), "is not a GB/T 2260 province", cn.ErrRegion)
	}
	// Filler: 3 digits, or O + 2-digit city for vehicle cylinders.
	from := 3
	if c.c[3] == 'O' {
		from = 4
	}
	for k := from; k < 6; k++ {
		if !field.IsDigit(c.c[k]) {
			want := "a digit"
			if k == 3 {
				want = "a digit or O (a vehicle cylinder's city)"
			}
			return Code{}, field.Char(name, t, at[k], want)
		}
	}
	// Sequence: 6 digits, or a letter and 5 digits.
	if !field.IsDigit(c.c[6]) && !field.IsUpper(c.c[6]) {
		return Code{}, field.Char(name, t, at[6], "a digit or a letter")
	}
	for k := 7; k < 12; k++ {
		if !field.IsDigit(c.c[k]) {
			return Code{}, field.Char(name, t, at[k], "a digit")
		}
	}
	return c, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Variety returns the cylinder variety (LPG when the code omits it).
func (c Code) Variety() Variety { return Variety(c.c[0]) }

// VarietyOmitted reports whether the code was written without its variety
// digit (an LPG cylinder's 11-character form).
func (c Code) VarietyOmitted() bool { return c.omitted }

// Province returns the province of registration.
func (c Code) Province() cn.Region {
	r, _ := cn.NewRegion(field.Atoi(c.c[1:3]) * 10000) // validated by Parse
	return r
}

// Filler returns the 3-character filler field: the filling unit's number,
// or O and a city for vehicle cylinders.
func (c Code) Filler() string { return string(c.c[3:6]) }

// IsVehicle reports whether the filler field is a vehicle cylinder's city
// (O + 2 digits) rather than a filling unit.
func (c Code) IsVehicle() bool { return c.c[3] == 'O' }

// FillerKey returns the province and filler fields (5 characters): the
// filling unit the cylinder is bound to is named by them together.
func (c Code) FillerKey() string { return string(c.c[1:6]) }

// Sequence returns the 6-character sequence.
func (c Code) Sequence() string { return string(c.c[6:]) }

// String returns the compact code.
func (c Code) String() string { return string(c.AppendText(nil)) }

// AppendText appends the compact code (11 characters when the variety was
// omitted, 12 otherwise) to dst.
func (c Code) AppendText(dst []byte) []byte {
	if c.omitted {
		return append(dst, c.c[1:]...)
	}
	return append(dst, c.c[:]...)
}

// AppendGrouped appends the code grouped with spaces as TSG R5001 prints
// it: "1 62 001 000123".
func (c Code) AppendGrouped(dst []byte) []byte {
	if !c.omitted {
		dst = append(dst, c.c[0], ' ')
	}
	dst = append(dst, c.c[1:3]...)
	dst = append(dst, ' ')
	dst = append(dst, c.c[3:6]...)
	dst = append(dst, ' ')
	return append(dst, c.c[6:]...)
}

// Full returns c written with its variety: an LPG code written without
// its variety and the same code with it are one cylinder, and Full gives
// them one value (a map key).
func (c Code) Full() Code { c.omitted = false; return c }

// IsZero reports whether c is the zero value.
func (c Code) IsZero() bool { return c.c[0] == 0 }
