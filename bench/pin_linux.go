//go:build linux

package bench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// canPin reports whether the half-rate rounds can pin the client and the
// server to separate CPUs: two or more CPUs and taskset to start the
// client with its mask.
func canPin() bool {
	if runtime.NumCPU() < 2 {
		return false
	}
	_, err := exec.LookPath("taskset")
	return err == nil
}

// pinServer restricts every thread of this process to CPUs 0…N−2 (the
// last is the client's) and returns the function that restores each
// thread's mask. Threads started while pinned inherit the mask of the
// thread that started them, so they stay on the server's CPUs.
func pinServer() (func(), error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("pin: %w", err)
	}
	var set unix.CPUSet
	for c := 0; c < runtime.NumCPU()-1; c++ {
		set.Set(c)
	}
	apply := func(s *unix.CPUSet) {
		ts, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return
		}
		for _, t := range ts {
			if tid, err := strconv.Atoi(t.Name()); err == nil {
				_ = unix.SchedSetaffinity(tid, s) // a thread that exited meanwhile has nothing to pin
			}
		}
	}
	apply(&set)
	return func() { apply(&old) }, nil
}
