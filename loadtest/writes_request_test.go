package loadtest

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// testWriter is a writer as newWriter leaves it, without a server.
func testWriter() *writer {
	w := &writer{r: &runner{target: target{host: "127.0.0.1:8080"}},
		w:     Writes{Key: "k3y", MintCount: 1000, ReportCount: 100},
		runID: "lt-abc123", gtin: "09506000134352", lot: "LTABC", blocks: []uint64{7, 8}, blockSize: 1_000_000}
	w.auth = "Bearer " + w.w.Key
	w.mintReq = w.mintBody(nil, w.w.MintCount)
	return w
}

// TestWriteRequest: a timed write's headers and body.
func TestWriteRequest(t *testing.T) {
	w := testWriter()
	var req fasthttp.Request
	for _, tc := range []struct {
		k          int
		j          int64
		path, idem string
		body       string
	}{
		{0, 12, "/v1/blocks", "lt-abc123-mint-12", `{"gtin":"09506000134352","lot":"LTABC","createLot":true,"count":1000}`},
		{1, 10_001, "/v1/reports/line", "lt-abc123-report-10001",
			`{"action":"commission","items":{"ranges":[{"block":8,"first":100,"last":199}]}}`},
	} {
		req.Reset()
		w.request(&req, tc.k, tc.j, nil, nil)
		h := &req.Header
		if string(h.Method()) != "POST" || string(req.URI().Path()) != tc.path || string(h.Peek("Idempotency-Key")) != tc.idem ||
			string(h.Peek("Authorization")) != "Bearer k3y" || string(h.ContentType()) != "application/json" || string(req.Body()) != tc.body {
			t.Errorf("class %d request %d:\n%s\nwant POST %s, key %s, body %s", tc.k, tc.j, req.String(), tc.path, tc.idem, tc.body)
		}
	}
}

// BenchmarkWriteRequest builds timed write requests (a mint and a report
// in turn), as a write connection does before each send.
func BenchmarkWriteRequest(b *testing.B) {
	w := testWriter()
	var req fasthttp.Request
	var body, idem []byte
	b.ReportAllocs()
	for j := int64(0); b.Loop(); j++ {
		req.Reset()
		body, idem = w.request(&req, int(j&1), j&1023, body[:0], idem[:0])
	}
}
