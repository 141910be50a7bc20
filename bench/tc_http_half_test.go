package bench

import (
	"math"
	"runtime/metrics"
	"testing"
)

// TestHistQuantile: the runtime histograms' quantiles are read as the
// upper bound of the bucket holding the rank, over a window's counts.
func TestHistQuantile(t *testing.T) {
	b := []float64{0, 1e-6, 1e-5, 1e-4, 1e-3, math.Inf(1)}
	before := &metrics.Float64Histogram{Counts: []uint64{5, 0, 0, 0, 0}, Buckets: b}
	after := &metrics.Float64Histogram{Counts: []uint64{5, 90, 9, 1, 0}, Buckets: b}
	w := subHist(after, before)
	for _, tc := range []struct{ q, want float64 }{{0.5, 1e-5}, {0.9, 1e-5}, {0.99, 1e-4}, {0.999, 1e-3}, {1, 1e-3}} {
		if got := histQuantile(w, tc.q); got != tc.want {
			t.Errorf("q%v = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := histQuantile(subHist(before, before), 0.99); !math.IsNaN(got) {
		t.Errorf("empty window q0.99 = %v, want NaN", got)
	}
	over := &metrics.Float64Histogram{Counts: []uint64{0, 0, 0, 0, 3}, Buckets: b}
	if got := histQuantile(over, 0.99); got != 1e-3 {
		t.Errorf("last, unbounded bucket q0.99 = %v, want its lower bound 1e-3", got)
	}
}
