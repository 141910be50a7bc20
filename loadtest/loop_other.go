//go:build !linux

package loadtest

import "errors"

// loopSupported: EngineLoop needs Linux (epoll); elsewhere runs use
// EngineGoroutines.
const loopSupported = false

// loop is EngineLoop's event loop; off Linux it does not exist.
type loop struct {
	meter
}

func (r *runner) newLoops() error { return errors.New("loadtest: the epoll engine needs Linux") }

func (l *loop) run() {}
