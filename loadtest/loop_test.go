//go:build linux

package loadtest

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest/testserver"
)

// attachLoop makes g drive the runner's event loop.
func (g *sendRig) attachLoop(tb testing.TB) {
	l := g.r.loops[0]
	tb.Cleanup(func() { l.closeConn(0) })
	g.one = func(i int64) {
		now := g.r.now()
		p := pendingReq{i: i, pick: g.tr.Pick(i), intended: now, free: now}
		l.inflight[0]++
		l.send(&p, now)
		for l.busy() > 0 {
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
	g.acc = func() *phaseAcc { return l.acc(0) }
}

// TestLoopParse: an answer that arrives in pieces is parsed once
// whole, and bytes after an answer (nothing was pipelined) are an error.
func TestLoopParse(t *testing.T) {
	g := newSendRig(t, EngineLoop, Mix{Forms: [numForms]float64{1, 0, 0}, Accepts: [numAccepts]float64{1, 0}, Seed: 1}, testserver.Config{Codes: 10})
	l := g.r.loops[0]
	full := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
	pick := Pick{Form: FormDL, Accept: AcceptJSON}
	for cut := 1; cut < len(full); cut++ {
		if _, complete, _ := l.parse(full[:cut], false, pick); complete {
			t.Fatalf("%d of %d bytes parsed as complete", cut, len(full))
		}
	}
	if out, complete, keep := l.parse(full, false, pick); !complete || !keep || out != OutOK {
		t.Errorf("whole answer: out %v complete %v keep %v", out, complete, keep)
	}
	if out, complete, keep := l.parse(append(full[:len(full):len(full)], "HTTP"...), false, pick); !complete || keep || out != OutOther {
		t.Errorf("trailing bytes: out %v complete %v keep %v, want other, closed", out, complete, keep)
	}
	if out, complete, _ := l.parse(full[:20], true, pick); !complete || out != OutOther {
		t.Errorf("cut by the end of the connection: out %v complete %v", out, complete)
	}
	closeHdr := []byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	if out, complete, keep := l.parse(closeHdr, false, pick); !complete || keep || out != OutHTTP5xx {
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
