package engine

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// The crash test re-executes this test binary as a child that mints in a
// loop from several goroutines and prints every acknowledged block; the
// parent SIGKILLs it mid-way, several times, and checks the store.

const crashEnv = "TRACECODE_CRASH_CHILD_DIR"

// TestCrashChild is the child's body; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("runs only as the crash test's child")
	}
	round := os.Getenv("TRACECODE_CRASH_ROUND")
	e, err := Open(dir, &Options{Store: smallStore()})
	if err != nil {
		fmt.Println("OPEN-ERROR", err)
		os.Exit(3)
	}
	p, err := e.Issuance().ProductByGTIN(mustGTIN(testGTIN))
	if err != nil {
		fmt.Println("PRODUCT-ERROR", err)
		os.Exit(3)
	}
	var out sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	schemes := []serial.Scheme{serial.GS1, serial.GS1, serial.SGTIN96, serial.NMPA, serial.Short, serial.SSCC}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				req := issue.MintRequest{Product: p.ID, Count: uint64(1 + (i*7919+g)%100_000), Scheme: schemes[(i+g)%len(schemes)],
					Lot: fmt.Sprintf("R%s-L%d", round, i%3), CreateLot: true, RequestID: fmt.Sprintf("r%s-g%d-%d", round, g, i)}
				req.Level = crashLevel(req.Scheme)
				r, err := e.Issuance().Mint(context.Background(), req)
				if err != nil {
					fmt.Println("MINT-ERROR", err)
					os.Exit(3)
				}
				out.Lock()
				fmt.Fprintf(w, "ACK %s %d %d %d %d %s %d\n", req.RequestID, r.Block.ID, r.Block.Start, r.Block.Count, r.Block.Scheme, req.Lot, req.Count)
				w.Flush()
				out.Unlock()
			}
		}()
	}
	wg.Wait()
}

// crashLevel is the level the crash test mints scheme s at: SSCCs are
// logistic units, here mixed cases (the drug product has no pallets).
func crashLevel(s serial.Scheme) model.Level {
	if s == serial.SSCC {
		return model.LevelCase
	}
	return 0
}

func mustGTIN(s string) (g [14]byte) {
	copy(g[:], s)
	return g
}

type ack struct {
	req                 issue.MintRequest
	block, start, count uint64
	scheme              serial.Scheme
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess crash test")
	}
	dir := t.TempDir()
	e := openTest(t, dir)
	p := addDrug(t, e, testGTIN, "8612345")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	var acks []ack
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, "TRACECODE_CRASH_ROUND="+strconv.Itoa(round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n := 0
		killAt := 150 + 100*round
		deadline := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "ACK ") {
				if strings.Contains(line, "ERROR") {
					t.Fatalf("child: %s", line)
				}
				continue
			}
			var a ack
			var sch uint8
			if _, err := fmt.Sscanf(line, "ACK %s %d %d %d %d %s %d", &a.req.RequestID, &a.block, &a.start, &a.count, &sch, &a.req.Lot, &a.req.Count); err != nil {
				t.Fatalf("bad line %q: %v", line, err)
			}
			a.scheme = serial.Scheme(sch)
			a.req.Scheme, a.req.Product, a.req.Level = a.scheme, p.ID, crashLevel(a.scheme)
			acks = append(acks, a)
			if n++; n == killAt {
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		deadline.Stop()
		_ = cmd.Wait()
		if n < killAt {
			t.Fatalf("round %d: child stopped after %d acknowledgements", round, n)
		}
	}
	t.Logf("%d acknowledged blocks over 3 kills", len(acks))

	e = openTest(t, dir)
	if err := e.Issuance().Check(); err != nil {
		t.Fatalf("Check after crashes: %v", err)
	}
	st0, _ := e.Issuance().ProductState(p.ID)
	serials := map[string]uint64{}
	ctx := context.Background()
	for _, a := range acks {
		b, err := e.Issuance().Block(a.block)
		if err != nil {
			t.Fatalf("acknowledged block %d (%s) lost: %v", a.block, a.req.RequestID, err)
		}
		if b.Start != a.start || b.Count != a.count || b.RequestID != a.req.RequestID || b.Scheme != a.scheme {
			t.Fatalf("block %d is %+v, acknowledged as %+v", a.block, b, a)
		}
		// First and last code resolve to the block.
		fm := map[serial.Scheme]issue.Format{serial.GS1: issue.FormatDL, serial.SGTIN96: issue.FormatEPCHex, serial.NMPA: issue.FormatNMPA, serial.Short: issue.FormatShort,
			serial.SSCC: issue.FormatSerial}[b.Scheme]
		offs := []uint64{0, b.Count / 2, b.Count - 1}
		if b.Count < 3 {
			offs = offs[:1]
		}
		for _, off := range offs {
			c := codes(t, e, b.ID, fm, off, 1)[0]
			if b.Scheme == serial.SSCC {
				// An SSCC names its block through the company prefix's
				// serial references.
				sscc, err := gs1.ParseSSCC(c)
				if err != nil {
					t.Fatalf("block %d offset %d: %q: %v", b.ID, off, c, err)
				}
				if got, goff := e.Issuance().SSCCBlock(sscc); got == nil || got.ID != b.ID || goff != off {
					t.Fatalf("SSCC %s of block %d offset %d finds %v offset %d", c, b.ID, off, got, goff)
				}
			} else if got, err := e.Issuance().Lookup(c); err != nil || got.Block.ID != b.ID || got.Offset != off {
				t.Fatalf("block %d offset %d %s: %+v %v", b.ID, off, c, got, err)
			}
			key := b.Scheme.String() + "|" + c
			if prev, dup := serials[key]; dup {
				t.Fatalf("code %s issued in blocks %d and %d", c, prev, b.ID)
			}
			serials[key] = b.ID
		}
		// A retry returns the same block and mints nothing.
		r, err := e.Issuance().Mint(ctx, a.req)
		if err != nil || !r.Replayed || r.Block.ID != b.ID {
			t.Fatalf("retry of %s: %+v %v", a.req.RequestID, r, err)
		}
	}
	if st1, _ := e.Issuance().ProductState(p.ID); st1 != st0 {
		t.Fatalf("retries changed the product state: %+v → %+v", st0, st1)
	}
}
