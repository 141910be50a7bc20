package engine

// Asynchronous capture jobs' facade (the REST binding's POST /capture):
// engine/epcissub stores each accepted document and applies it later;
// this file says who may submit and read a job and applies a document
// with CaptureJSON or CaptureXML.

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"tracecode/engine/epcissub"
)

// CaptureJob is an asynchronous capture: running, then success or failed
// with its per-event errors.
type CaptureJob = epcissub.Job

// The capture job states.
const (
	JobRunning = epcissub.JobRunning
	JobSuccess = epcissub.JobSuccess
	JobFailed  = epcissub.JobFailed
)

func (n *Notices) openCaptureJobs() *epcissub.Jobs {
	return epcissub.NewJobs(n.e.db, n.e.Now, n.e.applyJob)
}

// applyJob applies a job's document as the synchronous capture would.
func (e *Engine) applyJob(ctx context.Context, j *CaptureJob) epcissub.Outcome {
	o := &CaptureOptions{Org: j.Org, Region: j.Region, Credential: j.Credential, RequestID: j.RequestID}
	capture := e.CaptureJSON
	if j.XML {
		capture = e.CaptureXML
	}
	rec, err := capture(ctx, bytes.NewReader(j.Doc), o)
	var re *ReportError
	switch {
	case err == nil:
		return epcissub.Outcome{Records: rec.Records, Duplicates: rec.Duplicates}
	case errors.As(err, &re):
		out := epcissub.Outcome{Dropped: re.Dropped}
		for _, ie := range re.Errors {
			out.Errors = append(out.Errors, epcissub.JobError{Event: ie.Event, Field: ie.Field, Code: ie.Code, Reason: ie.Reason})
		}
		return out
	case errors.Is(err, ErrClosed), errors.Is(err, ErrFailed), errors.Is(err, ErrDiskFull), ctx.Err() != nil:
		return epcissub.Outcome{Transient: err}
	}
	return epcissub.Outcome{Errors: []epcissub.JobError{{Event: -1, Reason: err.Error()}}}
}

// SubmitCapture accepts an EPCIS document (JSON-LD, or XML when xml) as
// a capture job of k's organisation, stored synced before it returns;
// the notices' runner (Run) applies it, all or nothing, as CaptureJSON
// or CaptureXML would. requestID makes the capture idempotent as
// ReportMeta.RequestID does.
func (e *Engine) SubmitCapture(k APIKey, doc []byte, xml bool, requestID string) (CaptureJob, error) {
	if k.Org == 0 || !k.Scopes.Has(ScopeEvents) {
		return CaptureJob{}, fmt.Errorf("%w: events are captured by an organisation's key with the events scope", ErrWrongOrg)
	}
	n := e.Notices()
	if n == nil || n.jobs == nil {
		return CaptureJob{}, errors.New("engine: capture jobs need the notices (OpenNotices)")
	}
	if _, err := e.tr(); err != nil {
		return CaptureJob{}, err
	}
	j := CaptureJob{Org: k.Org, Credential: "key:" + fmt.Sprintf("%x", k.ID), RequestID: requestID, XML: xml, Doc: doc}
	if k.Scopes.Has(ScopeRegulator) {
		j.Region = k.Region
	}
	if err := n.jobs.Submit(&j); err != nil {
		return CaptureJob{}, err
	}
	j.Doc = nil
	return j, nil
}

// CaptureJobOf returns job id if k may see it (its organisation's keys,
// the operator's); found is false otherwise.
func (e *Engine) CaptureJobOf(k APIKey, id uint64) (CaptureJob, bool, error) {
	n := e.Notices()
	if n == nil || n.jobs == nil {
		return CaptureJob{}, false, nil
	}
	j, found, err := n.jobs.Get(id)
	if err != nil || !found {
		return CaptureJob{}, false, err
	}
	if !(k.Org != 0 && k.Org == j.Org) && !(k.Org == 0 && k.Scopes.Has(ScopeAdmin)) {
		return CaptureJob{}, false, nil
	}
	j.Doc = nil
	return j, true, nil
}

// RunCaptureJobs applies every running capture job now (Run does it as
// they come) and returns how many finished.
func (n *Notices) RunCaptureJobs(ctx context.Context) (int, error) { return n.jobs.RunOnce(ctx) }
