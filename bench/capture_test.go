package bench

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"testing"

	"tracecode/bench/pgbase"
)

// captureEvents overrides the smoke scale's event count, to measure the
// family alone at another size:
//
//	go test -run TestCaptureFamily -v ./bench -capture.events=100000
var captureEvents = flag.Int("capture.events", 0, "events TestCaptureFamily captures (0: the smoke scale's)")

// TestCaptureFamily runs the capture family alone at the smoke scale:
// tracecode's capture and both queries (each query checks its count of
// events against the workload's), and the PostgreSQL baseline's when the
// server is reachable (required under TRACECODE_CI=1).
func TestCaptureFamily(t *testing.T) {
	ctx := context.Background()
	e := &env{sizes: Scales["smoke"], res: &Results{}, work: t.TempDir(), log: io.Discard}
	if *captureEvents > 0 {
		e.sizes.CaptureEvents = *captureEvents
		e.log = os.Stderr
	} else {
		// Several pages, each resumed from the previous one's token.
		defer func(n int) { capturePerPage = n }(capturePerPage)
		capturePerPage = 4
	}
	db, err := pgbase.OpenSchema(ctx, "", "tracecode_bench_capture_test")
	switch {
	case err == nil:
		defer db.Close()
		e.pg = db
	case errors.Is(err, pgbase.ErrUnavailable) && !pgbase.Required():
		t.Logf("PostgreSQL unavailable, the baseline is skipped: %v", err)
	default:
		t.Fatal(err)
	}
	if err := tcCapture(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := pgCapture(ctx, e); err != nil {
		t.Fatal(err)
	}
	systems := []string{"tracecode"}
	if e.pg != nil {
		systems = append(systems, "postgres")
	}
	for _, sys := range systems {
		for _, name := range []string{"capture", "query/epc", "query/step-region-time"} {
			s, ok := e.res.Find(name, sys)
			if !ok {
				t.Errorf("no %s scenario for %s", name, sys)
				continue
			}
			t.Logf("%s/%s: %.0f %s/s, p50 %v", name, sys, s.OpsPerSec, s.Unit, s.Latency)
			if s.Ops <= 0 || s.OpsPerSec <= 0 || len(s.Samples) == 0 {
				t.Errorf("%s/%s has no measurements: %+v", name, sys, s)
			}
			if name != "capture" && (s.Latency == nil || s.Latency.P50 <= 0) {
				t.Errorf("%s/%s has no latency", name, sys)
			}
		}
	}
	if s, ok := e.res.Find("capture", "tracecode"); ok && s.Ops != int64(e.sizes.CaptureEvents) {
		t.Errorf("tracecode captured %d events, want %d", s.Ops, e.sizes.CaptureEvents)
	}
}
