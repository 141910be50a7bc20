//go:build race

package engine

// reportRace is true under the race detector, which adds allocations of
// its own: allocation counts are not asserted then.
const reportRace = true
