package engine

import (
	"context"
	"errors"
	"testing"
)

// TestCheckpoint: Checkpoint publishes the logs that grew (one checkpoint
// per such organisation, recomputed by Verify), writes nothing when none
// grew — also after a reopen — and again after a new report.
func TestCheckpoint(t *testing.T) {
	f := supply(t)
	ctx := context.Background()
	checkpoints := func() int {
		t.Helper()
		rep, err := f.e.Verify()
		if err != nil || !rep.OK() {
			t.Fatalf("Verify: %v %v", err, rep.Problems)
		}
		return rep.Checkpoints
	}
	if n := checkpoints(); n != 0 {
		t.Fatalf("%d checkpoints before any was asked for (the fixture has far fewer than 1,024 records)", n)
	}
	n, err := f.e.Reports().Checkpoint(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Checkpoint: %d, %v; want 1 (only the producer's log grew)", n, err)
	}
	if got := checkpoints(); got != 1 {
		t.Errorf("Verify recomputed %d checkpoints, want 1", got)
	}
	if n, err := f.e.Reports().Checkpoint(ctx); n != 0 || err != nil {
		t.Errorf("a second Checkpoint with no new record: %d, %v", n, err)
	}
	f.e = reopen(t, f.e)
	if n, err := f.e.Reports().Checkpoint(ctx); n != 0 || err != nil {
		t.Errorf("Checkpoint after reopen with no new record: %d, %v", n, err)
	}
	f.commission(f.itemsB, 0, 9)
	if n, err := f.e.Reports().Checkpoint(ctx); n != 1 || err != nil {
		t.Errorf("Checkpoint after the other organisation's report: %d, %v; want 1", n, err)
	}
	if got := checkpoints(); got != 2 {
		t.Errorf("Verify recomputed %d checkpoints, want 2", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	f.commission(f.itemsB, 10, 19)
	if _, err := f.e.Reports().Checkpoint(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Checkpoint with a cancelled context: %v", err)
	}
	if got := checkpoints(); got != 2 {
		t.Errorf("a cancelled Checkpoint wrote: %d checkpoints", got)
	}
}
