package bench

import (
	"fmt"
	"io"
	"time"
)

// Progress follows a long step of a run. cmd/tracecode draws it as a live
// bar on a terminal; the library itself prints one line per step.
type Progress interface {
	// Add records n more units done.
	Add(n int)
	// Finish ends the step.
	Finish()
}

// lineProgress is the default Progress: one summary line when the step
// ends, so that CI logs stay readable.
type lineProgress struct {
	w     io.Writer
	what  string
	start time.Time
	n     int64
}

func (p *lineProgress) Add(n int) { p.n += int64(n) }

func (p *lineProgress) Finish() {
	if p.w != io.Discard {
		fmt.Fprintf(p.w, "  %s: %d in %.1fs\n", p.what, p.n, time.Since(p.start).Seconds())
	}
}

// newBar starts the progress of a step of total units named what: the
// Config's Bar when set, otherwise a summary line on the progress writer.
func (e *env) newBar(total int64, what string) Progress {
	if e.cfg.Bar != nil {
		return e.cfg.Bar(total, what)
	}
	return &lineProgress{w: e.log, what: what, start: time.Now()}
}
