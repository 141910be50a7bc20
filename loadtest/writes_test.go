package loadtest_test

import (
	"context"
	"testing"
	"time"

	"tracecode/loadtest"
	"tracecode/loadtest/testserver"
)

// TestWrites runs minting and reporting alongside scans against the test
// server's write API and checks that every write is accounted for, in its
// own class, with the codes the server applied — and that the scan figures
// hold scans only.
func TestWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine loadtest.Engine) {
		s := startServer(t, testserver.Config{Codes: 200})
		res := run(t, loadtest.Config{Engine: engine, Target: s.URL(), Conns: 4,
			Phases:  []loadtest.Phase{{Rate: 200, Duration: 250 * time.Millisecond, Warmup: true}, {Rate: 400, Duration: time.Second}},
			Traffic: trafficFor(t, s, jsonDLOnly),
			Writes:  &loadtest.Writes{Key: s.APIKey(), MintRate: 20, MintCount: 500, ReportRate: 40, ReportCount: 25, Conns: 3},
		})
		if len(res.Writes) != 2 {
			t.Fatalf("writes = %+v, want mint and report", res.Writes)
		}
		// 1.25 s of schedule: 25 mints and 50 reports, of which those
		// intended in the first 0.25 s are warm-up (5 and 10).
		want := map[string]struct{ sched, codes int64 }{"mint": {20, 20 * 500}, "report": {40, 40 * 25}}
		for _, w := range res.Writes {
			wt := want[w.Class]
			if w.Scheduled != wt.sched || w.Completed != wt.sched || w.Outcomes["ok"] != wt.sched || w.Errors != 0 {
				t.Errorf("%s: scheduled %d completed %d outcomes %v; want %d ok", w.Class, w.Scheduled, w.Completed, w.Outcomes, wt.sched)
			}
			if w.Codes != wt.codes || w.Replayed != 0 || w.Latency.Count != wt.sched {
				t.Errorf("%s: codes %d replayed %d latency count %d; want %d codes, 0, %d", w.Class, w.Codes, w.Replayed,
					w.Latency.Count, wt.codes, wt.sched)
			}
			if w.Status["201"] != wt.sched {
				t.Errorf("%s: status %v, want %d × 201", w.Class, w.Status, wt.sched)
			}
		}
		// The server applied every write, warm-up included, plus the
		// blocks minted before the run for the reports.
		wc := s.Writes()
		if wc.Reports != 50 || wc.CodesCommissioned != 50*25 || wc.Replays != 0 {
			t.Errorf("server: %+v; want 50 reports of 25 codes", wc)
		}
		if wc.Mints < 26 || wc.CodesMinted < 25*500+50*25 {
			t.Errorf("server: %+v; want ≥ 25 timed mints and a setup mint", wc)
		}
		// Scans are scans only.
		if tot := res.Total; tot.Scheduled != 400 || tot.Completed != 400 || tot.Errors != 0 {
			t.Errorf("scans: scheduled %d completed %d errors %d; want 400, 400, 0", tot.Scheduled, tot.Completed, tot.Errors)
		}
		if c := res.Config.Writes; c == nil || c.GTIN == "" || c.RunID == "" {
			t.Errorf("config.writes = %+v", c)
		}
	})
}

// TestWritesErrors: a key the server refuses makes the setup fail with the
// reason; with a GTIN given and no reports (no setup), every mint is an
// http_4xx error of the mint class and a warning, and the scans are
// untouched.
func TestWritesErrors(t *testing.T) {
	s := startServer(t, testserver.Config{Codes: 100})
	_, err := loadtest.Run(context.Background(), loadtest.Config{Target: s.URL(),
		Phases: []loadtest.Phase{{Rate: 100, Duration: 200 * time.Millisecond}}, Traffic: trafficFor(t, s, jsonDLOnly),
		Writes: &loadtest.Writes{Key: "wrong", ReportRate: 10}})
	if err == nil {
		t.Fatal("a refused key: no error")
	}
	res := run(t, loadtest.Config{Target: s.URL(), Conns: 2,
		Phases: []loadtest.Phase{{Rate: 100, Duration: 500 * time.Millisecond}}, Traffic: trafficFor(t, s, jsonDLOnly),
		Writes: &loadtest.Writes{Key: "wrong", GTIN: "09520123456788", MintRate: 20}})
	if len(res.Writes) != 1 {
		t.Fatalf("writes = %+v", res.Writes)
	}
	w := res.Writes[0]
	if w.Class != "mint" || w.Scheduled != 10 || w.Outcomes["http_4xx"] != 10 || w.Errors != 10 || w.ErrorRate != 1 || w.Status["401"] != 10 {
		t.Errorf("mint: %+v", w)
	}
	if res.Total.Errors != 0 || res.Total.Completed != 50 {
		t.Errorf("scans: %d errors, %d completed; want 0, 50", res.Total.Errors, res.Total.Completed)
	}
	found := false
	for _, s := range res.Warnings {
		found = found || len(s) > 11 && s[:11] == "mint writes"
	}
	if !found {
		t.Errorf("no warning about the mint errors: %q", res.Warnings)
	}
	// Bad write settings are refused before the run, naming the setting.
	for _, bad := range []loadtest.Writes{{Key: "k", MintRate: -1}, {Key: "k", ReportCount: 2_000_000}, {MintRate: 1}} {
		_, err := loadtest.Run(context.Background(), loadtest.Config{Target: s.URL(),
			Phases: []loadtest.Phase{{Rate: 10, Duration: time.Second}}, Traffic: trafficFor(t, s, jsonDLOnly), Writes: &bad})
		if err == nil {
			t.Errorf("writes %+v: no error", bad)
		}
	}
}
