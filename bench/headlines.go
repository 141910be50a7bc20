package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// The headlines of a run: each compares like with like, in one unit, with
// what it was compared against named. "Codes ready to print" is what a
// production line needs — a block allocated and its codes formatted and
// compressed for the printer — against the baseline writing the same
// number of rows; the block allocation alone (one record per block,
// whatever its size) is kept, labelled as what it is, last.

// headline is one row of the headline table.
type headline struct {
	name, unit, better string
	// value returns tracecode's figure, the baseline's (ok=false when the
	// run lacks it), the baseline's name and a note.
	value func(r *Results) (tc, base float64, baseName, note string, okTC, okBase bool)
}

func scenarioMetric(r *Results, name, system, metric string) (float64, bool) {
	s, ok := r.Find(name, system)
	if !ok {
		return 0, false
	}
	return metricOf(s, metric)
}

// pair compares one metric of one scenario between tracecode and system.
func pair(name, metric, system, baseName string) func(r *Results) (float64, float64, string, string, bool, bool) {
	return func(r *Results) (float64, float64, string, string, bool, bool) {
		tc, ok1 := scenarioMetric(r, name, "tracecode", metric)
		b, ok2 := scenarioMetric(r, name, system, metric)
		return tc, b, baseName, "", ok1, ok2
	}
}

const pgName = "PostgreSQL"

var headlines = []headline{
	{"codes ready to print (allocate a block, stream it as Digital Link URIs, zstd)", "codes/s", "higher", readyToPrint},
	{"disk per issued code", "B/code", "lower", pair("mint", "disk_bytes_per_unit", "postgres", pgName)},
	{"pack in line order (8 reporters at once, each report acknowledged once durable: group commit)", "items/s", "higher", withWorld(pair("pack", "ops_per_sec", "postgres", pgName))},
	{"pack against the plain one-key-per-link design (as many writers, synced batches)", "items/s", "higher", withWorld(pair("pack", "ops_per_sec", "tracecode-plain", "plain design, same Pebble"))},
	{"disk per packed item", "B/item", "lower", pair("pack", "disk_bytes_per_unit", "postgres", pgName)},
	{"capture (EPCIS 2.0 JSON documents of 500 ObjectEvents, fsync per document)", "events/s", "higher", pair("capture", "ops_per_sec", "postgres", pgName+" JSONB rows, COPY")},
	{"query: one code's events (MATCH_anyEPC) p50", "µs", "lower", pair("query/epc", "p50_us", "postgres", pgName+" GIN")},
	{"query: a county's events of one step in a time window (EQ_bizStep + WD_bizLocation + time) p50", "µs", "lower", pair("query/step-region-time", "p50_us", "postgres", pgName+" B-tree + join")},
	{"resolve in process (full chain)", "resolves/s", "higher", withWorld(pair("resolve", "ops_per_sec", "postgres", pgName))},
	{"resolve in process p50", "µs", "lower", pair("resolve", "p50_us", "postgres", pgName)},
	{"resolve in process p99", "µs", "lower", pair("resolve", "p99_us", "postgres", pgName)},
	{"resolve over HTTP (loopback, 64 connections)", "req/s", "higher", pair("resolve/http", "ops_per_sec", "fasthttp-constant", "constant-body fasthttp handler")},
	{"resolve over HTTP p50 (client)", "µs", "lower", pair("resolve/http", "p50_us", "fasthttp-constant", "constant-body fasthttp handler")},
	{"resolve over HTTP p99 (client)", "µs", "lower", pair("resolve/http", "p99_us", "fasthttp-constant", "constant-body fasthttp handler")},
	{"resolve over HTTP at half saturation p99 (client, open loop)", "µs", "lower", halfRate},
	{"the same, against the constant handler at the same offered rate", "µs", "lower", pair("resolve/http-half", "p99_us", "fasthttp-constant", "constant-body fasthttp handler")},
	{"block allocation only (one record per block; no code is written)", "codes/s", "higher", pair("mint", "ops_per_sec", "postgres", pgName+" COPY of the codes")},
}

