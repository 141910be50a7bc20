// Package rusage reads this process's resource use (getrusage(2)): the CPU
// time and peak memory the benchmark suite (bench) and the load generator
// (loadtest) report.
package rusage

import (
	"syscall"
	"time"
)

// CPU returns the process's CPU time so far, user plus system, or 0 when
// getrusage fails.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS returns the process's peak resident set size in bytes, or 0 when
// getrusage fails.
func PeakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024 // Linux reports KiB
}
