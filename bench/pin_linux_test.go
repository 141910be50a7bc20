//go:build linux

package bench

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPinServerRestores: after the pinned round every thread of the
// process, those started while pinned included, has its old CPU mask
// back (a thread left pinned would halve the later rounds' CPUs).
func TestPinServerRestores(t *testing.T) {
	if !canPin() {
		t.Skip("one CPU or no taskset")
	}
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Fatal(err)
	}
	unpin, err := pinServer()
	if err != nil {
		t.Fatal(err)
	}
	// New threads while pinned: locked goroutines force the runtime to
	// start them.
	var wg, started sync.WaitGroup
	release := make(chan struct{})
	for range 4 {
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			var got unix.CPUSet
			if err := unix.SchedGetaffinity(0, &got); err == nil && got.IsSet(runtime.NumCPU()-1) {
				t.Error("a thread started while pinned may run on the client's CPU")
			}
			started.Done()
			<-release
			runtime.UnlockOSThread()
		}()
	}
	started.Wait()
	unpin()
	close(release)
	wg.Wait()
	ts, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ts {
		tid, _ := strconv.Atoi(e.Name())
		var got unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &got); err != nil {
			continue // exited
		}
		if got != old {
			t.Errorf("thread %d has mask %v after unpin, want %v", tid, got, old)
		}
	}
}
