//go:build !linux

package loadtest

import "time"

// preciseTimer is time.Sleep outside Linux; the generator lag figures show
// its resolution.
type preciseTimer struct{}

func newPreciseTimer() *preciseTimer        { return &preciseTimer{} }
func (*preciseTimer) sleep(d time.Duration) { time.Sleep(d) }
func (*preciseTimer) close()                {}
