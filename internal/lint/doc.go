// Package lint holds tests that check the whole source tree against house
// rules that gofmt, go vet and staticcheck do not see: import grouping,
// comments that name what code is rather than the work item that added it,
// EPCIS vocabulary written as constants, a server that calls engine/code
// for every GS1 primitive instead of keeping its own copy, and key
// prefixes named only in engine/store.
// It has no code of its own; `go test ./internal/lint` runs the checks.
package lint
