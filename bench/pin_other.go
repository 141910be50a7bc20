//go:build !linux

package bench

// canPin: pinning threads to CPUs is done on Linux only.
func canPin() bool { return false }

func pinServer() (func(), error) { return func() {}, nil }
