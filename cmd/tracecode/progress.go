package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"tracecode/bench"
)

// progress reports a long step of `tracecode bench`: a live bar on a
// terminal, otherwise one line when the step ends (CI logs stay readable).
type progress struct {
	bar   *progressbar.ProgressBar // nil when not a terminal
	w     io.Writer
	what  string
	start time.Time
	n     int64
}

// benchBar returns the bench.Config.Bar that draws on w.
func benchBar(w io.Writer) func(total int64, what string) bench.Progress {
	return func(total int64, what string) bench.Progress { return newBar(w, total, what) }
}

// newBar returns a progress reporter of total steps on w.
func newBar(w io.Writer, total int64, what string) *progress {
	p := &progress{w: w, what: what, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("ops"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	return p
}

// Add records n more steps done.
func (p *progress) Add(n int) {
	p.n += int64(n)
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Finish ends the step and prints its one-line summary.
func (p *progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
	if p.w != io.Discard {
		d := time.Since(p.start).Seconds()
		fmt.Fprintf(p.w, "  %s: %d in %.1fs\n", p.what, p.n, d)
	}
}
