package engine

// Asynchronous capture jobs (the REST binding's POST /capture):
// engine/epcissub stores each accepted document, says who may submit and
// read a job, and applies it with the engine's CaptureJSON or CaptureXML.

import (
	"errors"

	"tracecode/engine/epcissub"
)

func (n *Notices) openCaptureJobs() *epcissub.Jobs {
	return epcissub.NewJobs(n.e.db, n.e.Now, epcissub.ApplyWith(parts{n.e, n.e.iss}))
}

// CaptureJobs returns the capture jobs (OpenNotices makes them; the
// notices' runner, Notices.Run, applies them).
func (e *Engine) CaptureJobs() (*epcissub.Jobs, error) {
	if n := e.Notices(); n != nil && n.jobs != nil {
		return n.jobs, nil
	}
	return nil, errors.New("engine: capture jobs need the notices (OpenNotices)")
}
