package bench

import (
	"runtime"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"tracecode/internal/rusage"
)

// meter measures one scenario: wall time, process CPU time and Go heap
// allocations between start and stop.
type meter struct {
	wall    time.Time
	cpu     float64
	mallocs uint64
	bytes   uint64
}

func cpuSeconds() float64 { return rusage.CPU().Seconds() }

func startMeter() meter {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return meter{wall: time.Now(), cpu: cpuSeconds(), mallocs: ms.Mallocs, bytes: ms.TotalAlloc}
}

// stop fills the scenario's timing, CPU and allocation figures for ops
// units processed since start.
func (m meter) stop(s *Scenario, ops int64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.Seconds = time.Since(m.wall).Seconds()
	s.CPUSeconds = cpuSeconds() - m.cpu
	s.Ops = ops
	if s.Seconds > 0 {
		s.OpsPerSec = float64(ops) / s.Seconds
	}
	if ops > 0 {
		s.AllocsPerOp = float64(ms.Mallocs-m.mallocs) / float64(ops)
		s.AllocBytesPerOp = float64(ms.TotalAlloc-m.bytes) / float64(ops)
	}
}

// newHist returns a histogram of latencies in nanoseconds from 100 ns to
// 60 s with 3 significant digits.
func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(100, 60e9, 3) }

// latencyOf summarises a nanosecond histogram in microseconds.
func latencyOf(h *hdrhistogram.Histogram) *Latency {
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	return &Latency{
		Count: h.TotalCount(),
		Mean:  h.Mean() / 1e3,
		P50:   us(h.ValueAtQuantile(50)),
		P90:   us(h.ValueAtQuantile(90)),
		P99:   us(h.ValueAtQuantile(99)),
		P999:  us(h.ValueAtQuantile(99.9)),
		Max:   us(h.Max()),
	}
}
