package datamatrix

import "sync"

// size is one ECC 200 symbol size (ISO/IEC 16022 Table 7).
type size struct {
	rows, cols             int // the symbol, finder patterns included
	regionRows, regionCols int // one data region, without its patterns
	data, ecc              int // codewords: data, and error correction in all
	blocks                 int // interleaved Reed-Solomon blocks
	square                 bool

	once sync.Once
	bits []int32 // the placement map, built once (see mapping)
}

func (s *size) mapRows() int { return s.rows / (s.regionRows + 2) * s.regionRows }
func (s *size) mapCols() int { return s.cols / (s.regionCols + 2) * s.regionCols }

// placement returns the size's placement map, computed on first use.
func (s *size) placement() []int32 {
	s.once.Do(func() { s.bits = mapping(s.mapRows(), s.mapCols()) })
	return s.bits
}

// sizes lists the ECC 200 sizes by increasing data capacity within each
// shape: squares, then rectangles.
var sizes = []*size{
	{rows: 10, cols: 10, regionRows: 8, regionCols: 8, data: 3, ecc: 5, blocks: 1, square: true},
	{rows: 12, cols: 12, regionRows: 10, regionCols: 10, data: 5, ecc: 7, blocks: 1, square: true},
	{rows: 14, cols: 14, regionRows: 12, regionCols: 12, data: 8, ecc: 10, blocks: 1, square: true},
	{rows: 16, cols: 16, regionRows: 14, regionCols: 14, data: 12, ecc: 12, blocks: 1, square: true},
	{rows: 18, cols: 18, regionRows: 16, regionCols: 16, data: 18, ecc: 14, blocks: 1, square: true},
	{rows: 20, cols: 20, regionRows: 18, regionCols: 18, data: 22, ecc: 18, blocks: 1, square: true},
	{rows: 22, cols: 22, regionRows: 20, regionCols: 20, data: 30, ecc: 20, blocks: 1, square: true},
	{rows: 24, cols: 24, regionRows: 22, regionCols: 22, data: 36, ecc: 24, blocks: 1, square: true},
	{rows: 26, cols: 26, regionRows: 24, regionCols: 24, data: 44, ecc: 28, blocks: 1, square: true},
	{rows: 32, cols: 32, regionRows: 14, regionCols: 14, data: 62, ecc: 36, blocks: 1, square: true},
	{rows: 36, cols: 36, regionRows: 16, regionCols: 16, data: 86, ecc: 42, blocks: 1, square: true},
	{rows: 40, cols: 40, regionRows: 18, regionCols: 18, data: 114, ecc: 48, blocks: 1, square: true},
	{rows: 44, cols: 44, regionRows: 20, regionCols: 20, data: 144, ecc: 56, blocks: 1, square: true},
	{rows: 48, cols: 48, regionRows: 22, regionCols: 22, data: 174, ecc: 68, blocks: 1, square: true},
	{rows: 52, cols: 52, regionRows: 24, regionCols: 24, data: 204, ecc: 84, blocks: 2, square: true},
	{rows: 64, cols: 64, regionRows: 14, regionCols: 14, data: 280, ecc: 112, blocks: 2, square: true},
	{rows: 72, cols: 72, regionRows: 16, regionCols: 16, data: 368, ecc: 144, blocks: 4, square: true},
	{rows: 80, cols: 80, regionRows: 18, regionCols: 18, data: 456, ecc: 192, blocks: 4, square: true},
	{rows: 88, cols: 88, regionRows: 20, regionCols: 20, data: 576, ecc: 224, blocks: 4, square: true},
	{rows: 96, cols: 96, regionRows: 22, regionCols: 22, data: 696, ecc: 272, blocks: 4, square: true},
	{rows: 104, cols: 104, regionRows: 24, regionCols: 24, data: 816, ecc: 336, blocks: 6, square: true},
	{rows: 120, cols: 120, regionRows: 18, regionCols: 18, data: 1050, ecc: 408, blocks: 6, square: true},
	{rows: 132, cols: 132, regionRows: 20, regionCols: 20, data: 1304, ecc: 496, blocks: 8, square: true},
	{rows: 144, cols: 144, regionRows: 22, regionCols: 22, data: 1558, ecc: 620, blocks: 10, square: true},
	{rows: 8, cols: 18, regionRows: 6, regionCols: 16, data: 5, ecc: 7, blocks: 1},
	{rows: 8, cols: 32, regionRows: 6, regionCols: 14, data: 10, ecc: 11, blocks: 1},
	{rows: 12, cols: 26, regionRows: 10, regionCols: 24, data: 16, ecc: 14, blocks: 1},
	{rows: 12, cols: 36, regionRows: 10, regionCols: 16, data: 22, ecc: 18, blocks: 1},
	{rows: 16, cols: 36, regionRows: 14, regionCols: 16, data: 32, ecc: 24, blocks: 1},
	{rows: 16, cols: 48, regionRows: 14, regionCols: 22, data: 49, ecc: 28, blocks: 1},
}

// pick returns the smallest size of shape sh with room for n data
// codewords, nil if none.
func pick(n int, sh Shape) *size {
	var best *size
	for _, s := range sizes {
		if s.data < n || (sh == Square && !s.square) || (sh == Rectangle && s.square) {
			continue
		}
		if best == nil || s.rows*s.cols < best.rows*best.cols {
			best = s
		}
	}
	return best
}

// largest is the data capacity of sh's largest symbol.
func largest(sh Shape) int {
	n := 0
	for _, s := range sizes {
		if (sh == Square && !s.square) || (sh == Rectangle && s.square) {
			continue
		}
		n = max(n, s.data)
	}
	return n
}

// Sizes lists the symbol sizes of shape sh as rows × columns, smallest
// first.
func Sizes(sh Shape) [][2]int {
	var out [][2]int
	for _, s := range sizes {
		if (sh == Square && s.square) || (sh == Rectangle && !s.square) || sh == Any {
			out = append(out, [2]int{s.rows, s.cols})
		}
	}
	return out
}
