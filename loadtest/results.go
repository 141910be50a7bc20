package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion names the results.json schema. It changes only when a field
// changes meaning or is removed; new fields may be added within a version.
// docs/loadtest.md describes every field.
const SchemaVersion = "tracecode.loadtest.results/v1"

// Results is what a run measured; it is written as results.json.
type Results struct {
	Schema   string    `json:"schema"`
	Tool     ToolInfo  `json:"tool"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Config   RunConfig `json:"config"`
	// Steps has one entry per schedule phase that started, in order
	// (warm-up included, flagged).
	Steps []StepResult `json:"steps"`
	// Total merges every completed, non-warm-up step.
	Total StepResult `json:"total"`
	// Capacity is present when the run searched for the highest rate meeting
	// a p99 objective.
	Capacity *Capacity `json:"capacity,omitempty"`
	// Writes has one entry per write class that ran (mint, report), over
	// the measured span; absent without write traffic. Scan figures
	// (Steps, Total) never include writes.
	Writes []WriteResult `json:"writes,omitempty"`
	// Timeline has one entry per second of the run (by completion time).
	Timeline []Second `json:"timeline"`
	// Warnings are things a reader must know before trusting the figures,
	// above all generator saturation.
	Warnings []string `json:"warnings"`
	// Interrupted is true when the run was stopped early (signal or error).
	Interrupted bool `json:"interrupted,omitempty"`
}

// ToolInfo describes the generator and the machine it ran on.
type ToolInfo struct {
	Name       string `json:"name"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Hostname   string `json:"hostname,omitempty"`
}

// RunConfig records the configuration a run used, with every default filled.
type RunConfig struct {
	Target string `json:"target"`
	Conns  int    `json:"conns"`
	// Engine is "epoll" (event loops) or "goroutines"; Loops the number of
	// event loops (epoll only).
	Engine          string        `json:"engine"`
	Loops           int           `json:"loops,omitempty"`
	SpinUs          float64       `json:"spin_us,omitempty"`
	TimeoutMs       float64       `json:"timeout_ms"`
	DrainMs         float64       `json:"drain_ms"`
	LateThresholdUs float64       `json:"late_threshold_us"`
	Phases          []PhaseConfig `json:"phases"`
	SLOP99Us        float64       `json:"slo_p99_us,omitempty"`
	MaxErrorRate    float64       `json:"max_error_rate"`
	Traffic         TrafficConfig `json:"traffic"`
	// Writes is the write traffic's configuration (absent without).
	Writes *WritesConfig `json:"writes,omitempty"`
}

// PhaseConfig is one phase of the schedule.
type PhaseConfig struct {
	Rate      float64 `json:"rate"`
	EndRate   float64 `json:"end_rate"`
	DurationS float64 `json:"duration_s"`
	Warmup    bool    `json:"warmup,omitempty"`
}

// TrafficConfig describes the codes and the mix.
type TrafficConfig struct {
	// Source says where the codes came from ("file:PATH", "api:BLOCKS").
	Source string `json:"source"`
	// Codes counts request templates per form.
	Codes     map[string]int     `json:"codes"`
	Forms     map[string]float64 `json:"forms"`
	Accepts   map[string]float64 `json:"accepts"`
	Forged    float64            `json:"forged"`
	ZipfTheta float64            `json:"zipf_theta"`
	Scrambled bool               `json:"zipf_scrambled"`
	Seed      uint64             `json:"seed"`
}

// StepResult is what one schedule phase measured (or, for Results.Total,
// every measured phase together).
type StepResult struct {
	// Index is the 0-based phase index (−1 for Total).
	Index  int  `json:"index"`
	Warmup bool `json:"warmup,omitempty"`
	// Aborted is true when the run stopped before the phase's requests were
	// all sent (SLO search stop, interruption); its figures are partial.
	Aborted bool `json:"aborted,omitempty"`
	// OfferedRate is the scheduled mean arrival rate (req/s); for a ramp,
	// OfferedRateStart and OfferedRateEnd give its ends.
	OfferedRate      float64 `json:"offered_rate"`
	OfferedRateStart float64 `json:"offered_rate_start"`
	OfferedRateEnd   float64 `json:"offered_rate_end"`
	StartS           float64 `json:"start_s"`
	DurationS        float64 `json:"duration_s"`
	// Scheduled is the number of requests the schedule put in this phase.
	Scheduled int64 `json:"scheduled"`
	// Sent counts requests put on the wire; Completed those that ended
	// with an answer or a transport error; Unsent those never sent.
	Sent      int64 `json:"sent"`
	Completed int64 `json:"completed"`
	Unsent    int64 `json:"unsent"`
	// AchievedRate is Completed divided by the time from the phase's start
	// to its last completion (at least the phase's duration): it falls below
	// OfferedRate when the server cannot keep up.
	AchievedRate float64 `json:"achieved_rate"`
	// Latency is measured from each request's intended send time to its
	// answer: the open-model latency a user sees, free of coordinated
	// omission. Unsent requests are included with their wait so far (a
	// lower bound); requests that failed are included with the time to the
	// failure.
	Latency Dist `json:"latency"`
	// ServiceTime is measured from the actual send to the answer: what a
	// closed-loop tool such as wrk reports. Compare with Latency to see
	// how much a stall or queue cost.
	ServiceTime Dist `json:"service_time"`
	// GeneratorLag is how late the generator sent requests it was free to
	// send: send − max(intended time, time a connection became free). It is
	// the generator's own error, included in Latency.
	GeneratorLag Dist `json:"generator_lag"`
	// Outcomes counts every request by Outcome name.
	Outcomes map[string]int64 `json:"outcomes"`
	// Errors is the sum of error outcomes; ErrorRate = Errors / Scheduled.
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	// Status counts responses by HTTP status code.
	Status map[string]int64 `json:"status"`
	// ErrorStatus counts the responses that were errors, by status code.
	ErrorStatus map[string]int64 `json:"error_status"`
	// Forged counts forged requests sent and how the server answered.
	Forged ForgedCounts `json:"forged"`
	// Forms and Accepts count requests by URL form and Accept header.
	Forms   map[string]int64 `json:"forms"`
	Accepts map[string]int64 `json:"accepts"`
	// Generator is the generator's own health during the phase.
	Generator GeneratorHealth `json:"generator"`
	// SLO is the phase's verdict in an SLO search.
	SLO *SLOVerdict `json:"slo,omitempty"`
}

