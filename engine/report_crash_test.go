package engine

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
)

// The crash test runs the engine in a child process (this test binary
// re-executed) that ingests reports in a loop and prints an
// acknowledgement after each one returns; the parent kills it with SIGKILL
// mid-ingest, reopens the store and checks that every acknowledged report
// is fully there and that nothing is half-applied (Verify: runs, bitmaps,
// item flags and hash chains agree).

const (
	reportCrashDirEnv   = "TRACECODE_REPORT_CRASH_DIR"
	reportCrashStartEnv = "TRACECODE_REPORT_CRASH_START"
	reportCrashCases    = 90 // cases of ten items available in the store
)

func reportCrashOptions() *Options {
	return &Options{Store: smallStore(), Now: func() time.Time { return testClock }}
}

// TestReportCrashChild is the child's body; it does nothing in a normal run.
func TestReportCrashChild(t *testing.T) {
	dir := os.Getenv(reportCrashDirEnv)
	if dir == "" {
		t.Skip("runs only as the crash test's child process")
	}
	start, _ := strconv.Atoi(os.Getenv(reportCrashStartEnv))
	e, err := Open(dir, reportCrashOptions())
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	items, cases := e.Issuance().Blocks(issue.BlockFilter{})[0], e.Issuance().Blocks(issue.BlockFilter{})[1]
	meta := chain.ReportMeta{Org: items.Org, Credential: "crash", Time: testClock.Add(-time.Hour)}
	for i := start; i < reportCrashCases; i++ {
		lo, hi := uint64(i*10), uint64(i*10+9)
		if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: lo, Last: hi}}}}); err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Println("ACK commission", i)
		if _, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: meta, Packs: []chain.Pack{{Parent: chain.Ref{Block: cases.ID, Offset: uint64(i)},
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: lo, Last: hi}}}}}}); err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Println("ACK pack", i)
	}
	fmt.Println("DONE")
	select {} // wait to be killed
}

// newCrashStore creates a store in a new directory with a product whose
// first block holds cases×10 items and second cases cases, nothing
// commissioned.
func newCrashStore(t *testing.T, cases int) (string, *Engine, model.Product) {
	t.Helper()
	dir := t.TempDir()
	e, err := Open(dir, reportCrashOptions())
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "测试", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		t.Fatal(err)
	}
	mint(t, e, issue.MintRequest{Product: p.ID, Count: uint64(cases) * 10})
	mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelCase, Count: uint64(cases)})
	return dir, e, p
}

func TestReportCrashIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir, e, p := newCrashStore(t, reportCrashCases)
	// The commission and case cases must be commissioned for packing.
	cases := e.Issuance().Blocks(issue.BlockFilter{})[1]
	if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Time: testClock.Add(-2 * time.Hour)}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: cases.ID, First: 0, Last: reportCrashCases - 1}}}}); err != nil {
		t.Fatal(err)
	}
	e.Close()

	acked := map[string]int{"commission": -1, "pack": -1}
	for round := 0; round < 4; round++ {
		start := acked["pack"] + 1
		if start >= reportCrashCases {
			break
		}
		// Kill after a number of acknowledgements that varies by round,
		// i.e. at a different point of the report cycle.
		runAckChild(t, "TestReportCrashChild", []string{reportCrashDirEnv + "=" + dir, reportCrashStartEnv + "=" + strconv.Itoa(start)},
			5+round*7, func(kind string, i int) { acked[kind] = i })
		t.Logf("round %d: killed after commission %d, pack %d", round, acked["commission"], acked["pack"])

		// Reopen: every acknowledged report is there; Verify finds nothing
		// half-applied.
		e, err := Open(dir, reportCrashOptions())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.Verify()
		if err != nil || !rep.OK() {
			t.Fatalf("round %d: Verify after SIGKILL: %v %v", round, err, rep.Problems)
		}
		ts, _ := e.tr()
		items := e.Issuance().Blocks(issue.BlockFilter{})[0]
		r, _ := agg.NewReader(e.db)
		for i := 0; i <= acked["commission"]; i++ {
			st, _ := ts.Items().State(items.ID, uint64(i*10+9))
			if !st.Has(itemstate.Commissioned) {
				t.Fatalf("round %d: acknowledged commission %d is lost", round, i)
			}
		}
		for i := 0; i <= acked["pack"]; i++ {
			run, ok, _ := r.Parent(agg.Node{Product: p.ID, Counter: items.Start + uint64(i*10)})
			if !ok || run.Parent.Counter != cases.Start+uint64(i) || run.Len() != 10 {
				t.Fatalf("round %d: acknowledged pack %d is lost or partial: %+v", round, i, run)
			}
		}
		// The next report (maybe applied, not acknowledged) is all or nothing:
		// Verify above covers its runs, bitmaps and chain; if its commission
		// is there but not its pack, the next round redoes the pack only.
		// The child may have gone on after its last acknowledgement before
		// the kill landed: reports applied but not acknowledged. Each is
		// whole (Verify above); catch up on them so the next child resumes
		// at the first case nothing was reported for.
		for next := acked["pack"] + 1; next < reportCrashCases; next++ {
			st, _ := ts.Items().State(items.ID, uint64(next*10))
			if st.Has(itemstate.Packed) {
				acked["pack"] = next // applied but not acknowledged
				continue
			}
			if !st.Has(itemstate.Commissioned) {
				break
			}
			// Commissioned but the pack not applied: finish it here.
			if _, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: chain.ReportMeta{Org: p.Org, Time: testClock.Add(-time.Hour)}, Packs: []chain.Pack{{Parent: chain.Ref{Block: cases.ID, Offset: uint64(next)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: uint64(next * 10), Last: uint64(next*10 + 9)}}}}}}); err != nil {
				t.Fatal(err)
			}
			acked["pack"] = next
		}
		r.Close()
		e.Close()
	}
}

// runAckChild runs the test named test of this binary as a child process
// with env added, reads its "ACK kind i" lines (handing each to ack) until
// killAfter of them or its "DONE" line, then kills it with SIGKILL and
// waits for it. An "ERR" line fails t. It reports whether the child said
// DONE.
func runAckChild(t *testing.T, test string, env []string, killAfter int, ack func(kind string, i int)) (done bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v=false")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}()
	n := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "ACK":
			i, _ := strconv.Atoi(f[2])
			ack(f[1], i)
			n++
		case len(f) > 0 && f[0] == "ERR":
			t.Fatalf("child: %s", sc.Text())
		case len(f) > 0 && f[0] == "DONE":
			return true
		}
		if n == killAfter {
			return false
		}
	}
	return false
}
