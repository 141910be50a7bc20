package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedTableUpToDate regenerates the table in memory and compares it
// with the committed file, as CI's `go generate` + `git diff` does.
func TestGeneratedTableUpToDate(t *testing.T) {
	src, err := os.ReadFile("gs1-syntax-dictionary.txt")
	if err != nil {
		t.Fatal(err)
	}
	release, entries, err := parse(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := generate(release, entries)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../ai_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("ai_table.go is stale: run go generate ./engine/code/gs1")
	}
	again, _ := generate(release, entries)
	if !bytes.Equal(got, again) {
		t.Fatal("generation is not deterministic")
	}
}

func TestParseLine(t *testing.T) {
	es, err := parseLine("3100-3102  *?  N6  req=01,02 ex=310n  # NET WEIGHT (kg)")
	if err != nil || len(es) != 3 || es[2].code != "3102" || !es[0].fixed || !es[0].dlattr || es[1].title != "NET WEIGHT (kg)" {
		t.Fatalf("range: %v %+v", err, es)
	}
	es, err = parseLine("423  ?  N3,iso3166 [N3],iso3166 [N..3]  # X")
	if err != nil || len(es[0].comps) != 3 || !es[0].comps[1].optional || es[0].comps[1].linters[0] != "iso3166" || es[0].comps[2].min != 1 {
		t.Fatalf("optional components: %v %+v", err, es)
	}
	for _, bad := range []string{
		"01  *!  N14",           // unknown flag
		"01  N14 foo=1",         // unknown attribute
		"01  N..14 N2",          // variable-length component not last
		"01  [N2] N2",           // mandatory after optional
		"01  Q14",               // bad type
		"1  N14",                // bad AI
		"3105-3100  N6",         // bad range
		"01  N14 dlpkey dlpkey", // dlpkey twice
		"01  N14 req=0A",        // bad pattern
	} {
		if _, err := parseLine(bad); err == nil {
			t.Errorf("parseLine(%q) accepted", bad)
		}
	}
	if _, _, err := parse([]byte("01 N14\n01 N14\n# Release: x\n")); err == nil {
		t.Error("duplicate AI accepted")
	}
	if _, _, err := parse([]byte("01 N14\n")); err == nil {
		t.Error("missing release accepted")
	}
}
