package loadtest_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

// forEachEngine runs f as a subtest per engine: both must meet the same
// assertions.
func forEachEngine(t *testing.T, f func(t *testing.T, engine loadtest.Engine)) {
	t.Helper()
	for _, e := range []loadtest.Engine{loadtest.EngineLoop, loadtest.EngineGoroutines} {
		if e == loadtest.EngineLoop && runtime.GOOS != "linux" {
			continue
		}
		t.Run("engine="+string(e), func(t *testing.T) { f(t, e) })
	}
}

// startServer starts a test server and stops it when the test ends.
func startServer(t testing.TB, cfg testserver.Config) *testserver.Server {
	t.Helper()
	s, err := testserver.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// trafficFor builds traffic over the server's codes (Digital Link and short
// forms) with mix m.
func trafficFor(t testing.TB, s *testserver.Server, m loadtest.Mix) *loadtest.Traffic {
	t.Helper()
	var c loadtest.Corpus
	for _, u := range s.DLURIs() {
		c.Add(u)
	}
	for _, u := range s.ShortURLs() {
		c.Add(u)
	}
	tr, err := loadtest.NewTraffic(&c, m)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// tracer collects RequestTraces.
type tracer struct {
	mu sync.Mutex
	rs []loadtest.RequestTrace
}

func (tr *tracer) add(r loadtest.RequestTrace) {
	tr.mu.Lock()
	tr.rs = append(tr.rs, r)
	tr.mu.Unlock()
}

func TestRunSmoke(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		s := startServer(t, testserver.Config{Codes: 500})
		var tr tracer
		res, err := loadtest.Run(context.Background(), loadtest.Config{Engine: engine,
			Target:  s.URL(),
			Phases:  []loadtest.Phase{{Rate: 500, Duration: 200 * time.Millisecond, Warmup: true}, {Rate: 1000, Duration: 500 * time.Millisecond}},
			Conns:   4,
			Traffic: trafficFor(t, s, loadtest.DefaultMix),
			Trace:   tr.add,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Steps) != 2 || !res.Steps[0].Warmup {
			t.Fatalf("steps = %+v", res.Steps)
		}
		st := res.Steps[1]
		if st.Scheduled != 500 || st.Completed != 500 || st.Sent != 500 {
			t.Errorf("step: scheduled %d sent %d completed %d, want 500 each", st.Scheduled, st.Sent, st.Completed)
		}
		if res.Total.Completed != 500 || res.Total.Latency.Count != 500 {
			t.Errorf("total completed %d latency count %d, want 500 (warm-up excluded)", res.Total.Completed, res.Total.Latency.Count)
		}
		if st.Errors != 0 {
			var b bytes.Buffer
			res.WriteSummary(&b)
			t.Errorf("errors: %d\n%s", st.Errors, b.String())
		}
		if st.Forged.Sent == 0 || st.Forged.Rejected != st.Forged.Sent {
			t.Errorf("forged %+v: want some, all rejected", st.Forged)
		}
		if st.Outcomes["ok"]+st.Outcomes["forged_rejected"] != 500 {
			t.Errorf("outcomes %v", st.Outcomes)
		}
		if len(tr.rs) != 600 {
			t.Errorf("traced %d requests, want 600 (100 warm-up + 500)", len(tr.rs))
		}
		for _, r := range tr.rs {
			if r.Sent < r.Intended {
				t.Fatalf("request %d sent at %d before its intended time %d", r.Index, r.Sent, r.Intended)
			}
			if r.Done < r.Sent {
				t.Fatalf("request %d done before sent", r.Index)
			}
		}
		var b bytes.Buffer
		if err := res.WriteSummary(&b); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + b.String())
	})
}

// TestRunSpreadsOverTargets: with several targets (a writer and its
// replicas) every one gets a share of the scans, round-robin by
// connection, and the results name them all.
func TestRunSpreadsOverTargets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		a := startServer(t, testserver.Config{Codes: 200})
		b := startServer(t, testserver.Config{Codes: 200})
		c := startServer(t, testserver.Config{Codes: 200})
		res, err := loadtest.Run(context.Background(), loadtest.Config{Engine: engine,
			Target:  a.URL() + "," + b.URL() + ", " + c.URL(),
			Phases:  []loadtest.Phase{{Rate: 600, Duration: 500 * time.Millisecond}},
			Conns:   6,
			Traffic: trafficFor(t, a, loadtest.DefaultMix),
		})
		if err != nil {
			t.Fatal(err)
		}
		if st := res.Steps[0]; st.Completed != 300 || st.Errors != 0 {
			t.Errorf("completed %d, errors %d; want 300, 0", st.Completed, st.Errors)
		}
		na, nb, nc := a.Requests(), b.Requests(), c.Requests()
		if na == 0 || nb == 0 || nc == 0 || na+nb+nc < 300 {
			t.Errorf("requests per target: %d %d %d", na, nb, nc)
		}
		if want := a.URL() + "," + b.URL() + "," + c.URL(); res.Config.Target != want {
			t.Errorf("results name the targets %q, want %q", res.Config.Target, want)
		}
	})
	s := startServer(t, testserver.Config{Codes: 10})
	if _, err := loadtest.Run(context.Background(), loadtest.Config{Target: s.URL() + "," + s.URL(),
		Phases: []loadtest.Phase{{Rate: 1, Duration: time.Second}}, Traffic: trafficFor(t, s, loadtest.DefaultMix)}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a target given twice: %v", err)
	}
}

func TestRunRefusesRemoteTarget(t *testing.T) {
	var c loadtest.Corpus
	c.Add("/01/09520123456788/21/ABC")
	tr, err := loadtest.NewTraffic(&c, loadtest.Mix{Forms: [3]float64{1, 0, 0}, Accepts: [2]float64{1, 0}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"http://192.0.2.1:8080", "http://10.0.0.1", "https://[2001:db8::1]:443"} {
		_, err := loadtest.Run(context.Background(), loadtest.Config{
			Target: target, Phases: []loadtest.Phase{{Rate: 10, Duration: time.Second}}, Traffic: tr,
		})
		if !errors.Is(err, loadtest.ErrRemoteTarget) {
			t.Errorf("%s: err = %v, want ErrRemoteTarget", target, err)
		}
	}
	_, err = loadtest.Run(context.Background(), loadtest.Config{
		Target: "http://127.0.0.1:1/some/path", Phases: []loadtest.Phase{{Rate: 10, Duration: time.Second}}, Traffic: tr,
	})
	if err == nil || !strings.Contains(err.Error(), "base URL only") {
		t.Errorf("target with a path: err = %v", err)
	}
}
