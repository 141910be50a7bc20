package bench

import (
	"math"
	"strings"
	"testing"
)

func TestPlanArithmetic(t *testing.T) {
	c := defaultCosts()
	// Round costs so the expected figures are easy to check by hand.
	c.ScanJSON, c.ScanHTML = Cost{10e-6, "t"}, Cost{50e-6, "t"}
	c.PackItem, c.Event, c.StreamCode = Cost{2e-6, "t"}, Cost{100e-6, "t"}, Cost{1e-6, "t"}
	c.DiskItem, c.DiskEvent, c.DiskBlock, c.DiskScan = Cost{6, "t"}, Cost{80, "t"}, Cost{100, "t"}, Cost{8, "t"}
	c.CacheItem, c.CacheEvents = c.DiskItem, c.DiskEvent
	w := Workload{CodesPerYear: 3.1536e9, ScansPerDay: 8.64e6, PeakFactor: 10, EventsPerDay: 8.64e5,
		RetentionYears: 5, Replicas: 2, HTMLShare: 0.5, Utilisation: 0.5, BlockCodes: 1e6}
	p, err := MakePlan(w, c)
	if err != nil {
		t.Fatal(err)
	}
	// Peak: 1,000 scans/s × 30 µs ÷ 0.5 = 0.06; reports: 1,000 items/s ×
	// 2 µs + 100 events/s × 100 µs + 1,000 codes/s × 1 µs = 0.013 ÷ 0.5 =
	// 0.026; + 1 → 1.086 → 2 cores.
	if p.Cores != 2 {
		t.Errorf("cores %d, want 2", p.Cores)
	}
	// Disk a year: 3.1536e9 × 6 + 8.64e5 × 365 × 80 + 3154 × 100 + 8.64e6 × 365 × 8.
	want := 3.1536e9*6 + 8.64e5*365*80 + 3154*100 + 8.64e6*365*8
	if math.Abs(p.GrowthPerYear-want) > 1 {
		t.Errorf("growth %v, want %v", p.GrowthPerYear, want)
	}
	if math.Abs(p.DiskBytes-want*10) > 10 {
		t.Errorf("disk %v, want %v", p.DiskBytes, want*10)
	}
	for _, s := range []string{"1000/s × 30 µs ÷ 0.50 = 0.06 cores", "→ 2 cores", "all replicas", "replication"} {
		if !strings.Contains(p.Text, s) {
			t.Errorf("the plan does not show %q:\n%s", s, p.Text)
		}
	}
	// A heavier load needs more cores.
	w.ScansPerDay *= 100
	if q, _ := MakePlan(w, c); q.Cores <= p.Cores {
		t.Errorf("100× the scans: %d cores, was %d", q.Cores, p.Cores)
	}
}

func TestPlanRejectsBadWorkloads(t *testing.T) {
	for _, w := range []Workload{
		{},
		{CodesPerYear: -1},
		{CodesPerYear: 1e9, PeakFactor: 0.5},
		{CodesPerYear: 1e9, Replicas: -1},
		{CodesPerYear: 1e9, HTMLShare: 2},
		{CodesPerYear: math.NaN()},
		{ScansPerDay: math.Inf(1)},
	} {
		if _, err := MakePlan(w, defaultCosts()); err == nil {
			t.Errorf("workload %+v accepted", w)
		}
	}
}

func TestCostsFromResults(t *testing.T) {
	r := &Results{Scenarios: []Scenario{
		{Name: "pack", System: "tracecode", Ops: 1000, CPUSeconds: 0.003, DiskBytes: 7000, DiskBytesPerUnit: 7},
		{Name: "resolve/http", System: "tracecode", Ops: 1000, CPUSeconds: 0.02, Params: map[string]string{"body_bytes": "1234"}},
		{Name: "pack", System: "postgres", Ops: 1000, CPUSeconds: 9},
	}}
	c := CostsFrom(r)
	if c.PackItem.V != 3e-6 || c.DiskItem.V != 7 || c.ScanJSON.V != 20e-6 || c.JSONBytes.V != 1234 {
		t.Errorf("costs %+v", c)
	}
	if c.Event != defaultCosts().Event {
		t.Errorf("a missing scenario did not fall back to the default: %+v", c.Event)
	}
}
