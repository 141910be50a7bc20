package loadtest

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest/testserver"
)

// sendRig is one worker of a runner pointed at a test server, for driving
// the hot path directly.
type sendRig struct {
	r  *runner
	w  *worker
	tr *Traffic
}

func newSendRig(tb testing.TB, mix Mix, cfg testserver.Config) *sendRig {
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
	r, err := newRunner(context.Background(), Config{Target: s.URL(), Conns: 1, Traffic: tr, Engine: EngineGoroutines,
		Phases: []Phase{{Rate: 1, Duration: time.Hour}}})
	if err != nil {
		tb.Fatal(err)
	}
	r.start = time.Now()
	r.deadline = int64(2 * time.Hour)
	return &sendRig{r: r, w: r.workers[0], tr: tr}
}

// one prepares and sends request i as if it were due now.
func (g *sendRig) one(i int64) {
	pick := g.tr.Pick(i)
	g.w.prepare(pick)
	now := g.r.now()
	g.w.send(i, pick, now, now)
}

// BenchmarkSend measures the request-issuing hot path — pick, build the
// request, send it over a keep-alive connection, classify and record the
// answer — against an in-process constant-body server on loopback. The
// ns/op include the server's work and the loopback round trip; allocs/op
// count both sides and should be 0.
func BenchmarkSend(b *testing.B) {
	for _, bc := range []struct {
		name     string
		mix      Mix
		constant bool
	}{
		{"mix=dl-json/server=constant", Mix{Forms: [numForms]float64{1, 0, 0}, Accepts: [numAccepts]float64{1, 0}, Seed: 1}, true},
		{"mix=default/server=lookup", DefaultMix, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			g := newSendRig(b, bc.mix, testserver.Config{Codes: 10_000, Constant: bc.constant, BodySize: 600})
			for i := range int64(100) { // warm the connection and pools
				g.one(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := int64(0); b.Loop(); i++ {
				g.one(i)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if e := g.w.acc.c.errors(); e > 0 {
				b.Fatalf("%d errors", e)
			}
		})
	}
}

// TestSendAllocs checks the hot path allocates nothing per request (client
// and in-process server together), averaged over many requests so that a
// rare pool refill does not count.
func TestSendAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("network round trips")
	}
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	g := newSendRig(t, DefaultMix, testserver.Config{Codes: 1000})
	for i := range int64(200) {
		g.one(i)
	}
	i := int64(200)
	n := testing.AllocsPerRun(2000, func() { g.one(i); i++ })
	if n > 0.05 {
		t.Errorf("%.3f allocations per request, want 0", n)
	}
	if e := g.w.acc.c.errors(); e > 0 {
		t.Errorf("%d errors", e)
	}
}
