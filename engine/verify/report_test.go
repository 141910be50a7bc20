package verify

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/store"
)

// TestReportBounded: problems are listed up to MaxProblems, the rest only
// counted, and Add tells the check to stop once the list is full.
func TestReportBounded(t *testing.T) {
	var r Report
	if !r.OK() || r.Err() != nil {
		t.Fatal("an empty report is not OK")
	}
	for i := range MaxProblems {
		if !r.Add(store.Problem{Where: "block 1", What: "bad"}) {
			t.Fatalf("Add refused problem %d", i)
		}
	}
	if r.Add(store.Problem{Where: "block 2", What: "bad"}) || r.Dropped != 1 || len(r.Problems) != MaxProblems {
		t.Fatalf("past the bound: %d listed, %d dropped", len(r.Problems), r.Dropped)
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "1001 problem(s)") || !strings.Contains(err.Error(), "block 1: bad") {
		t.Fatalf("Err: %v", err)
	}
}

// TestDamagedPassesOtherErrors: an error that is not a damaged data file
// is returned, not listed.
func TestDamagedPassesOtherErrors(t *testing.T) {
	var r Report
	boom := errors.New("boom")
	if err := r.Damaged(boom); err != boom || len(r.Problems) != 0 {
		t.Fatalf("Damaged(boom) = %v, problems %v", err, r.Problems)
	}
	if _, ok := DamagedFile(boom); ok {
		t.Fatal("DamagedFile(boom) says damaged")
	}
}
