package loadtest_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

var jsonDLOnly = loadtest.Mix{Forms: [3]float64{1, 0, 0}, Accepts: [2]float64{1, 0}, Seed: 3}

func run(t *testing.T, cfg loadtest.Config) *loadtest.Results {
	t.Helper()
	res, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestErrorsHTTP5xx(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		s := startServer(t, testserver.Config{Codes: 100, FailEvery: 5})
		res := run(t, loadtest.Config{Engine: engine, Target: s.URL(), Conns: 2,
			Phases: []loadtest.Phase{{Rate: 500, Duration: 400 * time.Millisecond}}, Traffic: trafficFor(t, s, jsonDLOnly)})
		tot := res.Total
		// The probe is the server's request 1, so requests 4, 9, 14, … of the
		// run get 503: 40 of 200.
		if tot.Outcomes["http_5xx"] != 40 || tot.ErrorStatus["503"] != 40 || tot.Errors != 40 || tot.Outcomes["ok"] != 160 {
			t.Errorf("outcomes %v error status %v errors %d; want 40 × 503, 160 ok", tot.Outcomes, tot.ErrorStatus, tot.Errors)
		}
		if tot.ErrorRate != 0.2 {
			t.Errorf("error rate %v, want 0.2", tot.ErrorRate)
		}
	})
}

func TestErrorsTimeout(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		s := startServer(t, testserver.Config{Codes: 100, Delay: 300 * time.Millisecond})
		// A long drain: on a busy machine a worker may be descheduled past a
		// 50 ms drain and leave requests unsent, which is not what this tests.
		res := run(t, loadtest.Config{Engine: engine, Target: s.URL(), Conns: 8, Timeout: 50 * time.Millisecond, Drain: 5 * time.Second,
			Phases: []loadtest.Phase{{Rate: 40, Duration: 500 * time.Millisecond}}, Traffic: trafficFor(t, s, jsonDLOnly)})
		tot := res.Total
		if tot.Outcomes["timeout"] != tot.Scheduled || tot.Scheduled != 20 {
			t.Errorf("outcomes %v of %d scheduled: want all timeouts", tot.Outcomes, tot.Scheduled)
		}
		// A timed-out request is recorded with at least the timeout as latency.
		if min := tot.Latency.MinUs; min < 50_000*0.99 {
			t.Errorf("min latency %.0f µs below the 50 ms timeout", min)
		}
	})
}

func TestErrorsUnknownCodesAndForgedAccepted(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		// Codes the server never issued, sent as valid: 404 errors.
		s := startServer(t, testserver.Config{Codes: 100, Seed: 1})
		other := startServer(t, testserver.Config{Codes: 100, Seed: 2})
		res := run(t, loadtest.Config{Engine: engine, Target: s.URL(), Conns: 2,
			Phases: []loadtest.Phase{{Rate: 500, Duration: 200 * time.Millisecond}}, Traffic: trafficFor(t, other, jsonDLOnly)})
		if tot := res.Total; tot.Outcomes["http_4xx"] != 100 || tot.ErrorStatus["404"] != 100 {
			t.Errorf("unknown codes: outcomes %v status %v; want 100 × 404 errors", tot.Outcomes, tot.ErrorStatus)
		}
		// A server that answers 200 to everything accepts forged codes.
		c := startServer(t, testserver.Config{Codes: 100, Constant: true})
		m := jsonDLOnly
		m.Forged = 0.5
		res = run(t, loadtest.Config{Engine: engine, Target: c.URL(), Conns: 2,
			Phases: []loadtest.Phase{{Rate: 500, Duration: 200 * time.Millisecond}}, Traffic: trafficFor(t, c, m)})
		tot := res.Total
		if tot.Forged.Sent == 0 || tot.Forged.Accepted != tot.Forged.Sent || tot.Outcomes["forged_accepted"] != tot.Forged.Sent {
			t.Errorf("constant server: forged %+v outcomes %v; want every forged code accepted", tot.Forged, tot.Outcomes)
		}
		found := false
		for _, w := range res.Warnings {
			found = found || strings.Contains(w, "accepted")
		}
		if !found {
			t.Errorf("no warning about accepted forged codes: %q", res.Warnings)
		}
	})
}

func TestErrorsConnect(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		// A port nobody listens on: the run refuses to start, with the reason.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		var c loadtest.Corpus
		c.Add("/01/09520123456788/21/A")
		tr, _ := loadtest.NewTraffic(&c, jsonDLOnly)
		_, err = loadtest.Run(context.Background(), loadtest.Config{Engine: engine, Target: "http://" + addr,
			Phases: []loadtest.Phase{{Rate: 10, Duration: time.Second}}, Traffic: tr})
		if err == nil || !strings.Contains(err.Error(), "does not answer") {
			t.Fatalf("err = %v, want a probe failure", err)
		}

		// A server that goes away mid-run: transport errors, classed as
		// connect (refused) or closed (reset) — never as successes.
		s := startServer(t, testserver.Config{Codes: 50})
		tr = trafficFor(t, s, jsonDLOnly)
		go func() { time.Sleep(150 * time.Millisecond); s.Close() }()
		res := run(t, loadtest.Config{Engine: engine, Target: s.URL(), Conns: 2,
			Phases: []loadtest.Phase{{Rate: 200, Duration: 500 * time.Millisecond}}, Traffic: tr})
		tot := res.Total
		transport := tot.Outcomes["connect"] + tot.Outcomes["closed"]
		if transport == 0 || transport+tot.Outcomes["ok"] != tot.Scheduled {
			t.Errorf("outcomes %v: want ok then connect/closed errors summing to %d", tot.Outcomes, tot.Scheduled)
		}
	})
}
