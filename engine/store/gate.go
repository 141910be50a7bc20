package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by every method of a DB (and of its batches,
// iterators and snapshots) once Close has begun.
var ErrClosed = errors.New("store: closed")

// gate counts the work in progress on a DB — calls, open iterators and
// snapshots, commits — so that Close waits for it instead of closing
// Pebble under it (Pebble panics on use after close). Entering is two
// atomic adds, cheap enough for the resolver's path.
type gate struct {
	// n is the work in progress, plus closingBit once Close has begun.
	n       atomic.Int64
	drained chan struct{} // closed when n reaches closingBit
	once    sync.Once
}

const closingBit = 1 << 62

func newGate() *gate { return &gate{drained: make(chan struct{})} }

// enter admits one piece of work, or reports false once Close has begun.
func (g *gate) enter() bool {
	if g.n.Add(1)&closingBit != 0 {
		g.leave()
		return false
	}
	return true
}

// leave ends one piece of work admitted by enter.
func (g *gate) leave() {
	if g.n.Add(-1) == closingBit {
		g.once.Do(func() { close(g.drained) })
	}
}

// close stops admitting work and waits for the work in progress to end.
// It must be called once.
func (g *gate) close() {
	if g.n.Add(closingBit) == closingBit {
		g.once.Do(func() { close(g.drained) })
	}
	<-g.drained
}

// ErrDiskFull is returned by a commit or ingestion refused because the
// store's filesystem has less free space than Options.MinFreeBytes.
// Nothing was applied; the write may be retried once space returns.
var ErrDiskFull = errors.New("store: disk full")

// Space returns ErrDiskFull (saying how much is free) when the store's
// filesystem has less free space than Options.MinFreeBytes, else nil.
func (d *DB) Space() error {
	if d.opts.MinFreeBytes < 0 || d.opts.ReadOnly {
		return nil
	}
	u, err := d.opts.FS.GetDiskUsage(d.dir)
	if err != nil {
		return nil // the filesystem cannot say (an in-memory one)
	}
	if int64(u.AvailBytes) < d.opts.MinFreeBytes {
		return fmt.Errorf("%w: %d bytes free on the filesystem of %s, below the %d bytes the store keeps free",
			ErrDiskFull, u.AvailBytes, d.dir, d.opts.MinFreeBytes)
	}
	return nil
}
