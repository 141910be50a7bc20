package capacity

import (
	"math"
	"testing"
	"time"
)

func TestEstimate(t *testing.T) {
	if r := Estimate(0, 1e9, 30*time.Minute, 1e12); r.Measured || r.Months != 0 {
		t.Errorf("half an hour gave a rate: %+v", r)
	}
	// 1 GB in 2 days → 0.5 GB a day; 45 GB free → 90 days → 3 months.
	r := Estimate(10e9, 11e9, 48*time.Hour, 45e9)
	if !r.Measured || math.Abs(r.BytesPerDay-0.5e9) > 1 || math.Abs(r.Months-3) > 1e-9 {
		t.Errorf("runway %+v, want 0.5 GB/day and 3 months", r)
	}
	// A store that shrank (a compaction) or stayed put lasts for ever.
	if r := Estimate(11e9, 10e9, 48*time.Hour, 45e9); !r.Measured || !math.IsInf(r.Months, 1) || r.BytesPerDay != 0 {
		t.Errorf("shrinking store: %+v", r)
	}
}
