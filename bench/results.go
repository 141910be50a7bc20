// Package bench is the capacity-planning benchmark suite behind
// `tracecode bench`: whole scenarios (minting, streaming, line reports,
// events, resolution, a mixed workload) run against tracecode and, in the
// same run, against the PostgreSQL baseline of bench/pgbase, and written as
// results.json (schema below), summary.md and report.html.
package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// SchemaVersion names the results.json layout. Readers must check it; a
// change that removes or renames a field bumps it.
const SchemaVersion = "tracecode-bench/1"

// Results is the whole of one `tracecode bench` run: results.json.
type Results struct {
	Schema    string     `json:"schema"`     // SchemaVersion
	Scale     string     `json:"scale"`      // small, medium or large
	StartedAt time.Time  `json:"started_at"` // wall clock, RFC 3339
	Seconds   float64    `json:"seconds"`    // wall time of the whole run
	Machine   Machine    `json:"machine"`
	Scenarios []Scenario `json:"scenarios"`
	Ratios    []Ratio    `json:"ratios"`          // tracecode against the baseline, same run
	Notes     []string   `json:"notes,omitempty"` // what was skipped and why
}

// Machine describes where the run happened, so figures are never read
// without their hardware.
type Machine struct {
	GoVersion     string `json:"go_version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
	CPUs          int    `json:"cpus"` // runtime.NumCPU
	CPUModel      string `json:"cpu_model,omitempty"`
	MemTotalBytes uint64 `json:"mem_total_bytes,omitempty"`
	PeakRSSBytes  int64  `json:"peak_rss_bytes"` // of the bench process, whole run
}

// Scenario is one measured workload on one system.
type Scenario struct {
	// Name says what ran, e.g. "mint/block", "resolve/warm-zipf".
	Name string `json:"name"`
	// System is "tracecode", "tracecode-plain" (the one-key-per-code
	// design, for the ratio) or "postgres".
	System string `json:"system"`
	// Params are the workload's parameters (codes, blocks, share of forged
	// codes, …) as strings for a stable schema.
	Params map[string]string `json:"params,omitempty"`
	// Unit says what one operation is: "code", "item", "resolve", "event".
	Unit string `json:"unit"`
	// Ops is how many units were processed in Seconds of wall time.
	Ops     int64   `json:"ops"`
	Seconds float64 `json:"seconds"`
	// OpsPerSec is Ops/Seconds over all repetitions.
	OpsPerSec float64 `json:"ops_per_sec"`
	// Samples are the ops/s of each repetition; `bench compare` tests
	// their difference for significance.
	Samples []float64 `json:"samples"`
	// Latency is per-operation latency, when the scenario times each op.
	Latency *Latency `json:"latency,omitempty"`
	// CPUSeconds is user+system CPU time of the process during the
	// scenario (all goroutines, including Pebble's background work).
	CPUSeconds float64 `json:"cpu_seconds"`
	// AllocsPerOp and AllocBytesPerOp are Go heap allocations per unit.
	AllocsPerOp     float64 `json:"allocs_per_op"`
	AllocBytesPerOp float64 `json:"alloc_bytes_per_op"`
	// DiskBytes is the size on disk of the data the scenario built (0 when
	// it builds none); DiskBytesPerUnit divides it by the units stored.
	DiskBytes        int64   `json:"disk_bytes,omitempty"`
	DiskBytesPerUnit float64 `json:"disk_bytes_per_unit,omitempty"`
	// Extra holds engine metrics: Pebble write amplification, compactions,
	// block-cache hit rate, read amplification.
	Extra map[string]float64 `json:"extra,omitempty"`
}

// Latency summarises an HDR histogram of per-op latencies in microseconds.
type Latency struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_us"`
	P50   float64 `json:"p50_us"`
	P90   float64 `json:"p90_us"`
	P99   float64 `json:"p99_us"`
	P999  float64 `json:"p999_us"`
	Max   float64 `json:"max_us"`
}

// Ratio compares tracecode with the baseline on one figure of one
// workload. Ratio is Tracecode/Baseline; Better says which direction is
// good ("higher" for throughput, "lower" for latency and disk).
//
// Ratios are the headlines of summary.md, like against like: Unit is the
// unit of both figures, BaselineName what was compared against
// (PostgreSQL, the plain one-key design, a constant-body HTTP handler).
// A run without the baseline keeps the row with Baseline and Ratio 0.
// Note says how a figure was derived (e.g. CPU time per million codes).
// Metric repeats Unit (schema 1 named the scenario metric there).
type Ratio struct {
	Name         string  `json:"name"`
	Metric       string  `json:"metric"`
	Unit         string  `json:"unit,omitempty"`
	Tracecode    float64 `json:"tracecode"`
	BaselineName string  `json:"baseline_name,omitempty"`
	Baseline     float64 `json:"baseline"`
	Ratio        float64 `json:"ratio"`
	Better       string  `json:"better"`
	Note         string  `json:"note,omitempty"`
}

// Find returns the scenario with the given name and system.
func (r *Results) Find(name, system string) (*Scenario, bool) {
	for i := range r.Scenarios {
		if r.Scenarios[i].Name == name && r.Scenarios[i].System == system {
			return &r.Scenarios[i], true
		}
	}
	return nil, false
}

// WriteJSON writes r to path.
func (r *Results) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadResults reads a results.json, checking its schema version.
func ReadResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bench: %s is not a results.json: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("bench: %s has schema %q, this tracecode reads %q", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}
