package server

import (
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/issue"
)

// lowSpaceFS is the operating system's filesystem reporting the free
// space the test sets.
type lowSpaceFS struct {
	vfs.FS
	avail atomic.Uint64
}

func (f *lowSpaceFS) GetDiskUsage(string) (vfs.DiskUsage, error) {
	a := f.avail.Load()
	return vfs.DiskUsage{AvailBytes: a, TotalBytes: 1 << 40, UsedBytes: 1<<40 - a}, nil
}

// TestDiskFull: with the store's disk below its free-space reserve the
// server stays up — writes answer 507 disk-full, /readyz 503 with the
// reason, scans 200 — and writes succeed again once space returns.
func TestDiskFull(t *testing.T) {
	fs := &lowSpaceFS{FS: vfs.Default}
	fs.avail.Store(1 << 40)
	var o engine.Options
	o.DLBase = testBase
	o.Store.FS = fs
	eng, err := engine.Open(t.TempDir(), &o)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	s, err := New(eng, Config{PublicBase: testBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	p, err := eng.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "奶粉", Category: 2})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.Keys().Create(apikey.Options{Org: p.Org, Scopes: apikey.ScopeMint | apikey.ScopeReport, Name: "line"})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, uri, body string) (int, string) {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(method)
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.Set("Authorization", "Bearer "+token)
		ctx.Request.Header.Set("Accept", "application/json")
		if body != "" {
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(body)
		}
		s.handle(&ctx)
		return ctx.Response.StatusCode(), string(ctx.Response.Body())
	}
	mintBody := `{"gtin":"09520123456788","lot":"L1","createLot":true,"count":10}`
	if st, body := do("POST", "/v1/blocks", mintBody); st != 201 {
		t.Fatalf("mint: %d %s", st, body)
	}
	st, codes := do("GET", "/v1/blocks/1/codes?format=dl&limit=1", "")
	scan := strings.TrimPrefix(strings.TrimSpace(codes), testBase)
	if st != 200 || !strings.HasPrefix(scan, "/01/") {
		t.Fatalf("codes: %d %q", st, codes)
	}
	if st, body := do("GET", scan, ""); st != 200 {
		t.Fatalf("scan %s: %d %s", scan, st, body)
	}

	fs.avail.Store(1 << 20)
	if st, body := do("POST", "/v1/blocks", `{"gtin":"09520123456788","lot":"L1","count":10}`); st != 507 || !strings.Contains(body, "disk-full") {
		t.Errorf("mint on a full disk: %d %s, want 507 disk-full", st, body)
	}
	if st, body := do("GET", "/readyz", ""); st != 503 || !strings.Contains(body, "disk full") {
		t.Errorf("/readyz on a full disk: %d %s, want 503 naming the full disk", st, body)
	}
	if st, body := do("GET", scan, ""); st != 200 {
		t.Errorf("scan on a full disk: %d %s", st, body)
	}

	fs.avail.Store(1 << 40)
	if st, body := do("POST", "/v1/blocks", `{"gtin":"09520123456788","lot":"L1","count":10}`); st != 201 {
		t.Errorf("mint once space returned: %d %s", st, body)
	}
	if st, body := do("GET", "/readyz", ""); st != 200 {
		t.Errorf("/readyz once space returned: %d %s", st, body)
	}
}
