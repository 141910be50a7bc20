package engine

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
)

// The group-commit crash test: a child process packs cases from several
// goroutines at once, so reports share fsyncs (each applies its batch
// under the report lock and waits for the fsync after it), and prints an
// acknowledgement after each Pack returns; the parent kills it with
// SIGKILL mid-ingest and checks, in the reopened store, that every
// acknowledged pack is there and that Verify finds nothing half-applied.

const (
	groupCrashDirEnv = "TRACECODE_GROUP_CRASH_DIR"
	groupCrashCases  = 400 // cases of ten items, commissioned by the parent
	groupCrashLines  = 8   // concurrent reporters in the child
)

// TestReportGroupCrashChild is the child's body; it does nothing in a
// normal run.
func TestReportGroupCrashChild(t *testing.T) {
	dir := os.Getenv(groupCrashDirEnv)
	if dir == "" {
		t.Skip("runs only as the group-commit crash test's child process")
	}
	e, err := Open(dir, reportCrashOptions())
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	items, cases := e.Issuance().Blocks(issue.BlockFilter{})[0], e.Issuance().Blocks(issue.BlockFilter{})[1]
	meta := chain.ReportMeta{Org: items.Org, Credential: "crash", Time: testClock.Add(-time.Hour)}
	ts, _ := e.tr()
	var out sync.Mutex
	var wg sync.WaitGroup
	for line := range groupCrashLines {
		wg.Go(func() {
			// Line l packs cases l, l+lines, l+2·lines, … not yet packed.
			for i := line; i < groupCrashCases; i += groupCrashLines {
				st, _ := ts.Items().State(items.ID, uint64(i*10))
				if st.Has(itemstate.Packed) {
					continue
				}
				if _, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: meta, Packs: []chain.Pack{{Parent: chain.Ref{Block: cases.ID, Offset: uint64(i)},
					Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: uint64(i * 10), Last: uint64(i*10 + 9)}}}}}}); err != nil {
					out.Lock()
					fmt.Println("ERR", err)
					os.Exit(3)
				}
				out.Lock()
				fmt.Println("ACK pack", i)
				out.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Println("DONE")
	select {} // wait to be killed
}

func TestReportGroupCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir, e, p := newCrashStore(t, groupCrashCases)
	for _, b := range e.Issuance().Blocks(issue.BlockFilter{}) {
		if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Time: testClock.Add(-2 * time.Hour)}, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.ID, First: 0, Last: b.Count - 1}}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.Close()

	acked := map[int]bool{}
	done := false
	for round := 0; round < 5 && !done; round++ {
		// Kill after a number of acknowledgements that varies by round.
		done = runAckChild(t, "TestReportGroupCrashChild", []string{groupCrashDirEnv + "=" + dir}, 10+round*23,
			func(_ string, i int) { acked[i] = true })

		e, err := Open(dir, reportCrashOptions())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.Verify()
		if err != nil || !rep.OK() {
			t.Fatalf("round %d: Verify after SIGKILL: %v %v", round, err, rep.Problems)
		}
		items, cases := e.Issuance().Blocks(issue.BlockFilter{})[0], e.Issuance().Blocks(issue.BlockFilter{})[1]
		r, _ := agg.NewReader(e.db)
		packed := 0
		for i := range groupCrashCases {
			run, ok, _ := r.Parent(agg.Node{Product: p.ID, Counter: items.Start + uint64(i*10)})
			if ok {
				packed++
				if run.Parent.Counter != cases.Start+uint64(i) || run.Len() != 10 {
					t.Fatalf("round %d: pack %d is partial or wrong: %+v", round, i, run)
				}
			} else if acked[i] {
				t.Fatalf("round %d: acknowledged pack %d is lost", round, i)
			}
		}
		t.Logf("round %d: killed after %d acknowledgements in all; %d cases packed in the store", round, len(acked), packed)
		r.Close()
		e.Close()
	}
	if len(acked) == 0 {
		t.Fatal("the child acknowledged nothing")
	}
}
