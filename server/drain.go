package server

import (
	"sync"
	"sync/atomic"
)

// drain counts the requests being handled, so that Shutdown returns — and
// its caller closes the engine — only after they end, even when the
// graceful deadline passed with connections still open. Entering is two
// atomic adds.
type drain struct {
	// n is the requests in flight, plus closingBit once Shutdown began.
	n       atomic.Int64
	drained chan struct{} // closed when n reaches closingBit
	once    sync.Once
	closed  atomic.Bool
}

const closingBit = 1 << 62

func newDrain() *drain { return &drain{drained: make(chan struct{})} }

// enter admits a request, or reports false once Shutdown has begun.
func (d *drain) enter() bool {
	if d.n.Add(1)&closingBit != 0 {
		d.leave()
		return false
	}
	return true
}

// leave ends a request admitted by enter.
func (d *drain) leave() {
	if d.n.Add(-1) == closingBit {
		d.once.Do(func() { close(d.drained) })
	}
}

// close stops admitting requests and waits for those in flight.
func (d *drain) close() {
	if d.closed.CompareAndSwap(false, true) && d.n.Add(closingBit) == closingBit {
		d.once.Do(func() { close(d.drained) })
	}
	<-d.drained
}

// closing reports whether close has begun.
func (d *drain) closing() bool { return d.n.Load()&closingBit != 0 }