// withWorld notes the size of the world the chain scenarios ran against.
func withWorld(f func(r *Results) (float64, float64, string, string, bool, bool)) func(r *Results) (float64, float64, string, string, bool, bool) {
	return func(r *Results) (float64, float64, string, string, bool, bool) {
		tc, b, name, note, ok1, ok2 := f(r)
		if s, ok := r.Find("pack", "tracecode"); ok && s.Params["world_items"] != "" {
			items, _ := strconv.ParseFloat(s.Params["world_items"], 64)
			minted, _ := strconv.ParseFloat(s.Params["world_minted"], 64)
			w := fmt.Sprintf("world of %s packed items, %s minted codes", num(items), num(minted))
			if note != "" {
				w += "; " + note
			}
			note = w
		}
		return tc, b, name, note, ok1, ok2
	}
}

// readyToPrint combines allocation and streaming: the time per code of a
// block is the allocation's share plus the stream's.
func readyToPrint(r *Results) (float64, float64, string, string, bool, bool) {
	mint, ok1 := scenarioMetric(r, "mint", "tracecode", "ops_per_sec")
	st, ok2 := r.Find("stream/dl+zstd", "tracecode")
	pg, ok3 := scenarioMetric(r, "mint", "postgres", "ops_per_sec")
	if !ok1 || !ok2 || mint <= 0 || st.OpsPerSec <= 0 {
		return 0, pg, pgName + " COPY", "", false, ok3
	}
	note := ""
	if st.Ops > 0 {
		note = fmt.Sprintf("streaming used %.2f CPU-seconds per million codes", st.CPUSeconds/float64(st.Ops)*1e6)
	}
	return 1 / (1/mint + 1/st.OpsPerSec), pg, pgName + " COPY", note, true, ok3
}

// halfRate is the p99 at half saturation against the target of 1 ms.
func halfRate(r *Results) (float64, float64, string, string, bool, bool) {
	s, ok := r.Find("resolve/http-half", "tracecode")
	if !ok || s.Latency == nil {
		return 0, 0, "", "", false, false
	}
	note := fmt.Sprintf("offered %s req/s", num(s.Extra["offered_req_per_sec"]))
	if t := s.Params["transport"]; strings.Contains(t, "own process") {
		note += "; client in its own process"
	} else {
		note += "; client in the server's process"
	}
	if p, ok := s.Extra["server_p99_us"]; ok {
		note += fmt.Sprintf("; server-side handler p99 %s µs", num(p))
	}
	if p, ok := s.Extra["server_sched_latency_p99_us"]; ok {
		note += fmt.Sprintf("; server goroutine scheduling latency p99 %s µs", num(p))
	}
	return s.Latency.P99, 1000, "target", note, true, true
}

func metricOf(s *Scenario, metric string) (float64, bool) {
	switch metric {
	case "ops_per_sec":
		return s.OpsPerSec, s.OpsPerSec > 0
	case "disk_bytes_per_unit":
		return s.DiskBytesPerUnit, s.DiskBytes > 0
	case "p50_us":
		if s.Latency != nil {
			return s.Latency.P50, true
		}
	case "p99_us":
		if s.Latency != nil {
			return s.Latency.P99, true
		}
	}
	return 0, false
}

// Headlines computes the headline rows a run has figures for (Results.Ratios).
func Headlines(res *Results) []Ratio { return ratios(res) }

// ratios computes the headline rows a run has figures for.
func ratios(res *Results) []Ratio {
	var out []Ratio
	for _, h := range headlines {
		tc, b, baseName, note, okTC, okBase := h.value(res)
		if !okTC {
			continue
		}
		q := Ratio{Name: h.name, Unit: h.unit, Metric: h.unit, Tracecode: tc, BaselineName: baseName, Better: h.better, Note: note}
		if okBase && b > 0 {
			q.Baseline, q.Ratio = b, tc/b
		}
		out = append(out, q)
	}
	return out
}