// ForgedCounts counts forged (mutated, never-issued) codes.
type ForgedCounts struct {
	Sent int64 `json:"sent"`
	// Rejected got 400/404/410: the right answer.
	Rejected int64 `json:"rejected"`
	// Accepted got a 2xx/3xx: the resolver vouched for a forged code.
	Accepted int64 `json:"accepted"`
}

// GeneratorHealth says whether the generator, not the server, limited the
// phase.
type GeneratorHealth struct {
	CPU CPUUse `json:"cpu"`
	// Late counts requests sent more than the late threshold after the
	// generator was free to send them; LateShare = Late / Sent.
	Late      int64   `json:"late"`
	LateShare float64 `json:"late_share"`
	// WaitedForConn counts requests whose intended time came while every
	// connection was busy: they queued in the generator, and that wait is
	// in their Latency (as it would be for users).
	WaitedForConn int64 `json:"waited_for_conn"`
	// Saturated is true when the generator was CPU-bound or late: then
	// the phase measured the generator and its latency is not the server's.
	Saturated bool   `json:"saturated"`
	Reason    string `json:"reason,omitempty"`
	// GCCycles and GCPauseMs are the generator's garbage collections and
	// their total stop-the-world time over the run (Results.Total only).
	GCCycles  uint32  `json:"gc_cycles,omitempty"`
	GCPauseMs float64 `json:"gc_pause_ms,omitempty"`
}

// SLOVerdict is one step's result in an SLO search.
type SLOVerdict struct {
	Pass bool `json:"pass"`
	// Inconclusive is true when the generator was saturated: the server
	// was not the limit, so the step says nothing about it.
	Inconclusive bool   `json:"inconclusive,omitempty"`
	Reason       string `json:"reason"`
}

// Capacity is the answer of an SLO search.
type Capacity struct {
	ObjectiveP99Us float64 `json:"objective_p99_us"`
	MaxErrorRate   float64 `json:"max_error_rate"`
	// HighestPassingRate is the offered rate of the last step that met the
	// objective, 0 if none did; HighestPassingStep is its index (−1).
	HighestPassingRate float64 `json:"highest_passing_rate"`
	HighestPassingStep int     `json:"highest_passing_step"`
	// P99AtPassingUs is that step's p99.
	P99AtPassingUs float64 `json:"p99_at_passing_us"`
	// StoppedBy says why the search ended: "slo" (a step failed),
	// "generator" (the generator saturated: capacity is at least the
	// passing rate), "max-rate" (every step passed) or "interrupted".
	StoppedBy string `json:"stopped_by"`
	// FailedStep is the first step that did not pass (−1 if none).
	FailedStep int    `json:"failed_step"`
	Reason     string `json:"reason,omitempty"`
}

// Second is one timeline entry: the requests that completed during one
// wall-clock second.
type Second struct {
	// T is the end of the second, in seconds since the run's start.
	T float64 `json:"t"`
	// Step is the phase scheduled at T (−1 after the schedule's end).
	Step int `json:"step"`
	// OfferedRate is the scheduled rate at T.
	OfferedRate float64 `json:"offered_rate"`
	// Completed and Errors count completions in the second; their latency
	// percentiles (from intended send time) follow.
	Completed int64   `json:"completed"`
	Errors    int64   `json:"errors"`
	P50Us     float64 `json:"p50_us"`
	P99Us     float64 `json:"p99_us"`
	MaxUs     float64 `json:"max_us"`
	// CPU is the generator's (and machine's) CPU use in the second.
	CPU CPUUse `json:"cpu"`
}

// WriteJSON writes r as indented JSON.
func (r *Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFile writes r to dir/results.json.
func (r *Results) WriteFile(dir string) (string, error) {
	path := filepath.Join(dir, "results.json")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("loadtest: %w", err)
	}
	if err := r.WriteJSON(f); err != nil {
		f.Close()
		return "", fmt.Errorf("loadtest: writing %s: %w", path, err)
	}
	return path, f.Close()
}

// MeasuredSteps returns the steps that are not warm-up.
func (r *Results) MeasuredSteps() []StepResult {
	var out []StepResult
	for _, s := range r.Steps {
		if !s.Warmup {
			out = append(out, s)
		}
	}
	return out
}
