package loadtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/valyala/fasthttp"
)

// Outcome is what became of one request.
type Outcome uint8

// Outcomes. Everything from OutConnect on is an error.
const (
	// OutOK is a correct answer to a valid code: a 2xx whose body passed
	// the check, or a 3xx redirect.
	OutOK Outcome = iota
	// OutForgedRejected is a correct answer to a forged code: 400, 404 or
	// 410. Not an error — that is what the resolver is for.
	OutForgedRejected
	// OutConnect: the connection could not be made (refused, dial timeout).
	OutConnect
	// OutTimeout: no complete answer within the request timeout.
	OutTimeout
	// OutClosed: the server closed or reset the connection mid-request.
	OutClosed
	// OutOther: any other transport or protocol error.
	OutOther
	// OutHTTP4xx: a 4xx to a valid code (or a 4xx other than 400/404/410 to
	// a forged one).
	OutHTTP4xx
	// OutHTTP5xx: a 5xx.
	OutHTTP5xx
	// OutBody: a 200 whose Content-Type or body does not match the Accept
	// header (JSON must start with { or [, HTML with markup).
	OutBody
	// OutForgedAccepted: a 2xx or 3xx to a forged code — the resolver
	// vouched for a code that was never issued.
	OutForgedAccepted
	// OutUnsent: the request was still waiting for a connection when the
	// run's drain deadline passed, so it was never sent.
	OutUnsent
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"ok", "forged_rejected", "connect", "timeout", "closed", "other",
	"http_4xx", "http_5xx", "body", "forged_accepted", "unsent",
}

// String returns the outcome's name as used in results.json.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "unknown"
}

// IsError reports whether o counts as an error.
func (o Outcome) IsError() bool { return o >= OutConnect }

// classifyErr maps a transport error to its outcome.
func classifyErr(err error) Outcome {
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return OutTimeout
	case errors.Is(err, fasthttp.ErrDialTimeout), errors.Is(err, syscall.ECONNREFUSED):
		return OutConnect
	case errors.Is(err, fasthttp.ErrConnectionClosed), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return OutClosed
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return OutConnect
	}
	return OutOther
}

// classifyResp judges a complete response to a request with choices p.
// It allocates nothing.
func classifyResp(resp *fasthttp.Response, p Pick) Outcome {
	st := resp.StatusCode()
	if p.Forged {
		switch {
		case st == 400 || st == 404 || st == 410:
			return OutForgedRejected
		case st < 400:
			return OutForgedAccepted
		case st < 500:
			return OutHTTP4xx
		}
		return OutHTTP5xx
	}
	switch {
	case st >= 500:
		return OutHTTP5xx
	case st >= 400:
		return OutHTTP4xx
	case st >= 300:
		return OutOK
	}
	if !bodyMatches(resp.Header.ContentType(), resp.Body(), p.Accept) {
		return OutBody
	}
	return OutOK
}

var (
	ctJSON = []byte("json")
	ctHTML = []byte("text/html")
)

// bodyMatches checks a 2xx answer has the asked-for type: JSON (any
// …json media type, body starting with { or [) or HTML (text/html, body
// starting with <, after whitespace or a byte-order mark).
func bodyMatches(ct, body []byte, a Accept) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(b) == 0 {
		return false
	}
	if a == AcceptHTML {
		return bytes.Contains(ct, ctHTML) && b[0] == '<'
	}
	return bytes.Contains(ct, ctJSON) && (b[0] == '{' || b[0] == '[')
}
