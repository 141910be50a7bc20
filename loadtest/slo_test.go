package loadtest_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

// TestSLOSearch steps up the rate against a server that takes 5 ms per
// request over 2 connections — at most 400 req/s — and checks the search
// stops at the first failing step and reports the one before it. 600 req/s
// cannot pass: the backlog grows by ≥ 200 req/s, so the step's slowest
// requests wait far beyond the 25 ms objective. On a machine so busy that the
// generator itself runs late, the search stops earlier as inconclusive
// ("generator"), which the assertions allow.
func TestSLOSearch(t *testing.T) {
	s := startServer(t, testserver.Config{Codes: 100, Delay: 5 * time.Millisecond})
	rates := []float64{100, 200, 600, 900, 1200}
	phases := []loadtest.Phase{{Rate: 100, Duration: 200 * time.Millisecond, Warmup: true}}
	for _, r := range rates {
		phases = append(phases, loadtest.Phase{Rate: r, Duration: 400 * time.Millisecond})
	}
	res := run(t, loadtest.Config{Target: s.URL(), Conns: 2, Phases: phases, SLOP99: 25 * time.Millisecond,
		Traffic: trafficFor(t, s, jsonDLOnly)})
	cp := res.Capacity
	if cp == nil {
		t.Fatal("no capacity in an SLO search")
	}
	if cp.FailedStep < 1 || cp.FailedStep > 3 {
		t.Fatalf("failed step %d (%s), want one of the steps up to 600 req/s", cp.FailedStep, cp.Reason)
	}
	if cp.HighestPassingStep != cp.FailedStep-1 && !(cp.HighestPassingStep == -1 && cp.FailedStep == 1) {
		t.Errorf("highest passing step %d, failed step %d: want the step just before", cp.HighestPassingStep, cp.FailedStep)
	}
	if cp.HighestPassingRate >= 400 {
		t.Errorf("passing rate %v ≥ the server's 400 req/s capacity", cp.HighestPassingRate)
	}
	if cp.StoppedBy != "slo" && cp.StoppedBy != "generator" {
		t.Errorf("stopped by %q", cp.StoppedBy)
	}
	// The search stopped: no step after the failing one ran to completion.
	for _, st := range res.Steps {
		switch {
		case st.Index > cp.FailedStep && !st.Aborted:
			t.Errorf("step %d ran after the failing step %d", st.Index, cp.FailedStep)
		case st.Index < cp.FailedStep && !st.Warmup && (st.SLO == nil || !st.SLO.Pass):
			t.Errorf("step %d before the failure did not pass: %+v", st.Index, st.SLO)
		case st.Index == cp.FailedStep && (st.SLO == nil || st.SLO.Pass):
			t.Errorf("failing step %d has verdict %+v", st.Index, st.SLO)
		}
	}
	if got := len(res.Steps); got > cp.FailedStep+2 {
		t.Errorf("%d steps recorded, want at most the failing one and one aborted", got)
	}
	var b bytes.Buffer
	res.WriteSummary(&b)
	t.Log("\n" + b.String())
}

// TestResultsJSONRoundTrip writes results.json, reads it back and checks
// nothing is lost, and that the schema's field names are the documented
// ones (docs/loadtest.md): renaming a field must be a deliberate act.
func TestResultsJSONRoundTrip(t *testing.T) {
	s := startServer(t, testserver.Config{Codes: 100})
	res := run(t, loadtest.Config{Target: s.URL(), Conns: 2, TrafficSource: "test",
		Phases:  []loadtest.Phase{{Rate: 200, Duration: 300 * time.Millisecond}, {Rate: 400, Duration: 300 * time.Millisecond}},
		Traffic: trafficFor(t, s, loadtest.DefaultMix)})
	var b bytes.Buffer
	if err := res.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back := new(loadtest.Results)
	if err := json.Unmarshal(b.Bytes(), back); err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := back.WriteJSON(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("results.json changes on a read-write round trip")
	}
	if !back.Started.Equal(res.Started) || back.Total.Completed != res.Total.Completed || len(back.Steps) != 2 {
		t.Error("round trip lost data")
	}
	h, err := back.Steps[1].Latency.Histogram()
	if err != nil || h.TotalCount() != back.Steps[1].Latency.Count {
		t.Errorf("histogram in results.json: %v", err)
	}

	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	wantKeys := map[string][]string{
		"": {"config", "finished", "schema", "started", "steps", "timeline", "tool", "total", "warnings"},
		"step": {"accepts", "achieved_rate", "completed", "duration_s", "error_rate", "error_status", "errors", "forged",
			"forms", "generator", "generator_lag", "index", "latency", "offered_rate", "offered_rate_end", "offered_rate_start",
			"outcomes", "scheduled", "sent", "service_time", "start_s", "status", "unsent"},
		"latency":   {"count", "hdr", "max_us", "mean_us", "min_us", "percentiles", "spectrum"},
		"generator": {"cpu", "late", "late_share", "saturated", "waited_for_conn"},
		"second":    {"completed", "cpu", "errors", "max_us", "offered_rate", "p50_us", "p99_us", "step", "t"},
		"config": {"conns", "drain_ms", "engine", "late_threshold_us", "loops", "max_error_rate", "phases", "target", "timeout_ms",
			"traffic"},
	}
	step := m["steps"].([]any)[1].(map[string]any)
	got := map[string]map[string]any{
		"": m, "step": step, "latency": step["latency"].(map[string]any),
		"generator": step["generator"].(map[string]any), "second": m["timeline"].([]any)[0].(map[string]any),
		"config": m["config"].(map[string]any),
	}
	// Fields that appear only when set.
	optional := map[string]bool{"reason": true, "slo": true, "warmup": true, "aborted": true, "capacity": true,
		"interrupted": true, "slo_p99_us": true, "gc_cycles": true, "gc_pause_ms": true}
	for name, want := range wantKeys {
		var keys []string
		for k := range got[name] {
			if !optional[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("%s keys:\n got %q\nwant %q", name, keys, want)
		}
	}
	if m["schema"] != loadtest.SchemaVersion {
		t.Errorf("schema %v", m["schema"])
	}
}
