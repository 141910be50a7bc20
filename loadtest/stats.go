package loadtest

import (
	"fmt"
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry. Values are nanoseconds.
//
// histLowest = 100 ns gives 64 ns resolution below 131 µs and three
// significant digits above; histHighest = 1 h covers the longest bounded run,
// so even a request left unsent for a whole run is recorded. Values above it
// are clamped to it.
const (
	histLowest  = 100
	histHighest = int64(time.Hour)
)

// newHist returns a latency histogram with 3 significant digits (~220 KB).
func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, 3) }

// newCoarseHist returns a 2-significant-digit histogram (~25 KB) for data
// where 1 % resolution is plenty: generator lag and the per-second timeline.
func newCoarseHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, 2) }

// record adds v ns to h, clamping to the histogram's range (a negative value
// — impossible with a monotonic clock — is recorded as 0).
func record(h *hdr.Histogram, v int64) {
	if v < 0 {
		v = 0
	}
	if v > histHighest {
		v = histHighest
	}
	_ = h.RecordValue(v) // in range by construction
}

// ReportedPercentiles are the percentiles every Dist lists, in order. 100 is
// the maximum.
var ReportedPercentiles = []float64{50, 90, 99, 99.9, 100}

// Dist summarises one latency distribution for results.json. Values are
// microseconds.
type Dist struct {
	// Count is the number of recorded values.
	Count  int64   `json:"count"`
	MinUs  float64 `json:"min_us"`
	MeanUs float64 `json:"mean_us"`
	MaxUs  float64 `json:"max_us"`
	// Percentiles lists ReportedPercentiles.
	Percentiles []Percentile `json:"percentiles"`
	// Spectrum is the percentile spectrum (HdrHistogram's "percentile
	// distribution" with 5 ticks per half distance), for plots.
	Spectrum []SpectrumPoint `json:"spectrum,omitempty"`
	// HDR is the full histogram in HdrHistogram's V2 compressed encoding,
	// base64, values in nanoseconds: decode it with any HdrHistogram
	// implementation to merge runs or draw other percentiles.
	HDR string `json:"hdr,omitempty"`
}

// Percentile is one row of a Dist.
type Percentile struct {
	// Percentile is in (0, 100]; 100 is the maximum.
	Percentile float64 `json:"percentile"`
	// ValueUs is the latency at that percentile, in microseconds.
	ValueUs float64 `json:"value_us"`
	// Slower counts recorded values above ValueUs: how many requests the
	// percentile rests on (a p99.9 with Slower = 2 is two requests).
	Slower int64 `json:"slower"`
}

// SpectrumPoint is one point of a percentile spectrum.
type SpectrumPoint struct {
	Percentile float64 `json:"percentile"`
	ValueUs    float64 `json:"value_us"`
}

// Percentile returns the value at percentile p (one of ReportedPercentiles),
// or 0 if absent.
func (d Dist) Percentile(p float64) float64 {
	for _, q := range d.Percentiles {
		if q.Percentile == p {
			return q.ValueUs
		}
	}
	return 0
}

// P99 returns the 99th percentile in microseconds.
func (d Dist) P99() float64 { return d.Percentile(99) }

// Histogram decodes HDR; it returns nil if the Dist carries none.
func (d Dist) Histogram() (*hdr.Histogram, error) {
	if d.HDR == "" {
		return nil, nil
	}
	h, err := hdr.Decode([]byte(d.HDR))
	if err != nil {
		return nil, fmt.Errorf("loadtest: decoding histogram: %w", err)
	}
	return h, nil
}

func usOf(ns int64) float64 { return math.Round(float64(ns)/10) / 100 } // µs, 2 decimals

// summarize builds a Dist from h; spectrum and encoded add the plot data and
// the encoded histogram.
func summarize(h *hdr.Histogram, spectrum, encoded bool) Dist {
	d := Dist{Count: h.TotalCount(), Percentiles: make([]Percentile, 0, len(ReportedPercentiles))}
	if d.Count == 0 {
		for _, p := range ReportedPercentiles {
			d.Percentiles = append(d.Percentiles, Percentile{Percentile: p})
		}
		return d
	}
	d.MinUs, d.MeanUs, d.MaxUs = usOf(h.Min()), math.Round(h.Mean()/10)/100, usOf(h.Max())
	bars := h.Distribution()
	for _, p := range ReportedPercentiles {
		v := h.ValueAtQuantile(p)
		if p == 100 {
			v = h.Max()
		}
		var slower int64
		for i := len(bars) - 1; i >= 0 && bars[i].From > v; i-- {
			slower += bars[i].Count
		}
		d.Percentiles = append(d.Percentiles, Percentile{Percentile: p, ValueUs: usOf(v), Slower: slower})
	}
	if spectrum {
		for _, b := range h.CumulativeDistributionWithTicks(5) {
			d.Spectrum = append(d.Spectrum, SpectrumPoint{Percentile: b.Quantile, ValueUs: usOf(b.ValueAt)})
		}
	}
	if encoded {
		if b, err := h.Encode(hdr.V2CompressedEncodingCookieBase); err == nil {
			d.HDR = string(b)
		}
	}
	return d
}
