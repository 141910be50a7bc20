//go:build race

package loadtest

// raceEnabled: the race detector allocates on its own.
const raceEnabled = true
