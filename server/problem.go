package server

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fasthttp"
)

// Problem is an RFC 9457 problem details object. Every error the server
// returns is one, with Content-Type application/problem+json, so a client
// can show Detail to a person and branch on Type.
type Problem struct {
	// Type is a URI naming the kind of problem; "about:blank" when the HTTP
	// status says it all.
	Type string `json:"type"`
	// Title is a short summary of the kind of problem, the same for every
	// occurrence of Type.
	Title string `json:"title"`
	// Status repeats the HTTP status code.
	Status int `json:"status"`
	// Detail says what is wrong with this request and how to fix it.
	Detail string `json:"detail,omitempty"`
	// Instance is the request path.
	Instance string `json:"instance,omitempty"`
	// Errors lists per-item failures (one per offending code or event) for
	// requests that are applied whole or not at all.
	Errors []ItemError `json:"errors,omitempty"`
}

// ItemError is one offending item of a request: which one and why.
type ItemError struct {
	// Index is the 0-based position of the item in the request.
	Index int `json:"index"`
	// Item names the item: a code, an event ID or a JSON path.
	Item string `json:"item,omitempty"`
	// Reason says what is wrong.
	Reason string `json:"reason"`
}

// problemTypeBase prefixes the problem type URIs this server defines.
const problemTypeBase = "https://tracecode.example/problems/"

// Bounds on what a problem repeats of a request, so that a rejected
// value (a 6 MB name, a 32 MiB capture's field) is not sent back whole.
const (
	maxEcho   = 128     // a rejected value quoted by the server itself
	maxDetail = 2 << 10 // Problem.Detail
	maxItem   = 256     // ItemError.Item and Problem.Instance
	maxReason = 1 << 10 // ItemError.Reason
)

// truncate returns s if it has at most n bytes, else its first bytes up
// to n (cut at a UTF-8 boundary) and "…(N bytes)".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// truncateBytes is truncate for a byte slice.
func truncateBytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return []byte(truncate(string(b), n))
}

// writeProblem writes p as the response. p.Status must be an error status.
// Detail, Instance and the items are truncated (see maxDetail).
func writeProblem(ctx *fasthttp.RequestCtx, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = fasthttp.StatusMessage(p.Status)
	}
	if p.Instance == "" {
		p.Instance = string(truncateBytes(ctx.Path(), maxItem))
	}
	p.Instance = truncate(p.Instance, maxItem)
	p.Detail = truncate(p.Detail, maxDetail)
	for i := range p.Errors {
		p.Errors[i].Item = truncate(p.Errors[i].Item, maxItem)
		p.Errors[i].Reason = truncate(p.Errors[i].Reason, maxReason)
	}
	b, err := json.Marshal(p)
	if err != nil {
		// A Problem holds only strings and ints: Marshal cannot fail.
		panic("BUG: marshal problem: " + err.Error())
	}
	ctx.Response.Header.SetContentType("application/problem+json")
	ctx.SetStatusCode(p.Status)
	ctx.SetBody(b)
}

// problemf writes a problem with the given status, type suffix and detail.
func problem(ctx *fasthttp.RequestCtx, status int, kind, detail string) {
	typ := "about:blank"
	if kind != "" {
		typ = problemTypeBase + kind
	}
	writeProblem(ctx, Problem{Type: typ, Status: status, Detail: detail})
}
