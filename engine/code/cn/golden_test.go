package cn

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/golden.txt with the current outputs")

// TestGolden runs every case in testdata/golden.txt. A case is a line
// `KIND "INPUT"` (KIND is drug, vet, uscc or region; INPUT is a Go string
// literal), then `----`, then the expected output; cases are separated by a
// blank line and may be preceded by # comments. With -rewrite the expected
// outputs are replaced by the current ones.
func TestGolden(t *testing.T) {
	const path = "testdata/golden.txt"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, block := range strings.Split(strings.TrimSpace(string(data)), "\n\n") {
		head, want, ok := strings.Cut(block, "\n----\n")
		if !ok {
			head, want = strings.TrimSuffix(block, "\n----"), ""
		}
		lines := strings.Split(head, "\n")
		cmd := lines[len(lines)-1]
		kind, lit, _ := strings.Cut(cmd, " ")
		in, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: bad input literal %s: %v", cmd, lit, err)
		}
		got := goldenRun(kind, in)
		if *rewrite {
			fmt.Fprintf(&out, "%s\n----\n%s\n\n", head, got)
			continue
		}
		if got != want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", cmd, got, want)
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimSuffix(out.String(), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func goldenRun(kind, in string) string {
	switch kind {
	case "drug":
		c, err := ParseDrugCode(in)
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("ok %s\nproduct %s\nserial  %s\n码上放心 %v", c, c.ProductID(), c.Serial(), c.IsMaShangFangXin())
	case "vet":
		c, err := ParseVetCode(in)
		if err != nil {
			return "error: " + err.Error()
		}
		y, m, d := c.Date()
		return fmt.Sprintf("ok %s\ndate       %04d-%02d-%02d\nenterprise %s\nrandom     %s", c, y, int(m), d, c.Enterprise(), c.Random())
	case "uscc":
		c, err := ParseUSCC(in)
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), "\n", "\nerror: ")
		}
		zh, _ := c.Region().Name(Chinese)
		return fmt.Sprintf("ok %s\ndept %c type %c region %s %q org %s check %c", c, c.Dept(), c.OrgType(), c.Region(), zh, c.OrgCode(), c.Check())
	case "region":
		r, err := ParseRegion(in)
		if err != nil {
			return "error: " + err.Error()
		}
		zh, _ := r.Name(Chinese)
		en, _ := r.Name(English)
		return fmt.Sprintf("ok %s level=%s province=%s city=%s county=%s name=%q/%q\nknown=%v parent=%s children=%d\nfull %q\nfull %q",
			r, r.Level(), r.Province(), r.City(), r.County(), zh, en, r.Known(), r.Parent(), len(r.Children()), r.FullName(Chinese), r.FullName(English))
	}
	return "unknown kind " + kind
}
