package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/valyala/fasthttp"
)

// Request bodies are streamed (fasthttp's Server.StreamRequestBody):
// fasthttp hands the handler a request after its headers and at most 8 KiB
// of its body, so a /v1 request is authenticated and its scope checked
// before anything more of the body is read, and a request refused there
// costs no more than that. A handler reads the body itself, within its
// route's limit: the small JSON bodies into memory (readBody), an EPCIS
// document straight into the engine's streaming parser (captureBody),
// never whole into a server buffer.

// errBodyTooLarge is returned by a limitedBody read past its limit.
var errBodyTooLarge = errors.New("request body larger than the route's limit")

// limitedBody reads at most n bytes of a request body and remembers
// whether the body went past them.
type limitedBody struct {
	r   io.Reader
	n   int64
	hit bool
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One more byte tells a body of exactly n bytes from a longer one.
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			l.hit = true
			return 0, errBodyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// bodyReader returns the request body of c as a reader limited to limit
// bytes. It answers 413 itself, before reading anything, when the
// declared Content-Length is over the limit.
func (c *call) bodyReader(limit int) (*limitedBody, bool) {
	if cl := c.ctx.Request.Header.ContentLength(); cl > limit {
		c.bodyTooLarge(limit)
		return nil, false
	}
	var r io.Reader
	if st := c.ctx.Request.BodyStream(); st != nil {
		r = st
	} else {
		// Not streamed: an in-process request whose body is already in
		// memory.
		r = bytes.NewReader(c.ctx.Request.Body())
	}
	return &limitedBody{r: r, n: int64(limit)}, true
}

// readBody reads c's whole body, at most limit bytes, answering 413 (too
// large) or 400 (cut short, timed out) itself.
func (c *call) readBody(limit int) ([]byte, bool) {
	lr, ok := c.bodyReader(limit)
	if !ok {
		return nil, false
	}
	var buf bytes.Buffer
	if cl := c.ctx.Request.Header.ContentLength(); cl > 0 {
		buf.Grow(cl)
	}
	if _, err := buf.ReadFrom(lr); err != nil {
		c.bodyError(lr, limit, err)
		return nil, false
	}
	return buf.Bytes(), true
}

// bodyError answers a failed body read: 413 past the limit, 400 for a
// body cut short or not sent in time. The connection is closed: what is
// left of the body on it cannot be trusted to frame the next request.
func (c *call) bodyError(lr *limitedBody, limit int, err error) {
	if lr.hit {
		c.bodyTooLarge(limit)
		return
	}
	c.ctx.SetConnectionClose()
	if isTimeout(err) {
		problem(c.ctx, fasthttp.StatusRequestTimeout, "timeout", "the request body was not received in time")
		return
	}
	problem(c.ctx, fasthttp.StatusBadRequest, "bad-request", "the request body could not be read: "+err.Error())
}

func (c *call) bodyTooLarge(limit int) {
	c.ctx.SetConnectionClose()
	problem(c.ctx, fasthttp.StatusRequestEntityTooLarge, "body-too-large",
		fmt.Sprintf("the request body is larger than %s accepts (%d bytes)", c.r.pattern, limit))
}

// hasBody reports whether ctx's request declares a body (a positive
// Content-Length, or chunked).
func hasBody(ctx *fasthttp.RequestCtx) bool {
	cl := ctx.Request.Header.ContentLength()
	return cl > 0 || cl == -1
}

// bodyLimit is the body limit of c's route.
func (c *call) bodyLimit() int {
	if c.r.pattern == "/v1/events" {
		return c.s.cfg.MaxCaptureBytes
	}
	return c.s.cfg.MaxBodyBytes
}

// largeBody reports whether c's body may be larger than MaxBodyBytes
// (declared so, or of unknown length): such bodies take a slot of
// Config.MaxLargeBodies while they are read.
func (c *call) largeBody() bool {
	cl := c.ctx.Request.Header.ContentLength()
	return cl < 0 || cl > c.s.cfg.MaxBodyBytes
}

// acquireLargeBody takes a large-body slot without waiting; when all are
// taken it answers 503 with Retry-After and returns false. release must be
// called when the body has been read.
func (s *Server) acquireLargeBody(c *call) (release func(), ok bool) {
	select {
	case s.largeBodies <- struct{}{}:
		return func() { <-s.largeBodies }, true
	default:
		s.m.largeBodyRefused.Inc()
		c.ctx.SetConnectionClose()
		c.ctx.Response.Header.Set("Retry-After", "1")
		problem(c.ctx, fasthttp.StatusServiceUnavailable, "busy",
			fmt.Sprintf("%d large request bodies are being received; retry in a second", cap(s.largeBodies)))
		return nil, false
	}
}
