package server

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strconv"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/model"
)

// bootID distinguishes request ids of this process from those of earlier
// runs: fasthttp's request ids restart at 1 with every process.
var bootID = rand.Uint32()

// requestID names ctx's request in logs and in 500 answers, so that an
// operator can find the log line a client quotes: 8 hex digits of the
// process, 16 of fasthttp's per-process request id.
func requestID(ctx *fasthttp.RequestCtx) string {
	var b [25]byte
	dst := appendHex(b[:0], uint64(bootID), 8)
	dst = append(dst, '-')
	return string(appendHex(dst, ctx.ID(), 16))
}

func appendHex(dst []byte, v uint64, width int) []byte {
	s := strconv.FormatUint(v, 16)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// internalError answers a failure that is the server's, not the client's:
// the internal text (store keys, Pebble's messages) goes to the log with
// the request's method, path and id; the client gets a generic 500
// problem naming the request id, and the same id in X-Request-Id.
func (s *Server) internalError(ctx *fasthttp.RequestCtx, what string, err error) {
	id := requestID(ctx)
	s.log.Error(what, "method", string(ctx.Method()), "path", string(ctx.Path()), "request_id", id, "err", err)
	ctx.Response.Header.Set("X-Request-Id", id)
	problem(ctx, fasthttp.StatusInternalServerError, "internal",
		"internal error; the operator can find it in the log under request id "+id)
}

// serverFailure answers an error that is not the request's fault: 503
// with Retry-After while the engine is closed (shutting down), else a
// generic 500 (internalError).
func (s *Server) serverFailure(ctx *fasthttp.RequestCtx, what string, err error) {
	if errors.Is(err, engine.ErrClosed) {
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "the service is shutting down; retry in a second")
		return
	}
	s.internalError(ctx, what, err)
}

// resolveError answers a failed ResolveInto of a /v1 call: a code that is
// malformed or names nothing is the client's (400 with the engine's
// reason); anything else is the server's (serverFailure).
func resolveError(c *call, err error) {
	var le *model.LookupError
	if errors.As(err, &le) || errors.Is(err, model.ErrInvalid) {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-code", err.Error())
		return
	}
	c.s.serverFailure(c.ctx, "resolve", err)
}

// recoverPanic is deferred by handle: a request that hits a bug (a
// "BUG: …" panic, a Pebble misuse panic) is answered with a 500 problem
// and logged with its method, path and stack, and the server goes on
// serving everyone else. It must be called directly by the deferred
// function (recover works only there), so it takes the recovered value.
func (s *Server) recoverPanic(ctx *fasthttp.RequestCtx, v any) {
	s.m.panics.Inc()
	id := requestID(ctx)
	s.log.Error("panic serving a request", "method", string(ctx.Method()), "path", string(ctx.Path()),
		"request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	// Whatever the handler had written (headers, a half body, a stream
	// writer) is dropped.
	ctx.Response.Reset()
	ctx.Response.Header.Set("X-Request-Id", id)
	ctx.SetConnectionClose()
	problem(ctx, fasthttp.StatusInternalServerError, "internal",
		"internal error; the operator can find it in the log under request id "+id)
}

// guardStream runs a response body writer (which fasthttp runs on its own
// goroutine, outside handle's recovery) so that a panic in it ends the
// stream and is logged and counted instead of killing the process.
func guardStream(log *slog.Logger, m *metrics, what string, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			m.panics.Inc()
			log.Error("panic writing a response stream", "stream", what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	fn()
}
