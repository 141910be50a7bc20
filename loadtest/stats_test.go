package loadtest

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestHistogramMerge checks that per-worker histograms merged at the end
// give exactly what one shared histogram would have: same count, same
// percentiles, same max — the reason we never average percentiles.
func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	one := newPhaseAcc()
	workers := make([]*phaseAcc, 8)
	for i := range workers {
		workers[i] = newPhaseAcc()
	}
	for i := range 100_000 {
		// Log-uniform latencies from 10 µs to 1 s, with worker 3 slow.
		w := i % len(workers)
		v := int64(float64(int64(10_000)<<r.IntN(17)) * (1 + r.Float64()))
		if w == 3 {
			v *= 10
		}
		record(one.lat, v)
		record(workers[w].lat, v)
		one.c.completed++
		workers[w].c.completed++
		workers[w].c.status[200]++
		one.c.status[200]++
	}
	merged := newPhaseAcc()
	for _, w := range workers {
		merged.merge(w)
	}
	if merged.lat.TotalCount() != one.lat.TotalCount() || merged.c.completed != one.c.completed || merged.c.status[200] != one.c.status[200] {
		t.Fatalf("merged count %d/%d, want %d/%d", merged.lat.TotalCount(), merged.c.completed, one.lat.TotalCount(), one.c.completed)
	}
	if !merged.lat.Equals(one.lat) {
		t.Error("merged histogram differs from the single one")
	}
	a, b := summarize(merged.lat, false, false), summarize(one.lat, false, false)
	for i := range a.Percentiles {
		if a.Percentiles[i] != b.Percentiles[i] {
			t.Errorf("percentile %v: merged %+v, single %+v", a.Percentiles[i].Percentile, a.Percentiles[i], b.Percentiles[i])
		}
	}
}

func TestSummarizeCounts(t *testing.T) {
	h := newHist()
	// 1000 values: 1..1000 µs.
	for i := 1; i <= 1000; i++ {
		record(h, int64(i)*int64(time.Microsecond))
	}
	d := summarize(h, true, true)
	if d.Count != 1000 {
		t.Fatalf("count %d", d.Count)
	}
	want := map[float64]struct {
		us     float64
		slower int64
	}{50: {500, 500}, 90: {900, 100}, 99: {990, 10}, 99.9: {999, 1}, 100: {1000, 0}}
	for _, p := range d.Percentiles {
		w := want[p.Percentile]
		// Three significant digits: values are within 0.1 %.
		if p.ValueUs < w.us*0.999 || p.ValueUs > w.us*1.001 || p.Slower != w.slower {
			t.Errorf("p%g = %.2f µs (%d slower), want %.0f µs (%d slower)", p.Percentile, p.ValueUs, p.Slower, w.us, w.slower)
		}
	}
	if len(d.Spectrum) < 10 || d.Spectrum[len(d.Spectrum)-1].Percentile != 100 {
		t.Errorf("spectrum has %d points", len(d.Spectrum))
	}
	back, err := d.Histogram()
	if err != nil || back.TotalCount() != 1000 || back.Max() != h.Max() {
		t.Errorf("HDR round trip: %v", err)
	}
	// Out-of-range values are clamped, not dropped.
	record(h, -5)
	record(h, 2*histHighest)
	if h.TotalCount() != 1002 {
		t.Errorf("clamped values dropped: count %d", h.TotalCount())
	}
}
