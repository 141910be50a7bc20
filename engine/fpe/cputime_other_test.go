//go:build !unix

package fpe

import "time"

// processCPU is unavailable here; benchmarks then omit cpu-ns/code.
func processCPU() time.Duration { return 0 }
