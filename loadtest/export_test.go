package loadtest

import (
	"math"
	"sort"
	"time"
)

// Test-only views of a Schedule and a Zipfian: the generator walks phases
// in order and never asks for these.

// PhaseStart returns phase p's start offset from the run's start.
func (s *Schedule) PhaseStart(p int) time.Duration { return time.Duration(s.startNs[p]) }

// PhaseOf returns the phase that request i belongs to, or len(phases) when
// i ≥ Total().
func (s *Schedule) PhaseOf(i int64) int {
	// firstIdx is non-decreasing; find the last phase whose first index ≤ i,
	// skipping empty phases.
	return sort.Search(len(s.phases), func(p int) bool { return s.firstIdx[p+1] > i })
}

// At returns request i's intended send time in nanoseconds after the run's
// start. i must be in [0, Total()).
func (s *Schedule) At(i int64) int64 { return s.at(s.PhaseOf(i), i) }

// N returns the number of items.
func (z *Zipfian) N() uint64 { return z.n }

// Probability returns the exact Zipf probability of rank k, 1/((k+1)^θ·ζ(n)),
// which Rank approximates (exactly for ranks 0 and 1).
func (z *Zipfian) Probability(k uint64) float64 {
	return 1 / (math.Pow(float64(k+1), z.theta) * z.zetan)
}
