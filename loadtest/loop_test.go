//go:build linux

package loadtest

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest/testserver"
)

// loopRig is a one-connection event loop pointed at a test server, for
// driving its hot path directly.
type loopRig struct {
	r  *runner
	l  *loop
	tr *Traffic
}

func newLoopRig(tb testing.TB, mix Mix, cfg testserver.Config) *loopRig {
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
	r, err := newRunner(context.Background(), Config{Target: s.URL(), Conns: 1, Traffic: tr, Engine: EngineLoop,
		Phases: []Phase{{Rate: 1, Duration: time.Hour}}})
	if err != nil {
		tb.Fatal(err)
	}
	r.start = time.Now()
	r.deadline = int64(2 * time.Hour)
	g := &loopRig{r: r, l: r.loops[0], tr: tr}
	tb.Cleanup(func() { g.l.closeConn(0) })
	return g
}

// one sends request i as if it were due now and waits for its answer.
func (g *loopRig) one(i int64) {
	l := g.l
	now := g.r.now()
	p := pendingReq{i: i, pick: g.tr.Pick(i), intended: now, free: now}
	l.inflight[0]++
	l.send(&p, now)
	for l.busy > 0 {
		n := l.wait(int64(time.Second))
		now := g.r.now()
		for _, ev := range l.events[:n] {
			l.event(ev, now)
		}
		if n == 0 {
			l.scan(now)
		}
	}
}

// BenchmarkLoopSend is BenchmarkSend for the epoll engine: one request's
// round trip — build, write, wait, read, parse, classify, record — against
// an in-process server (whose work is in ns/op too).
func BenchmarkLoopSend(b *testing.B) {
	for _, bc := range []struct {
		name     string
		mix      Mix
		constant bool
	}{
		{"mix=dl-json/server=constant", Mix{Forms: [numForms]float64{1, 0, 0}, Accepts: [numAccepts]float64{1, 0}, Seed: 1}, true},
		{"mix=default/server=lookup", DefaultMix, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			g := newLoopRig(b, bc.mix, testserver.Config{Codes: 10_000, Constant: bc.constant, BodySize: 600})
			for i := range int64(100) {
				g.one(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := int64(0); b.Loop(); i++ {
				g.one(i)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if e := g.l.acc(0).c.errors(); e > 0 {
				b.Fatalf("%d errors", e)
			}
		})
	}
}

// TestLoopAllocs: the event loop's hot path allocates nothing per request
// (client and in-process server together).
func TestLoopAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("network round trips")
	}
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	g := newLoopRig(t, DefaultMix, testserver.Config{Codes: 1000})
	for i := range int64(200) {
		g.one(i)
	}
	i := int64(200)
	n := testing.AllocsPerRun(2000, func() { g.one(i); i++ })
	if n > 0.05 {
		t.Errorf("%.3f allocations per request, want 0", n)
	}
	a := g.l.acc(0)
	if e := a.c.errors(); e > 0 || a.c.completed != 2201 {
		t.Errorf("%d errors, %d completed (want 0, 2201: 200 + a warm-up run + 2000)", e, a.c.completed)
	}
}

// TestLoopParse: an answer that arrives in pieces is parsed once
// whole, and bytes after an answer (nothing was pipelined) are an error.
func TestLoopParse(t *testing.T) {
	g := newLoopRig(t, Mix{Forms: [numForms]float64{1, 0, 0}, Accepts: [numAccepts]float64{1, 0}, Seed: 1}, testserver.Config{Codes: 10})
	full := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
	pick := Pick{Form: FormDL, Accept: AcceptJSON}
	for cut := 1; cut < len(full); cut++ {
		if _, complete, _ := g.l.parse(full[:cut], false, pick); complete {
			t.Fatalf("%d of %d bytes parsed as complete", cut, len(full))
		}
	}
	if out, complete, keep := g.l.parse(full, false, pick); !complete || !keep || out != OutOK {
		t.Errorf("whole answer: out %v complete %v keep %v", out, complete, keep)
	}
	if out, complete, keep := g.l.parse(append(full[:len(full):len(full)], "HTTP"...), false, pick); !complete || keep || out != OutOther {
		t.Errorf("trailing bytes: out %v complete %v keep %v, want other, closed", out, complete, keep)
	}
	if out, complete, _ := g.l.parse(full[:20], true, pick); !complete || out != OutOther {
		t.Errorf("cut by the end of the connection: out %v complete %v", out, complete)
	}
	closeHdr := []byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	if out, complete, keep := g.l.parse(closeHdr, false, pick); !complete || keep || out != OutHTTP5xx {
		t.Errorf("503 with Connection: close: out %v complete %v keep %v", out, complete, keep)
	}
}

// TestLoopSpin: polling before sleeping changes when the loop notices
// answers, not what it records.
func TestLoopSpin(t *testing.T) {
	s, err := testserver.Start("127.0.0.1:0", testserver.Config{Codes: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var c Corpus
	for _, u := range s.DLURIs() {
		c.Add(u)
	}
	tr := mustTraffic(t, &c, DefaultMix)
	res, err := Run(context.Background(), Config{Target: s.URL(), Conns: 4, Engine: EngineLoop, Spin: 100 * time.Microsecond,
		Traffic: tr, Phases: []Phase{{Rate: 1000, Duration: 400 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	if tot := res.Total; tot.Completed != 400 || tot.Errors != 0 || res.Config.SpinUs != 100 {
		t.Errorf("completed %d errors %d spin %v µs; want 400, 0, 100", tot.Completed, tot.Errors, res.Config.SpinUs)
	}
}
