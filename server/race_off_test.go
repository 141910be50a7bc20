//go:build !race

package server

// raceEnabled reports that the race detector is on: it allocates on its
// own, so allocation counts mean nothing.
const raceEnabled = false
