// Package datamatrix encodes Data Matrix ECC 200 symbols (ISO/IEC 16022),
// GS1 DataMatrix included: FNC1 in the first position and as the separator
// after variable-length element values.
//
// Data is encoded in ASCII encodation (digit pairs in one codeword, other
// characters in one, extended characters after an Upper Shift), the
// encodation GS1 element strings are made of: digits and upper-case
// letters. The smallest symbol of the requested shape that holds the
// codewords is chosen; its Reed-Solomon codewords are computed over
// GF(256) with the field polynomial x⁸+x⁵+x³+x²+1 (301) and interleaved
// into blocks, and codewords are placed with the standard's Annex F
// algorithm. Encode is a pure function: bytes in, modules out.
package datamatrix

import (
	"errors"
	"fmt"
)

// Shape selects the symbol sizes Encode may choose.
type Shape uint8

// The shapes.
const (
	Square    Shape = iota // 10×10 to 144×144 (the default)
	Rectangle              // 8×18 to 16×48
	Any                    // the smallest of both by area; a square wins a tie
)

// String returns the shape's name as templates spell it.
func (s Shape) String() string {
	switch s {
	case Square:
		return "square"
	case Rectangle:
		return "rectangle"
	case Any:
		return "any"
	}
	return fmt.Sprintf("shape(%d)", uint8(s))
}

// ParseShape reads a shape name ("" is Square).
func ParseShape(s string) (Shape, error) {
	switch s {
	case "", "square":
		return Square, nil
	case "rectangle":
		return Rectangle, nil
	case "any":
		return Any, nil
	}
	return 0, fmt.Errorf("%w: shape %q is not square, rectangle or any", ErrInput, s)
}

// Errors.
var (
	ErrInput   = errors.New("datamatrix: invalid input")
	ErrTooLong = errors.New("datamatrix: data too long for the largest symbol")
)

// Codeword values of ASCII encodation.
const (
	cwPad        = 129
	cwDigitPair  = 130 // + the pair's value 00–99
	cwFNC1       = 232
	cwUpperShift = 235
)

// FNC1 is the byte that stands for the FNC1 character in Encode's data:
// ASCII GS (0x1D), the character decoders transmit for an FNC1 that
// separates GS1 element values.
const FNC1 = 0x1D

// Symbol is an encoded symbol: Rows × Cols modules, the quiet zone (one
// module wide at least, ISO/IEC 16022 §7.2; two recommended) not included.
type Symbol struct {
	Rows, Cols int
	// Modules holds one byte per module, row by row from the top left:
	// 1 dark, 0 light.
	Modules []byte
	// Codewords are the data codewords (padding included) before error
	// correction: what a decoder's codeword dump shows first.
	Codewords []byte
}

// Dark reports whether the module at row r, column c is dark.
func (s *Symbol) Dark(r, c int) bool { return s.Modules[r*s.Cols+c] != 0 }

// Options shape an encoding.
type Options struct {
	Shape Shape
	// GS1 starts the symbol with FNC1 (a GS1 DataMatrix, symbology
	// identifier ]d2) and encodes each FNC1 (0x1D) byte of the data as the
	// FNC1 codeword. Without it, 0x1D is an ordinary character.
	GS1 bool
}

// Encode encodes data into the smallest symbol of o.Shape that holds it.
// Bytes above 127 are encoded with Upper Shift (two codewords each).
func Encode(data []byte, o Options) (*Symbol, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrInput)
	}
	if o.Shape > Any {
		return nil, fmt.Errorf("%w: shape %d", ErrInput, o.Shape)
	}
	cw := make([]byte, 0, len(data)+8)
	if o.GS1 {
		if data[0] == FNC1 {
			return nil, fmt.Errorf("%w: GS1 data starts with FNC1 (byte 1); the leading FNC1 is added by the encoder", ErrInput)
		}
		cw = append(cw, cwFNC1)
	}
	cw = appendASCII(cw, data, o.GS1)
	sz := pick(len(cw), o.Shape)
	if sz == nil {
		return nil, fmt.Errorf("%w: %d codewords, the largest %v symbol holds %d", ErrTooLong, len(cw), o.Shape, largest(o.Shape))
	}
	cw = pad(cw, sz.data)
	s := &Symbol{Rows: sz.rows, Cols: sz.cols, Codewords: append([]byte(nil), cw...)}
	full := appendECC(cw, sz)
	s.Modules = place(full, sz)
	return s, nil
}

// appendASCII appends the ASCII encodation of data.
func appendASCII(cw, data []byte, gs1 bool) []byte {
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case isDigit(c) && i+1 < len(data) && isDigit(data[i+1]):
			cw = append(cw, cwDigitPair+(c-'0')*10+(data[i+1]-'0'))
			i++
		case gs1 && c == FNC1:
			cw = append(cw, cwFNC1)
		case c < 128:
			cw = append(cw, c+1)
		default:
			cw = append(cw, cwUpperShift, c-128+1)
		}
	}
	return cw
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// pad fills cw to n codewords: one 129, then the 253-state randomised pad
// (ISO/IEC 16022 §5.2.3), whose value depends on the 1-based position.
func pad(cw []byte, n int) []byte {
	if len(cw) < n {
		cw = append(cw, cwPad)
	}
	for len(cw) < n {
		r := 149*(len(cw)+1)%253 + 1
		v := cwPad + r
		if v > 254 {
			v -= 254
		}
		cw = append(cw, byte(v))
	}
	return cw
}

