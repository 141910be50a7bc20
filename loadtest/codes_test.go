package loadtest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

func TestFetchCodes(t *testing.T) {
	s := startServer(t, testserver.Config{Codes: 250, Blocks: 2})
	var c loadtest.Corpus
	st, err := loadtest.FetchCodes(context.Background(), &c, loadtest.FetchOptions{
		Target: s.URL(), Key: s.APIKey(), Blocks: []string{"all"}, PerBlock: 100, PageSize: 30, Short: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two blocks of 125 codes, 100 taken from each, over pages of 30.
	if strings.Join(st.Blocks, ",") != "B1,B2" || st.DL != 200 || st.Short != 200 {
		t.Errorf("fetched blocks %v, %d dl, %d short; want B1,B2, 200, 200", st.Blocks, st.DL, st.Short)
	}
	if c.Len(loadtest.FormDL) != 200 || c.Len(loadtest.FormShort) != 200 || c.Len(loadtest.FormResolve) != 200 {
		t.Errorf("corpus dl=%d short=%d resolve=%d", c.Len(loadtest.FormDL), c.Len(loadtest.FormShort), c.Len(loadtest.FormResolve))
	}

	// Listed IDs: the block's formats come from GET /v1/blocks/{id}.
	var c2 loadtest.Corpus
	st, err = loadtest.FetchCodes(context.Background(), &c2, loadtest.FetchOptions{
		Target: s.URL(), Key: s.APIKey(), Blocks: []string{"B2"}, PerBlock: 10, Short: false,
	})
	if err != nil || st.DL != 10 || st.Short != 0 || c2.Len(loadtest.FormDL) != 10 {
		t.Errorf("block B2: %+v, err %v", st, err)
	}

	_, err = loadtest.FetchCodes(context.Background(), &c, loadtest.FetchOptions{Target: s.URL(), Key: "wrong", Blocks: []string{"B1"}})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: err = %v, want a 401", err)
	}
	_, err = loadtest.FetchCodes(context.Background(), &c, loadtest.FetchOptions{Target: s.URL(), Key: s.APIKey(), Blocks: []string{"B9"}})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown block: err = %v, want a 404", err)
	}
}

func TestLoadCodesFile(t *testing.T) {
	s := startServer(t, testserver.Config{Codes: 20})
	path := filepath.Join(t.TempDir(), "codes.txt")
	lines := append(s.DLURIs(), s.ShortURLs()...)
	lines = append(lines, "# comment", "", "(01)09520123456788(21)X1")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var c loadtest.Corpus
	n, err := loadtest.LoadCodesFile(&c, path)
	if err != nil || n != 43 {
		t.Fatalf("read %d lines, err %v", n, err)
	}
	if c.Len(loadtest.FormDL) != 20 || c.Len(loadtest.FormShort) != 20 || c.Len(loadtest.FormResolve) != 21 {
		t.Errorf("corpus dl=%d short=%d resolve=%d; want 20 20 21", c.Len(loadtest.FormDL), c.Len(loadtest.FormShort), c.Len(loadtest.FormResolve))
	}
	if _, err := loadtest.LoadCodesFile(&c, filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file accepted")
	}
}
