package loadtest

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest/testserver"
)

// testEngines are the engines this platform runs: the hot-path tests and
// benchmarks run over each.
func testEngines() []Engine {
	if loopSupported {
		return []Engine{EngineGoroutines, EngineLoop}
	}
	return []Engine{EngineGoroutines}
}

// sendRig is the one sender (a worker or an event loop) of a one-connection
// runner pointed at a test server, for driving an engine's hot path
// directly.
type sendRig struct {
	r  *runner
	tr *Traffic
	// one sends request i as if it were due now and waits for its answer.
	one func(i int64)
	// acc is the sender's accumulator of phase 0.
	acc func() *phaseAcc
}

func newSendRig(tb testing.TB, engine Engine, mix Mix, cfg testserver.Config) *sendRig {
	tb.Helper()
	s, err := testserver.Start("127.0.0.1:0", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	var c Corpus
	for _, u := range s.DLURIs() {
		c.Add(u)
	}
	for _, u := range s.ShortURLs() {
		c.Add(u)
	}
	tr := mustTraffic(tb, &c, mix)
	r, err := newRunner(context.Background(), Config{Target: s.URL(), Conns: 1, Traffic: tr, Engine: engine,
		Phases: []Phase{{Rate: 1, Duration: time.Hour}}})
	if err != nil {
		tb.Fatal(err)
	}
	r.start = time.Now()
	r.deadline = int64(2 * time.Hour)
	g := &sendRig{r: r, tr: tr}
	if engine == EngineLoop {
		g.attachLoop(tb)
		return g
	}
	w := r.workers[0]
	g.one = func(i int64) {
		pick := tr.Pick(i)
		w.prepare(pick)
		now := r.now()
		w.send(i, pick, now, now)
	}
	g.acc = func() *phaseAcc { return w.acc }
	return g
}

// BenchmarkSend measures the request-issuing hot path of each engine —
// pick, build the request, send it over a keep-alive connection, read,
// parse, classify and record the answer — against an in-process server on
// loopback. The ns/op include the server's work and the loopback round
// trip; allocs/op count both sides and should be 0.
func BenchmarkSend(b *testing.B) {
	for _, engine := range testEngines() {
		for _, bc := range []struct {
			name     string
			mix      Mix
			constant bool
		}{
			{"mix=dl-json/server=constant", Mix{Forms: [numForms]float64{1, 0, 0}, Accepts: [numAccepts]float64{1, 0}, Seed: 1}, true},
			{"mix=default/server=lookup", DefaultMix, false},
		} {
			b.Run("engine="+string(engine)+"/"+bc.name, func(b *testing.B) {
				g := newSendRig(b, engine, bc.mix, testserver.Config{Codes: 10_000, Constant: bc.constant, BodySize: 600})
				for i := range int64(100) { // warm the connection and pools
					g.one(i)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := int64(0); b.Loop(); i++ {
					g.one(i)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
				if e := g.acc().c.errors(); e > 0 {
					b.Fatalf("%d errors", e)
				}
			})
		}
	}
}

// TestSendAllocs checks each engine's hot path allocates nothing per
// request (client and in-process server together), averaged over many
// requests so that a rare pool refill does not count.
func TestSendAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("network round trips")
	}
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, engine := range testEngines() {
		t.Run("engine="+string(engine), func(t *testing.T) {
			g := newSendRig(t, engine, DefaultMix, testserver.Config{Codes: 1000})
			for i := range int64(200) {
				g.one(i)
			}
			i := int64(200)
			n := testing.AllocsPerRun(2000, func() { g.one(i); i++ })
			if n > 0.05 {
				t.Errorf("%.3f allocations per request, want 0", n)
			}
			a := g.acc()
			if e := a.c.errors(); e > 0 || a.c.completed != 2201 {
				t.Errorf("%d errors, %d completed (want 0, 2201: 200 + a warm-up run + 2000)", e, a.c.completed)
			}
		})
	}
}
