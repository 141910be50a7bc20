package rusage

import (
	"testing"
	"time"
)

// TestCPUAdvances checks that CPU counts the work this process does: a
// busy loop long enough to outlast getrusage's accounting granularity moves
// it forward, and it never moves back.
func TestCPUAdvances(t *testing.T) {
	before := CPU()
	if before <= 0 {
		t.Fatalf("CPU() = %v before any test work, want > 0 (a Go process has run init code)", before)
	}
	x := uint64(1)
	for CPU()-before < 20*time.Millisecond {
		for i := 0; i < 1_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if after := CPU(); after < before {
		t.Fatalf("CPU went back: %v then %v", before, after)
	}
	_ = x
}

// TestPeakRSS checks that the peak resident set covers memory the process
// has touched.
func TestPeakRSS(t *testing.T) {
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if got := PeakRSS(); got < int64(len(buf)) {
		t.Fatalf("PeakRSS() = %d bytes after touching %d", got, len(buf))
	}
	_ = buf[len(buf)-1]
}
