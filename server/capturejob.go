package server

import (
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/epcissub"
)

// captureJobRoutes are the REST binding's asynchronous capture: POST
// /v1/epcis/capture stores the document and answers 202; the job runner
// applies it; GET /v1/epcis/capture/{id} says how it went. POST
// /v1/events stays the synchronous capture (applied before it answers).
func (s *Server) captureJobRoutes() []*route {
	return []*route{
		{method: "POST", pattern: "/v1/epcis/capture", announced: true, metric: "epcis_capture", scopes: apikey.ScopeEvents, h: (*Server).apiSubmitCapture},
		{method: "GET", pattern: "/v1/epcis/capture/{id}", metric: "epcis_capture", h: (*Server).apiCaptureJob},
	}
}

// apiSubmitCapture serves POST /v1/epcis/capture: an EPCIS 2.0 JSON(-LD)
// document, or (Content-Type application/xml, text/xml) an EPCIS 2.0 or
// 1.x XML one, stored as a capture job; 202 with Location.
func (s *Server) apiSubmitCapture(c *call) {
	isXML, release, ok := s.captureStart(c)
	if !ok {
		return
	}
	defer release()
	doc, ok := c.readBody(c.bodyLimit())
	if !ok {
		return
	}
	js, err := s.eng.CaptureJobs()
	if err != nil {
		engineError(c, err)
		return
	}
	j, err := js.SubmitAs(c.key, doc, isXML, string(c.ctx.Request.Header.Peek("Idempotency-Key")))
	if err != nil {
		engineError(c, err)
		return
	}
	loc := "/v1/epcis/capture/" + strconv.FormatUint(j.ID, 10)
	c.ctx.Response.Header.Set("Location", loc)
	writeJSON(c, fasthttp.StatusAccepted, captureJobOut(j))
}

// captureJobJSON is a capture job as the standard's EPCISCaptureJob:
// running, success, the times and, for a failed job, one RFC 7807 error
// per problem with the event index, field and code.
type captureJobJSON struct {
	CaptureID     string            `json:"captureID"`
	Running       bool              `json:"running"`
	Success       bool              `json:"success"`
	ErrorBehavior string            `json:"captureErrorBehaviour"`
	CreatedAt     string            `json:"createdAt"`
	FinishedAt    string            `json:"finishedAt,omitzero"`
	Records       int               `json:"records"`
	Duplicates    int               `json:"duplicates"`
	Errors        []captureJobError `json:"errors"`
	Dropped       int               `json:"moreErrors,omitzero"`
}

type captureJobError struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Event  int    `json:"event"`
	Field  string `json:"field,omitzero"`
	Code   string `json:"code,omitzero"`
}

func captureJobOut(j epcissub.Job) captureJobJSON {
	out := captureJobJSON{CaptureID: strconv.FormatUint(j.ID, 10), Running: j.State == epcissub.JobRunning, Success: j.State == epcissub.JobSuccess,
		ErrorBehavior: "rollback", CreatedAt: time.UnixMilli(j.Created).UTC().Format(time.RFC3339Nano),
		Records: j.Records, Duplicates: j.Duplicates, Errors: []captureJobError{}, Dropped: j.Dropped}
	if j.Finished != 0 {
		out.FinishedAt = time.UnixMilli(j.Finished).UTC().Format(time.RFC3339Nano)
	}
	for _, e := range j.Errors {
		out.Errors = append(out.Errors, captureJobError{Type: "epcisException:ValidationException", Title: "ValidationException",
			Status: fasthttp.StatusBadRequest, Detail: e.Reason, Event: e.Event, Field: e.Field, Code: e.Code})
	}
	return out
}

// apiCaptureJob serves GET /v1/epcis/capture/{id}: the job of the key's
// organisation (the operator's: any); another's is 404.
func (s *Server) apiCaptureJob(c *call) {
	id, ok := pathID(c, 0, "capture job")
	if !ok {
		return
	}
	js, err := s.eng.CaptureJobs()
	if err != nil {
		engineError(c, err)
		return
	}
	j, found, err := js.JobOf(c.key, id)
	switch {
	case err != nil:
		engineError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no capture job "+quote(c.pv[0])+" of this key's organisation")
	default:
		writeJSON(c, fasthttp.StatusOK, captureJobOut(j))
	}
}
