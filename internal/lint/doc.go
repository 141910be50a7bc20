// Package lint holds tests that check the whole source tree against house
// rules that gofmt, go vet and staticcheck do not see: import grouping, and
// comments that name what code is rather than the work item that added it.
// It has no code of its own; `go test ./internal/lint` runs the checks.
package lint
