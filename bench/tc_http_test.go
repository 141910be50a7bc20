package bench

import (
	"math"
	"testing"
)

func TestHandlerHistFromMetrics(t *testing.T) {
	body := []byte(`# HELP tracecode_http_request_duration_seconds Server-side request latency by route.
tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="5e-06"} 10
tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="1e-05"} 60
tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="0.0001"} 98
tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="0.001"} 100
tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="+Inf"} 100
tracecode_http_request_duration_seconds_bucket{route="resolve_short",le="5e-06"} 7
`)
	h, err := parseHandlerHist(body, "resolve_gtin")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.le) != 5 || !math.IsInf(h.le[4], 1) {
		t.Fatalf("buckets %v", h.le)
	}
	// 50th of 100: in (5 µs, 10 µs], 40 of its 50 → 9 µs.
	if q := h.quantile(0.5) * 1e6; math.Abs(q-9) > 1e-9 {
		t.Errorf("p50 %v µs, want 9", q)
	}
	// 99th: in (100 µs, 1 ms], 1 of its 2 → 550 µs.
	if q := h.quantile(0.99) * 1e6; math.Abs(q-550) > 1e-6 {
		t.Errorf("p99 %v µs, want 550", q)
	}
	if s := h.share(100e-6); s != 0.98 {
		t.Errorf("share ≤ 100 µs %v", s)
	}
	d := h.sub(promHist{le: h.le, count: []float64{10, 10, 10, 10, 10}})
	if d.count[4] != 90 || d.quantile(0.5)*1e6 < 5 {
		t.Errorf("difference %v", d.count)
	}
	if _, err := parseHandlerHist([]byte("nothing"), "resolve_gtin"); err == nil {
		t.Error("a body without the histogram was accepted")
	}
	if _, err := parseHandlerHist([]byte(`tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="x"} 1`), "resolve_gtin"); err == nil {
		t.Error("an unreadable bucket was accepted")
	}
}

// FuzzParseHandlerHist: any /metrics body parses or is refused, never
// panics, and an accepted histogram's quantiles are finite or zero.
func FuzzParseHandlerHist(f *testing.F) {
	f.Add([]byte(`tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="1e-05"} 3` + "\n" +
		`tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="+Inf"} 4`))
	f.Add([]byte(`tracecode_http_request_duration_seconds_bucket{route="resolve_gtin",le="NaN"} -1`))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := parseHandlerHist(body, "resolve_gtin")
		if err != nil {
			return
		}
		for _, q := range []float64{0, 0.5, 0.99, 1} {
			_ = h.quantile(q)
		}
		x := map[string]float64{}
		addServerHist(x, h)
	})
}
