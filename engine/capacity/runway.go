// Package capacity holds the capacity arithmetic a running deployment
// shows its operator: how fast the store grows and how long the disk's
// free space lasts at that rate (docs/capacity.md plans the same ahead of
// time with `tracecode bench plan`).
package capacity

import (
	"math"
	"time"
)

// MinWindow is the shortest observation a growth rate is given for:
// shorter ones are dominated by memtable flushes and compactions.
const MinWindow = time.Hour

// Runway is the store's growth and what it leaves of the disk.
type Runway struct {
	// Measured is false while the window is shorter than MinWindow; the
	// other fields are then zero.
	Measured    bool
	BytesPerDay float64 // growth of the store's disk usage, per day
	// Months is how many 30-day months the free space lasts at
	// BytesPerDay; +Inf when the store did not grow.
	Months float64
}

// Estimate computes the runway from the store's disk usage at the start
// and at the end of a window of length window, and the free space now.
func Estimate(usedStart, usedNow uint64, window time.Duration, free uint64) Runway {
	if window < MinWindow {
		return Runway{}
	}
	r := Runway{Measured: true}
	if usedNow > usedStart {
		r.BytesPerDay = float64(usedNow-usedStart) / window.Hours() * 24
	}
	if r.BytesPerDay <= 0 {
		r.Months = math.Inf(1)
		return r
	}
	r.Months = float64(free) / r.BytesPerDay / 30
	return r
}
