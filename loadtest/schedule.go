package loadtest

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Phase is one part of a [Schedule]: an arrival rate that is constant
// (EndRate == Rate) or changes linearly from Rate to EndRate, held for
// Duration.
type Phase struct {
	// Rate is the arrival rate at the start of the phase, in requests per
	// second. Must be ≥ 0; a constant phase needs Rate > 0.
	Rate float64
	// EndRate is the arrival rate at the end of the phase, in requests per
	// second. Zero means "same as Rate" (a constant phase).
	EndRate float64
	// Duration is how long the phase lasts. Must be > 0.
	Duration time.Duration
	// Warmup marks a phase whose results are discarded: it runs, is timed and
	// shown in the timeline, but is left out of the totals and the SLO search.
	Warmup bool
}

// endRate returns the rate at the end of the phase, filling the zero value.
func (p Phase) endRate() float64 {
	if p.EndRate == 0 {
		return p.Rate
	}
	return p.EndRate
}

// meanRate returns the phase's mean offered rate in requests per second.
func (p Phase) meanRate() float64 { return (p.Rate + p.endRate()) / 2 }

// Schedule fixes, before a run starts, when every request is meant to be
// sent: request i (0-based, counted across all phases) has the intended send
// time At(i) nanoseconds after the run's start. Intended times are
// non-decreasing in i and every request of a phase falls inside the phase.
//
// A Schedule is immutable after NewSchedule and safe for concurrent use.
type Schedule struct {
	phases []Phase
	// startNs[p] is phase p's start offset in ns; startNs[len] is the end.
	startNs []int64
	// firstIdx[p] is the index of phase p's first request; firstIdx[len] is
	// the total request count.
	firstIdx []int64
}

// ErrSchedule is returned (wrapped) for an invalid schedule.
var ErrSchedule = errors.New("loadtest: invalid schedule")

// maxRate bounds any phase's rate: beyond it the generator could not keep up
// on any machine this tool targets, and counts would overflow sooner.
const maxRate = 10_000_000

// NewSchedule validates phases and returns their schedule.
func NewSchedule(phases []Phase) (*Schedule, error) {
	if len(phases) == 0 {
		return nil, fmt.Errorf("%w: no phases", ErrSchedule)
	}
	s := &Schedule{
		phases:   append([]Phase(nil), phases...),
		startNs:  make([]int64, len(phases)+1),
		firstIdx: make([]int64, len(phases)+1),
	}
	for i, p := range phases {
		switch {
		case p.Duration <= 0:
			return nil, fmt.Errorf("%w: phase %d: duration %v must be > 0", ErrSchedule, i+1, p.Duration)
		case p.Rate < 0 || p.EndRate < 0 || math.IsNaN(p.Rate) || math.IsNaN(p.EndRate):
			return nil, fmt.Errorf("%w: phase %d: rates must be ≥ 0", ErrSchedule, i+1)
		case p.Rate > maxRate || p.EndRate > maxRate:
			return nil, fmt.Errorf("%w: phase %d: rate above %d req/s", ErrSchedule, i+1, maxRate)
		case p.Rate == 0 && p.endRate() == 0:
			return nil, fmt.Errorf("%w: phase %d: rate must be > 0", ErrSchedule, i+1)
		}
		s.startNs[i+1] = s.startNs[i] + int64(p.Duration)
		s.firstIdx[i+1] = s.firstIdx[i] + phaseCount(p)
	}
	return s, nil
}

// phaseCount is the number of requests a phase schedules: the integral of its
// rate over its duration, rounded down.
func phaseCount(p Phase) int64 {
	return int64(math.Floor(p.meanRate()*p.Duration.Seconds() + 1e-9))
}

// Total returns the number of requests the schedule sends.
func (s *Schedule) Total() int64 { return s.firstIdx[len(s.phases)] }

// Duration returns the schedule's total length.
func (s *Schedule) Duration() time.Duration { return time.Duration(s.startNs[len(s.phases)]) }

// PhaseRange returns the request indices [first, end) of phase p.
func (s *Schedule) PhaseRange(p int) (first, end int64) { return s.firstIdx[p], s.firstIdx[p+1] }

// at returns request i of phase p's intended send time in nanoseconds
// after the run's start (the hot path keeps a phase hint).
func (s *Schedule) at(p int, i int64) int64 {
	ph := &s.phases[p]
	j := float64(i - s.firstIdx[p])
	if j == 0 {
		return s.startNs[p]
	}
	r0, r1 := ph.Rate, ph.endRate()
	var t float64 // seconds into the phase
	if r0 == r1 {
		t = j / r0
	} else {
		// The count sent by time t is N(t) = r0·t + a·t², a = (r1−r0)/(2D).
		// Request j goes at N(t) = j; this form of the root stays exact when
		// a → 0 and when r0 = 0.
		a := (r1 - r0) / (2 * ph.Duration.Seconds())
		t = 2 * j / (r0 + math.Sqrt(r0*r0+4*a*j))
	}
	ns := s.startNs[p] + int64(t*1e9)
	if ns >= s.startNs[p+1] { // guard float rounding at the phase's end
		ns = s.startNs[p+1] - 1
	}
	return ns
}