// place builds the module matrix: the finder and clock patterns of each
// data region, and the codeword bits placed by the Annex F algorithm in
// the mapping matrix (the data regions without their patterns).
func place(cw []byte, sz *size) []byte {
	nrow, ncol := sz.mapRows(), sz.mapCols()
	bits := sz.placement()
	m := make([]byte, sz.rows*sz.cols)
	rh, cw2 := sz.regionRows, sz.regionCols
	// Finder (solid left and bottom) and clock (alternating top and right)
	// patterns of each region.
	for ry := 0; ry < sz.rows; ry += rh + 2 {
		for rx := 0; rx < sz.cols; rx += cw2 + 2 {
			for x := 0; x < cw2+2; x++ {
				if x%2 == 0 {
					m[ry*sz.cols+rx+x] = 1
				}
				m[(ry+rh+1)*sz.cols+rx+x] = 1
			}
			for y := 0; y < rh+2; y++ {
				m[(ry+y)*sz.cols+rx] = 1
				if y%2 == 1 {
					m[(ry+y)*sz.cols+rx+cw2+1] = 1
				}
			}
		}
	}
	for r := 0; r < nrow; r++ {
		sr := r + 2*(r/rh) + 1
		for c := 0; c < ncol; c++ {
			v := bits[r*ncol+c]
			var dark bool
			switch {
			case v == fixedDark:
				dark = true
			case v >= 10:
				chr, bit := int(v/10)-1, v%10 // bit 1 is the codeword's most significant
				dark = cw[chr]>>(8-bit)&1 == 1
			}
			if dark {
				m[sr*sz.cols+c+2*(c/cw2)+1] = 1
			}
		}
	}
	return m
}

// fixedDark marks the modules of the bottom-right corner that no codeword
// covers and the standard sets dark.
const fixedDark = 1

// mapping runs the Annex F placement over an nrow × ncol mapping matrix:
// each cell gets 10·chr + bit (chr from 1, bit 1–8 from the most
// significant), fixedDark, or 0 (light).
func mapping(nrow, ncol int) []int32 {
	a := make([]int32, nrow*ncol)
	module := func(row, col, chr, bit int) {
		if row < 0 {
			row += nrow
			col += 4 - (nrow+4)%8
		}
		if col < 0 {
			col += ncol
			row += 4 - (ncol+4)%8
		}
		a[row*ncol+col] = int32(10*chr + bit)
	}
	utah := func(row, col, chr int) {
		module(row-2, col-2, chr, 1)
		module(row-2, col-1, chr, 2)
		module(row-1, col-2, chr, 3)
		module(row-1, col-1, chr, 4)
		module(row-1, col, chr, 5)
		module(row, col-2, chr, 6)
		module(row, col-1, chr, 7)
		module(row, col, chr, 8)
	}
	corner := func(chr int, pts [8][2]int) {
		for i, p := range pts {
			module(p[0], p[1], chr, i+1)
		}
	}
	chr, row, col := 1, 4, 0
	for {
		if row == nrow && col == 0 {
			corner(chr, [8][2]int{{nrow - 1, 0}, {nrow - 1, 1}, {nrow - 1, 2}, {0, ncol - 2}, {0, ncol - 1}, {1, ncol - 1}, {2, ncol - 1}, {3, ncol - 1}})
			chr++
		}
		if row == nrow-2 && col == 0 && ncol%4 != 0 {
			corner(chr, [8][2]int{{nrow - 3, 0}, {nrow - 2, 0}, {nrow - 1, 0}, {0, ncol - 4}, {0, ncol - 3}, {0, ncol - 2}, {0, ncol - 1}, {1, ncol - 1}})
			chr++
		}
		if row == nrow-2 && col == 0 && ncol%8 == 4 {
			corner(chr, [8][2]int{{nrow - 3, 0}, {nrow - 2, 0}, {nrow - 1, 0}, {0, ncol - 2}, {0, ncol - 1}, {1, ncol - 1}, {2, ncol - 1}, {3, ncol - 1}})
			chr++
		}
		if row == nrow+4 && col == 2 && ncol%8 == 0 {
			corner(chr, [8][2]int{{nrow - 1, 0}, {nrow - 1, ncol - 1}, {0, ncol - 3}, {0, ncol - 2}, {0, ncol - 1}, {1, ncol - 3}, {1, ncol - 2}, {1, ncol - 1}})
			chr++
		}
		for { // sweep up and right
			if row < nrow && col >= 0 && a[row*ncol+col] == 0 {
				utah(row, col, chr)
				chr++
			}
			row -= 2
			col += 2
			if row < 0 || col >= ncol {
				break
			}
		}
		row++
		col += 3
		for { // sweep down and left
			if row >= 0 && col < ncol && a[row*ncol+col] == 0 {
				utah(row, col, chr)
				chr++
			}
			row += 2
			col -= 2
			if row >= nrow || col < 0 {
				break
			}
		}
		row += 3
		col++
		if row >= nrow && col >= ncol {
			break
		}
	}
	if a[nrow*ncol-1] == 0 {
		a[nrow*ncol-1] = fixedDark
		a[nrow*ncol-ncol-2] = fixedDark
	}
	return a
}
