package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Test GTINs (valid check digits) and company prefixes of length 7.
const (
	testGTIN  = "09520123456788" // GCP 9520123
	testGTIN2 = "06901234567892" // GCP 6901234
)

// openTest opens an engine in a temporary directory (or dir if given)
// whose Check runs when the test ends, before Close.
func openTest(t testing.TB, dir string) *Engine {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	e, err := Open(dir, &Options{Store: smallStore(), Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if e.iss.Closed() {
			return
		}
		if err := e.Issuance().Check(); err != nil {
			t.Errorf("Check at the end of the test: %v", err)
		}
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// smallStore keeps test stores' memory small.
func smallStore() (o store.Options) {
	o.CacheSize = 8 << 20
	o.MemTableSize = 4 << 20
	return o
}

// reopen closes e after checking it and opens the same directory again.
func reopen(t testing.TB, e *Engine) *Engine {
	t.Helper()
	if err := e.Issuance().Check(); err != nil {
		t.Fatalf("Check before reopen: %v", err)
	}
	dir := e.db.Dir()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return openTest(t, dir)
}

// addDrug creates a drug product with a GTIN (GCP length 7), a drug
// identification code, item and case levels.
func addDrug(t testing.TB, e *Engine, gtin, drugID string) model.Product {
	t.Helper()
	p, err := e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: gtin, GCPLength: 7, DrugID: drugID, NameZH: "阿莫西林胶囊",
		NameEN: "Amoxicillin", Category: ParseCategoryMust("drug"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(gtin)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ParseCategoryMust(s string) model.Category {
	c, err := model.ParseCategory(s)
	if err != nil {
		panic(err)
	}
	return c
}

func mint(t testing.TB, e *Engine, req issue.MintRequest) issue.MintResult {
	t.Helper()
	r, err := e.Issuance().Mint(context.Background(), req)
	if err != nil {
		t.Fatalf("Mint(%+v): %v", req, err)
	}
	return r
}

// dump returns every key and value of the store, to assert that a refused
// request wrote nothing.
func dump(t testing.TB, e *Engine) string {
	t.Helper()
	var b strings.Builder
	if err := e.db.Scan(nil, nil, func(k, v []byte) error {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// codes streams codes [off, off+n) of block id in format fm and returns
// the lines.
func codes(t testing.TB, e *Engine, id uint64, fm issue.Format, off, n uint64) []string {
	t.Helper()
	var buf bytes.Buffer
	st, err := e.Issuance().WriteCodes(context.Background(), &buf, id, issue.StreamOptions{Format: fm, Offset: off, Limit: n, ChunkCodes: 7})
	if err != nil {
		t.Fatalf("WriteCodes(block %d, %v, %d+%d): %v", id, fm, off, n, err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if fm != issue.FormatCSV && uint64(len(lines)) != n || st.Codes != n {
		t.Fatalf("WriteCodes wrote %d lines, %d codes; want %d", len(lines), st.Codes, n)
	}
	return lines
}
