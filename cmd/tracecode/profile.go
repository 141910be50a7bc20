package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile starts a CPU profile into path (the hidden --cpuprofile
// of bench and loadtest); the returned function stops it and closes the
// file. An empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
