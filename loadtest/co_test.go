package loadtest_test

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

// TestCoordinatedOmissionStall stalls the whole server for 200 ms once, in
// the middle of a 1 s run at 2000 req/s over 4 connections, and checks the
// stall shows up where an open-model generator must put it. The assertions
// are causal (a request the server holds cannot finish before the stall
// ends), so they hold on a slow or busy machine.
func TestCoordinatedOmissionStall(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		const (
			rate  = 2000
			stall = 200 * time.Millisecond
			conns = 4
		)
		s := startServer(t, testserver.Config{Codes: 200})
		s.StallAt(600, stall) // the probe is request 1; this is ~0.3 s in
		jsonDL := loadtest.Mix{Forms: [3]float64{1, 0, 0}, Accepts: [2]float64{1, 0}, Theta: 0.99, Seed: 7}
		phases := []loadtest.Phase{{Rate: rate, Duration: time.Second}}
		var tr tracer
		res, err := loadtest.Run(context.Background(), loadtest.Config{Engine: engine,
			Target: s.URL(), Phases: phases, Conns: conns, Timeout: 5 * time.Second,
			Traffic: trafficFor(t, s, jsonDL), Trace: tr.add,
		})
		if err != nil {
			t.Fatal(err)
		}
		ss, se, ok := s.Stall()
		if !ok {
			t.Fatal("the server never stalled")
		}
		stallStart, stallEnd := int64(ss.Sub(res.Started)), int64(se.Sub(res.Started))
		const ms100 = int64(100 * time.Millisecond)

		// Every scheduled request is accounted for, sent or not.
		sched, err := loadtest.NewSchedule(phases)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(tr.rs)) != sched.Total() {
			t.Fatalf("traced %d requests, schedule has %d", len(tr.rs), sched.Total())
		}

		// 1. The maximum is at least the stall: the request that triggered it
		// waited the whole 200 ms.
		if max := res.Total.Latency.Percentile(100); max < float64(stall.Microseconds()) {
			t.Errorf("max latency %.0f µs < stall %v", max, stall)
		}

		// 2. Every request intended during the stall is recorded with latency ≥
		// the stall's remainder at its intended time — including those the
		// generator could not even send because all connections were held.
		var inStall, wantInStall, slowByIntended, slowBySend, wantSlow int64
		for i := range sched.Total() {
			at := sched.At(i)
			if at >= stallStart && at < stallEnd {
				wantInStall++
			}
			if at >= stallStart && at < stallEnd-ms100 {
				wantSlow++ // must have latency ≥ 100 ms
			}
		}
		for _, r := range tr.rs {
			if r.Done >= 0 && r.Done-r.Sent >= ms100 {
				slowBySend++
			}
			if r.Done >= 0 && r.Done-r.Intended >= ms100 {
				slowByIntended++
			}
			if r.Intended < stallStart || r.Intended >= stallEnd {
				continue
			}
			inStall++
			if r.Done < 0 {
				t.Errorf("request %d intended during the stall was never sent", r.Index)
				continue
			}
			if r.Done < stallEnd {
				t.Errorf("request %d intended at %v, during the stall [%v, %v), recorded done at %v: before the stall ended",
					r.Index, time.Duration(r.Intended), time.Duration(stallStart), time.Duration(stallEnd), time.Duration(r.Done))
			}
		}
		if inStall != wantInStall || inStall < 300 {
			t.Errorf("%d traced requests intended during the stall, schedule has %d (want ≈ %d)", inStall, wantInStall, rate*stall/time.Second)
		}

		// 3. The histogram in the results agrees: at least wantSlow values ≥ 100
		// ms. A closed-loop measurement (from the actual send) sees at most one
		// slow request per connection held by the stall.
		h, err := res.Total.Latency.Histogram()
		if err != nil || h == nil {
			t.Fatalf("decoding latency histogram: %v", err)
		}
		var histSlow int64
		for _, b := range h.Distribution() {
			if b.From >= ms100 {
				histSlow += b.Count
			}
		}
		if slowByIntended < wantSlow || histSlow < wantSlow {
			t.Errorf("latency ≥ 100 ms: %d traced, %d in the histogram; want ≥ %d", slowByIntended, histSlow, wantSlow)
		}
		if slowBySend*4 > slowByIntended {
			t.Errorf("service time ≥ 100 ms for %d requests vs %d by intended time: the stall should hide from the former", slowBySend, slowByIntended)
		}
		t.Logf("stall [%v, %v): %d requests intended in it, %d with latency ≥ 100 ms (service time: %d)",
			time.Duration(stallStart), time.Duration(stallEnd), inStall, slowByIntended, slowBySend)

		// 4. Per request latency ≥ service time, so every percentile is too.
		for _, p := range loadtest.ReportedPercentiles {
			if l, s := res.Total.Latency.Percentile(p), res.Total.ServiceTime.Percentile(p); l < s {
				t.Errorf("p%g: latency %.1f µs < service time %.1f µs", p, l, s)
			}
		}
		lat := res.Total.Latency
		for i := 1; i < len(lat.Percentiles); i++ {
			if lat.Percentiles[i].ValueUs < lat.Percentiles[i-1].ValueUs {
				t.Errorf("percentiles not monotonic: %+v", lat.Percentiles)
			}
		}
	})
}
