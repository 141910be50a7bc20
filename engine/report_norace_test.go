//go:build !race

package engine

// reportRace is true under the race detector (see report_race_test.go).
const reportRace = false
