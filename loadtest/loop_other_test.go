//go:build !linux

package loadtest

import "testing"

// attachLoop: off Linux there is no event loop (testEngines leaves it out).
func (g *sendRig) attachLoop(tb testing.TB) { tb.Fatal("the epoll engine needs Linux") }
